import Foundation
import FleetKit

/// Phase 1 (server preparation): the admin SSH keys of `ADMIN_SSH_KEYS`, then the data disk.
/// The original's hard-coded admin keys, its Prometheus checkout and its `expect` install are
/// not part of it (keys come from the node file; nothing here needs `expect`).
public enum ServerPreparationPhase {
    /// The phase's playbook; `localFolder` is the node's `nodes/<KEY_NAME>/`, for `volume.txt`.
    public static func playbook(_ config: NodeConfig, localFolder: URL) -> Playbook {
        Playbook(DeployPhase.serverPreparation.title, steps: adminKeySteps(config) + DataVolumeSteps.steps(config, localFolder: localFolder))
    }

    /// One step per admin key: appended to `~/.ssh/authorized_keys` unless its key is there.
    static func adminKeySteps(_ config: NodeConfig) -> [Step] {
        config.adminSSHKeys.map { key in
            let label = key.comment.isEmpty ? key.type : key.comment
            return .shell(
                "admin SSH key \(label)",
                check: "grep -qF -- \(ShellQuote.quote(key.blob)) ~/.ssh/authorized_keys 2>/dev/null",
                action: "umask 077 && mkdir -p ~/.ssh && printf '%s\\n' \(ShellQuote.quote(key.description)) >> ~/.ssh/authorized_keys")
        }
    }
}
