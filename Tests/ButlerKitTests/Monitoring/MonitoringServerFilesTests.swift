import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// The monitoring server's files: checked by promtool and amtool, every node rule unit-tested
/// by promtool, the paging policy routed as said, the bot token only in the 0600 file.
@Suite(.tags(.unit)) struct MonitoringServerFilesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/monitoring")
    static let token = "123456789:AAH-test_token_value"

    /// Writes the files for two nodes into a fresh folder; returns it and the report.
    static func generate(settings adjust: (inout MonitoringServerSettings) -> Void = { _ in }) throws -> (URL, MonitoringFilesReport) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("monitoring-files-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tokenFile = folder.appendingPathComponent("telegram.token")
        try AtomicFile.write(token + "\n", to: tokenFile, mode: 0o600)
        var settings = MonitoringServerSettings(telegram: TelegramReceiver(tokenFile: tokenFile, chatID: -1_001_234_567_890))
        adjust(&settings)
        let nodes = [AztecInventory.host(name: "node1", address: "10.0.0.1"), AztecInventory.host(name: "node2", address: "2001:db8::2")]
        let report = try MonitoringServerFiles(nodes: nodes, settings: settings, outputDirectory: folder.appendingPathComponent("out")).run()
        return (folder, report)
    }

    static func run(_ program: String, _ arguments: [String]) async throws -> (status: Int32, text: String) {
        #expect(FileManager.default.isExecutableFile(atPath: program), "\(program) is missing: run scripts/setup.sh tests (Debian prometheus, prometheus-alertmanager)")
        let output = try await ProcessRunner.run(ProcessRequest(executable: program, arguments: arguments, timeout: .seconds(120)))
        return (output.status, String(decoding: output.standardOutput + output.standardError, as: UTF8.self))
    }

    @Test func promtoolChecksTheConfigAndEveryNodeRuleFiresInOneCaseAndNotInAnother() async throws {
        let (folder, _) = try Self.generate()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let check = try await Self.run("/usr/bin/promtool", ["check", "config", out.appendingPathComponent("prometheus.yml").path])
        #expect(check.status == 0, "\(check.text)")
        #expect(check.text.contains("3 rule files found"))
        let tests = try String(contentsOf: Self.fixtures.appendingPathComponent("aztec-nodes.test.yml"), encoding: .utf8)
        try AtomicFile.write(tests, to: out.appendingPathComponent("rules/aztec-nodes.test.yml"))
        let unit = try await Self.run("/usr/bin/promtool", ["test", "rules", out.appendingPathComponent("rules/aztec-nodes.test.yml").path])
        #expect(unit.status == 0 && unit.text.contains("SUCCESS"), "\(unit.text)")
        // Every rule has a firing case and a silent one.
        for rule in NodeAlertRules.rules(AlertThresholds()) {
            let blocks = tests.components(separatedBy: "alertname: \(rule.name)\n").dropFirst()
            #expect(blocks.contains { $0.hasPrefix("        exp_alerts:\n") }, "\(rule.name) never fires in the tests")
            #expect(blocks.contains { $0.hasPrefix("        exp_alerts: []") }, "\(rule.name) is never shown silent in the tests")
        }
    }

    @Test func everyGonkaRuleFiresInOneCaseAndNotInAnotherAndTheStatusJobIsScraped() async throws {
        let (folder, report) = try Self.generate { $0.gonkaStatusTargets = ["127.0.0.1:9100"] }
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let tests = try String(contentsOf: Self.fixtures.appendingPathComponent("gonka-nodes.test.yml"), encoding: .utf8)
        try AtomicFile.write(tests, to: out.appendingPathComponent("rules/gonka-nodes.test.yml"))
        let unit = try await Self.run("/usr/bin/promtool", ["test", "rules", out.appendingPathComponent("rules/gonka-nodes.test.yml").path])
        #expect(unit.status == 0 && unit.text.contains("SUCCESS"), "\(unit.text)")
        for rule in GonkaNodeAlertRules.rules() {
            let blocks = tests.components(separatedBy: "alertname: \(rule.name)\n").dropFirst()
            #expect(blocks.contains { $0.hasPrefix("        exp_alerts:\n") }, "\(rule.name) never fires in the tests")
            #expect(blocks.contains { $0.hasPrefix("        exp_alerts: []") }, "\(rule.name) is never shown silent in the tests")
        }
        // The status job's target carries no label of its own: the gauges' node=<KEY_NAME> stays.
        let targets = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: out.appendingPathComponent("targets/gonka-status.json")))
        #expect(targets == .array([.object(["targets": .array([.string("127.0.0.1:9100")]), "labels": .object([:])])]))
        let prometheus = try String(contentsOf: out.appendingPathComponent("prometheus.yml"), encoding: .utf8)
        #expect(prometheus.contains("  - job_name: gonka-status\n    file_sd_configs:\n      - files: [\"targets/gonka-status.json\"]"))
        #expect(report.pagingAlerts.contains("GonkaNodeDown") && report.pagingAlerts.contains("GonkaNodeJailed"))
        #expect(report.warningAlerts.contains("GonkaNodeLagging") && report.warningAlerts.contains("GonkaNodeDiskLow"))
        let (plain, _) = try Self.generate()
        defer { try? FileManager.default.removeItem(at: plain) }
        #expect(try String(contentsOf: plain.appendingPathComponent("out/targets/gonka-status.json"), encoding: .utf8) == "[\n\n]\n")
        var bad = MonitoringServerSettings(telegram: TelegramReceiver(tokenFile: folder.appendingPathComponent("telegram.token"), chatID: 5))
        bad.gonkaStatusTargets = ["localhost"]
        let job = MonitoringServerFiles(nodes: [AztecInventory.host(name: "n", address: "10.0.0.1")], settings: bad, outputDirectory: folder.appendingPathComponent("bad"))
        #expect(throws: MonitoringSettingError(.gonkaStatusTarget, "'localhost' is not host:port")) { try job.run() }
    }

    @Test func amtoolAcceptsTheAlertmanagerConfigAndRoutesPagesAndWarningsByThePolicy() async throws {
        let (folder, report) = try Self.generate()
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let check = try await Self.run("/usr/bin/amtool", ["check-config", out.appendingPathComponent("alertmanager.yml").path])
        #expect(check.status == 0 && check.text.contains("SUCCESS") && check.text.contains("2 receivers"), "\(check.text)")
        #expect(Set(report.pagingAlerts) == Set(PagingPolicy.standard.pagingAlerts))
        #expect(report.warningAlerts.contains("AztecNodeRPCDown") && report.warningAlerts.contains("AztecButlerDown") && report.warningAlerts.contains("GonkaMLNodeUnhealthy"))
        for (alerts, receiver) in [(report.pagingAlerts, "telegram-page"), (report.warningAlerts, "telegram-warn")] {
            for alert in alerts {
                let routed = try await Self.run("/usr/bin/amtool", ["config", "routes", "test", "--config.file=\(out.appendingPathComponent("alertmanager.yml").path)", "alertname=\(alert)", "node=node1"])
                #expect(routed.text.split(separator: "\n").first.map(String.init) == receiver, "\(alert): \(routed.text)")
            }
        }
    }

    @Test func theBotTokenIsOnlyInTheAlertmanagerFileWithModeSixHundred() throws {
        let (folder, report) = try Self.generate { $0.telegram.apiURL = URL(string: "http://127.0.0.1:8999") }
        defer { try? FileManager.default.removeItem(at: folder) }
        let out = folder.appendingPathComponent("out")
        let alertmanager = out.appendingPathComponent("alertmanager.yml")
        let attributes = try FileManager.default.attributesOfItem(atPath: alertmanager.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let text = try String(contentsOf: alertmanager, encoding: .utf8)
        #expect(text.contains("bot_token: \"\(Self.token)\"") && text.contains("api_url: \"http://127.0.0.1:8999\"") && text.contains("chat_id: -1001234567890"))
        #expect(text.contains("group_by: [node, alertname]") && text.contains("send_resolved: true"))
        for file in report.files where !file.path.hasSuffix("alertmanager.yml") {
            #expect(!(try String(contentsOfFile: file.path, encoding: .utf8)).contains(Self.token), "\(file.path)")
            #expect(file.mode == "644")
        }
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        #expect(!json.contains(Self.token) && !report.lines.joined().contains(Self.token))
    }

    @Test func theNodeTargetsAreOneEntryPerNodeNamedByItsInventoryName() throws {
        let (folder, _) = try Self.generate { $0.exporterPort = 9200 }
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try Data(contentsOf: folder.appendingPathComponent("out/targets/aztec-nodes.json"))
        let groups = try #require(try JSONDecoder().decode(JSONValue.self, from: data).arrayValue)
        #expect(groups.count == 2)
        #expect(groups[0]["targets"] == .array([.string("10.0.0.1:9200")]) && groups[0]["labels"]?["node"] == .string("node1"))
        #expect(groups[1]["targets"] == .array([.string("[2001:db8::2]:9200")]) && groups[1]["labels"]?["node"] == .string("node2"))
    }

    @Test func theButlerRulesAreTheExampleBundlesRules() throws {
        let (folder, _) = try Self.generate()
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try String(contentsOf: folder.appendingPathComponent("out/rules/aztec-butler.yml"), encoding: .utf8)
        let bundle = try String(contentsOf: EVMPaths.repositoryRoot.appendingPathComponent("Examples/monitoring/alerts.yml"), encoding: .utf8)
        #expect(written == bundle, "Sources/ButlerKit/Monitoring/ButlerAlertRules.swift differs from Examples/monitoring/alerts.yml")
    }

    @Test func aFileWithoutABotTokenIsRefusedWithoutShowingItAndNothingIsWritten() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("monitoring-bad-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tokenFile = folder.appendingPathComponent("token")
        try AtomicFile.write("TELEGRAM_BOT_TOKEN=supersecretvalue\n", to: tokenFile, mode: 0o600)
        let job = MonitoringServerFiles(nodes: [AztecInventory.host(name: "n", address: "10.0.0.1")],
                                        settings: MonitoringServerSettings(telegram: TelegramReceiver(tokenFile: tokenFile, chatID: 5)),
                                        outputDirectory: folder.appendingPathComponent("out"))
        let error = try #require(throws: MonitoringSettingError.self) { try job.run() }
        #expect(error.setting == .telegramTokenFile && !error.message.contains("supersecretvalue"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").path))
        var bad = job
        bad.settings.butlerTargets = ["no port"]
        #expect(throws: MonitoringSettingError(.butlerTarget, "'no port' is not host:port")) { try bad.run() }
    }

    @Test func theToolRequiresTheTelegramChoicesAndPrintsItsReportWithoutTheToken() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("monitoring-tool-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let inventory = folder.appendingPathComponent("servers.csv"), tokenFile = folder.appendingPathComponent("token")
        try "name,ip\nnode1,10.0.0.1\nnode2,10.0.0.2\n".write(to: inventory, atomically: true, encoding: .utf8)
        try AtomicFile.write(Self.token, to: tokenFile, mode: 0o600)
        func tool(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            let output = try await ProcessRunner.run(ProcessRequest(
                executable: try BuiltTool.path("aztec-fleet"),
                arguments: ["monitoring-config", inventory.path, "--out", folder.appendingPathComponent("out").path, "--log-dir", folder.appendingPathComponent("logs").path] + arguments,
                timeout: .seconds(60), environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path, "NO_COLOR": "1"]))
            return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
        }
        let missing = try await tool(["--telegram-token-file", tokenFile.path])
        #expect(missing.status == 2 && missing.stderr.contains("--telegram-chat ID are required"), "\(missing.stderr)")
        let badChat = try await tool(["--telegram-token-file", tokenFile.path, "--telegram-chat", "general"])
        #expect(badChat.status == 2 && badChat.stderr.contains("is not a chat id"))
        let badButler = try await tool(["--telegram-token-file", tokenFile.path, "--telegram-chat", "-5", "--butler", "nowhere"])
        #expect(badButler.status == 2 && badButler.stderr.contains("--butler") && badButler.stderr.contains("is not host:port"), "\(badButler.stderr)")
        let written = try await tool(["--telegram-token-file", tokenFile.path, "--telegram-chat", "-5", "--json"])
        #expect(written.status == 0, "\(written.stderr)")
        let report = try JSONDecoder().decode(MonitoringFilesReport.self, from: Data(written.stdout.utf8))
        #expect(report.nodes == ["node1", "node2"] && report.files.count == 8)
        #expect(!written.stdout.contains(Self.token) && !written.stderr.contains(Self.token))
    }

    /// Without Aztec nodes, Gonka status targets alone make a bundle: no Aztec node or Butler
    /// to scrape, the Gonka job and rules as always, and the configuration still valid.
    @Test func gonkaStatusTargetsAloneMakeAGonkaOnlyBundle() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("monitoring-gonka-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tokenFile = folder.appendingPathComponent("telegram.token")
        try AtomicFile.write(Self.token + "\n", to: tokenFile, mode: 0o600)
        var settings = MonitoringServerSettings(telegram: TelegramReceiver(tokenFile: tokenFile, chatID: -5))
        #expect(throws: MonitoringSettingError.self) {
            try MonitoringServerFiles(nodes: [], settings: settings, outputDirectory: folder.appendingPathComponent("none")).run()
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("none").path), "nothing is written")
        settings.gonkaStatusTargets = ["10.0.0.9:9100"]
        let out = folder.appendingPathComponent("out")
        let report = try MonitoringServerFiles(nodes: [], settings: settings, outputDirectory: out).run()
        #expect(report.nodes.isEmpty && report.files.count == 8)
        #expect(report.files.first?.purpose == "no Aztec node to scrape")
        func targets(_ name: String) throws -> [String] {
            let groups = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent(name))) as? [[String: Any]])
            return groups.flatMap { $0["targets"] as? [String] ?? [] }
        }
        #expect(try targets("targets/aztec-nodes.json").isEmpty)
        #expect(try targets("targets/aztec-butler.json").isEmpty, "the Butler watches Aztec attesters: not scraped without Aztec nodes")
        #expect(try targets("targets/gonka-status.json") == ["10.0.0.9:9100"])
        #expect(report.pagingAlerts.contains("GonkaNodeDown"))
        let check = try await Self.run("/usr/bin/promtool", ["check", "config", out.appendingPathComponent("prometheus.yml").path])
        #expect(check.status == 0, "\(check.text)")

        // The tool: --gonka-status without servers.csv; neither is a usage error.
        func tool(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
            let output = try await ProcessRunner.run(ProcessRequest(
                executable: try BuiltTool.path("aztec-fleet"),
                arguments: ["monitoring-config", "--out", folder.appendingPathComponent("tool").path, "--telegram-token-file", tokenFile.path,
                            "--telegram-chat", "-5", "--json"] + arguments,
                timeout: .seconds(60), environment: ["PATH": "/usr/bin:/bin", "HOME": folder.path, "NO_COLOR": "1"]))
            return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
        }
        let neither = try await tool([])
        #expect(neither.status == 2 && neither.stderr.contains("missing INVENTORY"), "\(neither.stderr)")
        let gonkaOnly = try await tool(["--gonka-status", "10.0.0.9:9100"])
        #expect(gonkaOnly.status == 0, "\(gonkaOnly.stderr)")
        let written = try JSONDecoder().decode(MonitoringFilesReport.self, from: Data(gonkaOnly.stdout.utf8))
        #expect(written.nodes.isEmpty && written.files.count == 8)
    }
}
