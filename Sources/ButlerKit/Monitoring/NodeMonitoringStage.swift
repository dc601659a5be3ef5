import FleetKit
import Foundation

/// The steps of node health on each node (`aztec-fleet monitoring`): node_exporter from
/// Debian listening where only the monitoring server reaches it, the collector and its
/// timer, both started; and the steps that remove all of it again.
public enum NodeMonitoringStage {
    /// The install playbook.
    public static func playbook(_ settings: NodeMonitoringSettings) -> Playbook {
        Playbook("monitoring", steps: [
            // The firewall rule and the listen address come before the package: Debian starts
            // node_exporter as it installs it, and it must never listen on every address.
            access(settings), firewall(settings),
            rootFile("node_exporter listen address", path: settings.exporterDropInPath, mode: 0o644) { host in exporterDropIn(settings, host: host) },
            textfileFolder(settings), package(settings),
            rootFile("collector script", path: settings.collectorPath, mode: 0o755) { _ in CollectorScript.text(settings) },
            collectorService(settings),
            rootFile("collector timer", path: settings.timerUnitPath, mode: 0o644) { _ in timerUnit(settings) },
            started(settings), answers(settings),
        ].compactMap { $0 })
    }

    /// The uninstall playbook: timer, collector, gauges, drop-in, firewall rule and package gone.
    public static func removal(_ settings: NodeMonitoringSettings) -> Playbook {
        let q = RemoteShell.q
        let unit = NodeMonitoringSettings.collectorUnit
        let files = [settings.timerUnitPath, settings.serviceUnitPath, settings.collectorPath, settings.appliedPath,
                     settings.gaugesPath, settings.exporterDropInPath].map(q).joined(separator: " ")
        // Our own folders, when nothing else is left in them.
        let folders = [(settings.exporterDropInPath as NSString).deletingLastPathComponent, (settings.collectorPath as NSString).deletingLastPathComponent]
            .map(q).joined(separator: " ")
        var steps = [
            Step.shell("collector and drop-in removed",
                       check: "for f in \(files); do \(Privilege.asRoot) test -e \"$f\" && exit 1; done; exit 0",
                       action: "\(Privilege.asRoot) systemctl disable --now \(unit).timer >/dev/null 2>&1 || true; "
                           + "\(Privilege.asRoot) systemctl stop \(NodeMonitoringSettings.exporterService) >/dev/null 2>&1 || true; \(Privilege.asRoot) rm -f \(files) && "
                           + "\(Privilege.asRoot) rmdir \(folders) 2>/dev/null; \(Privilege.asRoot) systemctl daemon-reload"),
        ]
        if let server = settings.monitoringServer {
            steps.append(.shell("firewall rule removed", check: "! \(firewallRulePresent(settings, server: server))",
                                action: "\(Privilege.asRoot) ufw delete allow from \(q(server)) to any port \(settings.exporterPort) proto tcp"))
        }
        steps.append(.shell("node_exporter removed", check: "! \(packageInstalled(settings))",
                            action: "\(Privilege.asRoot) systemctl stop \(NodeMonitoringSettings.exporterService) >/dev/null 2>&1 || true; \(RemoteShell.aptGet) purge \(q(settings.exporterPackage))"))
        return Playbook("monitoring-remove", steps: steps)
    }

    /// The address node_exporter listens on for `host`.
    static func listenAddress(_ settings: NodeMonitoringSettings, host: RemoteHost) -> String {
        switch settings.listenAddress {
        case .inventoryAddress: host.address
        case .fixed(let address): address
        }
    }

    /// Fails a host whose node_exporter would be reachable by anyone: an address that is
    /// not private or loopback needs the monitoring server's firewall rule.
    static func access(_ settings: NodeMonitoringSettings) -> Step {
        let validate: @Sendable (HostContext) async throws -> Bool = { context in
            let address = listenAddress(settings, host: context.host)
            guard ConfigValueText.isIPv4(address) || ConfigValueText.isIPv6(address) else {
                throw StepFailure("node_exporter needs an IP address to listen on; \(context.host.name)'s inventory address is '\(TerminalText.quoted(address))'")
            }
            guard !NodeMonitoringSettings.isEveryAddress(address) else { throw StepFailure("node_exporter never listens on every address (\(address))") }
            if settings.monitoringServer == nil && !NodeMonitoringSettings.isPrivate(address) {
                throw StepFailure("node_exporter would listen on the public address \(address) with no firewall rule: name the monitoring server, so only it may reach port \(settings.exporterPort)")
            }
            return true
        }
        return Step("node_exporter access", check: .swift(validate), action: .swift { context in _ = try await validate(context) })
    }

