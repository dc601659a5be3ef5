import ButlerKit
import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let inventoryArgument = ArgumentSpec("INVENTORY", help: "servers.csv: one server per row (see docs/aztec-fleet.md for the columns)")

/// How servers.csv is read, as the original toolkit read it.
let inventoryOptions = FleetOptions.inventoryReadingSpecs()

/// Where each layout keeps its node: ours (compose) and the original toolkit's (systemd).
let layoutOptions = [
    OptionSpec("node-dir", value: "DIR", help: "Node folder of the compose layout (relative: under the SSH user's home)", defaultValue: "aztec"),
    OptionSpec("original-home", value: "DIR", help: "Home the original toolkit installed into (start_aztec_node.sh, .aztec_installed, .aztec/)", defaultValue: "/root"),
    OptionSpec("original-unit", value: "FILE", help: "The original toolkit's systemd unit file", defaultValue: "/etc/systemd/system/aztec-node.service"),
]

/// Options of the daily operations.
let operationOptions = FleetOptions.specs(runOptions: true, defaultTimeout: 1800, defaultUser: "ubuntu") + inventoryOptions + layoutOptions + [
    OptionSpec("settle", value: "SECONDS", help: "Pause after a (re)start before the node must be running", defaultValue: "30"),
    OptionSpec("retries", value: "N", help: "Extra attempts of aztec-up and image pulls", defaultValue: "2"),
    OptionSpec("retry-delay", value: "SECONDS", help: "Pause between those attempts", defaultValue: "10"),
] + rolloutOptions
let confirmOption = OptionSpec("yes", short: "y", help: "Do not ask for confirmation (needed without a terminal)")
let operationDiscussion = "Each server is inspected first and handled in its own layout: ours (docker compose) or the original toolkit's (systemd aztec-node.service). A server whose node is not running afterwards fails. Servers are changed one at a time by default: each restarted node must pass the health gate (ready, its block advancing, its keystore's attesters in the validator stats) within --gate-timeout before the next starts, and a failure leaves later servers untouched; --serial N or P% sets the batch, --serial 100% restarts all at once. Exit codes: 0 every server done, 1 a server failed or was unreachable, 2 usage or input error, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (a second signal forces the exit)."

/// Options every stage takes: the shared fleet options, check mode and force, download retries.
let stageCommonOptions = FleetOptions.specs(runOptions: true, defaultTimeout: 1800, defaultUser: "ubuntu",
                                            timeoutHelp: "Limit of each stage on one server (all its steps together)") + inventoryOptions + [
    OptionSpec("retries", value: "N", help: "Extra attempts of steps that download", defaultValue: "3"),
    OptionSpec("retry-delay", value: "SECONDS", help: "Pause between download attempts", defaultValue: "10"),
]
let prepareOptions = [
    OptionSpec("open-rpc-port", help: "Also allow the node RPC port (8080) in the firewall"),
]
let dockerOptions = [
    OptionSpec("docker-installer-url", value: "URL", help: "Docker Engine install script", environment: "DOCKER_INSTALLER_URL", defaultValue: "https://get.docker.com"),
]
/// What to do with servers the original toolkit installed.
let adoptOptions = [
    OptionSpec("adopt", help: "Keep servers the original toolkit installed as they are and leave them out of the install (status, update, restart … manage them)"),
    OptionSpec("migrate", help: "Move servers the original toolkit installed to the compose layout: stop its service, keep its data folder, then install"),
] + layoutOptions.dropFirst()

