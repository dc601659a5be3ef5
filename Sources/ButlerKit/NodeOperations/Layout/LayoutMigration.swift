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
                   check: RemoteShell.script(RemoteShell.requireRoot + "! systemctl is-active --quiet \(service) && ! as_root test -e \(q(original.unitFile))"),
                   action: RemoteShell.script("as_root systemctl stop \(service); as_root systemctl disable \(service) >/dev/null 2>&1 || true"),
                   verify: RemoteShell.script("! systemctl is-active --quiet \(service)")),
            .shell("move \(original.dataDirectory) to \(compose.dataDirectory)",
                   check: RemoteShell.script(RemoteShell.requireRoot + "! as_root test -e \(from)"),
                   action: RemoteShell.script("""
                       set -e; mkdir -p \(q(compose.nodeDirectory))
                       if [ -n "$(ls -A \(to) 2>/dev/null)" ]; then echo "\(compose.dataDirectory) is not empty; move one of the two data folders away first" >&2; exit 1; fi
                       rmdir \(to) 2>/dev/null || true
                       as_root mv -- \(from) \(to)
                       as_root chown -R "$(id -u):$(id -g)" \(to)
                       """)),
            .shell("retire the original's start script and unit",
                   check: RemoteShell.script(RemoteShell.requireRoot + "! as_root test -e \(q(original.startScript)) && ! as_root test -e \(q(original.unitFile))"),
                   action: RemoteShell.script("""
                       set -e
                       for f in \(q(original.startScript)) \(q(original.unitFile)); do if as_root test -e "$f"; then as_root mv -f -- "$f" "$f.migrated"; fi; done
                       as_root systemctl daemon-reload >/dev/null 2>&1 || true
                       """)),
        ])
    }
}
