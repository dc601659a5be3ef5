import Foundation

/// What one step did inside an ``ActionBatch``, handed to the runner's usual step code so
/// that results, log lines and failures come out as when the step runs on its own.
struct BatchedStep: Sendable {
    /// The check's status when the batch ran it (a later step after a change), or the
    /// transport failure that interrupted it.
    var check: Result<Int32, TransportError>?
    /// The action's first attempt, when the batch ran it.
    var attempt: BatchedAttempt?
    /// When the step began (the previous step's end, for a later step of the batch).
    var started: ContinuousClock.Instant
    /// When its last line arrived.
    var ended: ContinuousClock.Instant
}

/// The first attempt of an action run inside a batch.
struct BatchedAttempt: Sendable {
    /// The action as the step gave it (for the debug line).
    var command: RemoteCommand
    /// How it ended, or the transport failure that interrupted it.
    var action: Result<CommandResult, TransportError>
    /// The verification's status, when it ran (or the failure that interrupted it).
    var verify: Result<Int32, TransportError>?
}

extension HostRun {
    /// The batch that starts with the step at `index` (whose check already asked for a
    /// change) and takes the steps after it while they qualify (see ``ActionBatch``);
    /// `nil` when fewer than two steps would be in it.
    func actionBatch(startingAt index: Int) -> ActionBatch? {
        guard options.batchesActions, !options.checkMode, !options.anyErrorsFatal else { return nil }
        var items: [ActionBatch.Item] = []
        var size = 0
        for position in index..<playbook.steps.count {
            let step = playbook.steps[position]
            guard let item = batchItem(step, index: position, isFirst: position == index) else { break }
            // The script is one argument of the host's `sh`, which Linux limits to 128 KiB.
            size += item.action.script.utf8.count + (item.check?.utf8.count ?? 0) + (item.verify?.utf8.count ?? 0) + 400
            if size > ActionBatch.scriptSizeLimit { break }
            items.append(item)
        }
        return items.count >= 2 ? ActionBatch(items: items) : nil
    }

    private func batchItem(_ step: Step, index: Int, isFirst: Bool) -> ActionBatch.Item? {
        guard case .hostCommand(let make) = step.action else { return nil }
        if let condition = step.condition, !condition(host) { return nil }
        let checkTimeout = step.timeout ?? options.defaultTimeout
        var check: String?
        if !isFirst && !options.force {
            switch step.check {
            case nil: break
            case .hostShell(let makeCheck)?: check = makeCheck(host)
            case .swift?, .observe?: return nil
            }
        }
        if case .observe? = step.check { return nil }
        var verify: String?
        switch step.verify {
        case nil: break
        case .hostShell(let makeVerify)?: verify = makeVerify(host)
        case .swift?, .observe?: return nil
        }
        var command = make(host)
        guard command.standardInput == nil, command.standardOutputHandler == nil else { return nil }
        if command.timeout == nil { command.timeout = checkTimeout }
        return ActionBatch.Item(index: index, check: check, action: command, verify: verify, checkTimeout: checkTimeout)
    }