let aztecOptions = [
    OptionSpec("node-dir", value: "DIR", help: "Node folder on each server (relative: under the SSH user's home)", defaultValue: "aztec"),
    OptionSpec("aztec-version", value: "VERSION", help: "Aztec CLI and image version", environment: "AZTEC_VERSION", defaultValue: "2.1.2"),
    OptionSpec("installer-url", value: "URL", help: "Aztec CLI installer script", environment: "AZTEC_INSTALLER_URL", defaultValue: "https://install.aztec.network"),
    OptionSpec("network", value: "NAME", help: "Aztec network the node joins", environment: "AZTEC_NETWORK", defaultValue: "testnet"),
    OptionSpec("l1-rpc", value: "URLS", help: "L1 RPC URLs (comma-separated) for servers whose row has none", environment: "L1_RPC_URLS"),
    OptionSpec("consensus", value: "URLS", help: "L1 consensus URLs (comma-separated) for servers whose row has none", environment: "L1_CONSENSUS_URLS"),
    OptionSpec("log-level", value: "LEVEL", help: "Node LOG_LEVEL", defaultValue: "info"),
    OptionSpec("verbose-node-logs", help: "Write the runbook's verbose preset (LOG_JSON=1, LOG_LEVEL=debug, DEBUG filter)"),
    OptionSpec("node-wait", value: "SECONDS", help: "How long to wait for the node to answer node_getL2Tips before warning", defaultValue: "120"),
    OptionSpec("keystore", help: "Keys in a keystore folder (KEY_STORE_DIRECTORY) from the server's Butler keys file, else from its row; with --migrate, keys of an .env or start script move into it"),
] + keysFolderOptions

let stageDiscussion = "Runs a connectivity test first; unreachable servers are reported and skipped. Every step checks the server first and is skipped when already done. Exit codes: 0 every server done, 1 a server failed or was unreachable, 2 usage or input error, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (a second signal forces the exit)."

let spec = CommandSpec(
    name: "aztec-fleet",
    summary: "Install Aztec sequencer nodes on the servers of servers.csv in stages and collect their proofs.",
    discussion: "Logs go to logs/<stage>_YYYYMMDD_HHMMSS.log. FORCE=1, VERBOSE=1 and TIMEOUT=SECONDS work as in the original scripts.",
    subcommands: [
        CommandSpec(name: "prepare", summary: "Stage 1: base packages, firewall (SSH, 40400 tcp+udp), data folder, clock check",
                    discussion: stageDiscussion, arguments: [inventoryArgument], options: stageCommonOptions + prepareOptions),
        CommandSpec(name: "docker", summary: "Stage 2: Docker Engine and compose, service enabled, SSH user in the docker group",
                    discussion: stageDiscussion, arguments: [inventoryArgument], options: stageCommonOptions + dockerOptions),
        CommandSpec(name: "aztec", summary: "Stage 3: Aztec CLI, node .env and compose file, node started and answering",
                    discussion: stageDiscussion + " A server the original toolkit installed is refused unless --adopt (keep it) or --migrate (move it to compose, keeping its data) is given.", arguments: [inventoryArgument],
                    options: stageCommonOptions + aztecOptions + adoptOptions),
        CommandSpec(name: "install", summary: "All three stages in order; a server that fails a stage stops there",
                    discussion: stageDiscussion + " A server the original toolkit installed is refused unless --adopt (keep it) or --migrate (move it to compose, keeping its data) is given.", arguments: [inventoryArgument],
                    options: stageCommonOptions + prepareOptions + dockerOptions + aztecOptions + adoptOptions),
        CommandSpec(name: "proof", summary: "Collect each node's archive sibling path at its proven block into a CSV",
                    discussion: "Statuses in the original format: SUCCESS (ok), ERROR (rpc_error, not_synced), FAILED (timeout, unreachable: block and proof are ERROR). --json always prints the detailed results. Exit codes: 0 every server gave a proof, 1 some did not, 2 usage or input error.",
                    arguments: [inventoryArgument],
                    options: FleetOptions.specs(defaultTimeout: 300, defaultUser: "ubuntu") + inventoryOptions + [
                        OptionSpec("rpc-port", value: "PORT", help: "Node RPC port on each server", defaultValue: "8080"),
                        OptionSpec("output", short: "o", value: "FILE", help: "Results CSV, written atomically (default: proof_results.csv, or proofs.csv with --format detailed)"),
                        OptionSpec("format", value: "FORMAT", help: "original: proof_results.csv as the original toolkit wrote it (SUCCESS/ERROR/FAILED), a backup of the previous file and its summary lines; detailed: our statuses, durations and reasons", defaultValue: "original"),
                    ]),
        CommandSpec(name: "status", summary: "Each server's node: layout, version, service state, L1 URLs (credentials masked), proven block",
                    arguments: [inventoryArgument],
                    options: FleetOptions.specs(defaultTimeout: 60, defaultUser: "ubuntu") + inventoryOptions + layoutOptions),
        CommandSpec(name: "restart", summary: "Restart every node (the original's run_restart_aztec.sh)",
                    discussion: operationDiscussion, arguments: [inventoryArgument], options: operationOptions + [confirmOption]),
        CommandSpec(name: "update", summary: "Update every node to a version and restart it (the original's run_04_update_aztec.sh, upgrade and downgrade)",
                    discussion: operationDiscussion, arguments: [inventoryArgument],
                    options: operationOptions + [confirmOption,
                        OptionSpec("version", value: "VERSION", help: "Aztec version, or latest", environment: "AZTEC_VERSION", defaultValue: "latest")]),
        CommandSpec(name: "set-l1", summary: "Replace every node's L1 RPC and consensus URLs, whatever they were (the original's fix_rpc_urls.sh)",
                    discussion: operationDiscussion + " The start script or .env is kept as <file>.backup.YYYYMMDD_HHMMSS first.", arguments: [inventoryArgument],
                    options: operationOptions + [
                        OptionSpec("l1-rpc", value: "URLS", help: "New L1 RPC URLs, comma-separated (required)", environment: "L1_RPC_URLS"),
                        OptionSpec("consensus", value: "URLS", help: "New L1 consensus URLs, comma-separated (required)", environment: "L1_CONSENSUS_URLS")]),
        CommandSpec(name: "update-keys", summary: "Give each server several validator keys (the original's update_validator_keys.sh)",
                    discussion: operationDiscussion + " Keys come from a keys column, else from groups of --group-size consecutive rows (the first row names the server), as generate_multi.sh grouped them. Keys travel on standard input only.",
                    arguments: [inventoryArgument],
                    options: operationOptions + [confirmOption,
                        OptionSpec("group-size", value: "N", help: "Rows per server when there is no keys column", defaultValue: "10")]),
        CommandSpec(name: "remove-data", summary: "Stop each node, delete its data folder and start it again (the original's remove_testnet_data.sh)",
                    discussion: operationDiscussion, arguments: [inventoryArgument], options: operationOptions + [confirmOption]),
        CommandSpec(name: "sync", summary: "Compare each node's proven block with a reference into sync_results.csv",
                    discussion: "The node is looked for on 127.0.0.1 ports 8080, 8081 and 8082 of each server. Statuses: SYNCED, SYNCING, NO_NODE, RPC_ERROR, TIMEOUT, ERROR (a server SSH cannot reach). Without --reference the fleet's highest proven block is the reference. Exit codes: 0 every node synced, 1 some are not, 2 usage or input error.",
                    arguments: [inventoryArgument],
                    options: FleetOptions.specs(defaultTimeout: 60, defaultUser: "ubuntu") + inventoryOptions + [
                        OptionSpec("reference", value: "URL", help: "A node's JSON-RPC URL to compare with, asked from this machine (default: the fleet's best node)", environment: "SYNC_REFERENCE"),
                        OptionSpec("output", short: "o", value: "FILE", help: "Results CSV, written atomically", defaultValue: SyncResultsFile.defaultFileName),
                    ]),
        sanitySpec,
        connectionInfoSpec,
        keystoresSpec,
        monitoringConfigSpec,
        monitoringSpec,
    ])

