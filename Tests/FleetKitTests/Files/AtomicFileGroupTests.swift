import FleetTestSupport
import Foundation
import Glibc
import Testing
@testable import FleetKit

/// Group writes (all temp files first, then the renames), symlinked targets, stale temp files
/// of killed runs, and secret folders tightened to 0700.
@Suite(.tags(.unit)) struct AtomicFileGroupTests {
    func makeFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("atomicgroup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func text(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }

    func mode(of url: URL) -> UInt16 {
        var info = stat()
        guard stat(url.path, &info) == 0 else { return 0 }
        return UInt16(info.st_mode & 0o7777)
    }

    @Test func aFailedWriteInAGroupReplacesNothing() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("config.env")
        try AtomicFile.write("old\n", to: first)
        let unwritable = folder.appendingPathComponent("missing-folder/node-config.json")
        do {
            try AtomicFile.writeGroup([AtomicFileContent(url: first, data: Data("new\n".utf8), mode: 0o600),
                                       AtomicFileContent(url: unwritable, data: Data("{}".utf8))])
            Issue.record("the write should fail")
        } catch {
            #expect(error.replaced.isEmpty)
            #expect(error.description.hasSuffix("; no file was replaced"))
        }
        #expect(text(first) == "old\n", "the first file keeps its old content when the second cannot be written")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["config.env"], "no temp file is left")
    }

    @Test func aFailedRenameSaysWhichFilesWereReplaced() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("a.env")
        let second = folder.appendingPathComponent("b.json")
        try FileManager.default.createDirectory(at: second.appendingPathComponent("inside"), withIntermediateDirectories: true)
        do {
            try AtomicFile.writeGroup([AtomicFileContent(url: first, data: Data("a".utf8)), AtomicFileContent(url: second, data: Data("b".utf8))])
            Issue.record("renaming over a non-empty folder should fail")
        } catch {
            #expect(error.replaced == [first.path])
            #expect(error.description.contains("already replaced: \(first.path)"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["a.env", "b.json"])
    }

    @Test func aSymlinkedTargetIsWrittenThrough() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let real = folder.appendingPathComponent("real-keys.json")
        try AtomicFile.write("old", to: real, mode: 0o600)
        let link = folder.appendingPathComponent("mainnet-keys-a-v1.json")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "real-keys.json")
        try AtomicFile.write("new", to: link, mode: 0o600)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link.path) == "real-keys.json", "the link stays a link")
        #expect(text(real) == "new" && mode(of: real) == 0o600)
        let dangling = folder.appendingPathComponent("dangling.json")
        try FileManager.default.createSymbolicLink(atPath: dangling.path, withDestinationPath: "nowhere.json")
        #expect(throws: AtomicFileError.self) { try AtomicFile.write("x", to: dangling) }
    }

    @Test func staleTemporaryFilesOfKilledRunsAreRemoved() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let stale = folder.appendingPathComponent(".mainnet-keys-a-v1.json.tmp-3k9zq1x0a")
        let fresh = folder.appendingPathComponent(".other.json.tmp-abc123")
        let unrelated = folder.appendingPathComponent(".notes.tmp-OLD")
        for url in [stale, fresh, unrelated] { try Data("keys".utf8).write(to: url) }
        let hourAgo = timeval(tv_sec: Int(Date().timeIntervalSince1970) - 3600, tv_usec: 0)
        for url in [stale, unrelated] { #expect(utimes(url.path, [hourAgo, hourAgo]) == 0) }
        try AtomicFile.write("x", to: folder.appendingPathComponent("mainnet-keys-b-v1.json"), mode: 0o600)
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == [".notes.tmp-OLD", ".other.json.tmp-abc123", "mainnet-keys-b-v1.json"],
                "only an old temp file of AtomicFile's own naming is removed")
        #expect(AtomicFile.isTemporaryFileName(".a.tmp-0z") && !AtomicFile.isTemporaryFileName(".tmp-0z")
                && !AtomicFile.isTemporaryFileName("a.tmp-0z") && !AtomicFile.isTemporaryFileName(".a.tmp-"))
    }

    @Test func aPrivateFolderIsCreatedOrTightenedTo0700() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let existing = folder.appendingPathComponent("node1")
        try FileManager.default.createDirectory(at: existing, withIntermediateDirectories: true)
        #expect(chmod(existing.path, 0o777) == 0)
        try AtomicFile.createPrivateDirectory(existing)
        #expect(mode(of: existing) == 0o700)
        let fresh = folder.appendingPathComponent("new/node2")
        try AtomicFile.createPrivateDirectory(fresh)
        #expect(mode(of: fresh) == 0o700)
    }
}
