import Foundation

extension OpenSSHTransport {
    /// Runs `command` as a session of the host's master connection; `nil` when the master
    /// cannot take it (nothing was started), so the caller starts `ssh` instead.
    func runOverMaster(_ command: RemoteCommand, script: String, timeout: Duration,
                       on host: RemoteHost) async throws(TransportError) -> CommandResult? {
        let invocation = MuxInvocation(script: script, timeout: timeout)
        let limit = max(0, command.outputLimit)
        let socket = SSHArguments.controlSocket(for: host, configuration: configuration)
        let request = MuxSession.Request(
            socketPath: socket, commandLine: invocation.commandLine, standardInput: command.standardInput ?? Data(),
            outputLimit: limit, errorLimit: limit + invocation.markerBytes,
            standardOutputHandler: command.standardOutputHandler,
            startLinePrefix: readsProcessGroups.withLock { $0 } ? invocation.startLinePrefix : nil,
            openTimeout: configuration.connectTimeout + .seconds(5),
            // The host's `timeout` ends the session first; this only bounds a host that stopped answering.
            giveUpAfter: timeout + .seconds(RemoteTimeout.killAfterSeconds + 5))
        switch await MuxSession.run(request) {
        case .unavailable(let reason):
            notePath(for: host, "commands start ssh each, since the master connection's control socket cannot take them directly: \(reason)")
            return nil
        case .exited(let status, let captured):
            notePath(for: host, "commands go over the master connection's control socket, without a local ssh each")
            let (standardError, cut) = invocation.standardError(captured.standardError, limit: limit)
            return CommandResult(exitStatus: status, standardOutput: String(decoding: captured.standardOutput, as: UTF8.self),
                                 standardError: String(decoding: standardError, as: UTF8.self), duration: captured.duration.seconds,
                                 timedOut: invocation.timedOut(status: status, duration: captured.duration), truncated: captured.truncated || cut)
        case .endedWithoutStatus(let captured):
            if captured.duration >= timeout {
                // The session ended without a status at the limit: the host's `timeout` killed all.
                return timedOutResult(captured, invocation: invocation, limit: limit)
            }
            throw TransportError(host: host.name, kind: .unreachable,
                                 message: "the connection to \(host.address) was lost while the command ran; it was not retried because it may have done part of its work")
        case .cancelled(let captured):
            if captured.opened { await stop(invocation, group: captured.processGroup, on: host) }
            throw TransportError(host: host.name, kind: .cancelled,
                                 message: captured.opened ? "cancelled while the command ran; it was stopped on the host" : "cancelled before the command was sent")
        case .gaveUp(let captured):
            await stop(invocation, group: captured.processGroup, on: host)
            return timedOutResult(captured, invocation: invocation, limit: limit)
        }
    }

    private func timedOutResult(_ captured: MuxSession.Captured, invocation: MuxInvocation, limit: Int) -> CommandResult {
        let (standardError, cut) = invocation.standardError(captured.standardError, limit: limit)
        return CommandResult(exitStatus: RemoteTimeout.timedOutStatus, standardOutput: String(decoding: captured.standardOutput, as: UTF8.self),
                             standardError: String(decoding: standardError, as: UTF8.self), duration: captured.duration.seconds,
                             timedOut: true, truncated: captured.truncated || cut)
    }

    /// Stops the invocation's command on the host over a session of its own (or, when the
    /// master is gone, through `ssh`), bounded by ``cleanupTimeout``: by its process
    /// group when the start line brought it, else by its id (see ``MuxInvocation``). Runs in
    /// a task of its own: the caller is usually cancelled.
    private func stop(_ invocation: MuxInvocation, group: Int32?, on host: RemoteHost) async {
        let line = group.map(MuxInvocation.stopCommandLine(group:)) ?? invocation.stopCommandLine
        let request = MuxSession.Request(
            socketPath: SSHArguments.controlSocket(for: host, configuration: configuration), commandLine: line,
            standardInput: Data(), outputLimit: 4096, errorLimit: 4096, standardOutputHandler: nil, startLinePrefix: nil,
            openTimeout: .seconds(2), giveUpAfter: Self.cleanupTimeout)
        let sshRequest = ProcessRequest(
            executable: configuration.sshPath, arguments: SSHArguments.command(line, on: host, configuration: configuration),
            standardInput: Data(), timeout: Self.cleanupTimeout, killGrace: .seconds(1), outputLimit: 4096)
        await Task {
            if case .unavailable = await MuxSession.run(request) {
                _ = try? await ProcessRunner.run(sshRequest)
            }
        }.value
    }

    /// Logs at debug level how commands reach `host`, when that changed.
    private func notePath(for host: RemoteHost, _ sentence: String) {
        guard let log else { return }
        let changed = notedPaths.withLock { noted in
            defer { noted[host.name] = sentence }
            return noted[host.name] != sentence
        }
        if changed { log.log(.debug, host: host.name, sentence) }
    }
}
