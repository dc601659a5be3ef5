import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// Stages composed over a scripted transport: which host gets which commands.
@Suite(.tags(.unit)) struct StageCompositionTests {
    static let key = "0x" + String(repeating: "cd", count: 32)

    static func hosts() -> [RemoteHost] {
        ["h1", "h2"].enumerated().map { index, name in
            AztecInventory.host(name: name, address: "203.0.113.\(index + 1)", ethAddress: "0x" + String(repeating: "2", count: 40),
                       privateKey: Secret(key), l1RPCURLs: ["http://l1:8545"], consensusURLs: ["http://beacon:5052"], line: index + 2)
        }
    }

    /// A fake fleet that remembers what each action did, so later checks see it; apt-get fails on `broken`.
    static func transport(broken: String? = nil) -> FleetKitTesting.ScriptedTransport {
        // (marker in an action's script, marker in its check's script, what both are about)
        let pairs: [(action: String, check: String, key: String)] = [
            ("aztec/.env.XXXXXX", "cmp -s - aztec/.env", "env"),
            ("aztec/docker-compose.yml.XXXXXX", "cmp -s - aztec/docker-compose.yml", "compose"),
            ("apt-get -q", "dpkg-query", "packages"), ("ufw allow", "ufw status", "firewall"), ("mkdir -p", "test -d", "folder"),
            ("get.docker.com", "docker --version", "engine"), ("enable --now", "is-enabled", "service"), ("usermod", "id -nG", "group"),
            ("systemctl restart docker", "docker info", "info"), ("NON_INTERACTIVE=1", "--version 2>/dev/null", "cli"),
            ("compose up -d", "compose ps", "started"), ("while :", "grep -q '\"result\"'", "answers"),
        ]
        let done = DoneMarkers()
        return FleetKitTesting.ScriptedTransport { host, command in
            let script = command.script
            // The install looks for a node already running before the aztec stage: none here.
            if script.contains("echo layout=none") { return .exit(0, "layout=none\ntips=\n") }
            if let pair = pairs.first(where: { script.contains($0.action) }) {
                if host.name == broken && pair.key == "packages" { return .exit(100, stderr: "E: Unable to fetch some archives") }
                done.insert("\(host.name)/\(pair.key)")
                return .exit(0)
            }
            if script.contains("timedatectl") { return .exit(0, "yes\n") }
            if let pair = pairs.first(where: { script.contains($0.check) }) {
                return .exit(done.contains("\(host.name)/\(pair.key)") ? 0 : 1)
            }
            return .exit(0)
        }
    }

    @Test func aHostThatFailsAStageDoesNotGoOnAndTheOtherFinishesEveryStage() async throws {
        let transport = Self.transport(broken: "h2")
        // One action per command: the fake answers a command by what its script contains, and this test counts apt-get's attempts.
        let report = await StagedInstall(transport: transport, runLog: .discarding,
                                         options: try RunOptions(defaultTimeout: .seconds(120), batchesActions: false),
                                         settings: InstallSettings(retryDelay: .zero))
            .run(InstallStage.allCases, on: Self.hosts(), existingNodes: .refuse)
        #expect(report.stages.map(\.stage) == ["prepare", "docker", "aztec"])
        #expect(report.stages[0].report.hosts.map(\.status) == [.succeeded, .failed])
        #expect(report.stages[0].report.hosts[1].counts.rescued == 1, "the failed apt-get runs its rescue")
        #expect(report.stages[1].report.hosts.map(\.host) == ["h1"])
        #expect(report.stages[2].report.hosts.map(\.host) == ["h1"])
        #expect(report.stages[2].report.hosts[0].status == .succeeded)
        let h2 = transport.calls(to: "h2").map(\.command.script)
        #expect(h2.filter { $0.contains("apt-get") && $0.contains("update") }.count == 4, "apt-get is retried three times")
        #expect(!h2.contains { $0.contains("get.docker.com") || $0.contains("install.aztec.network") })
        #expect(!report.succeeded)
        let lines = report.recapLines()
        #expect(lines.contains("== docker =="))
        #expect(lines.contains { $0.hasPrefix("h1 : ok") })
        #expect(lines.contains { $0.hasPrefix("h2 : failed in prepare: base packages:") })
    }

    @Test func everyStageAppendsAnAuditLineWithoutSecrets() async throws {
        let transport = Self.transport()
        // The stage limit is the command limit: generous, so a machine busy with other tests cannot cut a stage short.
        _ = await StagedInstall(transport: transport, runLog: .discarding, options: try RunOptions(defaultTimeout: .seconds(120)),
                                settings: InstallSettings(retryDelay: .zero))
            .run(InstallStage.allCases, on: Self.hosts(), existingNodes: .refuse)
        let audits = transport.calls(to: "h1").filter { $0.command.script.contains("audit.log") }
        #expect(audits.count == 3)
        let text = audits.compactMap(\.command.standardInput).map { String(decoding: $0, as: UTF8.self) }.joined()
        #expect(text.contains("stage=prepare step=\"base packages\" outcome=changed"))
        #expect(text.contains("stage=docker step=\"docker group\" outcome=changed"))
        #expect(text.contains("stage=aztec step=\"node .env\" outcome=changed"))
        #expect(!text.contains(String(Self.key.dropFirst(2))))
    }

    @Test func theEnvFileTravelsOnStandardInputNeverInACommandLine() async throws {
        let transport = Self.transport()
        _ = await StagedInstall(transport: transport, runLog: .discarding, options: try RunOptions(defaultTimeout: .seconds(120)),
                                settings: InstallSettings(retryDelay: .zero))
            .run([.aztec], on: Self.hosts(), existingNodes: .refuse)
        let calls = transport.calls
        #expect(!calls.contains { $0.command.script.contains(String(Self.key.dropFirst(2))) })
        let upload = calls.first { $0.host == "h1" && $0.command.script.contains("aztec/.env") && $0.command.script.contains("chmod 600") }
        #expect(upload?.command.standardInput.map { String(decoding: $0, as: UTF8.self) }?.contains("VALIDATOR_PRIVATE_KEY=\(Self.key)") == true)
    }

    @Test func checkModeRunsOnlyChecks() async throws {
        let transport = Self.transport()
        let report = await StagedInstall(transport: transport, runLog: .discarding,
                                         options: try RunOptions(checkMode: true, defaultTimeout: .seconds(120)), settings: InstallSettings())
            .run(InstallStage.allCases, on: Self.hosts(), existingNodes: .refuse)
        let scripts = transport.calls.map(\.command.script)
        #expect(!scripts.contains { $0.contains("apt-get") || $0.contains("ufw allow") || $0.contains("usermod") || $0.contains("compose up") || $0.contains("audit.log") })
        #expect(report.stages.allSatisfy { $0.report.checkMode })
        #expect(report.stages[0].report.hosts.allSatisfy { $0.steps.first?.message == "would change" })
    }

    @Test func firewallOpensSSHAndP2POnlyUnlessAskedForRPC() {
        let host = RemoteHost(name: "h", address: "203.0.113.5", port: 2222)
        guard case .hostCommand(let make) = PrepareStage.playbook(InstallSettings()).steps[1].action else {
            Issue.record("the firewall step runs a shell command")
            return
        }
        let script = make(host).script
        #expect(script.contains("ufw allow 2222/tcp") && script.contains("ufw allow 40400/tcp") && script.contains("ufw allow 40400/udp"))
        #expect(!script.contains("allow 8080") && !script.contains("ufw allow 8880"))
        guard case .hostCommand(let withRPC) = PrepareStage.playbook(InstallSettings(opensRPCPort: true)).steps[1].action else { return }
        #expect(withRPC(host).script.contains("ufw allow 8080/tcp"))
    }
}

