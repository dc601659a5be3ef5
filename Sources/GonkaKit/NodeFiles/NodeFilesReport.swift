import Foundation

/// What `render` did, for people (`textLines`) and for scripts (`jsonData`). Holds no secret.
public struct NodeFilesReport: Sendable, Encodable {
    /// One written file.
    public struct File: Sendable, Encodable {
        /// Its absolute path.
        public let path: String
        /// Its mode in octal, e.g. "0600".
        public let mode: String
        /// Its size in bytes.
        public let bytes: Int
    }

    /// The node file as the user named it.
    public let nodeFile: String
    /// The warm key's name.
    public let keyName: String
    /// The node profile, e.g. "x1".
    public let profile: String
    /// The model node-config.json serves.
    public let model: String
    /// The server's address.
    public let server: String
    /// The folder written to.
    public let folder: String
    /// The files written, in order.
    public let files: [File]
    /// Notes on the node file (values from the environment, likely typos).
    public let notes: [String]

    /// The report for `config` written as `written` into `folder`.
    public init(config: NodeConfig, folder: URL, written: [WrittenNodeFile]) {
        nodeFile = config.file
        keyName = config.keyName
        profile = config.profile.rawValue
        model = config.profile.modelName
        server = config.serverAddress.text
        self.folder = folder.path
        files = written.map { File(path: $0.url.path, mode: "0" + String($0.mode, radix: 8), bytes: $0.size) }
        notes = config.notes.map(\.description)
    }

    /// "<node file>: <key name>, profile x1 (<model>), server <ip>", then one "wrote <path> (mode 0600, N bytes)" per file.
    public var textLines: [String] {
        ["\(nodeFile): \(keyName), profile \(profile) (\(model)), server \(server)"]
            + files.map { "wrote \($0.path) (mode \($0.mode), \($0.bytes) bytes)" }
    }

    /// The report as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        try JSONEncoder.report(escapingSlashes: false).encode(self)
    }
}