let io = ToolIO.process()

/// A comma-separated option value as a list.
func list(_ text: String?) -> [String] { AztecInventory.splitList(text ?? "") }

/// The option that sets each library setting, for error messages (`update` calls the version --version).
let optionOfSetting = ["aztecVersion": "aztec-version", "l1RPCURLs": "l1-rpc", "consensusURLs": "consensus", "referenceNode": "reference",
                       "nodeURL": "node", "nodeFolder": "node-dir", "originalHome": "original-home", "originalUnit": "original-unit",
                       "container": "container", "logSince": "since", "sampleWindow": "window", "role": "role", "serverGrouping": "group-size",
                       "transactionsPerSecond": "min-tps"]

/// Where the layouts keep their files, from `--node-dir`, `--original-home`, `--original-unit`.
func nodeLayouts(_ parsed: ParsedCommand, rpcPort: Int = 8080) throws -> NodeLayouts {
    try NodeLayouts(compose: ComposeLayout(nodeDirectory: parsed.value("node-dir") ?? "aztec"),
                    original: OriginalLayout(home: parsed.value("original-home") ?? "/root",
                                             unitFile: parsed.value("original-unit") ?? "/etc/systemd/system/aztec-node.service"),
                    rpcPort: rpcPort).checked()
}

/// The fleet options, the inventory with the Aztec columns and a session over it logging to
/// `logName` (`{stem}` becomes the inventory's name without `.csv`).
func session(_ parsed: ParsedCommand, _ logName: String, allowsRepeatedAddresses: Bool = false) throws -> (FleetOptions, FleetSession.Configuration, Inventory) {
    let options = try FleetOptions(parsed, environment: io.environment, currentDirectory: io.currentDirectory)
    let inventory = try options.readInventory(parsed, schema: AztecInventory.schema, allowsRepeatedAddresses: allowsRepeatedAddresses, io: io)
    return (options, try options.session(logName.replacingOccurrences(of: "{stem}", with: inventory.fileStem), inventory: .loaded(inventory), io: io), inventory)
}

