import FleetKit
import Foundation

/// One GPU of the server as `nvidia-smi` names it, with its memory.
public struct ServerGPU: Sendable, Equatable {
    /// The product name (`NVIDIA H100 80GB HBM3`), control characters escaped and cut to
    /// ``ServerGPUs/longestName`` characters: it is text from the server.
    public var name: String
    /// The card's memory in MiB, as `nvidia-smi` reports `memory.total`.
    public var memoryMiB: Int

    /// Creates the GPU.
    public init(name: String, memoryMiB: Int) {
        self.name = name
        self.memoryMiB = memoryMiB
    }
}

/// The server's GPUs as phase 0 reads them, or why none could be read: `nvidia-smi` missing,
/// failing (no driver), listing nothing, or answering what is not `name, memory`.
public enum ServerGPUs: Sendable, Equatable {
    /// The GPUs, in `nvidia-smi`'s order.
    case found([ServerGPU])
    /// None could be read; the sentence says why.
    case unreadable(String)

    /// The command phase 0 runs on the server: one `name, memory.total` line per GPU, memory in MiB.
    public static let command = "nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits"

    /// The most GPUs one server is read with; more lines than this is not a GPU list.
    public static let mostGPUs = 64
    /// The longest GPU name kept.
    public static let longestName = 80

    /// The GPUs of a run of ``command``: its exit status, standard output and standard error.
    /// Every line must be `name, memory` with a whole number of MiB (the name may hold commas;
    /// the memory is after the last one); a line that is not makes the whole reading
    /// unreadable rather than half a list. Carriage returns and blank lines are ignored.
    public static func parse(status: Int32, output: String, errorOutput: String) -> ServerGPUs {
        guard status == 0 else {
            if status == 127 { return .unreadable("nvidia-smi is not installed on the server (no NVIDIA driver)") }
            let said = (errorOutput + "\n" + output).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
            return .unreadable("nvidia-smi failed (exit \(status))" + (said.map { ": " + TerminalText.quoted($0) } ?? ""))
        }
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !lines.isEmpty else { return .unreadable("nvidia-smi lists no GPU") }
        guard lines.count <= mostGPUs else { return .unreadable("nvidia-smi answered \(lines.count) lines, more than the \(mostGPUs) GPUs a server holds") }
        var gpus: [ServerGPU] = []
        for (index, line) in lines.enumerated() {
            guard let gpu = gpu(line) else {
                return .unreadable("nvidia-smi line \(index + 1) is not 'name, memory in MiB': '\(TerminalText.quoted(line))'")
            }
            gpus.append(gpu)
        }
        return .found(gpus)
    }

    /// `name, memory` with a name that is not empty and a memory of 1 to 8 digits of MiB, not 0.
    private static func gpu(_ line: String) -> ServerGPU? {
        guard let comma = line.lastIndex(of: ",") else { return nil }
        let name = line[..<comma].trimmingCharacters(in: .whitespaces)
        let memory = line[line.index(after: comma)...].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !memory.isEmpty, memory.count <= 8, memory.allSatisfy({ $0.isASCII && $0.isNumber }),
              let mib = Int(memory), mib > 0 else { return nil }
        return ServerGPU(name: TerminalText.escaped(String(name.prefix(longestName))), memoryMiB: mib)
    }

    /// The GPUs read; none when unreadable.
    public var gpus: [ServerGPU] {
        if case .found(let gpus) = self { return gpus }
        return []
    }

    /// `8 × NVIDIA H100 80GB HBM3 (81559 MiB)`, GPUs of one name and memory counted together,
    /// or why none were read.
    public var summary: String {
        switch self {
        case .unreadable(let why): return why
        case .found(let gpus):
            var groups: [(gpu: ServerGPU, count: Int)] = []
            for gpu in gpus {
                if let index = groups.firstIndex(where: { $0.gpu == gpu }) { groups[index].count += 1 } else { groups.append((gpu, 1)) }
            }
            return groups.map { "\($0.count) × \($0.gpu.name) (\($0.gpu.memoryMiB) MiB)" }.joined(separator: ", ")
        }
    }
}
