import FleetTestSupport
import Foundation
import Glibc
import Testing
@testable import FleetKit

/// Every reader of a user's file goes through BoundedFile: a size cap, and plain words for
/// folders and FIFOs instead of "You don't have permission" or "NSCocoaErrorDomain error 256".
@Suite(.tags(.unit)) struct BoundedFileTests {
    func makeFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("boundedfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func reason(_ url: URL, limit: Int = 1024) -> BoundedFileError.Reason? {
        do throws(BoundedFileError) {
            _ = try BoundedFile.read(url, limit: limit)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func readsARegularFileUpToTheLimit() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.csv")
        try Data(repeating: 65, count: 1024).write(to: file)
        #expect(try BoundedFile.read(file, limit: 1024).count == 1024)
        #expect(try BoundedFile.readText(file, limit: 4096) == String(repeating: "A", count: 1024))
        #expect(reason(file, limit: 1023) == .tooLarge(limit: 1023))
        let error = BoundedFileError(path: file.path, reason: .tooLarge(limit: 32 * BoundedFile.mebibyte))
        #expect(error.description == "cannot read \(file.path): it is larger than 32 MiB, the most read from such a file")
    }

    @Test func foldersFIFOsAndMissingFilesAreNamedPlainly() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(reason(folder) == .directory)
        #expect(BoundedFileError(path: "x", reason: .directory).description == "cannot read x: it is a directory")
        let fifo = folder.appendingPathComponent("pipe")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(reason(fifo) == .notRegular(kind: "a FIFO"), "a FIFO is refused before any read, so nothing blocks")
        #expect(reason(URL(fileURLWithPath: "/dev/null")) == .notRegular(kind: "a device"))
        let missing = folder.appendingPathComponent("missing.csv")
        #expect(reason(missing) == .system(ENOENT))
        #expect(BoundedFileError(path: missing.path, reason: .system(ENOENT)).isMissing)
        let bad = folder.appendingPathComponent("bad.txt")
        try Data([0xFF, 0xFE, 0x00]).write(to: bad)
        #expect(throws: BoundedFileError(path: bad.path, reason: .notUTF8)) { try BoundedFile.readText(bad, limit: 100) }
    }

    @Test func theInventoryLoaderSaysWhatIsWrongWithThePath() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func message(_ url: URL) -> String {
            do throws(InventoryError) {
                _ = try InventoryLoader.load(contentsOf: url, named: "servers.csv")
                return ""
            } catch {
                return error.description
            }
        }
        #expect(message(folder) == "servers.csv: cannot read the inventory file: it is a directory")
        let fifo = folder.appendingPathComponent("servers.csv")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(message(fifo) == "servers.csv: cannot read the inventory file: it is not a regular file (a FIFO)")
        #expect(message(folder.appendingPathComponent("none.csv")) == "servers.csv: cannot read the inventory file: No such file or directory")
        #expect(InventoryLoader.maximumFileSize == 32 * BoundedFile.mebibyte)
    }

    @Test func problemListsStopAtFiftyLinesWithACountOfTheRest() {
        let problems = (1...200_000).map { InventoryError(file: "servers.csv", line: $0 + 1, message: "duplicate host") }
        let error = InventoryError.combining(problems)
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == CappedList.defaultLimit + 1)
        #expect(lines.first == "servers.csv:2: duplicate host")
        #expect(lines.last == "… and 199950 more")
        #expect(error.all.count == 200_000, "the problems themselves are all kept")
        #expect(CappedList.lines(["a", "b"], limit: 2) == ["a", "b"])
        #expect(CappedList.joined(["a", "b", "c"], limit: 1, prefix: "  ") == "  a\n  … and 2 more")
    }
}
