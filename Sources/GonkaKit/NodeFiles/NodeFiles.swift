import FleetKit
import Foundation

/// One file `render` produces: its name in `nodes/<KEY_NAME>/`, its text and its mode.
public struct RenderedNodeFile: Sendable, Equatable {
    /// The file name, e.g. "config.env".
    public let name: String
    /// The full text.
    public let contents: String
    /// Whether the file holds a secret (the keyring password), and so is written with mode 0600.
    public let holdsSecret: Bool

    /// 0600 for files holding secrets, else 0644.
    public var mode: UInt16 { holdsSecret ? 0o600 : 0o644 }
}

/// A file written by `NodeFiles.write`.
public struct WrittenNodeFile: Sendable, Equatable {
    /// Where it was written.
    public let url: URL
    /// Its permission bits.
    public let mode: UInt16
    /// Its size in bytes.
    public let size: Int
}

/// The files the original builds in phase 3 (`config.env`, `node-config.json`), rendered
/// from a checked node file and written to the node's local folder without touching a server.
public enum NodeFiles {
    /// The folder the original keeps a node's files in: `<folder of the node file>/<KEY_NAME>/`
    /// (its `nodes/<KEY_NAME>/`, since node files live in `nodes/`).
    public static func defaultFolder(nodeFile: URL, keyName: String) -> URL {
        nodeFile.deletingLastPathComponent().appendingPathComponent(keyName, isDirectory: true)
    }

    /// The files for `config`, in the order the original writes them.
    public static func render(_ config: NodeConfig) -> [RenderedNodeFile] {
        [
            RenderedNodeFile(name: "config.env", contents: ConfigEnvFile.render(config), holdsSecret: true),
            RenderedNodeFile(name: "node-config.json", contents: NodeConfigJSONFile.render(config.profile), holdsSecret: false),
        ]
    }

    /// Writes the files for `config` into `folder` all or nothing (every file written to a
    /// temporary file first, then all renamed), each with its mode; the folder is created with
    /// mode 0700, or tightened to 0700 when it exists, since it holds the keyring password.
    /// Returns what was written.
    /// - Throws: ``AtomicFileGroupError`` naming the failure and the files already replaced.
    public static func write(_ config: NodeConfig, to folder: URL) throws(AtomicFileGroupError) -> [WrittenNodeFile] {
        do {
            try AtomicFile.createPrivateDirectory(folder)
        } catch {
            throw AtomicFileGroupError(failure: error, replaced: [])
        }
        let contents = render(config).map { file in
            AtomicFileContent(url: folder.appendingPathComponent(file.name), data: Data(file.contents.utf8), mode: file.mode)
        }
        try AtomicFile.writeGroup(contents)
        return contents.map { WrittenNodeFile(url: $0.url, mode: $0.mode, size: $0.data.count) }
    }
}
