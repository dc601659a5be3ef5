import FleetKit

/// Stage 1 (`aztec-fleet prepare`, the original `run_01_prepare.sh`): base packages, the
/// firewall, the node's data folder and a clock-sync check.
public enum PrepareStage {
    /// The stage's playbook.
    public static func playbook(_ settings: InstallSettings) -> Playbook {
        Playbook(InstallStage.prepare.rawValue, steps: [
            basePackages(settings), firewall(settings), dataDirectory(settings), clockSync(),
        ])
    }

    /// Installs the base packages with apt-get, non-interactively; retried (it downloads).
    static func basePackages(_ settings: InstallSettings) -> Step {
        let packages = settings.basePackages.map(RemoteShell.q).joined(separator: " ")
        let installed = "for p in \(packages); do dpkg-query -W -f='${Status}\\n' \"$p\" 2>/dev/null | grep -q 'install ok installed' || exit 1; done"
        return Step(
            "base packages",
            check: .shell(installed),
            action: .shell("\(RemoteShell.aptGet) update && \(RemoteShell.aptGet) install --no-install-recommends \(packages)"),
            verify: .shell(installed),
            retries: settings.downloadRetries, retryDelay: settings.retryDelay,
            // Leave dpkg consistent for the next attempt or a person.
            rescue: .shell(RemoteShell.repairPackages(after: "apt-get failed")))
            // An interrupted apt-get or dpkg leaves half-configured packages: repair them then too.
            .rescuingWhenInterrupted()
    }

    /// The ports the firewall allows: the SSH port in use, P2P tcp and udp, and the RPC port only when asked.
    static func allowedRules(_ settings: InstallSettings, sshPort: Int) -> [String] {
        var rules = ["\(sshPort)/tcp", "\(settings.p2pPort)/tcp", "\(settings.p2pPort)/udp"]
        if settings.opensRPCPort { rules.append("\(settings.rpcPort)/tcp") }
        return rules
    }

    /// ufw active with exactly the needed allow rules and nothing on the admin port.
    static func firewall(_ settings: InstallSettings) -> Step {
        let admin = InstallSettings.adminPort
        return Step(
            "firewall",
            check: .hostShell { host in
                let rules = allowedRules(settings, sshPort: host.port ?? settings.defaultSSHPort)
                let each = rules.map { "echo \"$s\" | grep -Eq '^\($0) +ALLOW'" }.joined(separator: " && ")
                return "s=$(\(Privilege.asRoot) ufw status 2>/dev/null) && echo \"$s\" | grep -q '^Status: active' && \(each) && ! echo \"$s\" | grep -Eq '^\(admin)(/| )'"
            },
            action: .hostCommand { host in
                let rules = allowedRules(settings, sshPort: host.port ?? settings.defaultSSHPort)
                let allow = rules.map { "\(Privilege.asRoot) ufw allow \($0)" }.joined(separator: " && ")
                // SSH is allowed before the firewall is enabled, so the session never locks itself out.
                return RemoteCommand("set -e; \(allow); \(Privilege.asRoot) ufw delete allow \(admin) >/dev/null 2>&1 || true; \(Privilege.asRoot) ufw delete allow \(admin)/tcp >/dev/null 2>&1 || true; \(Privilege.asRoot) ufw --force enable")
            },
            rescue: .hostCommand { host in
                RemoteCommand("\(Privilege.asRoot) ufw allow \(host.port ?? settings.defaultSSHPort)/tcp; echo 'firewall setup failed; SSH port kept open' >&2")
            })
    }

    /// The node's data folder, owned by the SSH user.
    static func dataDirectory(_ settings: InstallSettings) -> Step {
        let path = RemoteShell.q(settings.dataDirectory)
        return .shell("data directory", check: "test -d \(path)", action: "mkdir -p \(path) && chmod 0750 \(path)")
    }

    /// Warns (never fails) when the clock is not synchronised: block production needs it.
    /// Only looks, so its one line is OK or WARN, never a SKIP after a warning.
    static func clockSync() -> Step {
        .observe("clock sync") { context in
            let result = try await context.run("timedatectl show -p NTPSynchronized --value 2>/dev/null")
            let answer = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            guard answer == "yes" else {
                let seen = answer.isEmpty ? "no answer from timedatectl" : "NTPSynchronized=\(answer)"
                return .warning("the clock is not synchronised (\(seen)); enable NTP (timedatectl set-ntp true) so the node keeps slot time")
            }
            return .fine("the clock is synchronised")
        }
    }
}
