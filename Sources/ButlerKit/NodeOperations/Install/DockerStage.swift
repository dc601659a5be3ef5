import FleetKit

/// Stage 2 (`aztec-fleet docker`, the original `run_02_install_docker.sh`): Docker Engine
/// with the compose plugin, the service enabled and answering, the SSH user in the docker group.
public enum DockerStage {
    /// The stage's playbook.
    public static func playbook(_ settings: InstallSettings) -> Playbook {
        Playbook(InstallStage.docker.rawValue, steps: [engine(settings), service(), group(), answers()])
    }

    static let installed = "docker --version >/dev/null 2>&1 && docker compose version >/dev/null 2>&1"

    /// Docker Engine and the compose plugin from the official install script; retried.
    static func engine(_ settings: InstallSettings) -> Step {
        return Step(
            "docker engine",
            check: .shell(installed),
            action: .shell(RemoteShell.downloadThenRun(settings.dockerInstallerURL, "\(Privilege.asRoot) sh \"$t\"")),
            verify: .shell(installed),
            retries: settings.downloadRetries, retryDelay: settings.retryDelay,
            rescue: .shell(RemoteShell.repairPackages(after: "docker install failed")))
            // An interrupted apt-get or dpkg leaves half-configured packages: repair them then too.
            .rescuingWhenInterrupted()
    }

    /// The docker service enabled at boot and running.
    static func service() -> Step {
        .shell("docker service",
               check: "\(Privilege.asRoot) systemctl is-enabled --quiet docker && \(Privilege.asRoot) systemctl is-active --quiet docker",
               action: "\(Privilege.asRoot) systemctl enable --now docker")
    }

    /// The SSH user in the docker group (takes effect at the next login).
    static func group() -> Step {
        .shell("docker group",
               check: "id -nG \"$(id -un)\" | tr ' ' '\\n' | grep -qx docker",
               action: "\(Privilege.asRoot) usermod -aG docker \"$(id -un)\"")
    }

    /// `docker info` answers; a restart of the service is the fix tried.
    static func answers() -> Step {
        Step("docker answers",
             check: .shell("\(Privilege.asRoot) docker info >/dev/null 2>&1"),
             action: .shell("\(Privilege.asRoot) systemctl restart docker; for i in 1 2 3 4 5 6 7 8 9 10; do \(Privilege.asRoot) docker info >/dev/null 2>&1 && exit 0; sleep 1; done; echo 'docker info does not answer after a restart' >&2; exit 1"),
             rescue: .shell("\(Privilege.asRoot) systemctl status docker --no-pager 2>&1 | tail -n 5 >&2; echo 'docker left installed but not answering' >&2"))
    }
}