func install(_ parsed: ParsedCommand, stages: [InstallStage], logName: String) async throws -> Int32 {
    let (options, configuration, _) = try session(parsed, logName)
    try parsed.exclusive("adopt", "migrate", why: "keep the original layout, or move to compose")
    let settings = InstallSettings(
        aztecVersion: try NodeSettingCheck.version(parsed.value("aztec-version") ?? "2.1.2"),
        aztecInstallerURL: parsed.value("installer-url") ?? "https://install.aztec.network",
        dockerInstallerURL: parsed.value("docker-installer-url") ?? "https://get.docker.com", network: parsed.value("network") ?? "testnet",
        layouts: try nodeLayouts(parsed), l1RPCURLs: list(parsed.value("l1-rpc")), consensusURLs: list(parsed.value("consensus")),
        opensRPCPort: parsed.flag("open-rpc-port"), logLevel: parsed.value("log-level") ?? "info", verboseNodeLogs: parsed.flag("verbose-node-logs"),
        nodeWait: .seconds(try parsed.int("node-wait", range: 0...86_400) ?? 120), downloadRetries: try parsed.int("retries", range: 0...20) ?? 3,
        retryDelay: .seconds(try parsed.int("retry-delay", range: 0...3600) ?? 10),
        inventoryName: URL(fileURLWithPath: parsed.argument("INVENTORY") ?? "").lastPathComponent, defaultSSHPort: options.port ?? 22)
    var keyed = settings
    keyed.keyForm = parsed.flag("keystore") ? .keystore : .environment
    let job = AztecInstall(stages: stages, settings: keyed, existingNodes: parsed.flag("adopt") ? .adopt : parsed.flag("migrate") ? .migrate : .refuse,
                           keysFolder: parsed.flag("keystore") && parsed.value("keys-dir") != nil ? keysFolder(parsed) : nil)
    return try await FleetSession.with(configuration) { session in
        let report = try await session.run(job)
        return try io.finishRun(report, succeeded: report.succeeded, recap: report.recapLines(), json: options.json, session: session)
    }
}

func proof(_ parsed: ParsedCommand) async throws -> Int32 {
    let (options, configuration, _) = try session(parsed, "proof_collection")
    let format = try parsed.choice("format", of: ProofCollection.Format.self) ?? .original
    let output = URL(fileURLWithPath: parsed.value("output") ?? format.defaultFileName, relativeTo: io.currentDirectory)
    let job = ProofCollection(resultsFile: output, format: format, rpcPort: try parsed.int("rpc-port", range: 1...65_535) ?? 8080,
                              perHostTimeout: options.timeout)
    return try await FleetSession.with(configuration) { session in
        let report = try await session.run(job)
        io.reportInterruption(report, redact: session.redact)
        if options.json { io.writeOutput(session.redact(String(decoding: try ProofReport.json(report.results), as: UTF8.self)) + "\n") } else { io.writeError(session.redact(report.text)) }
        return report.succeeded ? ToolExitCode.success : ToolExitCode.failure
    }
}

func sync(_ parsed: ParsedCommand) async throws -> Int32 {
    let (options, configuration, _) = try session(parsed, "sync_check")
    let reference = try parsed.value("reference").map { try NodeSettingCheck.httpURL($0, for: .referenceNode) }
    let job = SyncCheck(reference: reference.map { .node($0) } ?? .fleetBest,
                        resultsFile: URL(fileURLWithPath: parsed.value("output") ?? SyncResultsFile.defaultFileName, relativeTo: io.currentDirectory),
                        perHostTimeout: options.timeout)
    return try await FleetSession.with(configuration) { session in
        let report = try await session.run(job)
        io.reportInterruption(report, redact: session.redact)
        if options.json { try io.writeJSON(report.results, redact: session.redact) } else {
            io.writeError(session.redact(report.text) + "results: \(report.resultsFile.path)\nlog: \(session.logFile?.path ?? "")\n")
        }
        return report.succeeded ? ToolExitCode.success : ToolExitCode.failure
    }
}

