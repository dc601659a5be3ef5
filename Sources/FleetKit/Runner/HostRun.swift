import Foundation

/// One host's pass through a playbook: plan the shell checks in one round trip, then act
/// from the first step that needs a change, re-checking every later step once something
/// has changed. Consecutive shell steps from a step that needs a change are sent together
/// (``ActionBatch``: the later checks run on the host right after the earlier actions, and
/// nothing runs after a failure), and each step is then reported by the same code as a
/// step run on its own (``BatchedStep``).
struct HostRun: Sendable {
    let playbook: Playbook
    let host: RemoteHost
    let transport: any Transport
    let runLog: RunLog
    let options: RunOptions
    let clock: any FleetClock
    let stop: StopSignal

    private var context: HostContext {
        HostContext(host: host, transport: transport, runLog: runLog, defaultTimeout: options.defaultTimeout, facts: facts, clock: clock)
    }
    private let facts = HostFacts()

    init(playbook: Playbook, host: RemoteHost, transport: any Transport, runLog: RunLog, options: RunOptions, clock: any FleetClock, stop: StopSignal) {
        self.playbook = playbook
        self.host = host
        self.transport = transport
        self.runLog = runLog
        self.options = options
        self.clock = clock
        self.stop = stop
    }

    /// Why a step ended badly.
    enum StepError: Error {
        case failed(String, CommandResult?)
        case unreachable(TransportError)
        /// The calling task was cancelled; the reason says at what point.
        case cancelled(String)
    }

    /// The step error for a transport failure: cancellation stays cancellation.
    static func stepError(_ error: TransportError) -> StepError {
        error.kind == .cancelled ? .cancelled(error.message) : .unreachable(error)
    }

    func execute() async -> HostReport {
        let started = ContinuousClock.now
        var steps: [StepReport] = []
        var counts = StepCounts()
        var status = HostStatus.succeeded
        var message: String?
        var interruptedStep: String?

        func finish() -> HostReport {
            HostReport(host: host.name, address: host.address, status: status, steps: steps, counts: counts,
                       message: message, duration: (ContinuousClock.now - started).seconds, interruptedStep: interruptedStep)
        }

        let plan: [Int: Int32]
        do {
            plan = try await planChecks()
        } catch where error.kind == .cancelled {
            status = .stopped
            message = error.message
            interruptedStep = "checks"
            log(.warn, "stopping: \(error.message)")
            return finish()
        } catch {
            counts.add(.unreachable)
            status = .unreachable
            message = error.message
            log(.error, "unreachable: \(error.message)")
            return finish()
        }

        var somethingChanged = false
        // What steps did inside an action batch, by step index (see ``ActionBatch``).
        var batched: [Int: BatchedStep] = [:]
        var next = 0
        while next < playbook.steps.count {
            let index = next
            let step = playbook.steps[index]
            next += 1
            // A step that already ran in a batch is reported even when a cancellation came after it.
            if batched[index] == nil, Task.isCancelled {
                status = .stopped
                message = "cancelled"
                log(.warn, "stopping before '\(step.name)': cancelled")
                break
            }
            if batched[index] == nil, let reason = stop.reason {
                status = .stopped
                message = reason
                log(.warn, "stopping before '\(step.name)': \(reason)")
                break
            }
            var stepStarted = ContinuousClock.now
            // Time the step already spent inside a batch.
            var carried = batched[index].map { $0.ended - $0.started } ?? .zero
            func elapsed() -> Duration { carried + (ContinuousClock.now - stepStarted) }
            func record(_ outcome: StepOutcome, _ text: String?, _ result: CommandResult? = nil) {
                counts.add(outcome)
                steps.append(StepReport(name: step.name, outcome: outcome, message: text, result: result,
                                        duration: elapsed().seconds))
            }
            if let condition = step.condition, !condition(host) {
                log(.skip, "\(step.name): condition not met")
                record(.skipped, "condition not met")
                continue
            }
            do {
                if case .observe(let body)? = step.check {
                    // It only looks: what it found is the step's one line, in check mode too.
                    let finding = try await observe(body, step: step)
                    log(finding.level, "\(step.name): \(finding.message)")
                    record(.ok, finding.level == .warn ? finding.message : nil)
                    continue
                }
                let needed = try await needsChange(step, index: index, plan: plan, planIsFresh: !somethingChanged,
                                                   batched: batched[index])
                if !needed {
                    log(.skip, "\(step.name): already done")
                    record(.ok, nil)
                    continue
                }
                if options.checkMode {
                    log(.info, "\(step.name): would change")
                    record(.changed, "would change")
                    continue
                }
                if batched[index] == nil, let batch = actionBatch(startingAt: index) {
                    batched = await runBatch(batch, firstStarted: stepStarted)
                    if let first = batched[index] {
                        carried = first.ended - first.started
                        stepStarted = .now
                    }
                }
                let result = try await apply(step, batched: batched[index]?.attempt)
                somethingChanged = true
                log(.ok, "\(step.name): done (\(Self.format(elapsed())))")
                record(.changed, nil, result)
            } catch {
                let ending = await handleFailure(error, of: step)
                if let outcome = ending.outcome { record(outcome, ending.reason, ending.result) }
                if let hostStatus = ending.hostStatus {
                    status = hostStatus
                    message = ending.hostMessage
                    if hostStatus == .stopped { interruptedStep = step.name }
                    break
                }
            }
        }
        return finish()
    }

