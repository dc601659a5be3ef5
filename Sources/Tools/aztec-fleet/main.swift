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
let inventoryOptions = [
    OptionSpec("skip-invalid-rows", help: "Go on with the valid rows and list the others, instead of stopping at any bad row"),
    OptionSpec("name-prefix", value: "PREFIX", help: "Names of hosts when servers.csv has no name column: PREFIX1, PREFIX2 …", defaultValue: "node"),
    OptionSpec("start-index", value: "N", help: "Number of the first unnamed host", defaultValue: "1"),
]

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
]
let confirmOption = OptionSpec("yes", short: "y", help: "Do not ask for confirmation (needed without a terminal)")
let operationDiscussion = "Each server is inspected first and handled in its own layout: ours (docker compose) or the original toolkit's (systemd aztec-node.service). A server whose node is not running afterwards fails. Exit codes: 0 every server done, 1 a server failed or was unreachable, 2 usage or input error."

/// Options every stage takes: the shared fleet options, check mode and force, download retries.
let stageCommonOptions = FleetOptions.specs(runOptions: true, defaultTimeout: 1800, defaultUser: "ubuntu") + inventoryOptions + [
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
    OptionSpec("original-home", value: "DIR", help: "Home the original toolkit installed into", defaultValue: "/root"),
    OptionSpec("original-unit", value: "FILE", help: "The original toolkit's systemd unit file", defaultValue: "/etc/systemd/system/aztec-node.service"),
]

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
]

let stageDiscussion = "Runs a connectivity test first; unreachable servers are reported and skipped. Every step checks the server first and is skipped when already done. Exit codes: 0 every server done, 1 a server failed or was unreachable, 2 usage or input error."

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
    ])

let io = ToolIO.process()

