import ButlerKit
import FleetKit
import Foundation

/// Options of rolling operations: batches, the health gate's time, failures allowed.
let rolloutOptions = [
    OptionSpec("serial", value: "N|P%", help: "Servers restarted at a time, a count or a share of the servers, each batch behind the health gate; 100% restarts all at once (--forks at a time)", defaultValue: "1"),
    OptionSpec("gate-timeout", value: "SECONDS", help: "How long each restarted node has to be ready, advance its block and show its attesters", defaultValue: "300"),
    OptionSpec("max-fail", value: "N", help: "Servers allowed to fail (or miss the gate) before the rollout stops", defaultValue: "0"),
]

/// Where the Butler keeps its keys files.
let keysFolderOptions = [
    OptionSpec("keys-dir", value: "DIR", help: "The Butler's data folder with {network}-keys-{serverId}-v{N}.json (default: $XDG_DATA_HOME/aztec-butler or ~/.local/share/aztec-butler)"),
    OptionSpec("keys-network", value: "NAME", help: "Network of the keys files (default: --network)"),
]

let keystoresSpec = CommandSpec(
    name: "keystores",
    summary: "Put each server's newest Butler keys file into its node's keystore, restarting only nodes whose keystore changed, in batches behind a health gate",
    discussion: """
        Each server is its Butler server id (a server_id column, else the row's name). Everything is checked before any \
        server is touched: the keys files (the Butler's checks, attesters on two servers outside the high-availability \
        shape, high-availability attesters sharing a publisher, private keys in files naming a remote signer, a server \
        without a file with --require-all) and each node (on the keystore form, no other .json in its keystore folder). \
        --check prints per server the attesters, coinbases and publishers that would change, by address, and the batches. \
        Exit codes: 0 done, 1 refused or a server failed, 2 usage or input error.
        """,
    arguments: [inventoryArgument],
    options: FleetOptions.specs(runOptions: true, defaultTimeout: 600, defaultUser: "ubuntu") + inventoryOptions + layoutOptions + keysFolderOptions + rolloutOptions + [
        OptionSpec("network", value: "NAME", help: "Network of the keys files", environment: "AZTEC_NETWORK", defaultValue: "testnet"),
        OptionSpec("require-all", help: "Refuse when a server has no keys file"),
        OptionSpec("settle", value: "SECONDS", help: "Pause after a restart before the container must be running", defaultValue: "5"),
    ])

/// The Butler's keys folder from `--keys-dir`, `--keys-network` and `--network`.
func keysFolder(_ parsed: ParsedCommand) -> ButlerKeysFolder {
    let given = parsed.value("keys-dir").map { URL(fileURLWithPath: $0, relativeTo: io.currentDirectory) }
    let paths = ButlerPaths(environment: io.environment, homeDirectory: io.environment["HOME"] ?? NSHomeDirectory())
    return ButlerKeysFolder(folder: given ?? paths.dataDirectory, network: parsed.value("keys-network") ?? parsed.value("network") ?? "testnet")
}

/// The rollout policy from `--serial`, `--gate-timeout`, `--max-fail`.
func rolloutPolicy(_ parsed: ParsedCommand) throws -> RolloutPolicy {
    let serial = parsed.value("serial") ?? "1"
    guard let batchSize = BatchSize(parsing: serial) else {
        throw UsageError(message: "--serial is '\(TerminalText.quoted(serial))'; expected a number of servers (1 or more) or a percentage (1% to 100%)", commandPath: parsed.path)
    }
    return RolloutPolicy(batchSize: batchSize, gateTimeout: .seconds(try parsed.int("gate-timeout", range: 1...86_400) ?? 300),
                         maxFailures: try parsed.int("max-fail", range: 0...100_000) ?? 0)
}

func keystores(_ parsed: ParsedCommand) async throws -> Int32 {
    let job = KeystorePush(source: keysFolder(parsed), layouts: try nodeLayouts(parsed), requiresEveryServer: parsed.flag("require-all"),
                           rollout: try rolloutPolicy(parsed), settle: .seconds(try parsed.int("settle", range: 0...3600) ?? 5))
    let (options, configuration, _) = try session(parsed, "keystores_{stem}")
    return try await FleetSession.with(configuration) { session in
        let report = try await session.run(job)
        return try io.finishRun(report, succeeded: report.succeeded, recap: report.lines, json: options.json, session: session)
    }
}
