import FleetKit
import FleetTestSupport
import Foundation

/// The disk shims on a sandbox host, its state folder, node files pointing at it, and runs of
/// the built `gonka-deploy` in a temporary work folder.
enum GonkaDeploySandbox {
    static let shims = GonkaFixtures.url("gonka-deploy/shims")
    static let password = "kjhjfjfjfbe5rig7hkjnf"

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
        var console: String { stdout + stderr }
    }

    /// The fake seed API of each prepared sandbox, by the sandbox's folder.
    static let seedAPIs = Locked<[String: FakeSeedAPI]>([:])

    /// Installs the shims in host 1's bin folder and a fresh state folder with one disk,
    /// `/dev/vdc`, holding `filesystem` (none when `nil`). With `nodeWritesConfig`, the
    /// node's first start writes config.toml and app.toml, as the real node does.
    /// `host` picks the sandbox host (1 by default); the fake seed API starts with host 1's state.
    static func prepare(_ sandbox: SandboxHosts, host: Int = 1, filesystem: String? = nil, nodeWritesConfig: Bool = true) async throws {
        let files = FileManager.default
        let bin = sandbox.hostDirectory(host).appendingPathComponent("bin")
        for shim in try files.contentsOfDirectory(atPath: shims.path) {
            let target = bin.appendingPathComponent(shim)
            try? files.removeItem(at: target)
            try files.copyItem(at: shims.appendingPathComponent(shim), to: target)
            try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
        }
        let state = stateFolder(sandbox, host: host)
        try? files.removeItem(at: state)
        let disk = state.appendingPathComponent("disk/vdc")
        try files.createDirectory(at: disk, withIntermediateDirectories: true)
        try "".write(to: disk.appendingPathComponent("present"), atomically: false, encoding: .utf8)
        if let filesystem {
            try "\(filesystem)\n".write(to: disk.appendingPathComponent("type"), atomically: false, encoding: .utf8)
            try "0b7c1f2e-5d1a-4c8e-9f00-aa11bb22cc33\n".write(to: disk.appendingPathComponent("uuid"), atomically: false, encoding: .utf8)
        }
        try FileManager.default.copyItem(at: GonkaFixtures.url("gonka-deploy/hf"), to: state.appendingPathComponent("hf"))
        if nodeWritesConfig {
            let template = state.appendingPathComponent("node-template")
            try files.createDirectory(at: template, withIntermediateDirectories: true)
            try files.copyItem(at: GonkaFixtures.url("cometbft-config.toml"), to: template.appendingPathComponent("config.toml"))
            try files.copyItem(at: GonkaFixtures.url("cosmos-app.toml"), to: template.appendingPathComponent("app.toml"))
        }
        try "# /etc/fstab of the test host\n".write(to: state.appendingPathComponent("fstab"), atomically: false, encoding: .utf8)
        try SandboxHosts.giveToLoginUser(state)
        guard host == 1 else { return }
        let previous = seedAPIs.withLock { $0.removeValue(forKey: sandbox.directory.path) }
        previous?.stop()
        let api = try await FakeSeedAPI.start(stateFolder: state)
        seedAPIs.withLock { $0[sandbox.directory.path] = api }
    }

    /// The URL of the fake seed API `prepare` started for `sandbox`.
    static func seedURL(_ sandbox: SandboxHosts) -> String {
        seedAPIs.withLock { $0[sandbox.directory.path]?.url } ?? "http://127.0.0.1:9"
    }

    static func stateFolder(_ sandbox: SandboxHosts, host: Int = 1) -> URL { sandbox.hostDirectory(host).appendingPathComponent("state") }

    static func state(_ sandbox: SandboxHosts, _ name: String, host: Int = 1) -> String {
        (try? String(contentsOf: stateFolder(sandbox, host: host).appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    static func calls(_ sandbox: SandboxHosts, host: Int = 1) -> [String] {
        state(sandbox, "calls.log", host: host).split(separator: "\n").map(String.init)
    }

    /// The mount point the node files use: inside the host's state folder.
    static func mountPoint(_ sandbox: SandboxHosts, host: Int = 1) -> String { stateFolder(sandbox, host: host).appendingPathComponent("mnt/ssd").path }

    /// A node file for `host` (1 by default), with `extra` lines.
    static func nodeFile(_ sandbox: SandboxHosts, host: Int = 1, extra: [String: String] = [:]) -> String {
        let mount = mountPoint(sandbox, host: host)
        var settings = [
            "SERVER_IP": "\"\(sandbox.hosts[host - 1].address)\"", "SSH_USER": "\"fleettest\"", "KEYRING_PASSWORD": "\"\(password)\"",
            "VOLUME_DEVICE": "\"/dev/vdc\"", "VOLUME_MOUNT": "\"\(mount)\"", "HF_HOME": "\"\(mount)/hf\"", "GONKA_PATH": "\"\(mount)/gonka\"",
            "SEED_API_URL": "\"\(seedURL(sandbox))\"",
        ]
        settings.merge(extra) { $1 }
        return GonkaFixtures.nodeFile(settings)
    }

    /// A work folder holding `nodes/node1.conf`.
    static func workFolder(nodeFile: String) throws -> URL {
        let folder = try GonkaFixtures.temporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("nodes"), withIntermediateDirectories: true)
        try nodeFile.write(to: folder.appendingPathComponent("nodes/node1.conf"), atomically: true, encoding: .utf8)
        return folder
    }

    /// Runs `gonka-deploy` in `folder` with no terminal on standard input, the sandbox's key and known_hosts.
    /// The short waits of a test run: no settling pause, state-sync readings a second apart.
    static let quickWaits = ["--settle", "0", "--sync-check-interval", "1", "--sync-checks", "8"]

    static func run(_ sandbox: SandboxHosts, _ arguments: [String], in folder: URL, environment: [String: String] = [:]) async throws -> Output {
        var full = ["PATH": "/usr/bin:/bin", "HOME": folder.path, "NO_COLOR": "1"]
        full.merge(environment) { $1 }
        var connection = ["--identity", sandbox.identityFile, "--known-hosts", sandbox.directory.appendingPathComponent("known_hosts_gonka").path]
        switch arguments.first {
        case "render": break
        case "status", "backup", "upgrade": break
        case "fix-sync": connection += quickWaits
        default: connection += quickWaits + ["--model-wait", "0"]
        }
        let script = "cd \(ShellQuote.quote(folder.path)) && exec " + ShellQuote.join([try BuiltTool.path("gonka-deploy")] + arguments + connection) + " </dev/null"
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script],
                                                                timeout: .seconds(300), environment: full))
        return Output(status: output.status, stdout: String(decoding: output.standardOutput, as: UTF8.self),
                      stderr: String(decoding: output.standardError, as: UTF8.self))
    }

    /// The text of `logs/<KEY_NAME>_latest.log` in `folder`.
    static func latestLog(_ folder: URL) throws -> String {
        try String(contentsOf: folder.appendingPathComponent("logs/quick-newton_latest.log"), encoding: .utf8)
    }

    /// The last run's part of the latest log: runs started in the same second share a file, as in the original.
    static func lastRunLog(_ folder: URL) throws -> String {
        let text = try latestLog(folder)
        guard let start = text.range(of: "Gonka Node Deployment Script", options: .backwards) else { return text }
        return String(text[start.lowerBound...])
    }
}