    /// What a failed step leaves behind: its outcome, and the host's status when the host stops.
    private struct FailureEnding {
        /// `nil` when the step did not finish because the run was cancelled: it is not recorded.
        var outcome: StepOutcome?
        var reason: String
        var result: CommandResult?
        var hostStatus: HostStatus?
        var hostMessage: String?
    }

    /// Logs a failure, runs the rescue when there is one, and says how the step and host
    /// end; a cancelled step ends the host at once.
    private func handleFailure(_ error: StepError, of step: Step) async -> FailureEnding {
        let reason: String
        let result: CommandResult?
        switch error {
        case .unreachable(let transportError):
            log(.error, "\(step.name): unreachable: \(transportError.message)")
            return FailureEnding(outcome: .unreachable, reason: transportError.message, result: nil,
                                 hostStatus: .unreachable, hostMessage: transportError.message)
        case .failed(let text, let failedResult):
            reason = text
            result = failedResult
        case .cancelled(let text):
            log(.warn, "\(step.name): \(text)")
            // Most rescues would be cancelled too; one marked safe runs outside the cancellation.
            guard let rescue = step.rescue, step.rescuesWhenInterrupted else {
                return FailureEnding(outcome: nil, reason: text, result: nil, hostStatus: .stopped, hostMessage: "\(step.name): \(text)")
            }
            let rescueEnding = await rescueAfterInterruption(rescue, of: step)
            return FailureEnding(outcome: nil, reason: text, result: nil, hostStatus: .stopped,
                                 hostMessage: "\(step.name): \(text); \(rescueEnding)")
        }
        log(.error, "\(step.name): failed: \(reason)")
        guard let rescue = step.rescue else {
            return FailureEnding(outcome: .failed, reason: reason, result: result,
                                 hostStatus: .failed, hostMessage: "\(step.name): \(reason)")
        }
        log(.warn, "\(step.name): running rescue")
        do {
            _ = try await perform(rescue, step: step)
        } catch {
            switch error {
            case .cancelled(let text):
                return FailureEnding(outcome: .failed, reason: "\(reason); rescue \(text)", result: result,
                                     hostStatus: .stopped, hostMessage: "\(step.name): rescue \(text)")
            case .unreachable(let transportError):
                return FailureEnding(outcome: .unreachable, reason: transportError.message, result: result,
                                     hostStatus: .unreachable, hostMessage: transportError.message)
            case .failed(let rescueReason, let rescueResult):
                log(.error, "\(step.name): rescue failed: \(rescueReason)")
                let text = "\(reason); rescue failed: \(rescueReason)"
                return FailureEnding(outcome: .failed, reason: text, result: rescueResult ?? result,
                                     hostStatus: .failed, hostMessage: "\(step.name): \(text)")
            }
        }
        log(.ok, "\(step.name): rescued")
        if step.continuesAfterRescue {
            return FailureEnding(outcome: .rescued, reason: reason, result: result)
        }
        return FailureEnding(outcome: .rescued, reason: reason, result: result,
                             hostStatus: .failed, hostMessage: "\(step.name): \(reason) (rescued)")
    }

