import FleetKit
import Foundation

/// `fleet demo`: starts a sandbox SSH server on loopback and applies a small playbook to
/// it twice — the first run changes things, the second finds everything done.
enum FleetDemo {
    /// The two runs of the demo.
    struct Outcome: Sendable {
        /// The first run: every step changed.
        var first: RunReport
        /// The second run: every step already done.
        var second: RunReport
    }

    /// The demo playbook: an app folder, a config file, a secret token uploaded with mode
    /// 0600 through standard input, a small program and a marker that it is enabled.
    static func playbook(appDirectory: String, token: String) -> Playbook {
        let app = ShellQuote.quote(appDirectory)
        return Playbook("demo", steps: [
            .shell("create the app folder", check: "test -d \(app)", action: "mkdir -p \(app)/bin"),
            .shell("write the config", check: "grep -qx 'greeting=hello' \(app)/app.conf",
                   action: "printf 'greeting=hello\\n' > \(app)/app.conf"),
            Step("store the API token (mode 0600)",
                 check: .shell("test \"$(stat -c %a \(app)/token 2>/dev/null)\" = 600 && test -s \(app)/token"),
                 action: .swift { context in
                     let result = try await context.upload(Data(token.utf8), to: appDirectory + "/token", mode: 0o600)
                     guard result.succeeded else { throw StepFailure("upload failed: \(result.tail())") }
                 }),
            .shell("install the hello program", check: "test -x \(app)/bin/hello",
                   action: "printf '#!/bin/sh\\necho hello from $(hostname)\\n' > \(app)/bin/hello && chmod 755 \(app)/bin/hello"),
            .shell("enable the app", check: "test -s \(app)/enabled", action: "\(app)/bin/hello > \(app)/enabled",
                   verify: "grep -q hello \(app)/enabled"),
        ])
    }

    /// Runs the demo in `directory` (sandbox keys, config and the app folder live there).
    static func run(in directory: URL, runLog: RunLog, persist: Duration = .seconds(30)) async throws -> Outcome {
        runLog.info("starting a sandbox SSH server on 127.0.0.1")
        let server = try await LocalSSHServer.start(in: directory.appendingPathComponent("sshd"))
        defer { server.stop() }
        runLog.info("sandbox host \(server.host.user ?? "?")@127.0.0.1 port \(server.host.port ?? 22)")
        let configuration = OpenSSHConfiguration(controlDirectory: directory.appendingPathComponent("cm"),
                                                 knownHostsFile: server.knownHostsFile, controlPersist: persist,
                                                 readsUserConfig: false)
        let transport = try OpenSSHTransport(configuration: configuration)
        let token = "demo-token-" + UUID().uuidString
        runLog.addSecrets([token])
        let playbook = playbook(appDirectory: directory.appendingPathComponent("app").path, token: token)
        let runner = PlaybookRunner(transport: transport, runLog: runLog, options: try RunOptions(forks: 1))
        runLog.info("first run: the host is new, every step has something to do")
        let first = await runner.run(playbook, on: [server.host])
        for line in first.recapLines() { runLog.info("recap: \(line)") }
        runLog.info("second run: everything is already done: each step shows [SKIP] and counts as ok in the recap")
        let second = await runner.run(playbook, on: [server.host])
        for line in second.recapLines() { runLog.info("recap: \(line)") }
        await transport.close()
        return Outcome(first: first, second: second)
    }
}
