import FleetKit

/// Phase 0's parameter block, with the original's labels, shown before the confirmation.
/// The keyring password appears only as one `*` per character and its length.
public enum DeployParameterDisplay {
    /// The block's lines.
    ///
    /// - Parameters:
    ///   - configPath: the node file as given on the command line.
    ///   - logFile: the run's log file.
    ///   - outputFolder: the node's local folder (`nodes/<KEY_NAME>`).
    ///   - gpu: phase 0's GPU check: the GPUs are shown under the profile, and how it was picked.
    public static func lines(_ config: NodeConfig, configPath: String, logFile: String, outputFolder: String,
                             gpu: GPUCheckFinding? = nil) -> [String] {
        let rule = String(repeating: "=", count: 40)
        let password = config.keyringPassword.revealed.count
        let peers = config.persistentPeers.map(\.description).joined(separator: ",")
        let shownPeers = peers.count > 50 ? String(peers.prefix(50)) + "..." : peers
        var lines = [
            rule, "     GONKA NODE DEPLOYMENT SCRIPT", rule, "",
            "Configuration loaded from: \(configPath)", "",
            "SERVER PARAMETERS:",
            "  SSH Connection:     \(config.sshUser)@\(config.serverAddress.urlHost)" + (config.sshPort == 22 ? "" : " (port \(config.sshPort))"),
            "  SSH Status:         ✓ Connected", "",
            "NODE PARAMETERS:",
            "  Key Name:           \(config.keyName)",
            "  Account PubKey:     \(config.accountPublicKey)",
            "  Keyring Password:   \(String(repeating: "*", count: password)) (\(password) chars)", "",
            "NETWORK PARAMETERS:",
            "  Seed API URL:       \(config.seedAPIURL)",
            "  Persistent Peers:   \(shownPeers) (\(config.persistentPeers.count) peers)", "",
            "MODEL PARAMETERS:",
            "  Model Name:         \(config.modelName)",
            "  HF Home:            \(config.hfHome)", "",
            "STORAGE PARAMETERS:",
            "  Volume Device:      \(config.volumeDevice)",
            "  Mount Point:        \(config.volumeMount)",
            "  Gonka Path:         \(config.gonkaPath)", "",
            "NODE CONFIG:",
            "  Profile:            \(gpu?.shownProfile ?? config.profile.rawValue)",
        ]
        if let gpu { lines.append("  GPUs:               \(gpu.gpus.summary)") }
        lines += ["", "LOGGING:", "  Log File:           \(logFile)", "  Output Directory:   \(outputFolder)", ""]
        return lines
    }
}