    static func packageInstalled(_ settings: NodeMonitoringSettings) -> String {
        "dpkg-query -W -f='${Status}\\n' \(RemoteShell.q(settings.exporterPackage)) 2>/dev/null | grep -q 'install ok installed'"
    }

    /// Debian's prometheus-node-exporter; retried (it downloads).
    static func package(_ settings: NodeMonitoringSettings) -> Step {
        Step("node_exporter package",
             check: .shell(packageInstalled(settings)),
             action: .shell("\(RemoteShell.aptGet) update && \(RemoteShell.aptGet) install --no-install-recommends \(RemoteShell.q(settings.exporterPackage))"),
             verify: .shell(packageInstalled(settings)), retries: 2, retryDelay: .seconds(10),
             rescue: .shell(RemoteShell.repairPackages(after: "apt-get failed")))
    }

    /// The textfile folder, readable by node_exporter.
    static func textfileFolder(_ settings: NodeMonitoringSettings) -> Step {
        let folder = RemoteShell.q(settings.textfileDirectory)
        return .shell("textfile folder", check: "test -d \(folder)", action: "\(Privilege.asRoot) mkdir -p \(folder) && \(Privilege.asRoot) chmod 0755 \(folder)")
    }

    /// A file only root may write, written atomically through root, its content on stdin.
    static func rootFile(_ name: String, path: String, mode: UInt16, contents: @escaping @Sendable (RemoteHost) -> String) -> Step {
        let quoted = RemoteShell.q(path)
        let same: StepCheck = .swift { context in
            try await context.run("\(Privilege.asRoot) cmp -s - \(quoted) && test \"$(\(Privilege.asRoot) stat -c %a \(quoted))\" = \(String(mode, radix: 8))",
                                  standardInput: Data(contents(context.host).utf8)).succeeded
        }
        return Step(name, check: same, action: .swift { context in
            let result = try await context.run("\(Privilege.asRoot) sh -c \(RemoteShell.q(UploadScript.make(path: path, mode: mode)))",
                                               standardInput: Data(contents(context.host).utf8))
            guard result.succeeded else { throw StepFailure("cannot write \(path) (\(result.summary)): \(result.tail(lines: 2))") }
        }, verify: same)
    }

    /// The collector's oneshot service; its working folder is the SSH user's home, so the
    /// compose layout's relative node folder means what it means for the other commands.
    static func collectorService(_ settings: NodeMonitoringSettings) -> Step {
        let path = RemoteShell.q(settings.serviceUnitPath)
        let head = "[Unit]\nDescription=Aztec node gauges for node_exporter (aztec-fleet)\n\n[Service]\nType=oneshot\nWorkingDirectory="
        let tail = "\nExecStart=\(settings.collectorPath)\n"
        // Quoted words side by side make one argument; only $HOME (the SSH user's home) is expanded.
        let render = "printf '%s' \(RemoteShell.q(head))\"$HOME\"\(RemoteShell.q(tail))"
        let write = "\(Privilege.asRoot) sh -c \(RemoteShell.q(UploadScript.make(path: settings.serviceUnitPath, mode: 0o644)))"
        return .shell("collector service", check: "\(render) | \(Privilege.asRoot) cmp -s - \(path)", action: "\(render) | \(write)")
    }

    static func timerUnit(_ settings: NodeMonitoringSettings) -> String {
        """
        # Written by aztec-fleet monitoring.
        [Unit]
        Description=Run the Aztec node gauges collector every \(settings.collectorIntervalSeconds) s (aztec-fleet)

        [Timer]
        OnBootSec=\(settings.collectorIntervalSeconds)
        OnUnitActiveSec=\(settings.collectorIntervalSeconds)
        AccuracySec=1

        [Install]
        WantedBy=timers.target

        """
    }