func status(_ parsed: ParsedCommand) async throws -> Int32 {
    let (options, configuration, _) = try session(parsed, "status_{stem}")
    let job = NodeStatusCheck(layouts: try nodeLayouts(parsed), timeout: options.timeout)
    return try await FleetSession.with(configuration) { session in
        let report = try await session.run(job)
        io.reportInterruption(report, redact: session.redact)
        if options.json { try io.writeJSON(report.statuses, redact: session.redact) } else { io.writeOutput(session.redact(NodeInspector.table(report.statuses))) }
        return report.allHealthy ? ToolExitCode.success : ToolExitCode.failure
    }
}

func operate(_ parsed: ParsedCommand, _ operation: NodeOperation) async throws -> Int32 {
    let settings = OperationSettings(layouts: try nodeLayouts(parsed), settle: .seconds(try parsed.int("settle", range: 0...3600) ?? 30),
                                     retries: try parsed.int("retries", range: 0...20) ?? 2, retryDelay: .seconds(try parsed.int("retry-delay", range: 0...3600) ?? 10))
    let job = try NodeMaintenance(operation, settings: settings, rowsPerServer: try parsed.int("group-size", range: 1...1000) ?? 10,
                                  rollout: try rolloutPolicy(parsed))
    let (options, configuration, inventory) = try session(parsed, "\(operation.logStem)_{stem}", allowsRepeatedAddresses: job.allowsRepeatedAddresses)
    let servers = try job.servers(of: inventory)
    if operation.asksForConfirmation && !parsed.flag("yes") && !parsed.flag("check") {
        guard try io.confirm(operation.summary, servers: servers.count, command: parsed) else { return ToolExitCode.success }
    }
    return try await FleetSession.with(configuration) { session in
        let report = try await session.run(job)
        let failures = report.hosts.filter { $0.status != .succeeded }.map { "\($0.host) : \($0.status.rawValue): \($0.message ?? "")" }
        return try io.finishRun(report, succeeded: report.succeeded, recap: report.recapLines() + failures, json: options.json, session: session)
    }
}

let code = await CommandLineTool.main(spec: spec, version: FleetKitVersion.current, io: io, optionName: { $0 == "update" && $1 == "aztecVersion" ? "version" : optionOfSetting[$1] ?? monitoringSettingOptions[$1] }) { parsed in
    switch parsed.path.last {
    case "prepare": return try await install(parsed, stages: [.prepare], logName: "prepare")
    case "docker": return try await install(parsed, stages: [.docker], logName: "docker")
    case "aztec": return try await install(parsed, stages: [.aztec], logName: "aztec")
    case "install": return try await install(parsed, stages: InstallStage.allCases, logName: "complete_install")
    case "proof": return try await proof(parsed)
    case "sync": return try await sync(parsed)
    case "sanity": return try await sanity(parsed)
    case "connection-info": return try await connectionInfo(parsed)
    case "monitoring-config": return try await monitoringConfig(parsed)
    case "monitoring": return try await monitoring(parsed)
    case "status": return try await status(parsed)
    case "restart": return try await operate(parsed, .restart)
    case "update": return try await operate(parsed, .update(version: parsed.value("version") ?? "latest"))
    case "set-l1": return try await operate(parsed, .setL1(rpc: list(parsed.value("l1-rpc")), consensus: list(parsed.value("consensus"))))
    case "update-keys": return try await operate(parsed, .updateKeys)
    case "remove-data": return try await operate(parsed, .removeData)
    case "keystores": return try await keystores(parsed)
    default: throw UsageError(message: "missing subcommand; expected one of: prepare, docker, aztec, install, proof, sync, sanity, connection-info, monitoring-config, monitoring, status, restart, update, set-l1, update-keys, remove-data, keystores", commandPath: parsed.path)
    }
}
exit(code)