/// What the fake fleet has done, shared by concurrent hosts.
final class DoneMarkers: Sendable {
    private let markers = Locked<Set<String>>([])

    func insert(_ marker: String) { markers.withLock { _ = $0.insert(marker) } }
    func contains(_ marker: String) -> Bool { markers.withLock { $0.contains(marker) } }
}

/// The stage time limit bounds all of a host's commands in a stage together.
@Suite(.tags(.unit)) struct StageTimeoutTests {
    @Test func aHostOverItsStageTimeFailsAndLaterCommandsNeverRun() async throws {
        let transport = FleetKitTesting.ScriptedTransport { host, command in
            if host.name == "slow" { try? await Task.sleep(for: .milliseconds(120)) }
            return command.script.contains("timedatectl") ? .exit(0, "yes\n") : .exit(1)
        }
        let hosts = [RemoteHost(name: "fast", address: "203.0.113.1"), RemoteHost(name: "slow", address: "203.0.113.2")]
        let report = await StagedInstall(transport: transport, runLog: .discarding,
                                         options: try RunOptions(batchesChecks: false), settings: InstallSettings(downloadRetries: 0),
                                         stageTimeout: .milliseconds(200))
            .run([.prepare], on: hosts, existingNodes: .refuse)
        let slow = report.stages[0].report.hosts[1]
        #expect(slow.status == .failed)
        #expect(slow.steps.contains { $0.message?.contains("timed out") == true || $0.result?.standardError.contains("stage time limit") == true })
        let stageCalls = transport.calls.filter { !$0.command.script.contains("audit.log") }
        #expect(stageCalls.allSatisfy { ($0.command.timeout ?? .seconds(999)) <= .milliseconds(200) }, "no command may outlive the stage")
        // Its check plan (120 ms) and the command it was running when the 200 ms passed, and nothing after.
        #expect(transport.calls(to: "slow").filter { !$0.command.script.contains("audit.log") }.count <= 2,
                "\(transport.calls(to: "slow").map(\.command.script))")
    }

    @Test func onlyThePackageRepairsRunWhenAStageIsInterrupted() {
        let settings = InstallSettings()
        let steps = PrepareStage.playbook(settings).steps + DockerStage.playbook(settings).steps
        let marked = steps.filter(\.rescuesWhenInterrupted).map(\.name)
        #expect(marked == ["base packages", "docker engine"], "an interrupted apt-get or docker install leaves dpkg to repair")
        #expect(marked.allSatisfy { name in steps.first { $0.name == name }?.rescue != nil })
    }

}
