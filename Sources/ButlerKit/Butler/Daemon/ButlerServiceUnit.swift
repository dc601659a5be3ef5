import Foundation

/// The systemd unit `aztec-butler install-service` prints: one service per network, run as
/// `Type=simple` with `Restart=always` and `RestartSec=5` as the original's, and sandboxed:
/// no new privileges, a read-only system, a private /tmp, writes only to the data folder.
public struct ButlerServiceUnit: Sendable, Equatable {
    /// The network; it names the unit: `aztec-butler-{network}.service`.
    public var network: String
    /// The absolute path of the `aztec-butler` executable.
    public var executable: String
    /// The account the service runs as.
    public var user: String
    /// The configuration file the service reads, when not the default one.
    public var configFile: String?
    /// The data folder (keys files and state); the only place the service may write.
    public var dataDirectory: String

    /// Describes the unit.
    public init(network: String, executable: String, user: String, configFile: String?, dataDirectory: String) {
        self.network = network
        self.executable = executable
        self.user = user
        self.configFile = configFile
        self.dataDirectory = dataDirectory
    }

    /// `aztec-butler-{network}.service`.
    public var fileName: String { "aztec-butler-\(network).service" }

    /// The unit file's text. Paths are quoted for systemd; the bearer token is not in it
    /// (it stays in the network's `{network}-base.env`, read by the daemon itself).
    public var text: String {
        var command = [executable, "--network", network]
        if let configFile { command += ["--config", configFile] }
        command += ["--data-dir", dataDirectory, "serve"]
        return """
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
