import ButlerKit
import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `aztec-fleet sanity`: options, local and fleet modes.
let sanitySpec = CommandSpec(
    name: "sanity",
    summary: "The testnet runbook's post-deployment checks on every node, classified: log markers and catalogue messages, chain progress, network verdict",
    discussion: """
        Over SSH, each server's node container log of the last --since is streamed through the scanner while the node's \
        JSON-RPC (127.0.0.1:--rpc-port on the server) is sampled at the start and the end of --window. Findings are the \
        runbook's events with a criticality (Blocker, Critical, Major, Minor) and an action; the network is unstable when \
        any instability condition holds. With --log FILE (or - for standard input) a local log is scanned instead, without SSH. \
        The node's pending transactions and blocks (node_getPendingTxCount, node_getBlocks) give throughput, transaction \
        inclusion and reorgs. Exit codes: 0 no Blocker or Critical finding, 1 some (or the --post failed), 2 usage or input error.
        """,
    arguments: [ArgumentSpec("INVENTORY", help: "servers.csv: one server per row (not with --log)", optional: true)],
    options: FleetOptions.specs(defaultTimeout: 300, defaultUser: "ubuntu") + inventoryOptions + [
        OptionSpec("log", value: "FILE", help: "Scan this local log (- for standard input) instead of the servers' logs"),
        OptionSpec("node", value: "URL", help: "With --log: also sample this node's JSON-RPC over --window"),
        OptionSpec("since", value: "DURATION", help: "How much of each container's log to scan (docker logs --since: 90m, 1h, 2026-01-05T12:00:00Z)", defaultValue: "1h"),
        OptionSpec("window", value: "DURATION", help: "Time between the two samples of each node's blocks (0 skips the stall check)", defaultValue: "120s"),
        OptionSpec("role", value: "ROLE", help: "validator, prover or bot for every node (default: read from each log)"),
        OptionSpec("container", value: "NAME", help: "The node's container (default: aztec-node, else the first running aztecprotocol/aztec container)"),
        OptionSpec("rpc-port", value: "PORT", help: "Node RPC port on each server", defaultValue: "8080"),
        OptionSpec("reference", value: "URL", help: "A node's JSON-RPC URL, asked from this machine, to compare blocks with (default: the fleet's best node)", environment: "SANITY_REFERENCE"),
        OptionSpec("signals", value: "FILE", help: "CSV of log signals added to (or replacing by id) the built-in table"),
        OptionSpec("print-signals", help: "Print the signal table as CSV (with --signals merged) and exit"),
        OptionSpec("report", value: "FILE", help: "Write the JSON report here (default with servers: logs/sanity_report_YYYYMMDD_HHMMSS.json)"),
        OptionSpec("max-lag", value: "BLOCKS", help: "Blocks a node may trail the reference", defaultValue: "3"),
        OptionSpec("max-proven-lag", value: "BLOCKS", help: "Blocks the proven chain may trail the newest block", defaultValue: "96"),
        OptionSpec("crash-limit", value: "N", help: "Restarts or crash lines from which crashes are persistent", defaultValue: "3"),
        OptionSpec("reorg-limit", value: "N", help: "Reorgs on one node (log prunes, a block replaced between samples) from which reorgs are persistent", defaultValue: "2"),
        OptionSpec("min-tps", value: "TPS", help: "The fleet's transactions per second below which throughput is a network-wide problem"),
        OptionSpec("install-report", value: "FILE", help: "JSON of aztec-fleet install --json: failed servers become deployment issues (Blocker)"),
        postOption,
    ])

/// `--post`: where the Slack-compatible webhook URL is read from (never from the command line itself).
let postOption = OptionSpec("post", value: "FILE|env:NAME", help: "Post the result to the Slack-compatible webhook whose URL is in FILE or the environment variable NAME")

