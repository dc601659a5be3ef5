import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// Node health on real sandbox hosts: `aztec-fleet monitoring` installs node_exporter (the
/// Debian program, run by the systemctl stand-in in each host's namespace) and the collector
/// for both layouts; then a real Prometheus scrapes them through the generated file_sd and a
/// real Alertmanager pages a stand-in Telegram when a node's service stops.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(2))
struct NodeHealthOverSSHTests {
    static let key = "0x" + String(repeating: "4b", count: 32)
    static let home = FileManager.default.homeDirectory(forUser: "fleettest")?.path ?? "/home/fleettest"

    /// h1 as the original toolkit left it, h2 as our compose install; each with a fake node
    /// on 8080 whose chain advances.
    static func prepare(_ sandbox: SandboxHosts) async throws -> OpenSSHTransport {
        _ = try AztecFleetSandbox.prepare(sandbox)
        let transport = try sandbox.transport(controlDirectory: URL(fileURLWithPath: "/tmp/fkt-nh\(UInt16.random(in: 0 ... .max))"))
        let h1 = sandbox.hosts[0], h2 = sandbox.hosts[1]
        for index in 1...2 {
            try AztecFleetSandbox.setState(sandbox, index, "unit-dir", home + "/systemd")
            try AztecFleetSandbox.setState(sandbox, index, "ufw.enabled")  // as `aztec-fleet prepare` leaves it
        }
        _ = try await transport.run(RemoteCommand("rm -rf original aztec systemd textfile lib; mkdir -p original/.aztec/testnet/data"), on: h1)
        let start = "#!/bin/bash\naztec start --node --archiver --sequencer \\\n  --sequencer.validatorPrivateKeys \(key) \\\n  --p2p.p2pIp \(h1.address)\n"
        _ = try await transport.upload(Data(start.utf8), to: "original/start_aztec_node.sh", mode: 0o755, on: h1)
        _ = try await transport.upload(Data("[Service]\nExecStart=/root/start_aztec_node.sh\n".utf8), to: "original/aztec-node.service", mode: 0o644, on: h1)
        try AztecFleetSandbox.setState(sandbox, 1, "systemd.aztec-node.service.active")
        _ = try await transport.run(RemoteCommand("rm -rf original aztec systemd textfile lib; mkdir -p aztec/data"), on: h2)
        _ = try await transport.upload(Data(ComposeFile.text(InstallSettings()).utf8), to: "aztec/docker-compose.yml", mode: 0o644, on: h2)
        _ = try await transport.upload(Data("VALIDATOR_PRIVATE_KEYS=\(key),\(key)\n".utf8), to: "aztec/.env", mode: 0o600, on: h2)
        for name in ["docker.installed", "systemd.docker.active", "compose.running"] { try AztecFleetSandbox.setState(sandbox, 2, name) }
        try AztecFleetSandbox.setState(sandbox, 2, "container.state", "running|2|0|false|2026-12-01T10:00:00Z\n")
        let script = AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path
        for index in 1...2 {
            try AztecFleetSandbox.chownToLoginUser(AztecFleetSandbox.stateFolder(sandbox, index))
            let pidFile = sandbox.hostDirectory(index).appendingPathComponent("fake_node.pid").path
            if FileManager.default.fileExists(atPath: pidFile) { continue }
            let output = try await sandbox.execute(onHost: index, ["python3", script, "--mode", "advancing", "--port", "8080", "--daemon", "--pidfile", pidFile])
            guard output.status == 0 else { throw SandboxError("fake node on h\(index) did not start") }
        }
        return transport
    }

