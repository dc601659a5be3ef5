/// Whether a node-config.json configuration can run on a server's GPUs, and which official
/// configuration to pick when the node file leaves it open. The rules are Gonka's published
/// figures: every GPU at least 16 GB (hardware specifications), as many GPUs as the tensor
/// parallelism spans, one instance's GPUs holding what the model needs, and all GPUs holding
/// the quickstart's minimum per ML node.
public enum GPUFit {
    /// The least memory of one GPU Gonka accepts, in decimal GB.
    public static let minimumGPUGB = 16

    /// Why `profile` cannot run on `gpus`, one sentence each; empty when it can.
    public static func problems(_ profile: NodeProfile, gpus: [ServerGPU]) -> [String] {
        guard let smallest = gpus.map(\.memoryMiB).min() else { return ["the server has no GPU"] }
        var problems: [String] = []
        let perGPU = ModelMemoryNeed.mebibytes(gigabytes: minimumGPUGB)
        for (index, gpu) in gpus.enumerated() where gpu.memoryMiB < perGPU {
            problems.append("GPU \(index) (\(gpu.name), \(gpu.memoryMiB) MiB) has less than the \(minimumGPUGB) GB (\(perGPU) MiB) Gonka asks of every GPU")
        }
        let model = profile.modelName, need = profile.memoryNeed, span = profile.tensorParallelSize
        if gpus.count < span {
            problems.append("node-config.json runs \(model) with tensor parallelism \(span), which needs at least \(span) GPUs; the server has \(gpus.count)")
        } else {
            let instance = span * smallest, wanted = ModelMemoryNeed.mebibytes(gigabytes: need.instanceGB)
            if instance < wanted {
                let spread = span == 1 ? "one GPU of \(smallest) MiB" : "\(span) GPUs of \(smallest) MiB, \(instance) MiB"
                problems.append("one instance of \(model) runs on \(spread), less than the \(need.instanceGB) GB (\(wanted) MiB) it needs")
            }
        }
        let total = gpus.reduce(0) { $0 + $1.memoryMiB }, wanted = ModelMemoryNeed.mebibytes(gigabytes: need.mlNodeGB)
        if total < wanted {
            problems.append("the GPUs hold \(total) MiB in all, less than the \(need.mlNodeGB) GB (\(wanted) MiB) \(model) needs on one ML node")
        }
        return problems
    }

    /// The official hardware of `profile` that `gpus` are exactly, if any.
    public static func officialMatch(_ profile: NodeProfile, gpus: [ServerGPU]) -> GPUSet? {
        profile.officialHardware.first { $0.isExactly(gpus) }
    }

    /// The configuration for `model` on `gpus` when the node file leaves it open: the one
    /// written for exactly these GPUs (model and count); else the one that fits with the
    /// fewest GPUs per instance (the most instances); `nil` when none serving `model` fits.
    public static func pick(model: String, gpus: [ServerGPU]) -> ProfilePick? {
        let candidates = NodeProfile.allCases.filter { $0.modelName == model }
        for profile in candidates {
            if let match = officialMatch(profile, gpus: gpus) { return ProfilePick(profile: profile, officialMatch: match) }
        }
        let fitting = candidates.filter { problems($0, gpus: gpus).isEmpty }
        return fitting.min { $0.tensorParallelSize < $1.tensorParallelSize }.map { ProfilePick(profile: $0, officialMatch: nil) }
    }
}

/// The configuration picked for a node file that leaves `NODE_CONFIG_PROFILE` open.
public struct ProfilePick: Sendable, Equatable {
    /// The profile node-config.json is written for.
    public var profile: NodeProfile
    /// The official hardware the server's GPUs are exactly; `nil` when the profile was
    /// picked because it fits, without being written for these GPUs.
    public var officialMatch: GPUSet?

    /// Creates the pick.
    public init(profile: NodeProfile, officialMatch: GPUSet?) {
        self.profile = profile
        self.officialMatch = officialMatch
    }

    /// `x8-4090, the official 8x4090 configuration`, or `x1, which fits (no official configuration is for these GPUs)`.
    public var description: String {
        if let officialMatch { return "\(profile.rawValue), the official \(officialMatch) configuration" }
        let written = profile.officialHardware.map(\.description).joined(separator: " or ")
        return "\(profile.rawValue), which fits (written for \(written); no official configuration is for these GPUs)"
    }
}