func sanity(_ parsed: ParsedCommand) async throws -> Int32 {
    let signals = try SanitySettingCheck.signals(adding: parsed.value("signals").map { URL(fileURLWithPath: $0, relativeTo: io.currentDirectory) })
    if parsed.flag("print-signals") {
        io.writeOutput(signals.csv)
        return ToolExitCode.success
    }
    let webhook = try io.webhook(parsed)
    let deployment = try parsed.value("install-report").map { try DeploymentFailure.load(contentsOf: URL(fileURLWithPath: $0, relativeTo: io.currentDirectory)) } ?? []
    let classifier = SanityClassifier(signals: signals, thresholds: SanityThresholds(
        maxLag: UInt64(try parsed.int("max-lag", range: 0...1_000_000) ?? 3), maxProvenLag: UInt64(try parsed.int("max-proven-lag", range: 0...1_000_000) ?? 96),
        crashLimit: try parsed.int("crash-limit", range: 1...1_000_000) ?? 3, reorgLimit: try parsed.int("reorg-limit", range: 1...1_000_000) ?? 2,
        minimumTPS: try parsed.value("min-tps").map(SanitySettingCheck.transactionsPerSecond)))
    let role = try parsed.value("role").map(SanitySettingCheck.role)
    let window = try SanitySettingCheck.sampleWindow(parsed.value("window") ?? "120s")
    let reportFile = parsed.value("report").map { URL(fileURLWithPath: $0, relativeTo: io.currentDirectory) }
    let run: SanityRun
    if let log = parsed.value("log") {
        if let inventory = parsed.argument("INVENTORY") {
            throw UsageError(message: "--log scans a local log without SSH; give either --log or \(inventory), not both", commandPath: parsed.path)
        }
        let descriptor = try io.openInput(log)
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        let node = try parsed.value("node").map { try NodeSettingCheck.httpURL($0, for: .nodeURL) }
        run = try await LocalLogSanityCheck(fileDescriptor: descriptor, name: log == "-" ? "stdin" : URL(fileURLWithPath: log).lastPathComponent,
                                            node: node, window: window, role: role, classifier: classifier, reportFile: reportFile, deployment: deployment).run()
    } else {
        if parsed.value("node") != nil {
            throw UsageError(message: "--node goes with --log; with servers.csv each node is asked on its own server (--rpc-port)", commandPath: parsed.path)
        }
        guard parsed.argument("INVENTORY") != nil else {
            throw UsageError(message: "give servers.csv to check the fleet, or --log FILE (- for standard input) to scan a local log", commandPath: parsed.path)
        }
        let (_, configuration, _) = try session(parsed, "sanity")
        let job = try FleetSanityCheck(settings: SanityChecker.Settings(since: parsed.value("since") ?? "1h", window: window, container: parsed.value("container"),
                                                                        rpcPort: try parsed.int("rpc-port", range: 1...65_535) ?? 8080, role: role),
                                       classifier: classifier, reference: try parsed.value("reference").map { try NodeSettingCheck.httpURL($0, for: .referenceNode) },
                                       reportFile: reportFile, deployment: deployment)
        run = try await FleetSession.with(configuration) { session in
            let run = try await session.run(job)
            io.reportInterruption(run, redact: session.redact)
            io.writeError("log: \(session.logFile?.path ?? "")\nreport: \(run.reportFile?.path ?? "")\n")
            return run
        }
    }
    io.writeOutput(parsed.flag("json") ? run.json : run.text)
    let posted = await io.share(run.shareText, to: webhook)
    return run.failed || !posted ? ToolExitCode.failure : ToolExitCode.success
}

/// `aztec-fleet connection-info`.
let connectionInfoSpec = CommandSpec(
    name: "connection-info",
    summary: "The runbook's network connection message (AZTEC_IMAGE, ETHEREUM_HOST, BOOT_NODE_URL) from kubectl get services output",
    discussion: "Run kubectl get services -n NAMESPACE and pass its output as a file or on standard input. ethereum-lb gives ETHEREUM_HOST (port 8545), boot-node-lb-tcp and boot-node-lb-udp give BOOT_NODE_URL (port 40400); names with a release prefix (NAME-ethereum-lb) count too. Exit codes: 0 the message was printed (and posted with --post), 1 the post failed, 2 a service is missing or has no external IP yet.",
    options: [
        OptionSpec("kubectl-output", value: "FILE", help: "The saved output of kubectl get services (- or nothing: standard input)"),
        OptionSpec("image", value: "IMAGE", help: "AZTEC_IMAGE of the message", environment: "AZTEC_IMAGE", defaultValue: "aztecprotocol/aztec:latest"),
        OptionSpec("json", help: "Print machine-readable JSON"), postOption,
    ])

func connectionInfo(_ parsed: ParsedCommand) async throws -> Int32 {
    let webhook = try io.webhook(parsed)
    let (data, source) = try io.readInput(parsed.value("kubectl-output") ?? "-")
    let info = try NetworkConnectionInfo.parse(kubectlOutput: String(decoding: data, as: UTF8.self), source: source,
                                               aztecImage: parsed.value("image") ?? "aztecprotocol/aztec:latest")
    if parsed.flag("json") { try io.writeJSON(info) } else { io.writeOutput(info.message) }
    return await io.share(info.message, to: webhook) ? ToolExitCode.success : ToolExitCode.failure
}