    static func inventory(_ sandbox: SandboxHosts) throws -> URL {
        let file = sandbox.directory.appendingPathComponent("health-servers.csv")
        let text = "name,ip,user\n" + sandbox.hosts.enumerated().map { "node\($0.offset + 1),\($0.element.address),fleettest" }.joined(separator: "\n") + "\n"
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The bridge's own address: where Prometheus, on this machine, comes from.
    static func monitoringServer(_ sandbox: SandboxHosts) -> String {
        sandbox.hosts[0].address.split(separator: ".").dropLast().joined(separator: ".") + ".1"
    }

    static func monitoringArguments(_ sandbox: SandboxHosts, port: Int) -> [String] {
        ["--original-home", "original", "--original-unit", "original/aztec-node.service", "--textfile-dir", home + "/textfile",
         "--collector-path", home + "/lib/aztec-node-metrics.sh", "--unit-dir", home + "/systemd", "--exporter-port", String(port),
         "--interval", "1", "--monitoring-server", monitoringServer(sandbox)]
    }

    static func tool(_ sandbox: SandboxHosts, _ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"),
            arguments: arguments + AztecFleetSandbox.connectionArguments(sandbox, logs: sandbox.directory.appendingPathComponent("logs-health")),
            timeout: .seconds(300), environment: AztecFleetSandbox.toolEnvironment))
        return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
    }

    static func metrics(_ host: RemoteHost, port: Int) async -> String? {
        guard let url = URL(string: "http://\(host.address):\(port)/metrics"), let answer = try? await httpGet(url), answer.status == 200 else { return nil }
        return answer.body
    }

    static func changedSteps(_ json: String) throws -> [String: Int] {
        let report = try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        var changed: [String: Int] = [:]
        for host in report["hosts"]?.arrayValue ?? [] {
            if let name = host["host"]?.stringValue, let count = host["counts"]?["changed"]?.integerValue { changed[name] = Int(count) }
        }
        return changed
    }

    @Test func monitoringInstallsTheExporterAndCollectorForBothLayoutsIdempotentlyAndRemovesThem() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        let port = try LoopbackPort.free()
        let inventory = try Self.inventory(sandbox).path
        let arguments = ["monitoring", inventory] + Self.monitoringArguments(sandbox, port: port)
        let preview = try await Self.tool(sandbox, arguments + ["--check", "--json"])
        let previewChanged = try Self.changedSteps(preview.stdout)
        #expect(previewChanged.count == 2 && previewChanged.values.allSatisfy { $0 > 0 }, "\(preview.stdout)\n\(preview.stderr)")
        #expect(!AztecFleetSandbox.stateFiles(sandbox, 1).contains("pkg.prometheus-node-exporter"), "check mode installed nothing")
        let installed = try await Self.tool(sandbox, arguments)
        #expect(installed.status == 0, "\(installed.stderr)")
        for index in 1...2 {
            #expect(AztecFleetSandbox.calls(sandbox, index).contains { $0.contains("install --no-install-recommends prometheus-node-exporter") })
            let rules = try String(contentsOf: AztecFleetSandbox.stateFolder(sandbox, index).appendingPathComponent("ufw.rules"), encoding: .utf8)
            #expect(rules.contains("\(port)/tcp@\(Self.monitoringServer(sandbox))"), "only the monitoring server may reach the exporter: \(rules)")
        }
        // The real node_exporter answers on each host's namespace address with the collector's gauges.
        let original = try #require(await Self.metrics(sandbox.hosts[0], port: port))
        #expect(original.contains("aztec_node_layout_info{layout=\"original\"} 1") && original.contains("aztec_node_service_up 1"))
        #expect(original.contains("aztec_node_rpc_up 1") && original.contains("aztec_node_attesters 1") && original.contains("aztec_node_latest_block "))
        #expect(original.contains("aztec_node_data_disk_used_ratio "))
        let compose = try #require(await Self.metrics(sandbox.hosts[1], port: port))
        #expect(compose.contains("aztec_node_layout_info{layout=\"compose\"} 1") && compose.contains("aztec_node_service_restarts_total 2"))
        #expect(compose.contains("aztec_node_attesters 2") && compose.contains("aztec_node_ready 1"))
        #expect(!original.contains(String(Self.key.dropFirst(2))) && !compose.contains(String(Self.key.dropFirst(2))), "keys are counted, never shown")
        // A second run changes nothing.
        let again = try await Self.tool(sandbox, arguments + ["--json"])
        let againChanged = try Self.changedSteps(again.stdout)
        #expect(again.status == 0 && againChanged == ["node1": 0, "node2": 0], "\(again.stdout)")
        // The collector follows the node: its service stopped, the gauge says so.
        _ = try await transport.run(RemoteCommand("systemctl stop aztec-node.service"), on: sandbox.hosts[0])
        try await eventually(120, "aztec_node_service_up 0 on node1") { await Self.metrics(sandbox.hosts[0], port: port)?.contains("aztec_node_service_up 0") == true }
        // Removal takes everything away, and a second removal changes nothing.
        let removed = try await Self.tool(sandbox, arguments + ["--remove"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(await Self.metrics(sandbox.hosts[0], port: port) == nil, "node_exporter stopped")
        let left = try await transport.run(RemoteCommand("find systemd lib textfile -mindepth 1 2>/dev/null"), on: sandbox.hosts[0])
        #expect(left.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "left behind: \(left.standardOutput)")
        #expect(!AztecFleetSandbox.stateFiles(sandbox, 1).contains("pkg.prometheus-node-exporter"))
        let rules = (try? String(contentsOf: AztecFleetSandbox.stateFolder(sandbox, 1).appendingPathComponent("ufw.rules"), encoding: .utf8)) ?? ""
        #expect(!rules.contains("\(port)/tcp"))
        let removedAgain = try await Self.tool(sandbox, arguments + ["--remove", "--json"])
        let removedAgainChanged = try Self.changedSteps(removedAgain.stdout)
        #expect(removedAgain.status == 0 && removedAgainChanged == ["node1": 0, "node2": 0], "\(removedAgain.stdout)")
    }

    /// A program of this machine running until the task is cancelled.
    static func background(_ program: String, _ arguments: [String]) -> Task<ProcessOutput, any Error> {
        Task { try await ProcessRunner.run(ProcessRequest(executable: program, arguments: arguments, timeout: .seconds(900))) }
    }

    static func query(_ prometheus: Int, _ expression: String) async throws -> [JSONValue] {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        let answer = try await httpGet(try #require(URL(string: "http://127.0.0.1:\(prometheus)/api/v1/query?query=\(encoded)")))
        return try JSONDecoder().decode(JSONValue.self, from: Data(answer.body.utf8))["data"]?["result"]?.arrayValue ?? []
    }

    /// The sendMessage requests the Telegram stand-in received: path and body.
    static func telegramMessages(_ record: URL) -> [(path: String, body: String)] {
        let text = (try? String(contentsOf: record, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)),
                  let path = value["path"]?.stringValue, path.hasSuffix("/sendMessage") else { return nil }
            return (path, value["body"]?.stringValue ?? "")
        }
    }

    @Test func aStoppedNodePagesTelegramThroughARealPrometheusAndAlertmanagerAndItsRecoveryResolves() async throws {
        let sandbox = try currentSandbox()
        let transport = try await Self.prepare(sandbox)
        defer { Task { await transport.close() } }
        let exporterPort = try LoopbackPort.free()
        let inventory = try Self.inventory(sandbox).path
        let installed = try await Self.tool(sandbox, ["monitoring", inventory] + Self.monitoringArguments(sandbox, port: exporterPort))
        #expect(installed.status == 0, "\(installed.stderr)")

        let folder = sandbox.directory.appendingPathComponent("monitoring-server")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // The stand-in Telegram Bot API on loopback.
        let record = folder.appendingPathComponent("telegram.jsonl"), portFile = folder.appendingPathComponent("telegram.port")
        let telegram = Self.background("/usr/bin/python3", [Self.fixtures.appendingPathComponent("telegram_standin.py").path, "--record", record.path, "--port-file", portFile.path])
        defer { telegram.cancel() }
        try await eventually(60, "the Telegram stand-in listening") { FileManager.default.fileExists(atPath: portFile.path) }
        let telegramPort = try String(contentsOf: portFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let token = "4242:AAF-standin_token_\(UInt32.random(in: 0 ... .max))"
        let tokenFile = folder.appendingPathComponent("telegram.token")
        try AtomicFile.write(token + "\n", to: tokenFile, mode: 0o600)
        let alertmanagerPort = try LoopbackPort.free(), prometheusPort = try LoopbackPort.free()
        // The monitoring server's files, with short holds and intervals.
        let out = folder.appendingPathComponent("etc")
        let generated = try await Self.tool(sandbox, [
            "monitoring-config", inventory, "--out", out.path, "--telegram-token-file", tokenFile.path, "--telegram-chat", "-100777",
            "--telegram-api-url", "http://127.0.0.1:\(telegramPort)", "--exporter-port", String(exporterPort), "--butler", "",
            "--alertmanager", "127.0.0.1:\(alertmanagerPort)", "--scrape-interval", "1", "--evaluation-interval", "1", "--hold", "2",
            "--group-wait", "1", "--group-interval", "1"])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(!generated.stdout.contains(token) && !generated.stderr.contains(token))
        let amtool = try await ProcessRunner.run(ProcessRequest(executable: "/usr/bin/amtool", arguments: ["check-config", out.appendingPathComponent("alertmanager.yml").path], timeout: .seconds(60)))
        #expect(amtool.status == 0, "\(String(decoding: amtool.standardOutput + amtool.standardError, as: UTF8.self))")
        // A real Alertmanager and a real Prometheus over the generated files.
        let alertmanager = Self.background("/usr/bin/prometheus-alertmanager", [
            "--config.file=\(out.appendingPathComponent("alertmanager.yml").path)", "--storage.path=\(folder.appendingPathComponent("am-data").path)",
            "--web.listen-address=127.0.0.1:\(alertmanagerPort)", "--cluster.listen-address=", "--log.level=warn"])
        defer { alertmanager.cancel() }
        let prometheus = Self.background("/usr/bin/prometheus", [
            "--config.file=\(out.appendingPathComponent("prometheus.yml").path)", "--storage.tsdb.path=\(folder.appendingPathComponent("tsdb").path)",
            "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn"])
        defer { prometheus.cancel() }
        try await eventually(300, "Prometheus ready") {
            (try? await httpGet(try #require(URL(string: "http://127.0.0.1:\(prometheusPort)/-/ready"))))?.status == 200
        }
        try await eventually(300, "both nodes scraped through the file_sd targets, node1's service up") {
            let up = try await Self.query(prometheusPort, #"up{job="aztec-node"} == 1"#)
            let service = try await Self.query(prometheusPort, #"aztec_node_service_up{node="node1"} == 1"#)
            return up.count == 2 && service.count == 1
        }
        // Stop node1's service: the page reaches Telegram with the node's name.
        _ = try await transport.run(RemoteCommand("systemctl stop aztec-node.service"), on: sandbox.hosts[0])
        try await eventually(300, "the AztecNodeDown page for node1 at the Telegram stand-in") {
            Self.telegramMessages(record).contains { $0.body.contains("PAGE FIRING AztecNodeDown on node1: Aztec node on node1 is not running") }
        }
        let page = try #require(Self.telegramMessages(record).first { $0.body.contains("FIRING AztecNodeDown on node1") })
        #expect(page.path == "/bot\(token)/sendMessage", "the bot token from the file")
        #expect(page.body.contains("-100777"), "\(page.body)")
        #expect(!Self.telegramMessages(record).contains { $0.body.contains("AztecNodeDown on node2") }, "node2 still runs")
        // Start it again: the resolved message arrives.
        _ = try await transport.run(RemoteCommand("systemctl start aztec-node.service"), on: sandbox.hosts[0])
        try await eventually(300, "the AztecNodeDown resolved message for node1") {
            Self.telegramMessages(record).contains { $0.body.contains("RESOLVED AztecNodeDown on node1") }
        }
        // The token never reached a log of the tool.
        let logs = sandbox.directory.appendingPathComponent("logs-health")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: logs.path)) ?? [] {
            #expect(!(try String(contentsOf: logs.appendingPathComponent(name), encoding: .utf8)).contains(token), "\(name)")
        }
    }

    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/monitoring")
    }
}
