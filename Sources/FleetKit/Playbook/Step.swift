import Foundation

/// One idempotent unit of work on a host: "is it already so?" (the check), "make it so"
/// (the action), optionally "is it so now?" (the verification).
public struct Step: Sendable {
    /// What the step is for, as shown in logs.
    public var name: String
    /// Decides whether the action is needed; `nil` means the action always runs.
    public var check: StepCheck?
    /// Makes the change.
    public var action: StepAction
    /// Confirms the change worked; a failed verification fails the step.
    public var verify: StepCheck?
    /// Runs only on hosts where this returns `true`; others report the step skipped.
    public var condition: (@Sendable (RemoteHost) -> Bool)?
    /// Extra attempts of a failed action (not of checks).
    public var retries: Int
    /// Pause between attempts.
    public var retryDelay: Duration
    /// Limit of each command of this step; `nil` uses the run's default.
    public var timeout: Duration?
    /// Runs when the action fails for good, to leave the host in a known state.
    public var rescue: StepAction?
    /// Whether the host goes on with later steps after a successful rescue; by default
    /// the host stops and is reported failed (with the step counted as rescued).
    public var continuesAfterRescue: Bool
    /// Whether the rescue also runs when a cancellation (Ctrl-C, SIGTERM) cuts the action
    /// short. Off by default: most rescues would be cancelled too, or would undo work the
    /// operator only paused. Turn it on with ``rescuingWhenInterrupted()`` for a rescue that
    /// puts a half-done change back into a sane state and ends quickly, such as finishing
    /// the package manager's interrupted configuration.
    public var rescuesWhenInterrupted = false

    /// Creates a step.
    public init(
        _ name: String,
        check: StepCheck? = nil,
        action: StepAction,
        verify: StepCheck? = nil,
        when condition: (@Sendable (RemoteHost) -> Bool)? = nil,
        retries: Int = 0,
        retryDelay: Duration = .seconds(2),
        timeout: Duration? = nil,
        rescue: StepAction? = nil,
        continuesAfterRescue: Bool = false
    ) {
        self.name = name
        self.check = check
        self.action = action
        self.verify = verify
        self.condition = condition
        self.retries = max(0, retries)
        self.retryDelay = retryDelay
        self.timeout = timeout
        self.rescue = rescue
        self.continuesAfterRescue = continuesAfterRescue
    }

    /// The same step whose rescue also runs when the action is interrupted (see
    /// ``rescuesWhenInterrupted``); the rescue then runs outside the cancellation, within the
    /// step's timeout, and the host is still reported stopped.
    public func rescuingWhenInterrupted() -> Step {
        var step = self
        step.rescuesWhenInterrupted = true
        return step
    }

    /// A step that only inspects the host and reports what it found (at OK or WARN),
    /// such as "is the clock synchronised?": it changes nothing and never fails the host
    /// unless `body` throws.
    public static func observe(_ name: String, timeout: Duration? = nil,
                               _ body: @escaping @Sendable (HostContext) async throws -> StepFinding) -> Step {
        Step(name, check: .observe(body), action: .swift { _ in }, timeout: timeout)
    }

    /// A step made of shell command lines only: the most common kind. It takes the same
    /// labels, in the same order, as ``init(_:check:action:verify:when:retries:retryDelay:timeout:rescue:continuesAfterRescue:)``,
    /// with shell command lines in place of checks and actions.
    public static func shell(
        _ name: String,
        check: String? = nil,
        action: String,
        verify: String? = nil,
        when condition: (@Sendable (RemoteHost) -> Bool)? = nil,
        retries: Int = 0,
        retryDelay: Duration = .seconds(2),
        timeout: Duration? = nil,
        rescue: String? = nil,
        continuesAfterRescue: Bool = false
    ) -> Step {
        Step(name, check: check.map { .shell($0) }, action: .shell(action), verify: verify.map { .shell($0) },
             when: condition, retries: retries, retryDelay: retryDelay, timeout: timeout, rescue: rescue.map { .shell($0) },
             continuesAfterRescue: continuesAfterRescue)
    }
}

/// How a step asks "is it already so?".
public enum StepCheck: Sendable {
    /// A shell command per host; exit 0 means already so. Shell checks of one host are
    /// evaluated together in one round trip before anything changes.
    case hostShell(@Sendable (RemoteHost) -> String)
    /// Swift code with access to the host; `true` means already so.
    case swift(@Sendable (HostContext) async throws -> Bool)
    /// Swift code that only looks and never leads to an action: what it finds is the
    /// step's one line, at OK or WARN, and the step counts as ok. Runs in check mode too;
    /// `force` does not apply. Build such steps with ``Step/observe(_:timeout:_:)``.
    case observe(@Sendable (HostContext) async throws -> StepFinding)

    /// The same shell command on every host.
    public static func shell(_ script: String) -> StepCheck { .hostShell { _ in script } }
}

/// What an observing step found: one line for the log, fine or worth a warning.
public struct StepFinding: Sendable, Equatable {
    /// `.ok` or `.warn`.
    public var level: LogLevel
    /// What was found, e.g. "the clock is synchronised".
    public var message: String

    /// All is as it should be.
    public static func fine(_ message: String) -> StepFinding { StepFinding(level: .ok, message: message) }
    /// Something an operator should fix; the run goes on.
    public static func warning(_ message: String) -> StepFinding { StepFinding(level: .warn, message: message) }
}

/// How a step makes the change.
public enum StepAction: Sendable {
    /// A command per host, which may carry standard input (secrets travel there).
    case hostCommand(@Sendable (RemoteHost) -> RemoteCommand)
    /// Swift code with access to the host; throwing fails the step.
    case swift(@Sendable (HostContext) async throws -> Void)

    /// The same shell command line on every host.
    public static func shell(_ script: String) -> StepAction { .hostCommand { _ in RemoteCommand(script) } }
}

/// A named, ordered list of steps: what one run applies to every host.
public struct Playbook: Sendable {
    /// Name used in logs and for the log file.
    public var name: String
    /// The steps, applied in order.
    public var steps: [Step]

    /// Creates a playbook.
    public init(_ name: String, steps: [Step]) {
        self.name = name
        self.steps = steps
    }
}
