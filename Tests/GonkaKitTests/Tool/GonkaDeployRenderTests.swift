import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The built `gonka-deploy` executable, run as a user would, in temporary folders.
@Suite(.tags(.unit)) struct GonkaDeployRenderTests {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs the tool in `directory` with a small, known environment plus `environment`.
    func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) async throws -> Output {
        var full = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home", "NO_COLOR": "1"]
        full.merge(environment) { $1 }
        let script = "cd \(ShellQuote.quote(directory.path)) && exec " + ShellQuote.join([try BuiltTool.path("gonka-deploy")] + arguments)
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script],
                                                                timeout: .seconds(60), environment: full))
        return Output(status: output.status, stdout: String(decoding: output.standardOutput, as: UTF8.self),
                      stderr: String(decoding: output.standardError, as: UTF8.self))
    }

    func mode(_ url: URL) throws -> Int? {
        try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int
    }

    @Test func rendersIntoNodesKeyNameNextToTheNodeFile() async throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("nodes"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: GonkaFixtures.url("original-node1.conf"), to: folder.appendingPathComponent("nodes/node1.conf"))
        let result = try await run(["render", "nodes/node1.conf"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let output = folder.appendingPathComponent("nodes/quick-newton").resolvingSymlinksInPath()
        let configEnv = output.appendingPathComponent("config.env")
        #expect(try String(contentsOf: configEnv, encoding: .utf8) == (try GonkaFixtures.text("original-config.env")))
        #expect(try String(contentsOf: output.appendingPathComponent("node-config.json"), encoding: .utf8)
            == (try GonkaFixtures.text("original-node-config-x1.json")))
        #expect(try mode(configEnv) == 0o600)
        #expect(try mode(output.appendingPathComponent("node-config.json")) == 0o644)
        #expect(try mode(output) == 0o700)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "nodes/node1.conf: quick-newton, profile x1 (Qwen/Qwen3-32B-FP8), server 185.216.20.162")
        #expect(lines.count == 3 && lines[1].hasPrefix("wrote ") && lines[1].hasSuffix("nodes/quick-newton/config.env (mode 0600, 1021 bytes)"))
        #expect(!result.stdout.contains("kjhjfjfjfbe5rig7hkjnf") && !result.stderr.contains("kjhjfjfjfbe5rig7hkjnf"))
    }

    @Test func outputFolderAndJSON() async throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let nodeFile = GonkaFixtures.repositoryRoot.appendingPathComponent("Examples/nodes/node1.conf").path
        let result = try await run(["render", nodeFile, "--output", "out/node1", "--json"], in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.compactMap { $0["mode"] as? String } == ["0600", "0644"])
        #expect(files.compactMap { ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } } == ["config.env", "node-config.json"])
        #expect(json["keyName"] as? String == "quick-newton" && json["profile"] as? String == "x1")
        let written = folder.appendingPathComponent("out/node1/config.env")
        #expect(FileManager.default.fileExists(atPath: written.path))
        #expect(try String(contentsOf: written, encoding: .utf8).contains("export KEYRING_PASSWORD=change-me-to-a-long-random-password\n"))
        #expect(!result.stdout.contains("change-me-to-a-long-random-password"))
    }

    @Test func badNodeFileExitsTwoNamingEveryLineAndWritesNothing() async throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = GonkaFixtures.nodeFile(["SERVER_IP": "\"$(curl -s ifconfig.me)\"", "NODE_CONFIG_PROFILE": "x4", "KEYRING_PASSWORD": "'secret!'"])
        try text.write(to: folder.appendingPathComponent("bad.conf"), atomically: true, encoding: .utf8)
        let result = try await run(["render", "bad.conf"], in: folder)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("gonka-deploy: 3 problems in bad.conf:\n"), "\(result.stderr)")
        #expect(result.stderr.contains("  bad.conf:2: command substitution in the value of SERVER_IP is not run"))
        #expect(result.stderr.contains("  bad.conf:5: KEYRING_PASSWORD is too short: 7 characters"))
        #expect(result.stderr.contains("  bad.conf:9: NODE_CONFIG_PROFILE 'x4' is not supported"))
        #expect(!result.stderr.contains("secret!"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["bad.conf"])
    }

    @Test func valuesFromTheEnvironmentAreUsedAndNoted() async throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = GonkaFixtures.nodeFile(["KEYRING_PASSWORD": "\"$NODE1_PASSWORD\""], removing: [])
        try text.write(to: folder.appendingPathComponent("node1.conf"), atomically: true, encoding: .utf8)
        let result = try await run(["render", "node1.conf", "-o", "."], in: folder,
                                   environment: ["NODE1_PASSWORD": "it's a $ecret", "HF_HOME": "/srv/hf"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "gonka-deploy: note: node1.conf: HF_HOME (from the environment): HF_HOME is taken from the environment: the node file does not set it\n")
        let sourced = try await GonkaFixtures.bash("source \"$1\"; printf '%s|%s' \"$KEYRING_PASSWORD\" \"$HF_HOME\"",
                                                  arguments: [folder.appendingPathComponent("config.env").path])
        #expect(sourced.output == "it's a $ecret|/srv/hf")
    }

    @Test func helpAndUsageErrors() async throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let help = try await run(["--help"], in: folder)
        #expect(help.status == 0 && help.stdout.hasPrefix("USAGE: gonka-deploy <subcommand> [<options>]") && help.stdout.contains("render"))
        let renderHelp = try await run(["render", "--help"], in: folder)
        #expect(renderHelp.status == 0 && renderHelp.stdout.hasPrefix("USAGE: gonka-deploy render [<options>] <node-file>"))
        #expect(renderHelp.stdout.contains("--output DIR"))
        let none = try await run([], in: folder)
        #expect(none.status == 2 && none.stderr.contains("missing subcommand"))
        let noFile = try await run(["render"], in: folder)
        #expect(noFile.status == 2 && noFile.stderr.contains("missing argument <node-file>"))
        let missing = try await run(["render", "nodes/none.conf"], in: folder)
        #expect(missing.status == 2 && missing.stderr == "gonka-deploy: nodes/none.conf: the node file does not exist\n")
        let unknown = try await run(["render", "x.conf", "--ouptut", "d"], in: folder)
        #expect(unknown.status == 2 && unknown.stderr.contains("did you mean '--output'?"))
    }

    @Test func aFolderThatCannotBeWrittenExitsOne() async throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try GonkaFixtures.nodeFile().write(to: folder.appendingPathComponent("node1.conf"), atomically: true, encoding: .utf8)
        try "a file".write(to: folder.appendingPathComponent("blocker"), atomically: true, encoding: .utf8)
        let result = try await run(["render", "node1.conf", "--output", "blocker/out"], in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("gonka-deploy: cannot create directory "), "\(result.stderr)")
    }
}
