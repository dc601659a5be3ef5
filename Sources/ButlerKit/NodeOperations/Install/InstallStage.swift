import FleetKit

/// The three install stages, in the order they run.
public enum InstallStage: String, Sendable, CaseIterable, Codable {
    /// Base packages, firewall, data folder, clock check.
    case prepare
    /// Docker Engine and compose.
    case docker
    /// Aztec CLI, node configuration, node started.
    case aztec

    /// The stage for FleetKit's ``StagedRun``; after Docker every connection is reopened so
    /// the SSH user's new docker group membership applies.
    public func stage(_ settings: InstallSettings) -> Stage {
        Stage(rawValue, playbook: playbook(settings), reconnectsAfter: self == .docker)
    }

    /// The stage's playbook.
    public func playbook(_ settings: InstallSettings) -> Playbook {
        switch self {
        case .prepare: PrepareStage.playbook(settings)
        case .docker: DockerStage.playbook(settings)
        case .aztec: AztecStage.playbook(settings)
        }
    }
}
