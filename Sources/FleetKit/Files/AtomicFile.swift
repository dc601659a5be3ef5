import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that readers see either the old content or the new content, never a mix.
///
/// The bytes go to a temporary file in the same folder, are flushed to disk, and the
/// temporary file is renamed over the target; the folder is flushed afterwards so the
/// rename itself survives a crash.
public enum AtomicFile {
    /// Writes `data` to `url` atomically: a temp file in the same folder created with `mode` (open O_CREAT|O_EXCL with the mode, then fchmod to defeat umask), all bytes written, fsync, rename over the target, fsync of the folder. On any failure the temp file is removed and the old file is untouched.
    public static func write(_ data: Data, to url: URL, mode: UInt16 = 0o644) throws(AtomicFileError) {
        let target = url.path
        let folder = url.deletingLastPathComponent().path
        let tempPath = try openTemporaryFile(target: target, folder: folder, mode: mode)
        let fd = tempPath.descriptor
        var closed = false
        do throws(AtomicFileError) {
            if fchmod(fd, mode_t(mode)) != 0 {
                throw AtomicFileError(path: target, operation: "fchmod failed", code: errno)
            }
            try writeAll(data, to: fd, target: target)
            if fsync(fd) != 0 {
                throw AtomicFileError(path: target, operation: "fsync failed", code: errno)
            }
            closed = true
            if close(fd) != 0 {
                throw AtomicFileError(path: target, operation: "close failed", code: errno)
            }
            if rename(tempPath.path, target) != 0 {
                throw AtomicFileError(path: target, operation: "rename failed", code: errno)
            }
        } catch {
            if !closed { _ = close(fd) }
            _ = unlink(tempPath.path)
            throw error
        }
        syncDirectory(folder)
    }

    /// Same for a UTF-8 string.
    public static func write(_ text: String, to url: URL, mode: UInt16 = 0o644) throws(AtomicFileError) {
        try write(Data(text.utf8), to: url, mode: mode)
    }

    /// Creates the folder (and parents) if missing, with `mode`.
    public static func createDirectory(_ url: URL, mode: UInt16 = 0o755) throws(AtomicFileError) {
        let path = url.standardizedFileURL.path
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += "/" + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                if (info.st_mode & S_IFMT) != S_IFDIR {
                    throw AtomicFileError(path: prefix, operation: "not a directory", code: ENOTDIR, verb: "create directory")
                }
                continue
            }
            if mkdir(prefix, mode_t(mode)) != 0 {
                let code = errno
                if code == EEXIST, stat(prefix, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { continue }
                throw AtomicFileError(path: prefix, operation: "mkdir failed", code: code, verb: "create directory")
            }
            if chmod(prefix, mode_t(mode)) != 0 {
                throw AtomicFileError(path: prefix, operation: "chmod failed", code: errno, verb: "create directory")
            }
        }
    }

    /// An open temporary file and its path.
    private struct TemporaryFile {
        let path: String
        let descriptor: Int32
    }

    /// Creates a new, exclusive temporary file next to `target`.
    private static func openTemporaryFile(target: String, folder: String, mode: UInt16) throws(AtomicFileError) -> TemporaryFile {
        let base = (target as NSString).lastPathComponent
        var attempt = 0
        while true {
            attempt += 1
            let suffix = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let tempPath = (folder.isEmpty ? "." : folder) + "/." + base + ".tmp-" + suffix
            let fd = open(tempPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
            if fd >= 0 { return TemporaryFile(path: tempPath, descriptor: fd) }
            let code = errno
            if code == EEXIST && attempt < 100 { continue }
            throw AtomicFileError(path: target, operation: "cannot create temporary file", code: code)
        }
    }

    /// Writes every byte of `data`, retrying short writes and interruptions.
    private static func writeAll(_ data: Data, to fd: Int32, target: String) throws(AtomicFileError) {
        let failure: Int32? = data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Int32? in
            guard let base = buffer.baseAddress else { return nil }
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(fd, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if written == 0 { return EIO }
                offset += written
            }
            return nil
        }
        if let failure {
            throw AtomicFileError(path: target, operation: "write failed", code: failure)
        }
    }

    /// Flushes the folder entry so a completed rename survives a crash; best effort.
    private static func syncDirectory(_ folder: String) {
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        _ = close(fd)
    }
}

/// Calls the C library's `write(2)`, which the `AtomicFile.write` methods shadow.
private func systemWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, bytes, count)
}

/// A failed file write or folder creation, with the path, the step that failed and `errno`.
public struct AtomicFileError: Error, Sendable, CustomStringConvertible {
    /// The file or folder that could not be written.
    public let path: String
    /// The step that failed, such as "rename failed".
    public let operation: String
    /// The `errno` value reported by the system.
    public let code: Int32
    /// What was being attempted: "write" or "create directory".
    let verb: String

    /// Creates an error for `path` where `operation` failed with `errno` `code`.
    public init(path: String, operation: String, code: Int32) {
        self.init(path: path, operation: operation, code: code, verb: "write")
    }

    init(path: String, operation: String, code: Int32, verb: String) {
        self.path = path
        self.operation = operation
        self.code = code
        self.verb = verb
    }

    /// One sentence, e.g. "cannot write /x/y.csv: rename failed: Permission denied".
    public var description: String {
        "cannot \(verb) \(path): \(operation): \(String(cString: strerror(code)))"
    }
}
