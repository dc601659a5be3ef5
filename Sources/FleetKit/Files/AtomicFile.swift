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
///
/// A target that is a symbolic link is written through: the file it points to is replaced and
/// the link stays. Temporary files are named `.<name>.tmp-<random>`; those of earlier runs that
/// were killed before their rename (older than ``staleTemporaryFileAge``) are removed from the
/// folder written to.
public enum AtomicFile {
    /// How old a temporary file of this naming must be before a later write removes it as left
    /// behind by a killed run: 10 minutes, far longer than any write takes.
    public static let staleTemporaryFileAge: TimeInterval = 600

    /// Writes `data` to `url` atomically: a temp file in the same folder created with `mode` (open O_CREAT|O_EXCL with the mode, then fchmod to defeat umask), all bytes written, fsync, rename over the target, fsync of the folder. On any failure the temp file is removed and the old file is untouched.
    public static func write(_ data: Data, to url: URL, mode: UInt16 = 0o644) throws(AtomicFileError) {
        let prepared = try prepare(data, for: url, mode: mode)
        if rename(prepared.temporaryPath, prepared.target) != 0 {
            let code = errno
            _ = unlink(prepared.temporaryPath)
            throw AtomicFileError(path: prepared.target, operation: "rename failed", code: code)
        }
        syncDirectory(prepared.folder)
    }

    /// Writes `data` to `url` only if no file of that name exists, atomically: the bytes go to
    /// a temporary file as in ``write(_:to:mode:)``, which is then hard-linked to the name, an
    /// operation the system refuses when the name exists. Unlike a check before writing, two
    /// writers racing for the same name cannot both win, and a reader never sees a partial file.
    /// A name that exists, even as a symbolic link, throws ``AtomicFileError`` with `EEXIST`
    /// and leaves it untouched.
    public static func create(_ data: Data, at url: URL, mode: UInt16 = 0o644) throws(AtomicFileError) {
        let path = url.path
        let prepared = try prepare(data, for: URL(fileURLWithPath: path), mode: mode, followingLinks: false)
        defer { _ = unlink(prepared.temporaryPath) }
        if link(prepared.temporaryPath, path) != 0 {
            let code = errno
            throw AtomicFileError(path: path, operation: code == EEXIST ? "it already exists" : "link failed", code: code)
        }
        syncDirectory(prepared.folder)
    }

    /// A temporary file written, flushed and closed, ready to be renamed over its target.
    struct PreparedFile {
        let target: String
        let folder: String
        let temporaryPath: String
    }

    /// Writes `data` to a new temporary file beside the target of `url` (symbolic links
    /// followed), flushed and closed; on failure nothing is left behind.
    static func prepare(_ data: Data, for url: URL, mode: UInt16, followingLinks: Bool = true) throws(AtomicFileError) -> PreparedFile {
        let target = followingLinks ? try resolvedTarget(url.path) : url.path
        let folder = (target as NSString).deletingLastPathComponent
        removeStaleTemporaryFiles(in: folder)
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
        } catch {
            if !closed { _ = close(fd) }
            _ = unlink(tempPath.path)
            throw error
        }
        return PreparedFile(target: target, folder: folder, temporaryPath: tempPath.path)
    }

    /// `path`, or for a symbolic link the file it finally points to.
    private static func resolvedTarget(_ path: String) throws(AtomicFileError) -> String {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return path }
        guard let resolved = realpath(path, nil) else {
            throw AtomicFileError(path: path, operation: "it is a symbolic link to a missing file", code: ENOENT)
        }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Removes `.<name>.tmp-<random>` files in `folder` older than ``staleTemporaryFileAge``:
    /// what a write killed between creating and renaming its temporary file left. Best effort.
    static func removeStaleTemporaryFiles(in folder: String) {
        let directory = folder.isEmpty ? "." : folder
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        let now = Date().timeIntervalSince1970
        for entry in entries where isTemporaryFileName(entry) {
            let path = directory + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            #if canImport(Darwin)
            let modified = Double(info.st_mtimespec.tv_sec)
            #else
            let modified = Double(info.st_mtim.tv_sec)
            #endif
            if now - modified > staleTemporaryFileAge { _ = unlink(path) }
        }
    }

    /// Whether `name` is one of this type's temporary file names: `.<name>.tmp-<base-36 digits>`.
    static func isTemporaryFileName(_ name: String) -> Bool {
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards),
              marker.lowerBound > name.index(after: name.startIndex) else { return false }
        let suffix = name[marker.upperBound...]
        return !suffix.isEmpty && suffix.count <= 13 && suffix.allSatisfy { ("0"..."9").contains($0) || ("a"..."z").contains($0) }
    }

    /// Same for a UTF-8 string.
    public static func write(_ text: String, to url: URL, mode: UInt16 = 0o644) throws(AtomicFileError) {
        try write(Data(text.utf8), to: url, mode: mode)
    }

    /// Creates the folder (and parents) if missing, with mode 0700, and tightens an existing
    /// folder to 0700: for folders that hold secrets.
    public static func createPrivateDirectory(_ url: URL) throws(AtomicFileError) {
        try createDirectory(url, mode: 0o700)
        let path = url.standardizedFileURL.path
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw AtomicFileError(path: path, operation: "stat failed", code: errno, verb: "create directory")
        }
        if (info.st_mode & 0o777) != 0o700, chmod(path, 0o700) != 0 {
            throw AtomicFileError(path: path, operation: "cannot tighten it to 0700", code: errno, verb: "create directory")
        }
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
    static func syncDirectory(_ folder: String) {
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
