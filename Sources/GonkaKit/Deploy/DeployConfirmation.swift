import Foundation
import FleetKit

/// Phase 0's confirmation: how a run gets the operator's go-ahead before it changes a server.
public enum DeployConfirmation: Sendable, Equatable {
    /// `--check` changes nothing, so nothing needs confirming.
    case notNeeded
    /// Confirmed in advance; the reason says by what (`AUTO_CONFIRM=yes` or `--yes`).
    case automatic(reason: String)
    /// Ask on the terminal; only the exact answer ``acceptedAnswer`` proceeds.
    case ask

    /// The question the original asks.
    public static let prompt = "Do you want to proceed with deployment? (yes/no): "
    /// The only answer that proceeds, as in the original: `y`, `Yes` or `YES` do not.
    public static let acceptedAnswer = "yes"

    /// Decides how to confirm. Without a terminal to ask on and without `AUTO_CONFIRM=yes`
    /// or `--yes`, the run is refused: a deployment never starts unconfirmed.
    public static func decide(checkMode: Bool, autoConfirm: Bool, yesFlag: Bool,
                              inputIsTerminal: Bool) throws(DeployConfirmationError) -> DeployConfirmation {
        if checkMode { return .notNeeded }
        if yesFlag { return .automatic(reason: "--yes") }
        if autoConfirm { return .automatic(reason: "AUTO_CONFIRM=yes") }
        guard inputIsTerminal else { throw DeployConfirmationError() }
        return .ask
    }

    /// Whether a line typed at the prompt confirms (its line ending aside).
    public static func accepts(_ answer: String) -> Bool {
        answer.trimmingCharacters(in: .newlines) == acceptedAnswer
    }
}

/// The run cannot be confirmed: no terminal to ask on, and no advance confirmation.
public struct DeployConfirmationError: Error, Sendable, InputError {
    /// Creates the error.
    public init() {}

    /// What to do about it.
    public var description: String {
        "standard input is not a terminal, so the deployment cannot be confirmed; set AUTO_CONFIRM=yes (node file or environment) or pass --yes to deploy without the prompt"
    }
}
