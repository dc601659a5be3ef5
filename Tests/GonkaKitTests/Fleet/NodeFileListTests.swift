import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// The node files of a run of several nodes: files as named, folders as their `*.conf` files.
@Suite(.tags(.unit)) struct NodeFileListTests {
    @Test func foldersGiveTheirConfFilesInNameOrderAndEveryBadPathIsNamed() throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nodes = folder.appendingPathComponent("nodes"), empty = folder.appendingPathComponent("empty")
        for path in [nodes, empty] { try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true) }
        for name in ["b.conf", "a.conf", "node1.conf.example", "notes.txt"] {
            try "".write(to: nodes.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let entries = try NodeFileList.expand(["nodes", "nodes/a.conf"], workingDirectory: folder)
        #expect(entries.map(\.name) == ["nodes/a.conf", "nodes/b.conf"], "a file named twice is taken once")
        #expect(entries.first?.url.path == nodes.appendingPathComponent("a.conf").path)

        #expect(throws: NodeFleetError(problems: ["missing.conf: no such file or folder", "empty/: the folder holds no node file (*.conf)"])) {
            try NodeFileList.expand(["missing.conf", "nodes", "empty/"], workingDirectory: folder)
        }
    }
}
