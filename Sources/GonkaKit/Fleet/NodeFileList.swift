import FleetKit
import Foundation

/// The node files a run of several nodes works on, from what the operator named: node files
/// themselves, or folders whose `*.conf` files are taken in name order (the original's
/// `nodes/` folder; `node1.conf.example` and other names are left out).
public enum NodeFileList {
    /// One node file: where it is and how the operator named it (shown in lines and the table).
    public struct Entry: Sendable, Equatable {
        /// The file.
        public var url: URL
        /// The file as the operator named it, or `<folder>/<name>` for a file found in a folder.
        public var name: String

        /// Creates the entry.
        public init(url: URL, name: String) {
            self.url = url
            self.name = name
        }
    }

    /// The node files of `paths` (each resolved from `workingDirectory`), in the given order,
    /// a folder expanded to its `*.conf` files; a file named twice is taken once.
    ///
    /// - Throws: ``NodeFleetError`` listing every path that is neither (missing, or a folder
    ///   without `*.conf` files).
    public static func expand(_ paths: [String], workingDirectory: URL) throws(NodeFleetError) -> [Entry] {
        var entries: [Entry] = [], problems: [String] = []
        for path in paths {
            let url = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : workingDirectory.appendingPathComponent(path)).standardizedFileURL
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
                problems.append("\(path): no such file or folder")
                continue
            }
            guard isFolder.boolValue else {
                entries.append(Entry(url: url, name: path))
                continue
            }
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.hasSuffix(".conf") }.sorted()
            if names.isEmpty { problems.append("\(path): the folder holds no node file (*.conf)") }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            entries += names.map { Entry(url: url.appendingPathComponent($0), name: prefix + $0) }
        }
        guard problems.isEmpty else { throw NodeFleetError(problems: problems) }
        var seen = Set<String>()
        return entries.filter { seen.insert($0.url.path).inserted }
    }
}

/// The node files of a run of several nodes cannot all be used: every problem of every file
/// (each file's own, then names two files share), so all can be fixed at once.
public struct NodeFleetError: Error, Sendable, Equatable, InputError {
    /// One line each; a node file's own problems come as its ``NodeConfigError`` text.
    public let problems: [String]

    /// Creates the error.
    public init(problems: [String]) { self.problems = problems }

    /// The problems, one block each.
    public var description: String {
        problems.count == 1 ? problems[0] : "\(problems.count) problems with the node files:\n" + problems.joined(separator: "\n")
    }
}
