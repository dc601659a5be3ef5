import Foundation

/// Finds the descendants of a process by reading `/proc` (Linux); elsewhere it finds none.
public enum ProcessTree {
    /// Every live descendant of `pid`, children first.
    public static func descendants(of pid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var childrenOf: [Int32: [Int32]] = [:]
        for entry in entries {
            guard let child = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                  let parent = parentPID(fromStat: stat) else { continue }
            childrenOf[parent, default: []].append(child)
        }
        var result: [Int32] = []
        var queue = childrenOf[pid] ?? []
        while let next = queue.first {
            queue.removeFirst()
            result.append(next)
            queue.append(contentsOf: childrenOf[next] ?? [])
        }
        return result
    }

    /// The fourth field of `/proc/PID/stat`; the name before it may contain spaces and
    /// parentheses, so parsing starts after the last `)`.
    static func parentPID(fromStat stat: String) -> Int32? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 1 else { return nil }
        return Int32(fields[1])
    }
}
