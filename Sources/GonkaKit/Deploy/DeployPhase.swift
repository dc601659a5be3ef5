/// The phases of a deployment, numbered and titled as the original's (`PHASE 1: SERVER
/// PREPARATION` …). Phase 0 (validation, display, confirmation) runs before any of them.
public enum DeployPhase: Int, Sendable, CaseIterable, Comparable {
    /// Admin SSH keys and the data disk: formatted only when empty, mounted, in fstab.
    case serverPreparation = 1
    /// The Gonka checkout, the model cache and the model download.
    case gonkaAndModels
    /// config.env, node-config.json and .env on the server.
    case configuration
    /// tmkms and the chain node, the warm key, registration.
    case basicServices
    /// Peers, pruning and state sync in config.toml / app.toml.
    case blockchainConfiguration
    /// Every service, both compose files.
    case finalLaunch
    /// The checks written to verification.txt.
    case verification
    /// The ML-ops permission grant from the cold key.
    case grant

    /// The section title the original logs, e.g. `PHASE 1: SERVER PREPARATION`.
    public var title: String {
        let name = switch self {
        case .serverPreparation: "SERVER PREPARATION"
        case .gonkaAndModels: "GONKA AND MODELS INSTALLATION"
        case .configuration: "CONFIGURATION"
        case .basicServices: "BASIC SERVICES LAUNCH"
        case .blockchainConfiguration: "BLOCKCHAIN CONFIGURATION"
        case .finalLaunch: "FINAL LAUNCH"
        case .verification: "VERIFICATION AND REPORT"
        case .grant: "GRANT ML PERMISSIONS"
        }
        return "PHASE \(rawValue): \(name)"
    }

    /// Orders phases by their number.
    public static func < (lhs: DeployPhase, rhs: DeployPhase) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Which phases a run carries out: all of them, one, or from one on (to resume).
public enum DeployPhaseSelection: Sendable, Equatable {
    /// Phases 1 to 8.
    case all
    /// Only this phase.
    case only(DeployPhase)
    /// This phase and every later one, to resume after a failure.
    case from(DeployPhase)

    /// The selected phases, in order.
    public var phases: [DeployPhase] {
        switch self {
        case .all: DeployPhase.allCases
        case .only(let phase): [phase]
        case .from(let first): DeployPhase.allCases.filter { $0 >= first }
        }
    }
}
