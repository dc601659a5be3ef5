import Foundation
import FleetKit

/// Phase 0's confirmation: how a run gets the operator's go-ahead before it changes a server.
public enum DeployConfirmation: Sendable, Equatable {
    /// Check mode changes nothing, so nothing needs confirming.
    case notNeeded
    /// Confirmed in advance; the reason says by what (`AUTO_CONFIRM=yes`, or the caller's
    /// own words for its advance confirmation).
    case automatic(reason: String)
    /// Ask on the terminal; only the exact answer ``acceptedAnswer`` proceeds.
    case ask

    /// The question the original asks.
    public static let prompt = "Do you want to proceed with deployment? (yes/no): "
    /// The only answer that proceeds, as in the original: `y`, `Yes` or `YES` do not.
    public static let acceptedAnswer = "yes"

    /// Decides how to confirm. `advanceConfirmation` is how the caller confirmed in advance,
    /// in its own words (shown as the reason), or `nil` when it did not. Without a terminal
    /// to ask on and without `AUTO_CONFIRM=yes` or an advance confirmation, the run is
    /// refused: a deployment never starts unconfirmed.
    public static func decide(checkMode: Bool, autoConfirm: Bool, advanceConfirmation: String?,
                              inputIsTerminal: Bool) throws(DeployConfirmationError) -> DeployConfirmation {
        if checkMode { return .notNeeded }
        if let advanceConfirmation { return .automatic(reason: advanceConfirmation) }
        if autoConfirm { return .automatic(reason: "AUTO_CONFIRM=yes") }
        guard inputIsTerminal else { throw DeployConfirmationError(subject: .deployment) }
        return .ask
    }

    /// How a chain-data reset gets confirmed, `nil` when there is none to confirm (not asked
    /// for, or check mode). Only an advance confirmation or a `yes` typed at its own question
    /// counts: `AUTO_CONFIRM` does not, since the data cannot be brought back.
    public static func decideReset(resetChainData: Bool, checkMode: Bool, advanceConfirmation: String?,
                                   inputIsTerminal: Bool) throws(DeployConfirmationError) -> DeployConfirmation? {
        guard resetChainData, !checkMode else { return nil }
        if let advanceConfirmation { return .automatic(reason: advanceConfirmation) }
        guard inputIsTerminal else { throw DeployConfirmationError(subject: .chainDataReset) }
        return .ask
    }

    /// Whether a line typed at the prompt confirms (its line ending aside).
    public static func accepts(_ answer: String) -> Bool {
        answer.trimmingCharacters(in: .newlines) == acceptedAnswer
    }
}

/// Something cannot be confirmed: no terminal to ask on, and no advance confirmation.
public struct DeployConfirmationError: Error, Sendable, Equatable, InputError {
    /// What needed confirming.
    public enum Subject: Sendable, Equatable {
        /// The deployment itself (phase 0's question).
        case deployment
        /// The removal of the node's chain data before state sync.
        case chainDataReset
        /// The stuck state-sync fix.
        case stuckSyncFix
    }

    /// What needed confirming.
    public let subject: Subject

    /// Creates the error.
    public init(subject: Subject) { self.subject = subject }

    /// What to do about it, in the deployment's words.
    public var description: String {
        switch subject {
        case .deployment:
            "standard input is not a terminal, so the deployment cannot be confirmed; set AUTO_CONFIRM=yes (node file or environment) or confirm it in advance to deploy without the prompt"
        case .chainDataReset:
            "a chain-data reset deletes the node's chain data and needs confirming: confirm it in advance as well, or run it on a terminal"
        case .stuckSyncFix:
            "standard input is not a terminal, so the stuck state-sync fix cannot be confirmed; confirm it in advance"
        }
    }
}
