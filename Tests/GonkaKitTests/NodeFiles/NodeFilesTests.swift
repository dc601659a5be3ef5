import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// config.env and node-config.json: the original's bytes for plain values, and values that survive `source`.
@Suite(.tags(.unit)) struct NodeFilesTests {
    func config(_ overrides: [String: String] = [:]) throws -> NodeConfig {
        try NodeConfig.parse(GonkaFixtures.nodeFile(overrides), file: "nodes/node1.conf", environment: [:])
    }

    @Test func configEnvForAPlainPasswordIsTheOriginalsBytes() throws {
        let config = try NodeConfig.load(contentsOf: GonkaFixtures.url("original-node1.conf"), environment: [:])
        let golden = try GonkaFixtures.text("original-config.env")
        #expect(ConfigEnvFile.render(config) == golden)
        let lines = golden.split(separator: "\n")
        #expect(lines.count == 19 && lines.allSatisfy { $0.hasPrefix("export ") })
        #expect(ConfigEnvFile.variables(for: config).map(\.name) == lines.map { String($0.dropFirst(7).prefix { $0 != "=" }) })
    }

    static let hostilePasswords = [
        "with spaces inside", "it's 'quoted'", "double \"quoted\"", "dollar $HOME and ${PATH}", "$(touch gonka-env-pwned)",
        "`touch gonka-env-pwned`", "back\\slash\\", "semi;colon && or || pipe|", "#hash at start", "tab\tinside",
        "!bang!history!", "ünïcødé ✓ 日本語", "'''''''''", "*glob?[x]", "~tilde/and/more", "ends with space ",
    ]

    /// bash sourcing the rendered file reads every value back exactly, and runs nothing.
    @Test(arguments: hostilePasswords)
    func passwordSurvivesSource(_ password: String) async throws {
        let config = try config(["KEYRING_PASSWORD": ShellQuote.quote(password)])
        #expect(config.keyringPassword.revealed == password)
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("config.env")
        try ConfigEnvFile.render(config).write(to: file, atomically: true, encoding: .utf8)
        let result = try await GonkaFixtures.bash("cd \"$2\" && source \"$1\" && printf %s \"$KEYRING_PASSWORD\"", arguments: [file.path, folder.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output == password)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("gonka-env-pwned").path), "nothing in the value ran")
    }

    /// Reads one `NAME=value` line as Compose's env-file reader does (compose-go's dotenv):
    /// a quoted value ends at the first quote not preceded by a backslash, the quotes are
    /// trimmed, single-quoted text is taken as it is; `nil` for an unterminated value.
    static func composeReads(_ value: Substring) -> String? {
        guard let quote = value.first, quote == "'" || quote == "\"" else { return String(value) }
        let characters = Array(value)
        for index in 1..<characters.count where characters[index] == quote && characters[index - 1] != "\\" {
            return String(characters[1..<index])
        }
        return nil
    }

    /// The deploy folder's .env: every password either reads back exactly as Compose reads
    /// env files, or is left out with a comment; the file always parses.
    @Test(arguments: hostilePasswords + ["a b $HOME"])
    func composeEnvFileKeepsThePasswordLiteralOrLeavesItOut(_ password: String) throws {
        let config = try config(["KEYRING_PASSWORD": ShellQuote.quote(password)])
        let lines = ComposeEnvFile.render(config).split(separator: "\n")
        #expect(lines.count == 19 && !lines.contains { $0.hasPrefix("export ") })
        if let line = lines.first(where: { $0.hasPrefix("KEYRING_PASSWORD=") }) {
            #expect(Self.composeReads(line.dropFirst("KEYRING_PASSWORD=".count)) == password)
        } else {
            #expect(lines.contains { $0.hasPrefix("# KEYRING_PASSWORD is in config.env only") })
            #expect(password.contains("'") || password.hasSuffix("\\") || password.contains("\n"))
        }
        for line in lines where !line.hasPrefix("#") {
            let value = line.drop { $0 != "=" }.dropFirst()
            #expect(Self.composeReads(value) != nil, "every line parses: \(line)")
        }
    }

    /// Every variable, not only the password, reads back as rendered; an IPv6 server gets brackets in URLs.
    @Test func everyVariableReadsBackAndIPv6GetsBrackets() async throws {
        let config = try config(["SERVER_IP": "2001:db8::10", "HF_HOME": "\"/mnt/my models/hf\""])
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("config.env")
        try ConfigEnvFile.render(config).write(to: file, atomically: true, encoding: .utf8)
        let variables = ConfigEnvFile.variables(for: config)
        let script = "set -u; source \"$1\"; for n in " + variables.map(\.name).joined(separator: " ") + "; do printf '%s\\0' \"${!n}\"; done"
        let result = try await GonkaFixtures.bash(script, arguments: [file.path])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.split(separator: "\0").map(String.init) == variables.map(\.value))
        #expect(variables.first?.value == "http://[2001:db8::10]:8000")
        #expect(variables.first { $0.name == "P2P_EXTERNAL_ADDRESS" }?.value == "[2001:db8::10]:5000")
        #expect(variables.last?.value == "/mnt/my models/hf")
    }

    @Test(arguments: NodeProfile.original)
    func nodeConfigJSONIsTheOriginalsBytes(_ profile: NodeProfile) throws {
        let rendered = NodeConfigJSONFile.render(profile)
        #expect(rendered == (try GonkaFixtures.text("original-node-config-\(profile.rawValue).json")))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [[String: Any]])
        let node = try #require(parsed.first)
        #expect(node["id"] as? String == "node1" && node["host"] as? String == "inference")
        #expect(node["inference_port"] as? Int == 5000 && node["poc_port"] as? Int == 8080 && node["max_concurrent"] as? Int == 500)
        let models = try #require(node["models"] as? [String: [String: [String]]])
        #expect(models == [profile.modelName: ["args": profile.modelArguments]])
    }

    @Test func writeCreatesThePrivateFolderAndModes() throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("nodes/quick-newton")
        // A config.env left world-readable by the original is replaced by a private one.
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try "old".write(to: target.appendingPathComponent("config.env"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: target.appendingPathComponent("config.env").path)
        let config = try config()
        let written = try NodeFiles.write(config, to: target)
        #expect(written.map(\.url.lastPathComponent) == ["config.env", "node-config.json"])
        #expect(written.map(\.mode) == [0o600, 0o644])
        for file in written {
            let attributes = try FileManager.default.attributesOfItem(atPath: file.url.path)
            #expect((attributes[.posixPermissions] as? Int).map(UInt16.init) == file.mode)
            #expect(try Data(contentsOf: file.url).count == file.size)
        }
        #expect(try String(contentsOf: written[0].url, encoding: .utf8) == ConfigEnvFile.render(config))
        let fresh = folder.appendingPathComponent("new/nodes/x")
        _ = try NodeFiles.write(config, to: fresh)
        let mode = try FileManager.default.attributesOfItem(atPath: fresh.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        #expect(NodeFiles.defaultFolder(nodeFile: URL(fileURLWithPath: "/ops/nodes/node1.conf"), keyName: "quick-newton").path == "/ops/nodes/quick-newton")
    }

    @Test func theReportHoldsNoSecret() throws {
        let config = try config(["KEYRING_PASSWORD": "\"report-must-not-show\""])
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = NodeFilesReport(config: config, folder: folder, written: try NodeFiles.write(config, to: folder))
        let json = String(decoding: try report.jsonData(), as: UTF8.self)
        #expect(report.textLines.count == 3)
        #expect(report.textLines[1] == "wrote \(folder.path)/config.env (mode 0600, \(ConfigEnvFile.render(config).utf8.count) bytes)")
        #expect(!json.contains("report-must-not-show") && !report.textLines.joined().contains("report-must-not-show"))
    }
}
