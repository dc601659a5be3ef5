import FleetKit

/// Moves a server from the original toolkit's layout to ours, keeping the node's data:
/// the systemd service is stopped and disabled, its data folder moved into the compose
/// layout's, and the start script and unit renamed `*.migrated` (kept, not deleted), so
/// the install stages that follow set up compose on the same data.
public enum LayoutMigration {
    /// The migration's steps; each is idempotent.
    public static func playbook(_ layouts: NodeLayouts) -> Playbook {
        let original = layouts.original
        let compose = layouts.compose
        let q = RemoteShell.q
        let service = q(original.service)
        let from = q(original.dataDirectory)
        let to = q(compose.dataDirectory)
        return Playbook("migrate", steps: [
            .shell("stop \(original.service)",
                   check: RemoteShell.requireRoot + "! systemctl is-active --quiet \(service) && ! \(Privilege.asRoot) test -e \(q(original.unitFile))",
                   action: "\(Privilege.asRoot) systemctl stop \(service); \(Privilege.asRoot) systemctl disable \(service) >/dev/null 2>&1 || true",
                   verify: "! systemctl is-active --quiet \(service)"),
            .shell("move \(original.dataDirectory) to \(compose.dataDirectory)",
                   check: RemoteShell.requireRoot + "! \(Privilege.asRoot) test -e \(from)",
                   action: """
                       set -e; mkdir -p \(q(compose.nodeDirectory))
                       if [ -n "$(ls -A \(to) 2>/dev/null)" ]; then echo "\(compose.dataDirectory) is not empty; move one of the two data folders away first" >&2; exit 1; fi
                       rmdir \(to) 2>/dev/null || true
                       \(Privilege.asRoot) mv -- \(from) \(to)
                       \(Privilege.asRoot) chown -R "$(id -u):$(id -g)" \(to)
                       """),
            .shell("retire the original's start script and unit",
                   check: RemoteShell.requireRoot + "! \(Privilege.asRoot) test -e \(q(original.startScript)) && ! \(Privilege.asRoot) test -e \(q(original.unitFile))",
                   action: """
                       set -e
                       for f in \(q(original.startScript)) \(q(original.unitFile)); do if \(Privilege.asRoot) test -e "$f"; then \(Privilege.asRoot) mv -f -- "$f" "$f.migrated"; fi; done
                       \(Privilege.asRoot) systemctl daemon-reload >/dev/null 2>&1 || true
                       """),
        ])
    }
}