/// Splits a comma-separated list, dropping empty items.
func list(_ text: String?) -> [String] {
    (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

func installSettings(_ parsed: ParsedCommand, inventoryName: String, sshPort: Int?) throws -> InstallSettings {
    let version = parsed.value("aztec-version") ?? "2.1.2"
    guard !version.isEmpty, version.allSatisfy({ $0.isLetter || $0.isNumber || ".-_+".contains($0) }) else {
        throw UsageError(message: "--aztec-version: '\(version)' is not a version such as 2.1.2", commandPath: parsed.path)
    }
    return InstallSettings(
        aztecVersion: version,
        aztecInstallerURL: parsed.value("installer-url") ?? "https://install.aztec.network",
        dockerInstallerURL: parsed.value("docker-installer-url") ?? "https://get.docker.com",
        network: parsed.value("network") ?? "testnet",
        nodeDirectory: parsed.value("node-dir") ?? "aztec",
        l1RPCURLs: list(parsed.value("l1-rpc")),
        consensusURLs: list(parsed.value("consensus")),
        opensRPCPort: parsed.flag("open-rpc-port"),
        logLevel: parsed.value("log-level") ?? "info",
        verboseNodeLogs: parsed.flag("verbose-node-logs"),
        nodeWait: .seconds(try parsed.int("node-wait", range: 0...86_400) ?? 120),
        downloadRetries: try parsed.int("retries", range: 0...20) ?? 3,
        retryDelay: .seconds(try parsed.int("retry-delay", range: 0...3600) ?? 10),
        inventoryName: inventoryName,
        defaultSSHPort: sshPort ?? 22)
}

func session(_ name: String, _ options: FleetOptions) throws -> RunSession {
    try RunSession.open(name: name, logDirectory: options.logDirectory, verbose: options.verbose,
                        consoleLevels: ConsoleLogSink.defaultLevels(verbose: options.verbose), colored: io.colored,
                        emit: io.consoleLine)
}

/// Reads the options and the inventory with the Aztec columns; rows left out by
/// `--skip-invalid-rows` are listed on standard error.
func loadRun(_ parsed: ParsedCommand, allowsRepeatedAddresses: Bool = false) throws -> (FleetOptions, Inventory, String) {
    let options = try FleetOptions(parsed, environment: io.environment, currentDirectory: io.currentDirectory)
    let path = parsed.argument("INVENTORY") ?? ""
    let naming = HostNaming.numbered(prefix: parsed.value("name-prefix") ?? "node",
                                     start: try parsed.int("start-index", range: 1...1_000_000) ?? 1)
    let inventory = try options.loadInventory(path, currentDirectory: io.currentDirectory, schema: AztecInventory.schema,
                                              skipInvalidRows: parsed.flag("skip-invalid-rows"), naming: naming,
                                              allowsRepeatedAddresses: allowsRepeatedAddresses)
    if !inventory.skippedRows.isEmpty {
        let rows = Set(inventory.skippedRows.compactMap(\.line)).count
        io.writeError("aztec-fleet: left out \(Plural.count(rows, "row")) with problems (--skip-invalid-rows):\n"
            + inventory.skippedRows.map { "  \($0.location)\n" }.joined())
    }
    return (options, inventory, URL(fileURLWithPath: path).lastPathComponent)
}

/// Opens the run's log and SSH transport, then runs the preflight: local tools and key files,
/// then every server, all problems logged at once. `nil` (after saying so) when something on
/// this machine is wrong, before any server is changed.
func startRun(_ name: String, _ options: FleetOptions, _ inventory: Inventory) async throws -> (RunSession, OpenSSHTransport, Preflight.Outcome)? {
    let run = try session(name, options)
    run.runLog.addSecrets(inventory.secretValues)
    let transport = try OpenSSHTransport(configuration: options.sshConfiguration())
    let preflight = await Preflight(sshPath: options.sshConfiguration().sshPath)
        .run(inventory.hosts, transport: transport, defaultIdentityFile: options.identityFile, forks: options.forks, runLog: run.runLog)
    guard preflight.localProblems.isEmpty else {
        if options.controlPersist == .zero { await transport.close() }
        io.writeError("aztec-fleet: the preflight found \(Plural.count(preflight.localProblems.count, "problem")) on this machine (listed above); no server was changed\nlog: \(run.logFile.path)\n")
        return nil
    }
    return (run, transport, preflight)
}

func install(_ parsed: ParsedCommand, stages: [InstallStage], logName: String) async throws -> Int32 {
    let (options, inventory, inventoryName) = try loadRun(parsed)
    let settings = try installSettings(parsed, inventoryName: inventoryName, sshPort: options.port)
    guard let (run, transport, preflight) = try await startRun(logName, options, inventory) else { return ToolExitCode.usage }
    if parsed.flag("adopt") && parsed.flag("migrate") {
        throw UsageError(message: "--adopt and --migrate exclude each other: keep the original layout, or move to compose", commandPath: parsed.path)
    }
    let policy: OriginalLayoutPolicy = parsed.flag("adopt") ? .adopt : parsed.flag("migrate") ? .migrate : .refuse
    let install = StagedInstall(transport: transport, runLog: run.runLog, options: try options.runOptions(), settings: settings,
                                stageLogDirectory: stages.count > 1 ? options.logDirectory : nil,
                                stageLogLevels: LogLevel.fileLevels(verbose: options.verbose))
    let report = await install.run(stages, on: preflight.reachable, unreachable: preflight.unreachable,
                                   layouts: try nodeLayouts(parsed), policy: policy)
    if options.controlPersist == .zero { await transport.close() }
    let redact = run.runLog.redactor.redact
    if options.json {
        io.writeOutput(redact(String(decoding: try JSONEncoder.pretty.encode(report), as: UTF8.self)) + "\n")
    } else {
        io.writeError(redact(report.recapLines().joined(separator: "\n")) + "\nlog: \(run.logFile.path)\n")
    }
    return report.succeeded ? ToolExitCode.success : ToolExitCode.failure
}

func proof(_ parsed: ParsedCommand) async throws -> Int32 {
    let (options, inventory, _) = try loadRun(parsed)
    let problems = Preflight(sshPath: options.sshConfiguration().sshPath)
        .localProblems(hosts: inventory.hosts, defaultIdentityFile: options.identityFile)
    guard problems.isEmpty else {
        io.writeError(problems.map { "aztec-fleet: \($0)\n" }.joined())
        return ToolExitCode.usage
    }
    let rpcPort = try parsed.int("rpc-port", range: 1...65_535) ?? 8080
    let format = parsed.value("format") ?? "original"
    guard format == "original" || format == "detailed" else {
        throw UsageError(message: "--format: '\(format)' is not a format; expected original or detailed", commandPath: parsed.path)
    }
    let defaultName = format == "original" ? ProofResultsFile.defaultFileName : "proofs.csv"
    let output = URL(fileURLWithPath: parsed.value("output") ?? defaultName, relativeTo: io.currentDirectory)
    let run = try session("proof_collection", options)
    run.runLog.addSecrets(inventory.secretValues)
    let transport = try OpenSSHTransport(configuration: options.sshConfiguration())
    let startedAt = Date()
    let started = ContinuousClock.now
    let results = await ProofCollector(transport: transport, runLog: run.runLog, rpcPort: rpcPort,
                                       perHostTimeout: options.timeout, forks: options.forks).collect(from: inventory.hosts)
    if options.controlPersist == .zero { await transport.close() }
    let duration = (ContinuousClock.now - started).seconds
    let summaryName = run.logFile.lastPathComponent
        .replacingOccurrences(of: "proof_collection_", with: "proof_summary_")
        .replacingOccurrences(of: ".log", with: ".txt")
    let summaryURL = run.logFile.deletingLastPathComponent().appendingPathComponent(summaryName)
    let redact = run.runLog.redactor.redact
    let console: String
    if format == "original" {
        if let backup = try ProofResultsFile.write(results, to: output, date: startedAt) {
            run.runLog.info("previous results kept as \(backup.path)")
        }
        let summary = ProofResultsFile.summary(results, generated: Date(), resultsFile: output.standardizedFileURL.path,
                                               logFile: run.logFile.path)
        try AtomicFile.write(redact(summary), to: summaryURL)
        console = ProofResultsFile.consoleSummary(results, resultsFile: output.path, logFile: run.logFile.path)
    } else {
        try ProofReport.writeCSV(results, to: output)
        let summary = redact(ProofReport.summary(results, duration: duration, startedAt: startedAt))
        try AtomicFile.write(summary, to: summaryURL)
        console = summary + "results: \(output.path)\nlog: \(run.logFile.path)\n"
    }
    run.runLog.info("results: \(output.path); summary: \(summaryURL.path)")
    if options.json {
        io.writeOutput(redact(String(decoding: try ProofReport.json(results), as: UTF8.self)) + "\n")
    } else {
        io.writeError(redact(console))
    }
    return results.allSatisfy { $0.status == .ok } ? ToolExitCode.success : ToolExitCode.failure
}

func sync(_ parsed: ParsedCommand) async throws -> Int32 {
    let (options, inventory, _) = try loadRun(parsed)
    let reference: SyncChecker.Reference
    if let text = parsed.value("reference") {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw UsageError(message: "--reference: '\(URLCredentials.masked(text))' is not an http(s) URL", commandPath: parsed.path)
        }
        reference = .node(url)
    } else {
        reference = .fleetBest
    }
    let output = URL(fileURLWithPath: parsed.value("output") ?? SyncResultsFile.defaultFileName, relativeTo: io.currentDirectory)
    let run = try session("sync_check", options)
    run.runLog.addSecrets(inventory.secretValues)
    let transport = try OpenSSHTransport(configuration: options.sshConfiguration())
    let started = ContinuousClock.now
    let results = await SyncChecker(transport: transport, runLog: run.runLog, reference: reference, perHostTimeout: options.timeout,
                                    forks: options.forks).check(inventory.hosts)
    if options.controlPersist == .zero { await transport.close() }
    try SyncResultsFile.write(results, to: output)
    run.runLog.info("results: \(output.path)")
    if options.json {
        let encoder = JSONEncoder.pretty
        encoder.dateEncodingStrategy = .iso8601
        io.writeOutput(run.runLog.redactor.redact(String(decoding: try encoder.encode(results), as: UTF8.self)) + "\n")
    } else {
        let summary = SyncResultsFile.summary(results, duration: (ContinuousClock.now - started).seconds)
        io.writeError(run.runLog.redactor.redact(summary) + "results: \(output.path)\nlog: \(run.logFile.path)\n")
    }
    return results.allSatisfy { $0.status == .synced } ? ToolExitCode.success : ToolExitCode.failure
}

/// Where the layouts keep their files, from `--node-dir`, `--original-home`, `--original-unit`.
func nodeLayouts(_ parsed: ParsedCommand) throws -> NodeLayouts {
    let home = parsed.value("original-home") ?? "/root"
    let unit = parsed.value("original-unit") ?? "/etc/systemd/system/aztec-node.service"
    for (name, value) in [("original-home", home), ("original-unit", unit), ("node-dir", parsed.value("node-dir") ?? "aztec")]
    where value.isEmpty || value.contains(where: { $0.isNewline }) || value.hasPrefix("-") {
        throw UsageError(message: "--\(name): '\(value)' is not a usable path", commandPath: parsed.path)
    }
    return NodeLayouts(compose: ComposeLayout(nodeDirectory: parsed.value("node-dir") ?? "aztec"),
                       original: OriginalLayout(home: home, unitFile: unit))
}

/// The inventory file's name without `.csv`, for log names as the original made them.
func inventoryStem(_ path: String) -> String {
    let name = URL(fileURLWithPath: path).lastPathComponent
    return FileNameComponent.safe(name.hasSuffix(".csv") ? String(name.dropLast(4)) : name)
}

func status(_ parsed: ParsedCommand) async throws -> Int32 {
    let (options, inventory, inventoryName) = try loadRun(parsed)
    let run = try session("status_\(inventoryStem(inventoryName))", options)
    run.runLog.addSecrets(inventory.secretValues)
    let transport = try OpenSSHTransport(configuration: options.sshConfiguration())
    let statuses = await NodeInspector(transport: transport, layouts: try nodeLayouts(parsed), timeout: options.timeout)
        .inspect(inventory.hosts, forks: options.forks)
    if options.controlPersist == .zero { await transport.close() }
    let redact = run.runLog.redactor.redact
    if options.json {
        io.writeOutput(redact(String(decoding: try JSONEncoder.pretty.encode(statuses), as: UTF8.self)) + "\n")
    } else {
        io.writeOutput(redact(NodeInspector.table(statuses)))
    }
    return statuses.allSatisfy { $0.error == nil && $0.layout != NodeLayoutKind.none } ? ToolExitCode.success : ToolExitCode.failure
}

/// Asks `y/N` on a terminal; without one, only `--yes` lets the operation run.
func confirmed(_ parsed: ParsedCommand, _ operation: NodeOperation, hosts: Int) throws -> Bool {
    guard operation.asksForConfirmation, !parsed.flag("yes"), !parsed.flag("check") else { return true }
    guard isatty(STDIN_FILENO) == 1 else {
        throw UsageError(message: "refusing to \(operation.summary) on \(Plural.count(hosts, "server")) without confirmation: no terminal to ask on; pass --yes", commandPath: parsed.path)
    }
    io.writeError("This will \(operation.summary) on \(Plural.count(hosts, "server")).\nAre you sure you want to continue? (y/N): ")
    let answer = readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
    if answer == "y" || answer == "Y" { return true }
    io.writeError("cancelled by user; nothing was changed\n")
    return false
}

func operate(_ parsed: ParsedCommand, _ operation: NodeOperation) async throws -> Int32 {
    // update-keys groups rows of one server, which may repeat its address.
    var (options, inventory, inventoryName) = try loadRun(parsed, allowsRepeatedAddresses: operation == .updateKeys)
    switch operation {
    case .setL1(let rpc, let consensus):
        for (name, urls) in [("l1-rpc", rpc), ("consensus", consensus)] {
            guard !urls.isEmpty else { throw UsageError(message: "--\(name) is required: the new URLs, comma-separated", commandPath: parsed.path) }
            if let bad = urls.first(where: { AztecInventory.urlListProblem($0) != nil }) {
                throw UsageError(message: "--\(name): '\(URLCredentials.masked(bad))' is not an http(s) or ws(s) URL", commandPath: parsed.path)
            }
        }
    case .update(let version):
        guard !version.isEmpty, version.allSatisfy({ $0.isLetter || $0.isNumber || ".-_+".contains($0) }) else {
            throw UsageError(message: "--version: '\(version)' is not a version such as 2.1.2 or latest", commandPath: parsed.path)
        }
    case .updateKeys:
        if !inventory.hosts.contains(where: { $0.secretVariables[AztecInventory.Key.privateKeys] != nil }) {
            let size = try parsed.int("group-size", range: 1...1000) ?? 10
            inventory.hosts = AztecInventory.grouped(inventory.hosts, size: size)
        }
        var seen: [String: String] = [:]
        for host in inventory.hosts {
            if let other = seen[host.endpoint] {
                throw UsageError(message: "\(other) and \(host.name) are the same server (\(host.address)); one server takes one group of rows or one keys cell", commandPath: parsed.path)
            }
            seen[host.endpoint] = host.name
        }
    case .restart, .removeData:
        break
    }
    guard try confirmed(parsed, operation, hosts: inventory.hosts.count) else { return ToolExitCode.success }
    let settings = OperationSettings(layouts: try nodeLayouts(parsed),
                                     settle: .seconds(try parsed.int("settle", range: 0...3600) ?? 30),
                                     retries: try parsed.int("retries", range: 0...20) ?? 2,
                                     retryDelay: .seconds(try parsed.int("retry-delay", range: 0...3600) ?? 10))
    guard let (run, transport, preflight) = try await startRun("\(operation.logStem)_\(inventoryStem(inventoryName))", options, inventory) else {
        return ToolExitCode.usage
    }
    let report = await NodeOperationRun(transport: transport, runLog: run.runLog, options: try options.runOptions(), settings: settings)
        .run(operation, on: preflight.reachable, unreachable: preflight.unreachable)
    if options.controlPersist == .zero { await transport.close() }
    let redact = run.runLog.redactor.redact
    if options.json {
        io.writeOutput(redact(String(decoding: try report.jsonData(), as: UTF8.self)) + "\n")
    } else {
        let failures = report.hosts.filter { $0.status != .succeeded }.map { "\($0.host) : \($0.status.rawValue): \($0.message ?? "")" }
        io.writeError(redact((report.recapLines() + failures).joined(separator: "\n")) + "\nlog: \(run.logFile.path)\n")
    }
    return report.succeeded ? ToolExitCode.success : ToolExitCode.failure
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }
}