    /// Runs a rescue marked safe on interrupt in a task the cancellation does not reach
    /// (bounded by the step's timeout) and says how it ended, for the host's message.
    private func rescueAfterInterruption(_ rescue: StepAction, of step: Step) async -> String {
        log(.warn, "\(step.name): interrupted; running its rescue")
        let outcome = await Task.detached { () async -> String? in
            do throws(StepError) {
                _ = try await self.perform(rescue, step: step)
                return nil
            } catch {
                switch error {
                case .failed(let reason, _), .cancelled(let reason): return reason
                case .unreachable(let transportError): return transportError.message
                }
            }
        }.value
        if let reason = outcome {
            log(.error, "\(step.name): rescue after the interruption failed: \(reason)")
            return "rescue failed: \(reason)"
        }
        log(.ok, "\(step.name): rescued after the interruption")
        return "rescued"
    }

    /// Evaluates every shell check of the host in one round trip, unless nothing would
    /// read the answers (force, batching off, or no shell checks).
    private func planChecks() async throws(TransportError) -> [Int: Int32] {
        guard options.batchesChecks, !options.force else { return [:] }
        var checks: [(index: Int, script: String)] = []
        for (index, step) in playbook.steps.enumerated() {
            if let condition = step.condition, !condition(host) { continue }
            if case .hostShell(let make)? = step.check { checks.append((index, make(host))) }
        }
        guard !checks.isEmpty else { return [:] }
        let nonce = CheckPlan.makeNonce()
        log(.check, "evaluating \(checks.count) checks in one round trip")
        let result = try await transport.run(
            RemoteCommand(CheckPlan.script(for: checks, nonce: nonce), timeout: options.defaultTimeout), on: host)
        let statuses = CheckPlan.parse(result.standardOutput, nonce: nonce)
        for (index, script) in checks {
            log(.debug, "check '\(playbook.steps[index].name)': \(Self.preview(script)) → \(statuses[index].map { "exit \($0)" } ?? "no answer")")
        }
        if statuses.count < checks.count {
            log(.warn, "only \(statuses.count) of \(checks.count) checks answered (\(result.summary)); the rest run one by one")
        }
        return statuses
    }

    private func needsChange(_ step: Step, index: Int, plan: [Int: Int32], planIsFresh: Bool,
                             batched: BatchedStep?) async throws(StepError) -> Bool {
        if options.force {
            log(.info, "\(step.name): forced")
            return true
        }
        if let answer = batched?.check {
            // Checked live inside a batch, right after the earlier actions.
            log(.check, step.name)
            switch answer {
            case .success(let status): return status != 0
            case .failure(let error): throw Self.stepError(error)
            }
        }
        guard let check = step.check else { return true }
        if planIsFresh, case .hostShell = check, let status = plan[index] {
            return status != 0
        }
        log(.check, step.name)
        return try await !evaluate(check, step: step)
    }

    /// Runs an observing check and returns what it found.
    private func observe(_ body: @Sendable (HostContext) async throws -> StepFinding, step: Step) async throws(StepError) -> StepFinding {
        log(.check, step.name)
        do {
            return try await body(step.timeout.map(context.limited(to:)) ?? context)
        } catch let error as TransportError {
            throw .unreachable(error)
        } catch {
            throw .failed("check failed: \(error)", nil)
        }
    }

    /// Runs a check live; `true` means already so.
    private func evaluate(_ check: StepCheck, step: Step) async throws(StepError) -> Bool {
        switch check {
        case .observe(let body):
            // Used as a verification: it only looks, so having looked is success.
            _ = try await observe(body, step: step)
            return true
        case .hostShell(let make):
            do {
                let result = try await transport.run(RemoteCommand(make(host), timeout: step.timeout ?? options.defaultTimeout), on: host)
                return result.succeeded
            } catch {
                throw Self.stepError(error)
            }
        case .swift(let body):
            do {
                return try await body(context)
            } catch let error as TransportError {
                throw Self.stepError(error)
            } catch is CancellationError {
                throw .cancelled("cancelled")
            } catch {
                throw .failed("check failed: \(error)", nil)
            }
        }
    }

