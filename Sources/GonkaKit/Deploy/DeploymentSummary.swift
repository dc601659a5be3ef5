import Foundation

/// The final report the original prints after phase 8: NODE, SERVER, WALLETS, USEFUL
/// LINKS, TRACKERS, SAVED FILES and IMPORTANT NEXT STEPS. Unlike the original, SAVED FILES
/// lists only files that exist (node-config.json and grant.txt included), and the
/// participant link is the cold account's, where the node is registered.
public enum DeploymentSummary {
    /// Public trackers of the network, as the original lists them.
    public static let trackers = ["http://34.60.64.109/", "https://tracker.gonka.hyperfusion.io/", "https://gonkahub.com/network"]

    /// The local files the report may name, with their labels, in the original's order.
    public static let savedFiles = [
        ("Config", "config.env"), ("Node Config", "node-config.json"), ("Warm Key", "warm_key.txt"), ("Warm Address", "warm_address.txt"),
        ("Registration", "registration.txt"), ("Volume Info", "volume.txt"), ("Verification", "verification.txt"), ("Grant", "grant.txt"),
    ]

    /// The report's lines. `existing` says whether a file of `localFolder` exists; `warmAddress`
    /// is `nil` when not known yet.
    /// `backupCommand` is how the operator backs the keys up (a tool's command line); `nil` describes it.
    public static func lines(_ config: NodeConfig, warmAddress: String?, localFolder: URL, logFile: URL, backupCommand: String? = nil,
                             existing: (URL) -> Bool = { FileManager.default.fileExists(atPath: $0.path) }) -> [String] {
        let rule = String(repeating: "=", count: 40)
        let host = config.serverAddress.urlHost
        let coldAddress = (try? config.accountPublicKey.accountAddress()) ?? "unknown"
        let seed = config.seedAPIURL.hasSuffix("/") ? String(config.seedAPIURL.dropLast()) : config.seedAPIURL
        func row(_ label: String, _ value: String) -> String { "  " + (label + ":").padding(toLength: 16, withPad: " ", startingAt: 0) + value }
        var lines = [rule, "     DEPLOYMENT COMPLETED", rule, "", "NODE: \(config.keyName)", "SERVER: \(config.sshUser)@\(host)", ""]
        lines += ["WALLETS:", row("Cold PubKey", config.accountPublicKey.base64), row("Warm Address", warmAddress ?? "unknown"), ""]
        lines += ["USEFUL LINKS:", row("Dashboard", "http://\(host):8000/"), row("Chain RPC", "http://\(host):26657/status"),
                  row("Participant", "\(seed)/v1/participants/\(coldAddress)"), ""]
        lines += ["TRACKERS:"] + trackers.map { "  - \($0)" } + [""]
        lines += ["SAVED FILES:"]
        for (label, name) in savedFiles {
            let file = localFolder.appendingPathComponent(name)
            if existing(file) { lines.append(row(label, file.path)) }
        }
        lines += [row("Full Log", logFile.path), "", rule, ""]
        lines += ["IMPORTANT NEXT STEPS:", "  1. Wait for next epoch to start (check trackers)", "  2. Monitor node health in trackers",
                  "  3. Update your spreadsheet with node information", "  4. Grant ML permissions from local machine (if not done yet)",
                  "  5. Back up the keys that cannot be recreated (tmkms, keyring, node key, password): "
                      + (backupCommand ?? "run the node backup"), "", rule]
        return lines
    }
}
