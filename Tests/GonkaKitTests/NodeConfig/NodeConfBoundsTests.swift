import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// Node files and rendered files on hostile input: nested expansions ("billion laughs"),
/// NUL characters, secrets in error messages, FIFOs, loose folders and half-written outputs.
@Suite(.tags(.unit)) struct NodeConfBoundsTests {
    func problems(_ text: String, environment: [String: String] = [:]) -> [NodeConfigProblem] {
        do throws(NodeConfigError) {
            _ = try NodeConfFile.parse(text, path: "nodes/test.conf", environment: environment)
            return []
        } catch {
            return error.problems
        }
    }

    /// Ten levels of ten references: 10^11 bytes if expanded; refused when one value passes 64 KiB.
    @Test func nestedExpansionsStopAtTheValueCap() {
        var lines = ["L0=xxxxxxxxxx"]
        for level in 1...10 { lines.append("L\(level)=\"" + String(repeating: "$L\(level - 1)", count: 10) + "\"") }
        let found = problems(lines.joined(separator: "\n") + "\n")
        #expect(found.first?.location == .line(5), "\(found)")
        #expect(found.first?.message.contains("longer than 64 KiB") == true)
        #expect(found.dropFirst().allSatisfy { $0.message.contains("could not be read") }, "later lines refer to an unreadable value")
    }

    /// Many values under 64 KiB each, referenced again and again: refused at 1 MiB in all.
    @Test func expansionsStopAtTheFileCap() {
        let lines = ["A=" + String(repeating: "x", count: 60_000)] + (1...30).map { "B\($0)=\"$A\"" }
        let found = problems(lines.joined(separator: "\n") + "\n")
        let first = found.first
        #expect(first?.location == .line(19), "\(found)")
        #expect(first?.message.contains("expand to more than 1 MiB in all") == true)
    }

    @Test func aValueLongerThanTheCapIsRefusedWithItsLine() {
        let long = String(repeating: "a", count: 40_000)
        let found = problems("A=\(long)\nB=\"$A$A\"\n")
        #expect(found.map(\.location) == [.line(2)])
        #expect(found.first?.message.contains("longer than 64 KiB") == true)
    }

    @Test func aNULInAValueIsRefused() {
        let found = problems("SSH_USER=ubuntu\nKEYRING_PASSWORD=abc\u{0}def\n")
        #expect(found.map(\.location) == [.line(2)])
        #expect(found.first?.message.contains("NUL") == true)
    }

    @Test func aWordOfThePasswordNeverReachesAMessage() {
        for text in ["KEYRING_PASSWORD=\"pa$sword123\"\n", "KEYRING_PASSWORD=pa${sword123:-x}\n", "KEYRING_PASSWORD=\"ab$1cd\"\n"] {
            let found = problems(text)
            #expect(found.count == 1, "\(text)")
            #expect(found.allSatisfy { !$0.message.contains("sword123") && !$0.message.contains("$1") }, "\(found)")
        }
        let other = problems("SSH_USER=\"a$nowhere\"\n")
        #expect(other.first?.message.contains("$nowhere") == true, "other settings still name the reference")
    }

    @Test func aFIFOAsTheNodeFileIsNamedPlainly() throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("node1.conf")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        do {
            _ = try NodeConfig.load(contentsOf: fifo, path: "nodes/node1.conf", environment: [:])
            Issue.record("a FIFO is not a node file")
        } catch {
            #expect(error.description == "nodes/node1.conf: the node file cannot be read: it is not a regular file (a FIFO)")
        }
    }

    func mode(of url: URL) -> UInt16 {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return 0 }
        return UInt16(info.st_mode & 0o7777)
    }

    @Test func renderTightensALooseFolderAndReportsAHalfWrite() throws {
        let config = try NodeConfig.parse(GonkaFixtures.nodeFile(), file: "nodes/node1.conf", environment: [:])
        let root = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("node1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(chmod(folder.path, 0o777) == 0)
        _ = try NodeFiles.write(config, to: folder)
        #expect(mode(of: folder) == 0o700, "the folder holding the keyring password is tightened")

        let blocked = root.appendingPathComponent("node2")
        try FileManager.default.createDirectory(at: blocked.appendingPathComponent("node-config.json/inside"), withIntermediateDirectories: true)
        do {
            _ = try NodeFiles.write(config, to: blocked)
            Issue.record("node-config.json cannot replace a folder")
        } catch {
            #expect(error.replaced == [blocked.appendingPathComponent("config.env").path])
            #expect(error.description.contains("already replaced: \(blocked.appendingPathComponent("config.env").path)"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: blocked.path).sorted() == ["config.env", "node-config.json"], "no temp file left")
    }
}
