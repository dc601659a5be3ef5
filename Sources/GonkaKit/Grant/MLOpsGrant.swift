import FleetKit
import Foundation

/// The ML-operations grant from the cold key to the warm address:
/// `inferenced tx inference grant-ml-ops-permissions <cold> <warm> --from <cold> --keyring-backend file --gas 2000000 --node <GRANT_NODE_URL>`,
/// as the original runs it, with the node URL from the node file instead of a hard-coded one.
public enum MLOpsGrant {
    /// The gas the original gives the transaction.
    public static let gas = "2000000"
    /// Printed by `inferenced` when the transaction made it into a block.
    public static let successText = "Transaction confirmed successfully"
    /// What stands for the cold key's name in the printed command when `COLD_KEY_NAME` is not set.
    public static let coldKeyPlaceholder = "<COLD_KEY_NAME>"

    /// The arguments after `inferenced`.
    public static func arguments(coldKeyName: String, warmAddress: String, nodeURL: String) -> [String] {
        ["tx", "inference", "grant-ml-ops-permissions", coldKeyName, warmAddress, "--from", coldKeyName,
         "--keyring-backend", "file", "--gas", gas, "--node", nodeURL]
    }

    /// The command line to run by hand on the machine holding the cold key, shell-quoted
    /// (the placeholder stays readable when the cold key's name is unknown).
    public static func manualCommand(_ config: NodeConfig, warmAddress: String) -> String {
        let cold = config.coldKeyName ?? coldKeyPlaceholder
        let words = arguments(coldKeyName: cold, warmAddress: warmAddress, nodeURL: config.grantNodeURL)
        return (["inferenced"] + words.map { $0 == coldKeyPlaceholder ? $0 : ShellQuote.quote($0) }).joined(separator: " ")
    }

    /// How a grant ended, by its output.
    public enum Outcome: Sendable, Equatable {
        /// Confirmed; the `Block height:` line when there is one.
        case confirmed(blockHeightLine: String?)
        /// `account … not found`: the cold account has no tokens for gas yet.
        case coldAccountNotFound
        /// Anything else; the output says more.
        case unclear
    }

    /// Reads the output as the original does.
    public static func outcome(ofOutput output: String) -> Outcome {
        if output.contains(successText) {
            let line = output.split(separator: "\n").first { $0.contains("Block height:") }.map { $0.trimmingCharacters(in: .whitespaces) }
            return .confirmed(blockHeightLine: line)
        }
        let lowered = output.lowercased()
        if let account = lowered.range(of: "account "), lowered[account.upperBound...].contains("not found") { return .coldAccountNotFound }
        return .unclear
    }
}

/// Runs `inferenced` for the grant on this machine: standard input and standard error stay
/// the terminal's, so `inferenced` asks for the cold key's passphrase and the confirmation
/// itself (neither passes through this process); standard output is shown as it comes (the
/// transaction to confirm) and also kept for `grant.txt`.
public protocol GrantRunner: Sendable {
    /// Runs `executable` with `arguments`, stopping it after `timeLimit`; returns the exit status and standard output.
    func run(executable: String, arguments: [String], timeLimit: Duration) async throws -> (status: Int32, output: String)
}

/// The ``GrantRunner`` for a program run on a terminal: `inferenced` runs through
/// FleetKit's ``ProcessRunner`` in its interactive mode, so it reads this process's standard
/// input and writes its standard error directly, its standard output is shown and kept (up
/// to 4 MiB), and it is stopped (SIGTERM, SIGKILL after two seconds, its children too) at
/// the time limit or when the calling task is cancelled.
public struct TerminalGrantRunner: GrantRunner {
    /// Creates the runner.
    public init() {}

    /// Runs the program and waits for it without blocking a thread of the cooperative pool.
    public func run(executable: String, arguments: [String], timeLimit: Duration) async throws -> (status: Int32, output: String) {
        let output = try await ProcessRunner.run(ProcessRequest(executable: executable, arguments: arguments, timeout: timeLimit,
                                                                streams: .interactive()))
        return (output.status, String(decoding: output.standardOutput, as: UTF8.self))
    }
}
