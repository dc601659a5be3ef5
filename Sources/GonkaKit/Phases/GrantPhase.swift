import FleetKit
import Foundation

/// What phase 8 does about the grant.
public enum GrantMode: Sendable {
    /// Print the exact command to run on the machine holding the cold key (the default).
    case printCommand
    /// Run it here with this `inferenced` (``GrantChoice/runHere(inferenced:searchPath:runner:)``); the cold key must be in its file keyring.
    case run(inferenced: String, runner: any GrantRunner)
}

/// Phase 8 (grant ML permissions): once the node reports blocks, the grant from the cold
/// key to the warm address is printed, or run with ``GrantMode/run(inferenced:runner:)``,
/// its command line and output kept in `grant.txt`. A `grant.txt` that records a confirmed grant to the same
/// warm address makes a re-run skip it (the transaction costs gas); remove the file to
/// grant again. Never fatal, as in the original. No path is hard-coded: the cold key's
/// name is `COLD_KEY_NAME`, the chain RPC `GRANT_NODE_URL`.
public enum GrantPhase {
    /// How long `inferenced` may take, passphrase prompt included.
    public static let timeLimit = Duration.seconds(600)

    /// The phase's playbook; `localFolder` holds `warm_address.txt` and receives `grant.txt`.
    public static func playbook(_ config: NodeConfig, localFolder: URL, mode: GrantMode, checkMode: Bool) -> Playbook {
        Playbook(DeployPhase.grant.title, steps: [
            Step.observe("ML permissions grant", timeout: timeLimit + .seconds(300)) { context in
                let addressFile = localFolder.appendingPathComponent("warm_address.txt")
                guard let warm = (try? String(contentsOf: addressFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines), !warm.isEmpty else {
                    return .warning("The warm address is not known (no \(addressFile.path)); run phase 4 first")
                }
                let command = MLOpsGrant.manualCommand(config, warmAddress: warm)
                let grantFile = localFolder.appendingPathComponent("grant.txt")
                if let done = try? String(contentsOf: grantFile, encoding: .utf8), done.contains(warm),
                   case .confirmed = MLOpsGrant.outcome(ofOutput: done) {
                    return .fine("Already granted to \(warm) (\(grantFile.path)); remove that file to grant again")
                }
                let height = try await NodeServerProbe.chainHeight(context)
                guard let height, height > 0 else {
                    return .warning("Node is not synced yet (block height: \(height.map(String.init) ?? "none")); grant later with: \(command)")
                }
                guard case .run(let inferenced, let runner) = mode, !checkMode, let cold = config.coldKeyName else {
                    return .fine("Grant ML permissions from the machine holding the cold key: \(command)")
                }
                return try await grant(config, cold: cold, warm: warm, inferenced: inferenced, runner: runner, localFolder: localFolder, context)
            },
        ])
    }

    /// Runs the grant and reads its outcome; the output goes to `grant.txt`.
    static func grant(_ config: NodeConfig, cold: String, warm: String, inferenced: String, runner: any GrantRunner,
                      localFolder: URL, _ context: HostContext) async throws -> StepFinding {
        context.log(.info, "Granting ML permissions from \(cold) to \(warm); inferenced asks for the cold key's passphrase")
        let arguments = MLOpsGrant.arguments(coldKeyName: cold, warmAddress: warm, nodeURL: config.grantNodeURL)
        let (status, output) = try await runner.run(executable: inferenced, arguments: arguments, timeLimit: timeLimit)
        let file = localFolder.appendingPathComponent("grant.txt")
        try AtomicFile.createDirectory(localFolder, mode: 0o700)
        try AtomicFile.write("# inferenced \(arguments.joined(separator: " "))\n" + output, to: file, mode: 0o644)
        switch MLOpsGrant.outcome(ofOutput: output) {
        case .confirmed(let heightLine):
            return .fine("Grant executed successfully!" + (heightLine.map { " \($0)" } ?? ""))
        case .coldAccountNotFound:
            return .warning("Cold wallet not found in blockchain: it usually has no tokens for gas yet; output in \(file.path)")
        case .unclear:
            return .warning("Grant result unclear (exit \(status)); check \(file.path)")
        }
    }
}
