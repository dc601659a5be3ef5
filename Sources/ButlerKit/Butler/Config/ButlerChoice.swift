import FleetKit

/// A choice the caller makes when asking the Butler for something: which network, which
/// StakingRegistry, which cache file. Problems and notes about a choice carry it, so a tool
/// can point at the option that makes the choice; their text names no option.
public enum ButlerChoice: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The network whose files and nodes are used.
    case network
    /// One of the network's settings (`AZTEC_STAKING_PROVIDER_ID` …).
    case setting(ButlerSetting)
    /// The StakingRegistry contract, for chains other than mainnet and Sepolia.
    case stakingRegistry
    /// The coinbase cache file read or written.
    case coinbaseCacheFile
    /// Writing a keys file's next version instead of overwriting it.
    case nextKeysFileVersion
    /// How often one of the daemon's scrapers runs.
    case scrapeInterval(ButlerScraper)
    /// The account a system service runs as.
    case serviceAccount
    /// The program a system service starts.
    case serviceProgram

    /// The choice in words, e.g. "network", "StakingRegistry address".
    public var description: String {
        switch self {
        case .network: "network"
        case .setting(let setting): setting.variable
        case .stakingRegistry: "StakingRegistry address"
        case .coinbaseCacheFile: "coinbase cache file"
        case .nextKeysFileVersion: "next keys file version"
        case .scrapeInterval(let scraper): "\(scraper.rawValue.replacingOccurrences(of: "_", with: " ")) interval"
        case .serviceAccount: "service account"
        case .serviceProgram: "service program"
        }
    }
}

/// A problem that may concern one ``ButlerChoice``: its ``situation`` says what is wrong and
/// what to do in domain words; its description puts the choice in front ("network: …").
public protocol ButlerChoiceProblem: Error, CustomStringConvertible {
    /// The choice the problem is about; nil when it concerns none.
    var choice: ButlerChoice? { get }
    /// What is wrong and what to do, without the choice's name.
    var situation: String { get }
}

extension ButlerChoiceProblem {
    /// "choice: situation", or the situation alone.
    public var description: String { choice.map { "\($0): \(situation)" } ?? situation }
}

/// A request a Butler capability cannot carry out as given: a setting it needs is missing, a
/// contract is unknown, there is nothing to work on. The caller's input is at fault, not the chain.
public struct ButlerRequestError: ButlerChoiceProblem, Sendable, Equatable, InputError {
    /// What is wrong and what to do.
    public let situation: String
    /// The choice that would resolve it, when one does.
    public let choice: ButlerChoice?

    /// Creates the error.
    public init(_ situation: String, choice: ButlerChoice? = nil) {
        self.situation = situation
        self.choice = choice
    }
}

/// A sentence for people about a run: a problem found on the way (the run went on) or a
/// warning, pointing at the choice that would change it when there is one.
public struct ButlerNote: Sendable, Codable, Equatable, CustomStringConvertible {
    /// How much the note matters.
    public enum Kind: String, Sendable, Codable {
        /// Something could not be used; the run's result is incomplete.
        case problem
        /// Worth knowing; the result is complete.
        case warning
    }

    /// How much the note matters.
    public let kind: Kind
    /// What happened, without the choice's name.
    public let situation: String
    /// The choice that would change it, when one does.
    public let choice: ButlerChoice?

    /// Creates a note.
    public init(_ kind: Kind, _ situation: String, choice: ButlerChoice? = nil) {
        self.kind = kind
        self.situation = situation
        self.choice = choice
    }

    /// "warning: choice: situation", without the parts that are absent.
    public var description: String {
        (kind == .warning ? "warning: " : "") + (choice.map { "\($0): " } ?? "") + situation
    }
}

extension Array where Element == ButlerNote {
    /// Whether any note is a problem.
    public var hasProblems: Bool { contains { $0.kind == .problem } }
}
