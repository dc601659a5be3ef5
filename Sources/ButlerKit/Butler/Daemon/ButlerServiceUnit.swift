import Foundation

/// The systemd unit `install-service` prints: one service per network, run as
/// `Type=simple` with `Restart=always` and `RestartSec=5` as the original's, and sandboxed:
/// no new privileges, a read-only system, a private /tmp, writes only to the data folder.
public struct ButlerServiceUnit: Sendable, Equatable {
    /// The network; it names the unit: `aztec-butler-{network}.service`.
    public var network: String
    /// The daemon's command line (`ExecStart`): the program's absolute path, then its arguments.
    public var command: [String]
    /// The account the service runs as.
    public var user: String
    /// The data folder (keys files and state); the only place the service may write.
    public var dataDirectory: String

    /// Describes the unit, checking what systemd would refuse or misread.
    /// - Throws: ``ButlerRequestError`` when the program is not an absolute path or the
    ///   account is not an account name (letters, digits, `-`, `_` and `.`).
    public init(network: String, command: [String], user: String, dataDirectory: String) throws(ButlerRequestError) {
        let program = command.first ?? ""
        guard program.hasPrefix("/") else {
            throw ButlerRequestError("'\(program)' is not an absolute path", choice: .serviceProgram)
        }
        guard !user.isEmpty, user.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw ButlerRequestError("'\(user)' is not an account name", choice: .serviceAccount)
        }
        self.network = network
        self.command = command
        self.user = user
        self.dataDirectory = dataDirectory
    }

    /// `aztec-butler-{network}.service`.
    public var fileName: String { "aztec-butler-\(network).service" }

    /// The unit file's text. Paths are quoted for systemd; the bearer token is not in it
    /// (it stays in the network's `{network}-base.env`, read by the daemon itself).
    public var text: String {
        """
            [Unit]
            Description=Aztec Butler metrics daemon (\(network))
            Documentation=https://docs.aztec.network/
            Wants=network-online.target
            After=network-online.target

            [Service]
            Type=simple
            User=\(user)
            ExecStart=\(command.map(Self.quoted).joined(separator: " "))
            Restart=always
            RestartSec=5
            ExecReload=/bin/kill -HUP $MAINPID
            KillSignal=SIGTERM
            TimeoutStopSec=30
            NoNewPrivileges=yes
            ProtectSystem=strict
            ProtectHome=read-only
            ReadWritePaths=\(Self.quoted(dataDirectory))
            PrivateTmp=yes
            PrivateDevices=yes
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectControlGroups=yes
            RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
            RestrictNamespaces=yes
            LockPersonality=yes
            MemoryDenyWriteExecute=yes
            SystemCallArchitectures=native
            UMask=0077

            [Install]
            WantedBy=multi-user.target

            """
    }

    /// A word of a systemd command line: as is when plain, else in double quotes with `\`,
    /// `"`, `$` and `%` escaped as systemd reads them.
    static func quoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/._-+:@,=".contains($0)) }
        if plain { return word }
        var escaped = ""
        for character in word {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "$": escaped += "$$"
            case "%": escaped += "%%"
            default: escaped.append(character)
            }
        }
        return "\"\(escaped)\""
    }
}
