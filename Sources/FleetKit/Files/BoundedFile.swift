import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole regular file, refusing anything larger than a limit, so that no input file
/// can exhaust memory; every reader of a user's file goes through it.
///
/// A folder, a FIFO, a socket or a device is refused with a plain reason ("is a directory",
/// "is not a regular file (a FIFO)") before anything is read, so a FIFO never blocks the read.
/// A symbolic link is followed.
public enum BoundedFile {
    /// One mebibyte, for spelling limits.
    public static let mebibyte = 1 << 20

    /// Reads the file at `url`, at most `limit` bytes.
    /// - Throws: ``BoundedFileError`` naming the path, with the reason it could not be read.
    public static func read(_ url: URL, limit: Int) throws(BoundedFileError) -> Data {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw BoundedFileError(path: path, reason: .system(errno)) }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BoundedFileError(path: path, reason: .system(errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw BoundedFileError(path: path, reason: .directory)
        case S_IFIFO: throw BoundedFileError(path: path, reason: .notRegular(kind: "a FIFO"))
        case S_IFSOCK: throw BoundedFileError(path: path, reason: .notRegular(kind: "a socket"))
        case S_IFCHR, S_IFBLK: throw BoundedFileError(path: path, reason: .notRegular(kind: "a device"))
        default: throw BoundedFileError(path: path, reason: .notRegular(kind: "a special file"))
        }
        if Int64(info.st_size) > Int64(limit) {
            throw BoundedFileError(path: path, reason: .tooLarge(limit: limit))
        }
        // The file may grow between fstat and read: read at most one byte past the limit to tell.
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { pointer in
                systemRead(fd, pointer.baseAddress, min(pointer.count, limit + 1 - data.count))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw BoundedFileError(path: path, reason: .system(errno))
            }
            if count == 0 { break }
            data.append(contentsOf: buffer[0..<count])
            if data.count > limit { throw BoundedFileError(path: path, reason: .tooLarge(limit: limit)) }
        }
        return data
    }

    /// Reads the file as UTF-8 text, at most `limit` bytes.
    /// - Throws: ``BoundedFileError``, with reason ``BoundedFileError/Reason/notUTF8`` for other bytes.
    public static func readText(_ url: URL, limit: Int) throws(BoundedFileError) -> String {
        let data = try read(url, limit: limit)
        guard let text = String(data: data, encoding: .utf8) else {
            throw BoundedFileError(path: url.path, reason: .notUTF8)
        }
        return text
    }

    /// "64 KiB", "32 MiB": a byte count as people read limits.
    public static func sizeText(_ bytes: Int) -> String {
        if bytes >= mebibyte, bytes % mebibyte == 0 { return "\(bytes / mebibyte) MiB" }
        if bytes >= 1024, bytes % 1024 == 0 { return "\(bytes / 1024) KiB" }
        return "\(bytes) bytes"
    }
}

/// Calls the C library's `read(2)`, which `BoundedFile.read` shadows.
private func systemRead(_ fd: Int32, _ bytes: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, bytes, count)
}

/// A file that ``BoundedFile`` would not read, with the path and why.
public struct BoundedFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why a file was not read.
    public enum Reason: Sendable, Equatable {
        /// The path names a folder.
        case directory
        /// The path names a FIFO, socket or device; `kind` says which ("a FIFO").
        case notRegular(kind: String)
        /// The file holds more than `limit` bytes.
        case tooLarge(limit: Int)
        /// The bytes are not UTF-8 text.
        case notUTF8
        /// The system refused with this `errno` (no such file, permission denied …).
        case system(Int32)
    }

    /// The path that was to be read.
    public let path: String
    /// Why it was not read.
    public let reason: Reason

    /// Creates an error for `path`.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    /// Whether the file does not exist (some readers treat that as "nothing yet").
    public var isMissing: Bool { reason == .system(ENOENT) }

    /// The reason alone, e.g. "it is a directory", "it is larger than 1 MiB, …", "No such file or directory".
    public var reasonText: String {
        switch reason {
        case .directory: "it is a directory"
        case .notRegular(let kind): "it is not a regular file (\(kind))"
        case .tooLarge(let limit): "it is larger than \(BoundedFile.sizeText(limit)), the most read from such a file"
        case .notUTF8: "it is not UTF-8 text"
        case .system(let code): String(cString: strerror(code))
        }
    }

    /// "cannot read /x/y: it is a directory".
    public var description: String { "cannot read \(path): \(reasonText)" }
}
