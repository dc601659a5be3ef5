import Foundation

/// Changes hosts batch by batch: the batch's hosts in parallel, then the health gate for
/// each one the change restarted; when more hosts failed than the policy tolerates, the
/// rollout stops and the later batches are left untouched.
public struct Rollout: Sendable {
    /// What the change did on one host.
    public enum ActionResult: Sendable, Equatable {
        /// Done; `restarted` hosts go through the gate.
        case done(String, restarted: Bool)
        /// Nothing needed changing.
        case unchanged(String)
        /// It failed.
        case failed(String)
    }

    /// Batch size, gate time and failure tolerance.
    public var policy: RolloutPolicy
    /// The gate, or `nil` for none.
    public var gate: HealthGate?
    /// Hosts worked on at the same time inside a batch.
    public var forks: Int
    /// Time source for the gate's waits.
    public var clock: any FleetClock

    /// Creates the rollout.
    public init(policy: RolloutPolicy, gate: HealthGate?, forks: Int = 20, clock: any FleetClock = SystemClock()) {
        self.policy = policy
        self.gate = gate
        self.forks = max(1, forks)
        self.clock = clock
    }

    /// The batches `hosts` would go in.
    public func plan(_ hosts: [RemoteHost]) -> [[String]] { policy.batchSize.batches(hosts).map { $0.map(\.name) } }

    /// Runs `action` on every host, batch by batch, stopping as the policy says.
    public func run(_ hosts: [RemoteHost], runLog: RunLog,
                    action: @escaping @Sendable (RemoteHost) async -> ActionResult) async -> RolloutReport {
        let batches = policy.batchSize.batches(hosts)
        var results: [RolloutReport.HostResult] = []
        var failures = 0
        var stopReason: String?
        for (number, batch) in batches.enumerated() {
            let batchNumber = number + 1
            if stopReason == nil, Task.isCancelled { stopReason = "the rollout was cancelled" }
            if let stopReason {
                results += batch.map { .init(host: $0.name, batch: batchNumber, outcome: .notRun, detail: "left untouched: \(stopReason)") }
                continue
            }
            runLog.info("batch \(batchNumber) of \(batches.count): \(batch.map(\.name).joined(separator: ", "))")
            let gate = gate
            let policy = policy
            let clock = clock
            let outcomes = await Concurrently.map(batch, limit: forks) { host -> RolloutReport.HostResult in
                switch await action(host) {
                case .failed(let message):
                    runLog.error(message, host: host.name)
                    return .init(host: host.name, batch: batchNumber, outcome: .failed, detail: message)
                case .unchanged(let message):
                    return .init(host: host.name, batch: batchNumber, outcome: .unchanged, detail: message)
                case .done(let message, let restarted):
                    guard restarted, let gate else { return .init(host: host.name, batch: batchNumber, outcome: .done, detail: message) }
                    let verdict = await gate.wait(for: host, timeout: policy.gateTimeout, interval: policy.gateInterval, clock: clock)
                    if verdict.passed {
                        runLog.log(.ok, host: host.name, "health gate passed: \(verdict.detail)")
                        return .init(host: host.name, batch: batchNumber, outcome: .done, detail: "\(message); healthy: \(verdict.detail)")
                    }
                    runLog.error("health gate failed: \(verdict.detail)", host: host.name)
                    return .init(host: host.name, batch: batchNumber, outcome: .gateFailed, detail: "\(message); \(verdict.detail)")
                }
            }
            results += outcomes
            failures += outcomes.filter { $0.outcome == .failed || $0.outcome == .gateFailed }.count
            if failures > policy.maxFailures && batchNumber < batches.count {
                stopReason = "\(Plural.count(failures, "host")) failed by batch \(batchNumber), more than the \(policy.maxFailures) allowed"
                runLog.error("rollout stopped: \(stopReason ?? "")")
            }
        }
        return RolloutReport(batchSize: policy.batchSize.description, batches: batches.map { $0.map(\.name) }, hosts: results, stopReason: stopReason)
    }
}

/// What a rollout did: each host's outcome and batch, and why it stopped if it did.
public struct RolloutReport: Sendable, Codable, Equatable {
    /// One host's outcome.
    public struct HostResult: Sendable, Codable, Equatable {
        /// The host's name.
        public var host: String
        /// Its batch, from 1.
        public var batch: Int
        /// What happened.
        public var outcome: Outcome
        /// The action's message, and the gate's verdict.
        public var detail: String

        /// Creates a result.
        public init(host: String, batch: Int, outcome: Outcome, detail: String) {
            self.host = host
            self.batch = batch
            self.outcome = outcome
            self.detail = detail
        }
    }

    /// A host's outcome in a rollout.
    public enum Outcome: String, Sendable, Codable, Equatable {
        /// Changed (and healthy when it was restarted).
        case done
        /// Nothing to change.
        case unchanged
        /// The change failed.
        case failed
        /// Changed and restarted, but not healthy in time.
        case gateFailed = "gate-failed"
        /// Left untouched because the rollout stopped.
        case notRun = "not-run"
    }

    /// The batch size asked for (`1`, `25%`).
    public var batchSize: String
    /// The hosts of each batch, in order.
    public var batches: [[String]]
    /// Every host's result, batch by batch.
    public var hosts: [HostResult]
    /// Why later batches were left untouched; `nil` when the rollout ran to the end.
    public var stopReason: String?

    /// Creates a report.
    public init(batchSize: String, batches: [[String]], hosts: [HostResult], stopReason: String? = nil) {
        self.batchSize = batchSize
        self.batches = batches
        self.hosts = hosts
        self.stopReason = stopReason
    }

    /// Whether no host failed and the rollout ran to the end.
    public var succeeded: Bool { stopReason == nil && !hosts.contains { $0.outcome == .failed || $0.outcome == .gateFailed } }

    /// The recap: what was done and what was not, one line per host, then the stop reason.
    public var recapLines: [String] {
        var lines = hosts.map { "batch \($0.batch)  \($0.host)  \($0.outcome.rawValue)  \($0.detail)" }.map(TerminalText.escaped)
        if let stopReason { lines.append(TerminalText.escaped("rollout stopped: \(stopReason)")) }
        return lines
    }

    /// The batches for check mode: `batch 1: a, b`.
    public var planLines: [String] {
        batches.enumerated().map { TerminalText.escaped("batch \($0.offset + 1): \($0.element.joined(separator: ", "))") }
    }
}