    /// The drop-in replacing Debian's ExecStart: this node's listen address and the textfile folder.
    static func exporterDropIn(_ settings: NodeMonitoringSettings, host: RemoteHost) -> String {
        let address = listenAddress(settings, host: host)
        let listen = ConfigValueText.isIPv6(address) ? "[\(address)]:\(settings.exporterPort)" : "\(address):\(settings.exporterPort)"
        return """
            # Written by aztec-fleet monitoring: node_exporter listens only where the monitoring server reaches it.
            [Service]
            ExecStart=
            ExecStart=\(settings.exporterProgram) --web.listen-address=\(listen) --collector.textfile.directory=\(settings.textfileDirectory)

            """
    }

    static func firewallRulePresent(_ settings: NodeMonitoringSettings, server: String) -> String {
        "\(Privilege.asRoot) ufw status 2>/dev/null | grep -Eq \(RemoteShell.q("^\(settings.exporterPort)/tcp +ALLOW( IN)? +\(NSRegularExpression.escapedPattern(for: server))( |$)"))"
    }

    /// The firewall lets only the monitoring server reach node_exporter's port.
    static func firewall(_ settings: NodeMonitoringSettings) -> Step? {
        guard let server = settings.monitoringServer else { return nil }
        return .shell("firewall rule", check: firewallRulePresent(settings, server: server),
                      action: "\(Privilege.asRoot) ufw allow from \(RemoteShell.q(server)) to any port \(settings.exporterPort) proto tcp >/dev/null && "
                          + "{ \(Privilege.asRoot) ufw status | grep -q '^Status: active' || { echo 'the firewall (ufw) is inactive, so no rule limits who reaches node_exporter: enable it first (aztec-fleet prepare does)' >&2; exit 1; }; }")
    }

    /// node_exporter and the timer enabled and running, restarted whenever one of their
    /// files changed since the last start; the collector runs once at once.
    static func started(_ settings: NodeMonitoringSettings) -> Step {
        let q = RemoteShell.q
        let unit = NodeMonitoringSettings.collectorUnit
        let exporter = NodeMonitoringSettings.exporterService
        let digest = "\(Privilege.asRoot) cat \([settings.collectorPath, settings.serviceUnitPath, settings.timerUnitPath, settings.exporterDropInPath].map(q).joined(separator: " ")) | sha256sum"
        let running = "\(Privilege.asRoot) systemctl is-active --quiet \(exporter) && \(Privilege.asRoot) systemctl is-active --quiet \(unit).timer"
        return Step("node_exporter and collector started",
                    check: .shell("\(running) && \(digest) | \(Privilege.asRoot) cmp -s - \(q(settings.appliedPath))"),
                    action: .shell("""
                        set -e; \(Privilege.asRoot) systemctl daemon-reload; \(Privilege.asRoot) systemctl enable \(exporter) >/dev/null 2>&1; \
                        \(Privilege.asRoot) systemctl restart \(exporter); \(Privilege.asRoot) systemctl enable \(unit).timer >/dev/null 2>&1; \
                        \(Privilege.asRoot) systemctl restart \(unit).timer; \(Privilege.asRoot) systemctl start \(unit).service; \
                        \(digest) | \(Privilege.asRoot) sh -c \(q(UploadScript.make(path: settings.appliedPath, mode: 0o600)))
                        """),
                    verify: .shell(running))
    }

    /// node_exporter serves the node's gauges on its listen address; a warning, not a failure, when not yet.
    static func answers(_ settings: NodeMonitoringSettings) -> Step {
        .observe("gauges served") { context in
            let address = listenAddress(settings, host: context.host)
            let url = "http://\(ConfigValueText.isIPv6(address) ? "[\(address)]" : address):\(settings.exporterPort)/metrics"
            let probe = "for i in 1 2 3 4 5 6 7 8 9 10; do curl -sS -m 3 \(RemoteShell.q(url)) 2>/dev/null | grep -q '^aztec_node_collector_last_run_timestamp_seconds ' && exit 0; sleep 1; done; exit 1"
            guard try await context.run(probe).succeeded else {
                return .warning("node_exporter does not yet serve the aztec_node_* gauges on \(url); the collector's timer may not have run")
            }
            return .fine("node_exporter serves the aztec_node_* gauges on \(url)")
        }
    }
}
