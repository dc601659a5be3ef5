import Foundation

/// A number of GPUs of one model, such as the quickstart's `8xH100`: the hardware one of
/// Gonka's official node-config.json configurations was written for.
public struct GPUSet: Sendable, Equatable, CustomStringConvertible {
    /// How many GPUs.
    public var count: Int
    /// The model as Gonka's documents name it (`H100`, `RTX 4090`).
    public var model: String
    /// The word of nvidia-smi's name that marks the model (`H100` in `NVIDIA H100 80GB HBM3`, `4090`).
    public var nameWord: String

    /// Creates the set.
    public init(count: Int, model: String, nameWord: String) {
        self.count = count
        self.model = model
        self.nameWord = nameWord
    }

    /// `8xH100`, as the quickstart names its configurations.
    public var description: String { "\(count)x\(model.replacingOccurrences(of: "RTX ", with: ""))" }

    /// Whether `gpu` is of this model: a word of its name (split at anything but letters and digits) is ``nameWord``.
    public func matches(_ gpu: ServerGPU) -> Bool {
        gpu.name.split { !($0.isLetter || $0.isNumber) }.contains { $0.caseInsensitiveCompare(nameWord) == .orderedSame }
    }

    /// Whether `gpus` are exactly this set: as many, all of this model.
    public func isExactly(_ gpus: [ServerGPU]) -> Bool {
        gpus.count == count && gpus.allSatisfy(matches)
    }

    static func h100(_ count: Int) -> GPUSet { GPUSet(count: count, model: "H100", nameWord: "H100") }
    static func h200(_ count: Int) -> GPUSet { GPUSet(count: count, model: "H200", nameWord: "H200") }
    static func rtx4090(_ count: Int) -> GPUSet { GPUSet(count: count, model: "RTX 4090", nameWord: "4090") }
}

/// What a model needs of GPU memory, in Gonka's decimal gigabytes (an "80 GB" H100 reports
/// 81559 MiB, which is 85.5 GB): one vLLM instance (the GPUs of one tensor-parallel group)
/// and one ML node (all its GPUs).
public struct ModelMemoryNeed: Sendable, Equatable {
    /// The least memory one instance runs on: the smallest instance among the official
    /// configurations (one H100 for Qwen3-32B-FP8, four H100 for Qwen3-235B).
    public var instanceGB: Int
    /// The quickstart's "Minimum VRAM per MLNode" of the model's class (medium 80 GB, large 640 GB).
    public var mlNodeGB: Int

    /// Creates the need.
    public init(instanceGB: Int, mlNodeGB: Int) {
        self.instanceGB = instanceGB
        self.mlNodeGB = mlNodeGB
    }

    /// `gigabytes` decimal GB in MiB, rounded up.
    public static func mebibytes(gigabytes: Int) -> Int { (gigabytes * 1_000_000_000 + 1_048_575) / 1_048_576 }
}

extension NodeProfile {
    /// The GPUs Gonka's quickstart wrote this configuration for: `8xH200 or 8xH100`, `1xH100`, `8x4090`.
    public var officialHardware: [GPUSet] {
        switch self {
        case .x1: [.h100(1)]
        case .x8: [.h100(8), .h200(8)]
        case .x8RTX4090: [.rtx4090(8)]
        }
    }

    /// How many GPUs one instance of the model spans: `--tensor-parallel-size` of ``modelArguments``, 1 without it.
    public var tensorParallelSize: Int {
        guard let flag = modelArguments.firstIndex(of: "--tensor-parallel-size"), flag + 1 < modelArguments.count else { return 1 }
        return Int(modelArguments[flag + 1]) ?? 1
    }

    /// What the profile's model needs of GPU memory.
    public var memoryNeed: ModelMemoryNeed {
        switch self {
        case .x8: ModelMemoryNeed(instanceGB: 320, mlNodeGB: 640)
        case .x1, .x8RTX4090: ModelMemoryNeed(instanceGB: 80, mlNodeGB: 80)
        }
    }
}