let code = await CommandLineTool.main(spec: spec, version: FleetKitVersion.current, io: io) { parsed in
    switch parsed.path.last {
    case "prepare": return try await install(parsed, stages: [.prepare], logName: "prepare")
    case "docker": return try await install(parsed, stages: [.docker], logName: "docker")
    case "aztec": return try await install(parsed, stages: [.aztec], logName: "aztec")
    case "install": return try await install(parsed, stages: InstallStage.allCases, logName: "complete_install")
    case "proof": return try await proof(parsed)
    case "sync": return try await sync(parsed)
    case "sanity": return try await sanity(parsed)
    case "connection-info": return try connectionInfo(parsed)
    case "status": return try await status(parsed)
    case "restart": return try await operate(parsed, .restart)
    case "update": return try await operate(parsed, .update(version: parsed.value("version") ?? "latest"))
    case "set-l1": return try await operate(parsed, .setL1(rpc: list(parsed.value("l1-rpc")), consensus: list(parsed.value("consensus"))))
    case "update-keys": return try await operate(parsed, .updateKeys)
    case "remove-data": return try await operate(parsed, .removeData)
    default: throw UsageError(message: "missing subcommand; expected one of: prepare, docker, aztec, install, proof, sync, sanity, connection-info, status, restart, update, set-l1, update-keys, remove-data", commandPath: parsed.path)
    }
}
exit(code)
