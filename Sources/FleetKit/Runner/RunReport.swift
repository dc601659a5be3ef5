import Foundation

/// How one step ended on one host.
public enum StepOutcome: String, Sendable, Codable {
    /// Already so: nothing to do (logged as SKIP).
    case ok
    /// The action ran and worked (in check mode: it would run).
    case changed
    /// The step's condition does not hold for this host.
    case skipped
    /// The action or its verification failed.
    case failed
    /// The host could not be reached during this step.
    case unreachable
    /// The action failed and the rescue ran successfully.
    case rescued
}

/// The record of one step on one host.
public struct StepReport: Sendable, Codable {
    /// The step's name.
    public var name: String
    /// How it ended.
    public var outcome: StepOutcome
    /// Why it failed, was skipped or would change; `nil` when there is nothing to say.
    public var message: String?
    /// The last command result of the action, when a shell action ran.
    public var result: CommandResult?
    /// Seconds spent on the step.
    public var duration: Double
}

/// How a host ended the run.
public enum HostStatus: String, Sendable, Codable {
    /// Every step ended ok, changed, skipped (or rescued and allowed to go on).
    case succeeded
    /// A step failed (or was rescued without permission to go on).
    case failed
    /// The host could not be reached.
    case unreachable
    /// The run was stopped (`anyErrorsFatal`, `maxFailPercentage`, or the calling task
    /// was cancelled) before this host finished.
    case stopped
}

/// Step counts of one host, as in the recap line.
public struct StepCounts: Sendable, Codable, Equatable {
    /// Steps already so.
    public var ok = 0
    /// Steps whose action ran.
    public var changed = 0
    /// Steps whose condition did not hold.
    public var skipped = 0
    /// Failed steps.
    public var failed = 0
    /// 1 when the host could not be reached.
    public var unreachable = 0
    /// Rescued steps.
    public var rescued = 0

    /// Creates zero counts.
    public init() {}

    mutating func add(_ outcome: StepOutcome) {
        switch outcome {
        case .ok: ok += 1
        case .changed: changed += 1
        case .skipped: skipped += 1
        case .failed: failed += 1
        case .unreachable: unreachable = 1
        case .rescued: rescued += 1
        }
    }
}

/// The record of one host.
public struct HostReport: Sendable, Codable {
    /// The host's name.
    public var host: String
    /// The host's address.
    public var address: String
    /// How it ended.
    public var status: HostStatus
    /// The steps that ran, in order.
    public var steps: [StepReport]
    /// Counts for the recap.
    public var counts: StepCounts
    /// Why the host failed, was unreachable or stopped.
    public var message: String?
    /// Seconds spent on the host.
    public var duration: Double
    /// The step a cancellation cut short on this host (its command was stopped), when one was running.
    public var interruptedStep: String?

    /// Creates a report; kits use it for hosts they decided about before any step ran.
    public init(host: String, address: String, status: HostStatus, steps: [StepReport] = [], counts: StepCounts = StepCounts(),
                message: String? = nil, duration: Double = 0, interruptedStep: String? = nil) {
        self.interruptedStep = interruptedStep
        self.host = host
        self.address = address
        self.status = status
        self.steps = steps
        self.counts = counts
        self.message = message
        self.duration = duration
    }
}

/// A job's report that can say what an interrupted run did: done, stopped in flight, not
/// started. ``FleetSession/run(_:)`` logs it when the job was cancelled, and the tools print it.
public protocol ProgressReporting {
    /// One line per group of work, for example `done: web-1 (succeeded)`.
    func progressLines() -> [String]
}

/// The outcome of a whole run: one report per host, in inventory order.
public struct RunReport: Sendable, Codable, ProgressReporting {
    /// The playbook's name.
    public var playbook: String
    /// Whether this was a check-mode run.
    public var checkMode: Bool
    /// One report per host, in the order the hosts were given.
    public var hosts: [HostReport]
    /// Why the run stopped early, if it did.
    public var stopReason: String?
    /// Wall time of the run in seconds.
    public var duration: Double

    /// Creates a report, for example one that joins the runs of several playbooks.
    public init(playbook: String, checkMode: Bool, hosts: [HostReport], stopReason: String? = nil, duration: Double = 0) {
        self.playbook = playbook
        self.checkMode = checkMode
        self.hosts = hosts
        self.stopReason = stopReason
        self.duration = duration
    }

    /// Whether every host succeeded.
    public var succeeded: Bool { hosts.allSatisfy { $0.status == .succeeded } }

    /// Recap lines, one per host in a stable order, names padded to one width:
    /// `web-1 : ok=3 changed=1 skipped=0 failed=0 unreachable=0 rescued=0`.
    public func recapLines() -> [String] {
        let width = hosts.map(\.host.count).max() ?? 0
        return hosts.map { report in
            let c = report.counts
            let name = report.host.padding(toLength: width, withPad: " ", startingAt: 0)
            return "\(name) : ok=\(c.ok) changed=\(c.changed) skipped=\(c.skipped) failed=\(c.failed) unreachable=\(c.unreachable) rescued=\(c.rescued)"
        }
    }

    /// What a cut-short run did: hosts finished, hosts stopped while working (and at which
    /// step), hosts never started. One line each, "none" for an empty group.
    public func progressLines() -> [String] {
        HostProgress.lines(hosts.map { host in
            if host.status != .stopped { return (name: host.host, progress: .done, detail: "(\(host.status.rawValue))") }
            if let step = host.interruptedStep { return (name: host.host, progress: .stoppedInFlight, detail: "during '\(step)'") }
            if let last = host.steps.last { return (name: host.host, progress: .stoppedInFlight, detail: "after '\(last.name)'") }
            return (name: host.host, progress: .notStarted, detail: nil)
        })
    }

    /// The report as pretty JSON with sorted keys.
    public func jsonData() throws -> Data {
        try JSONEncoder.report().encode(self)
    }
}