    /// Runs the action with its retries, then its verification.
    /// With `batched`, the first attempt (and its verification) is what the batch saw.
    private func apply(_ step: Step, batched: BatchedAttempt? = nil) async throws(StepError) -> CommandResult? {
        log(.exec, step.name)
        var attempt = 0
        var result: CommandResult?
        while true {
            attempt += 1
            do {
                if attempt == 1, let batched {
                    result = try replay(batched, step: step)
                } else {
                    result = try await perform(step.action, step: step)
                }
                break
            } catch {
                guard case .failed(let reason, _) = error, attempt <= step.retries else { throw error }
                log(.warn, "\(step.name): attempt \(attempt) of \(step.retries + 1) failed (\(reason)); retrying in \(Self.format(step.retryDelay))")
                do {
                    try await clock.sleep(for: step.retryDelay)
                } catch {
                    throw .cancelled("cancelled while waiting to retry")
                }
            }
        }
        if let verify = step.verify {
            log(.check, "\(step.name): verifying")
            let verified: Bool
            if attempt == 1, let answer = batched?.verify {
                switch answer {
                case .success(let status): verified = status == 0
                case .failure(let error): throw Self.stepError(error)
                }
            } else {
                verified = try await evaluate(verify, step: step)
            }
            guard verified else {
                throw .failed("the action ran but verification still fails", result)
            }
        }
        return result
    }

    /// Runs an action once; a shell action's output is logged as OUTPUT lines.
    private func perform(_ action: StepAction, step: Step) async throws(StepError) -> CommandResult? {
        switch action {
        case .hostCommand(let make):
            var command = make(host)
            if command.timeout == nil { command.timeout = step.timeout ?? options.defaultTimeout }
            log(.debug, "\(step.name): sh -c \(Self.preview(command.script))"
                + (command.standardInput.map { " (\($0.count) bytes on standard input)" } ?? ""))
            let result: CommandResult
            do {
                result = try await transport.run(command, on: host)
            } catch {
                throw Self.stepError(error)
            }
            return try acceptResult(result, step: step)
        case .swift(let body):
            do {
                try await body(context)
                return nil
            } catch let error as TransportError {
                throw Self.stepError(error)
            } catch is CancellationError {
                throw .cancelled("cancelled")
            } catch {
                throw .failed(String(describing: error), nil)
            }
        }
    }

    /// Logs a shell action's result and output; a failed one throws.
    func acceptResult(_ result: CommandResult, step: Step) throws(StepError) -> CommandResult {
        log(.debug, "\(step.name): \(result.summary) in \(String(format: "%.2f", result.duration)) s")
        runLog.output(host: host.name, result.standardOutput)
        runLog.output(host: host.name, result.standardError)
        guard result.succeeded else {
            let tail = result.tail()
            throw .failed(result.summary + (tail.isEmpty ? "" : ": " + tail), result)
        }
        return result
    }

    /// The first attempt of an action that ran inside a batch, logged as if it ran now.
    private func replay(_ batched: BatchedAttempt, step: Step) throws(StepError) -> CommandResult {
        log(.debug, "\(step.name): sh -c \(Self.preview(batched.command.script))")
        switch batched.action {
        case .success(let result): return try acceptResult(result, step: step)
        case .failure(let error): throw Self.stepError(error)
        }
    }

    func log(_ level: LogLevel, _ message: String) { runLog.log(level, host: host.name, message) }

    /// A command line for a DEBUG line: one line, at most 200 characters.
    static func preview(_ script: String) -> String {
        let flat = script.replacingOccurrences(of: "\n", with: "; ")
        return flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
    }

    static func format(_ duration: Duration) -> String { String(format: "%.2f s", duration.seconds) }
}
