import FleetKit
import Foundation

/// The backup of what cannot be recreated, as Gonka's FAQ names it: the tmkms secrets
/// (`.tmkms`), the warm key's keyring (`.inference/keyring-file`), the node key
/// (`.inference/config/node_key.json`) and the keyring password, fetched over one connection
/// into `nodes/<KEY_NAME>/backup-<YYYY-MM-DD_HH-MM-SS>/` (folder 0700, files 0600) with a
/// `SHA256SUMS` file. The cold key never leaves the operator's machine and is not part of it.
/// Nothing of the contents is printed or logged (no log is written); an existing backup
/// folder is never overwritten.
///
/// Restore (containers stopped, in the deploy folder, as root):
/// `sha256sum -c SHA256SUMS`, then `tar -xzf server-secrets.tar.gz -C <GONKA_PATH>/deploy/join`,
/// and `KEYRING_PASSWORD` of the node file set to `keyring-password.txt`.
public struct NodeBackupRun: Sendable {
    /// The server paths of the backup set, relative to the deploy folder.
    public static let serverPaths = [".tmkms", ".inference/keyring-file", ".inference/config/node_key.json"]
    /// The archive of the server's part.
    public static let archiveName = "server-secrets.tar.gz"
    /// The keyring password's file.
    public static let passwordName = "keyring-password.txt"
    /// The checksum file, in `sha256sum` format.
    public static let checksumsName = "SHA256SUMS"

    /// The node file, folders and connection.
    public var settings: NodeRunSettings

    /// Creates the run.
    public init(settings: NodeRunSettings) { self.settings = settings }

    /// Fetches the backup set.
    ///
    /// - Throws: a ``NodeConfigError``, ``NodeRunSetupError``, ``NodeBackupError`` (the
    ///   folder exists, nothing of the set is on the server, the server cannot be read), or
    ///   the error of a file that cannot be written.
    public func run() async throws -> NodeBackupReport {
        let config = try settings.loadNodeConfig()
        let nodeFolder = settings.localFolder ?? NodeFiles.defaultFolder(nodeFile: settings.nodeFile, keyName: config.keyName)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd_HH-mm-ss"
        let folder = nodeFolder.appendingPathComponent("backup-" + formatter.string(from: settings.clock.now()))
        if FileManager.default.fileExists(atPath: folder.path) { throw NodeBackupError("\(folder.path) exists already; a backup is never overwritten") }
        let transport = try settings.makeTransport(config)
        let deployment = NodeDeployment(config: config, transport: transport, runLog: RunLog(sinks: []), localFolder: nodeFolder)
        let fetched: CommandResult
        do {
            fetched = try await transport.run(RemoteCommand(Self.fetchScript(config), timeout: settings.commandTimeout), on: deployment.host)
        } catch {
            await transport.close()
            throw NodeBackupError("cannot reach \(deployment.endpoint): \(error.message)")
        }
        await transport.close()
        let lines = fetched.standardOutput.split(separator: "\n").map(String.init)
        let missing = lines.filter { $0.hasPrefix("missing ") }.map { String($0.dropFirst("missing ".count)) }
        guard fetched.succeeded, !fetched.truncated, let encoded = lines.last(where: { $0.hasPrefix("archive ") }),
              let archive = Data(base64Encoded: String(encoded.dropFirst("archive ".count))) else {
            throw NodeBackupError([3, 4].contains(fetched.exitStatus)
                ? "none of the backup set is on \(deployment.endpoint) under \(config.deployDirectory) (the node has not been set up)"
                : "cannot read the backup set on \(deployment.endpoint) (\(fetched.summary)): \(TerminalText.escaped(fetched.tail(lines: 1)))")
        }
        try AtomicFile.createDirectory(nodeFolder, mode: 0o700)
        guard mkdir(folder.path, 0o700) == 0 else { throw NodeBackupError("cannot create \(folder.path): it exists already or the folder cannot be written") }
        let password = Data((config.keyringPassword.revealed + "\n").utf8)
        var files: [NodeBackupReport.File] = []
        for (name, data) in [(Self.archiveName, archive), (Self.passwordName, password)] {
            try AtomicFile.write(data, to: folder.appendingPathComponent(name), mode: 0o600)
            files.append(NodeBackupReport.File(name: name, bytes: data.count, sha256: Hex.encode(SHA256Digest.hash([UInt8](data)), prefix: false)))
        }
        let sums = files.map { "\($0.sha256)  \($0.name)\n" }.joined()
        try AtomicFile.write(sums, to: folder.appendingPathComponent(Self.checksumsName), mode: 0o600)
        return NodeBackupReport(folder: folder.path, files: files, missing: missing)
    }

    /// Lists what of the set is missing, then prints the archive of what exists as one base64 line.
    static func fetchScript(_ config: NodeConfig) -> String {
        let paths = serverPaths.map(ShellQuote.quote).joined(separator: " ")
        return "cd \(ShellQuote.quote(config.deployDirectory)) || exit 3; found=''; for p in \(paths); do "
            + "if \(Privilege.asRoot) test -e \"$p\"; then found=\"$found $p\"; else echo \"missing $p\"; fi; done; "
            + "[ -n \"$found\" ] || exit 4; "
            + "a=$(\(Privilege.asRoot) tar -czf - $found | base64 | tr -d '\\n') && [ -n \"$a\" ] && echo \"archive $a\""
    }
}

/// What a backup wrote.
public struct NodeBackupReport: Sendable, Codable, Equatable {
    /// One file of the backup folder.
    public struct File: Sendable, Codable, Equatable {
        /// The file's name in the folder.
        public var name: String
        /// Its size.
        public var bytes: Int
        /// Its SHA-256, hex.
        public var sha256: String
    }

    /// The backup folder.
    public var folder: String
    /// The files written (the checksum file aside).
    public var files: [File]
    /// Paths of the backup set the server does not have (relative to the deploy folder).
    public var missing: [String]

    /// Lines for people: the folder, each file with size and checksum, what was missing.
    public var textLines: [String] {
        ["wrote \(folder)/ (mode 0700)"] + files.map { "  \($0.name) (mode 0600, \($0.bytes) bytes, sha256 \($0.sha256))" }
            + ["  \(NodeBackupRun.checksumsName)"] + missing.map { "note: not on the server: \(TerminalText.escaped($0))" }
    }

    /// The report as JSON, for `--json`.
    public func jsonData() throws -> Data { try JSONEncoder.report(escapingSlashes: false).encode(self) }
}

/// A backup that could not be made; nothing was written.
public struct NodeBackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
