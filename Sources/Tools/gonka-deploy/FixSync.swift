import FleetKit
import Foundation
import GonkaKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gonka-deploy fix-sync <node-file>`: the stuck-sync fix over one connection, confirmed first.
func fixSync(_ parsed: ParsedCommand, io: ToolIO) async throws -> Int32 {
    let question = "Apply the stuck state-sync fix? It stops the node's containers and may remove partial chain data (yes/no): "
    let asks = !parsed.flag("yes")
    if asks, isatty(STDIN_FILENO) != 1 {
        throw UsageError(message: "standard input is not a terminal, so the fix cannot be confirmed; pass --yes", commandPath: parsed.path)
    }
    let (nodeFile, config) = try DeploySession.nodeConfig(parsed, io: io)
    let session: DeploySession
    do {
        session = try DeploySession(parsed, io: io, nodeFile: nodeFile, config: config, checkMode: false)
    } catch let failure as ToolFailure {
        io.writeError("[ERROR] \(failure.description)\n")
        return ToolExitCode.failure
    }
    session.banner("Gonka Stuck State-Sync Fix")
    defer { session.runLog.info("Fix finished at: \(Date())") }
    guard await session.connect() else {
        await session.transport.close()
        return ToolExitCode.failure
    }
    if asks, !session.ask(question, io: io) {
        session.runLog.info("Fix cancelled by user")
        await session.transport.close()
        return ToolExitCode.success
    }
    let playbook = session.deployment.fixSyncPlaybook(peerFilterScript: parsed.value("peer-filter-script"))
    session.deployment.section(playbook.name)
    let options = try RunOptions(forks: 1, defaultTimeout: session.deployment.commandTimeout)
    let staged = await StagedRun(transport: session.transport, runLog: session.runLog, options: options,
                                 stageTimeout: session.deployment.phaseTimeout, clock: session.deployment.clock)
        .run([Stage(playbook.name, playbook: playbook)], on: [session.deployment.host])
    await session.transport.close()
    guard staged.succeeded else {
        let message = staged.lastReport(of: session.deployment.host.name)?.message ?? "the fix did not finish"
        session.runLog.error("Fix failed: \(message). Check log: \(session.logFile.path)")
        return ToolExitCode.failure
    }
    session.runLog.log(.success, "Stuck state-sync fix applied")
    return ToolExitCode.success
}
