import FleetTestSupport
import Foundation
import Glibc
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct AtomicFileTests {
    /// A fresh empty folder under the system temp folder.
    func makeFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("atomicfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func mode(of url: URL) -> UInt16 {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return 0 }
        return UInt16(info.st_mode & 0o7777)
    }

    func entries(_ url: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    @Test func createWritesANewFileAndNeverReplacesOne() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("private-keys.json")
        try AtomicFile.create(Data("first".utf8), at: file, mode: 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8) == "first")
        #expect(mode(of: file) == 0o600)
        #expect(throws: AtomicFileError.self) { try AtomicFile.create(Data("second".utf8), at: file, mode: 0o600) }
        do {
            try AtomicFile.create(Data("second".utf8), at: file)
        } catch {
            #expect(error.code == EEXIST)
            #expect(error.description.contains("already exists"))
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == "first")
        // A dangling symbolic link is a name in use too: nothing is written through it.
        let link = folder.appendingPathComponent("link.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: folder.appendingPathComponent("elsewhere").path)
        #expect(throws: AtomicFileError.self) { try AtomicFile.create(Data("x".utf8), at: link) }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("elsewhere").path))
        #expect(try entries(folder) == ["link.json", "private-keys.json"])
    }

    @Test func createRacedByManyWritersHasExactlyOneWinner() async throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("keys.json")
        let winners = await withTaskGroup(of: Int?.self) { group in
            for writer in 0..<16 {
                group.addTask { (try? AtomicFile.create(Data("writer \(writer)".utf8), at: file, mode: 0o600)) == nil ? nil : writer }
            }
            var found: [Int] = []
            for await winner in group { if let winner { found.append(winner) } }
            return found
        }
        #expect(winners.count == 1)
        #expect(try String(contentsOf: file, encoding: .utf8) == "writer \(winners.first ?? -1)")
        #expect(try entries(folder) == ["keys.json"])
    }

    @Test func writesContentAndExactMode() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("keys.json")
        let old = umask(0o022)
        defer { umask(old) }
        try AtomicFile.write("secret\n", to: file, mode: 0o600)
        #expect(try String(contentsOf: file, encoding: .utf8) == "secret\n")
        #expect(mode(of: file) == 0o600)
        try AtomicFile.write(Data([1, 2, 3]), to: file, mode: 0o640)
        #expect(try Data(contentsOf: file) == Data([1, 2, 3]))
        #expect(mode(of: file) == 0o640)
        _ = umask(0o077)
        try AtomicFile.write("wide", to: file, mode: 0o666)
        #expect(mode(of: file) == 0o666)
        #expect(try entries(folder) == ["keys.json"])
    }

    @Test func defaultModeIs644AndEmptyDataWorks() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("empty.csv")
        try AtomicFile.write(Data(), to: file)
        #expect(try Data(contentsOf: file).isEmpty)
        #expect(mode(of: file) == 0o644)
    }

    @Test func failedRenameKeepsTargetAndLeavesNoTempFile() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("results.csv")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
        try "inside".write(to: target.appendingPathComponent("keep.txt"), atomically: false, encoding: .utf8)
        #expect(throws: AtomicFileError.self) {
            try AtomicFile.write("new", to: target)
        }
        do {
            try AtomicFile.write("new", to: target)
        } catch {
            #expect(error.operation == "rename failed")
            #expect(error.path == target.path)
            #expect(error.code != 0)
            #expect(error.description.hasPrefix("cannot write \(target.path): rename failed: "))
        }
        #expect(try entries(folder) == ["results.csv"])
        #expect(try String(contentsOf: target.appendingPathComponent("keep.txt"), encoding: .utf8) == "inside")
    }

    @Test func missingParentFails() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("missing/out.csv")
        do {
            try AtomicFile.write("x", to: file)
            Issue.record("expected a failure")
        } catch {
            #expect(error.code == ENOENT)
            #expect(error.description.contains("No such file or directory"))
        }
        #expect(try entries(folder).isEmpty)
    }

    @Test func oldContentSurvivesAFailedWrite() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("state.json")
        try AtomicFile.write("old", to: file)
        // A write to a path whose folder part is the existing file fails before touching it.
        #expect(throws: AtomicFileError.self) {
            try AtomicFile.write("new", to: file.appendingPathComponent("child"))
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == "old")
        #expect(try entries(folder) == ["state.json"])
    }

    @Test func createsNestedFoldersWithMode() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nested = folder.appendingPathComponent("a/b/c")
        let old = umask(0o022)
        defer { umask(old) }
        try AtomicFile.createDirectory(nested, mode: 0o700)
        #expect(mode(of: nested) == 0o700)
        #expect(mode(of: folder.appendingPathComponent("a")) == 0o700)
        try AtomicFile.createDirectory(nested, mode: 0o700)
        try AtomicFile.write("x", to: nested.appendingPathComponent("f"), mode: 0o600)
        #expect(throws: AtomicFileError.self) {
            try AtomicFile.createDirectory(nested.appendingPathComponent("f/g"))
        }
    }
}
