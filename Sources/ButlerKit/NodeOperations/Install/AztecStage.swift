import FleetKit
import Foundation

/// Stage 3 (`aztec-fleet aztec`, the original `run_03_install_aztec.sh`): the Aztec CLI at a
/// pinned version, the node folder with this server's `.env` and a compose file (and in the
/// keystore form its keystore folder), the node started and answering `node_getL2Tips` on
/// the server's loopback.
public enum AztecStage {
    /// The stage's playbook.
    public static func playbook(_ settings: InstallSettings) -> Playbook {
        let keystore = settings.keyForm == .keystore ? KeystoreSteps.steps(settings) : []
        return Playbook(InstallStage.aztec.rawValue, steps: [nodeValues(settings), cli(settings), nodeDirectory(settings)] + keystore + [
            environmentFile(settings), composeFile(settings), nodeStarted(settings), nodeAnswers(settings),
        ])
    }

    /// Fails the host, naming its inventory line and columns, when its row lacks what the node needs.
    static func nodeValues(_ settings: InstallSettings) -> Step {
        let validate: @Sendable (HostContext) async throws -> Bool = { context in
            _ = try NodeEnvironment.make(for: context.host, settings: settings)
            return true
        }
        return Step("node values", check: .swift(validate), action: .swift { context in _ = try await validate(context) })
    }

    /// The Aztec CLI from the official installer at the pinned version, non-interactively; retried.
    static func cli(_ settings: InstallSettings) -> Step {
        let version = RemoteShell.q(settings.aztecVersion)
        // The CLI runs through docker; before a fresh login the user may not reach docker yet.
        let installed = "a=\"$HOME/.aztec/bin/aztec\"; test -x \"$a\" && { \"$a\" --version 2>/dev/null || \(Privilege.asRoot) \"$a\" --version 2>/dev/null; } | grep -qF -- \(version)"
        let install = RemoteShell.downloadThenRun(settings.aztecInstallerURL, "VERSION=\(version) NON_INTERACTIVE=1 bash \"$t\" </dev/null")
        return Step(
            "aztec cli",
            check: .shell(installed),
            action: .shell(install),
            verify: .shell(installed),
            retries: settings.downloadRetries, retryDelay: settings.retryDelay,
            rescue: .shell("echo \"aztec installer failed; the CLI in $HOME/.aztec/bin is left as it was, no temporary file remains\" >&2"))
    }

    /// The node folder and its data folder, readable by the SSH user only.
    static func nodeDirectory(_ settings: InstallSettings) -> Step {
        let node = RemoteShell.q(settings.nodeDirectory)
        let data = RemoteShell.q(settings.dataDirectory)
        return .shell("node directory", check: "test -d \(data)", action: "mkdir -p \(data) && chmod 0700 \(node)")
    }

    /// The server's `.env` with mode 0600; its content travels on stdin, never in argv.
    static func environmentFile(_ settings: InstallSettings) -> Step {
        .remoteFile("node .env", path: settings.environmentFilePath, mode: 0o600) { host in
            Data(try NodeEnvironment.make(for: host, settings: settings).text.utf8)
        }
    }

    /// The compose file with the pinned image.
    static func composeFile(_ settings: InstallSettings) -> Step {
        let text = ComposeFile.text(settings)
        return .remoteFile("compose file", path: settings.composeFilePath, mode: 0o644) { Data(text.utf8) }
    }

    /// `docker compose up -d`, re-run whenever `.env`, the compose file or the keystore
    /// changed since the last start.
    static func nodeStarted(_ settings: InstallSettings) -> Step {
        let node = RemoteShell.q(settings.nodeDirectory)
        let digest = settings.keyForm == .keystore ? "cat .env docker-compose.yml keystore/keystore.json | sha256sum" : "cat .env docker-compose.yml | sha256sum"
        let applied = ".applied-config"
        let running = "\(Privilege.asRoot) docker compose ps --status running --services 2>/dev/null | grep -qx \(ComposeFile.serviceName)"
        return Step(
            "node started",
            check: .shell("cd \(node) && \(running) && \(digest) | cmp -s - \(applied)"),
            action: .shell("set -e; cd \(node); \(Privilege.asRoot) docker compose up -d; umask 077; \(digest) > \(applied)"),
            retries: settings.downloadRetries, retryDelay: settings.retryDelay,
            rescue: .shell("cd \(node) && { \(Privilege.asRoot) docker compose logs --tail 20 >&2; \(Privilege.asRoot) docker compose down; rm -f \(applied); }; echo 'node failed to start; containers stopped' >&2"))
    }

    /// Waits up to `nodeWait` for `node_getL2Tips` to answer; a node still starting is a warning, not a failure.
    static func nodeAnswers(_ settings: InstallSettings) -> Step {
        let seconds = max(1, Int(settings.nodeWait.seconds.rounded(.up)))
        let probe = RemoteShell.nodeAnswers(port: settings.rpcPort)
        let wait = "end=$(( $(date +%s) + \(seconds) )); while :; do \(probe) && exit 0; [ \"$(date +%s)\" -ge \"$end\" ] && exit 3; sleep 2; done"
        return Step(
            "node answers",
            check: .shell(probe),
            action: .swift { context in
                let result = try await context.run(RemoteCommand(wait, timeout: .seconds(seconds + 30)))
                if !result.succeeded {
                    context.log(.warn, "node answers: started, not yet answering node_getL2Tips on 127.0.0.1:\(settings.rpcPort) after \(seconds) s; it may still be syncing — collect its proof later to see it answer")
                }
            })
    }
}
