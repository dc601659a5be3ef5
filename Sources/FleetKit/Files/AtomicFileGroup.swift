import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file of a group written with ``AtomicFile/writeGroup(_:)``.
public struct AtomicFileContent: Sendable, Equatable {
    /// Where the file goes.
    public let url: URL
    /// Its bytes.
    public let data: Data
    /// Its permission bits, e.g. 0o600 for a secret.
    public let mode: UInt16

    /// Creates one file of a group.
    public init(url: URL, data: Data, mode: UInt16 = 0o644) {
        self.url = url
        self.data = data
        self.mode = mode
    }
}

extension AtomicFile {
    /// Writes several files all or nothing, as far as a file system allows: every temporary
    /// file is written and flushed first, and only when all are ready are they renamed over
    /// their targets, in order. A failure while writing leaves every target as it was; a
    /// rename failing (rare: the folder changed under us) stops there, and the error says
    /// which targets were already replaced.
    ///
    /// - Throws: ``AtomicFileGroupError`` with the failure and the targets already replaced.
    public static func writeGroup(_ files: [AtomicFileContent]) throws(AtomicFileGroupError) {
        var prepared: [PreparedFile] = []
        for file in files {
            do {
                prepared.append(try prepare(file.data, for: file.url, mode: file.mode))
            } catch {
                for done in prepared { _ = unlink(done.temporaryPath) }
                throw AtomicFileGroupError(failure: error, replaced: [])
            }
        }
        var replaced: [String] = []
        for (index, file) in prepared.enumerated() {
            if rename(file.temporaryPath, file.target) != 0 {
                let failure = AtomicFileError(path: file.target, operation: "rename failed", code: errno)
                for rest in prepared[index...] { _ = unlink(rest.temporaryPath) }
                throw AtomicFileGroupError(failure: failure, replaced: replaced)
            }
            replaced.append(file.target)
        }
        for folder in Set(prepared.map(\.folder)) { syncDirectory(folder) }
    }
}

/// A group write that failed: the failure, and which targets already hold their new content.
public struct AtomicFileGroupError: Error, Sendable, CustomStringConvertible {
    /// The write, flush or rename that failed.
    public let failure: AtomicFileError
    /// The targets already replaced when it failed, in order; empty when none was touched.
    public let replaced: [String]

    /// Creates the error.
    public init(failure: AtomicFileError, replaced: [String]) {
        self.failure = failure
        self.replaced = replaced
    }

    /// "cannot write …: …; no file was replaced" or "…; already replaced: a, b".
    public var description: String {
        replaced.isEmpty ? "\(failure); no file was replaced"
            : "\(failure); already replaced: \(replaced.joined(separator: ", "))"
    }
}