    /// Runs `batch` in one round trip while watching each piece's own limit, and says what
    /// each step did, by step index. A step with no entry did not get to run in the batch
    /// and runs on its own.
    func runBatch(_ batch: ActionBatch, firstStarted: ContinuousClock.Instant) async -> [Int: BatchedStep] {
        log(.debug, "sending the actions of \(batch.items.count) steps in one round trip")
        let reader = Locked(ActionBatchReader(batch))
        let overran = Locked<(position: Int, phase: ActionBatch.Phase)?>(nil)
        let command = RemoteCommand(batch.script, timeout: batch.timeout, outputLimit: batch.errorLimit,
                                    standardOutputHandler: { chunk in
                                        let now = ContinuousClock.now
                                        reader.withLock { $0.feed(chunk, at: now) }
                                    })
        typealias Outcome = Result<CommandResult, TransportError>
        let outcome: Outcome = await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { [transport, host] () async -> Outcome? in
                do throws(TransportError) {
                    return Outcome.success(try await transport.run(command, on: host))
                } catch {
                    return Outcome.failure(error)
                }
            }
            group.addTask {
                await Self.watch(batch, reader: reader, overran: overran)
                return nil
            }
            var outcome: Outcome = .failure(
                TransportError(host: host.name, kind: .cancelled, message: "cancelled before the command was sent"))
            for await value in group {
                if let value {
                    outcome = value
                    group.cancelAll()
                    break
                }
                if overran.withLock({ $0 }) != nil { group.cancelAll() }
            }
            return outcome
        }
        if case .success(let result) = outcome, !result.standardOutput.isEmpty, reader.withLock({ $0.events.isEmpty }) {
            // A transport that kept standard output in the result instead of streaming it.
            reader.withLock { $0.feed(Array(result.standardOutput.utf8), at: .now) }
        }
        reader.withLock { $0.finish() }
        let stdout = reader.withLock { $0 }
        var stderr = ActionBatchReader(batch)
        if case .success(let result) = outcome {
            stderr.feed(Array(result.standardError.utf8), at: .now)
            stderr.finish()
        }
        // The watchdog stopped the batch: not a cancellation of the run.
        let cut = Task.isCancelled ? nil : overran.withLock { $0 }
        return settle(batch, outcome: outcome, cut: cut, stdout: stdout, stderr: stderr, firstStarted: firstStarted)
    }

    /// Turns what came back into each step's part (see ``runBatch(_:firstStarted:)``).
    private func settle(_ batch: ActionBatch, outcome: Result<CommandResult, TransportError>,
                        cut: (position: Int, phase: ActionBatch.Phase)?, stdout: ActionBatchReader, stderr: ActionBatchReader,
                        firstStarted: ContinuousClock.Instant) -> [Int: BatchedStep] {
        var steps: [Int: BatchedStep] = [:]
        var started = firstStarted
        let now = ContinuousClock.now
        // A transport failure that is not the watchdog's own stop belongs to the piece that was running.
        var failure: TransportError?
        var batchResult: CommandResult?
        switch outcome {
        case .success(let result): batchResult = result
        case .failure(let error): failure = cut == nil ? error : nil
        }
        for (position, item) in batch.items.enumerated() {
            var entry = BatchedStep(check: nil, attempt: nil, started: started, ended: now)
            if item.check != nil {
                guard stdout.began(position, .check) else {
                    if let failure { entry.check = .failure(failure); steps[item.index] = entry }
                    return steps
                }
                guard let status = stdout.status(position, .check) else {
                    // Cut short: a transport failure reports it; otherwise the step checks again on its own.
                    if let failure { entry.check = .failure(failure); steps[item.index] = entry }
                    return steps
                }
                entry.check = .success(status)
                if status == 0 {
                    entry.ended = stdout.lastLine(of: position) ?? now
                    steps[item.index] = entry
                    started = entry.ended
                    continue
                }
            }
            guard stdout.began(position, .action) else {
                if let failure {
                    entry.attempt = BatchedAttempt(command: item.action, action: .failure(failure), verify: nil)
                    steps[item.index] = entry
                } else if entry.check != nil {
                    steps[item.index] = entry
                }
                return steps
            }
            let times = stdout.times(position, .action)
            let actionStatus = stdout.status(position, .action)
            let actionEnded = times.ended ?? now
            var result = CommandResult(
                exitStatus: actionStatus ?? batchResult?.exitStatus ?? RemoteTimeout.timedOutStatus,
                standardOutput: String(decoding: stdout.outputs[position] ?? [], as: UTF8.self),
                standardError: String(decoding: stderr.outputs[position] ?? [], as: UTF8.self),
                duration: (actionEnded - (times.began ?? started)).seconds,
                timedOut: false,
                truncated: stdout.truncated.contains(position) || stderr.truncated.contains(position)
                    || (actionStatus == nil && batchResult?.truncated == true))
            if actionStatus == nil, let failure {
                entry.attempt = BatchedAttempt(command: item.action, action: .failure(failure), verify: nil)
                steps[item.index] = entry
                return steps
            }
            if actionStatus == nil {
                // Stopped by its own limit (the watchdog), the batch's limit, or something that ended the script.
                let limited = cut.map { $0.position == position && $0.phase == .action } ?? false
                if limited || batchResult?.timedOut == true {
                    result.exitStatus = RemoteTimeout.timedOutStatus
                    result.timedOut = true
                }
            } else {
                result.timedOut = result.exitStatus == RemoteTimeout.timedOutStatus
            }
            var attempt = BatchedAttempt(command: item.action, action: .success(result), verify: nil)
            entry.ended = actionEnded
            guard actionStatus == 0, item.verify != nil else {
                entry.attempt = attempt
                steps[item.index] = entry
                if actionStatus != 0 { return steps }
                started = entry.ended
                continue
            }
            if stdout.began(position, .verify) {
                if let status = stdout.status(position, .verify) {
                    attempt.verify = .success(status)
                } else if let failure {
                    attempt.verify = .failure(failure)
                } else {
                    // Cut short: its limit passed, or the script ended; a verification that did not pass.
                    attempt.verify = .success(RemoteTimeout.timedOutStatus)
                }
                entry.ended = stdout.lastLine(of: position) ?? now
            } else if let failure {
                attempt.verify = .failure(failure)
            }
            entry.attempt = attempt
            steps[item.index] = entry
            if case .success(let status)? = attempt.verify, status == 0 {
                started = entry.ended
                continue
            }
            return steps
        }
        return steps
    }

    /// Waits while the batch runs and, when the running piece passes its own limit, notes it
    /// in `overran` and returns (the caller then stops the batch). Looks once a second.
    private static func watch(_ batch: ActionBatch, reader: Locked<ActionBatchReader>,
                              overran: Locked<(position: Int, phase: ActionBatch.Phase)?>) async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            var wake = now + .seconds(1)
            if let open = reader.withLock({ $0.open }) {
                let deadline = open.since + batch.items[open.position].timeout(of: open.phase)
                if now >= deadline {
                    overran.withLock { $0 = (open.position, open.phase) }
                    return
                }
                wake = min(wake, deadline)
            }
            try? await Task.sleep(until: wake, clock: .continuous)
        }
    }
}
