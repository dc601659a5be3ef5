import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let inventoryArgument = ArgumentSpec("INVENTORY", help: "servers.csv: one host per row (see README for the columns)")

let spec = CommandSpec(
    name: "fleet",
    summary: "Check, reach and run commands on many servers over OpenSSH.",
    discussion: "Every run writes logs/<command>_YYYYMMDD_HHMMSS.log. Exit codes: 0 success, 1 a host failed, 2 usage or input error, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (a second signal forces the exit).",
    subcommands: [
        CommandSpec(name: "check", summary: "Validate an inventory and list its hosts with secrets masked",
                    arguments: [inventoryArgument],
                    options: [OptionSpec("json", help: "Print the hosts as JSON"),
                              OptionSpec("limit", short: "l", value: "PATTERN", help: "Only hosts whose name or address matches")]),
        CommandSpec(name: "ping", summary: "Connect to every host and report SSH connect time and round-trip latency",
                    arguments: [inventoryArgument], options: FleetOptions.specs(defaultTimeout: 30)),
        CommandSpec(name: "run", summary: "Run one shell command on every host; output grouped per host",
                    discussion: "COMMAND is everything after --: the words are joined with spaces and run by sh -c on each host, as ssh does. Example: fleet run servers.csv --limit 'web-*' -- 'df -h / | tail -1'",
                    arguments: [inventoryArgument], options: FleetOptions.specs(), acceptsPassthrough: true),
        CommandSpec(name: "demo", summary: "Start a sandbox SSH server on 127.0.0.1 and apply a demo playbook twice (changes, then SKIPs)",
                    options: [OptionSpec("log-dir", value: "DIR", help: "Folder for run logs", environment: "FLEET_LOG_DIR", defaultValue: "logs"),
                              OptionSpec("verbose", short: "v", help: "Show debug lines and command output", environment: "VERBOSE")]),
    ])

let io = ToolIO.process()

func check(_ parsed: ParsedCommand) throws -> Int32 {
    let path = parsed.argument("INVENTORY") ?? ""
    let inventory = try InventorySource.file(URL(fileURLWithPath: path, relativeTo: io.currentDirectory), displayName: path,
                                             limit: try parsed.value("limit").map { try HostPattern($0) }).load()
    if parsed.flag("json") { try io.writeJSON(InventorySummary.rows(inventory)) } else { io.writeOutput(InventorySummary.text(inventory)) }
    return ToolExitCode.success
}

func ping(_ parsed: ParsedCommand) async throws -> Int32 {
    let options = try FleetOptions(parsed, environment: io.environment, currentDirectory: io.currentDirectory)
    let inventory = options.inventorySource(parsed.argument("INVENTORY") ?? "", currentDirectory: io.currentDirectory)
    let report = try await FleetSession.with(try options.session("ping", inventory: inventory, io: io, quietConsole: true)) { session in
        try await session.run(ConnectivityCheck.Job(timeout: options.timeout))
    }
    io.reportInterruption(report)
    if options.json { try io.writeJSON(report.results) } else { io.writeOutput(ConnectivityCheck.table(report.results)) }
    return report.allReachable ? ToolExitCode.success : ToolExitCode.failure
}

func runCommand(_ parsed: ParsedCommand) async throws -> Int32 {
    guard let job = try? AdHocCommandJob(parsed.passthrough.joined(separator: " ")) else {
        throw UsageError(message: "missing the command: fleet run INVENTORY -- COMMAND...", commandPath: parsed.path)
    }
    let options = try FleetOptions(parsed, environment: io.environment, currentDirectory: io.currentDirectory)
    let inventory = options.inventorySource(parsed.argument("INVENTORY") ?? "", currentDirectory: io.currentDirectory)
    return try await FleetSession.with(try options.session("run", inventory: inventory, io: io, quietConsole: true)) { session in
        let report = try await session.run(job)
        if !options.json { io.writeOutput(session.redact(AdHocCommand.groupedOutput(report))) }
        return try io.finishRun(report, succeeded: report.succeeded, recap: report.recapLines(), json: options.json, session: session)
    }
}

func demo(_ parsed: ParsedCommand) async throws -> Int32 {
    let verbose = parsed.flag("verbose")
    let console = ConsoleLogSink(levels: ConsoleLogSink.defaultLevels(verbose: verbose), colored: io.colored, emit: io.consoleLine)
    let (runLog, file) = try RunLogDestination.file(name: "demo", in: URL(fileURLWithPath: parsed.value("log-dir") ?? "logs", relativeTo: io.currentDirectory),
                                                    verbose: verbose, console: console).open()
    let sandbox = URL(fileURLWithPath: "/tmp/fleetkit-demo-\(getpid())")
    defer { try? FileManager.default.removeItem(at: sandbox) }
    let outcome = try await SandboxDemo.run(in: sandbox, runLog: runLog)
    io.writeOutput(outcome.summary + "log: \(file?.path ?? "")\n")
    return outcome.converged ? ToolExitCode.success : ToolExitCode.failure
}

let code = await CommandLineTool.main(spec: spec, version: FleetKitVersion.current, io: io) { parsed in
    switch parsed.path.last {
    case "check": return try check(parsed)
    case "ping": return try await ping(parsed)
    case "run": return try await runCommand(parsed)
    case "demo": return try await demo(parsed)
    default: throw UsageError(message: "missing subcommand; expected one of: check, ping, run, demo", commandPath: parsed.path)
    }
}
exit(code)
