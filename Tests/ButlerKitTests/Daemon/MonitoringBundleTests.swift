import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// Examples/monitoring: promtool's checks and unit tests of the alert rules, and a real
/// Prometheus scraping a running `aztec-butler serve` with every dashboard query answered.
@Suite(.serialized, .tags(.evm), .requires(.evm)) struct MonitoringBundleTests {
    static let bundle = EVMPaths.repositoryRoot.appendingPathComponent("Examples/monitoring")

    @Test func promtoolChecksTheConfigTheRulesAndTheirTests() async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: [Self.bundle.appendingPathComponent("check.sh").path],
                                                                timeout: .seconds(120), environment: ["PATH": "/usr/bin:/bin"]))
        let said = String(decoding: output.standardOutput + output.standardError, as: UTF8.self)
        #expect(output.status == 0, "\(said)")
        #expect(said.contains("promtool test rules alerts.test.yml") && said.contains("SUCCESS"))
    }

    /// The expressions of every dashboard panel, with `$network` filled in.
    static func dashboardQueries(network: String) throws -> [String] {
        let data = try Data(contentsOf: bundle.appendingPathComponent("grafana-dashboard.json"))
        let dashboard = try JSONDecoder().decode(JSONValue.self, from: data)
        let panels = try #require(dashboard["panels"]?.arrayValue)
        return panels.flatMap { panel in
            (panel["targets"]?.arrayValue ?? []).compactMap { $0["expr"]?.stringValue?.replacingOccurrences(of: "$network", with: network) }
        }
    }

    static func query(_ prometheus: Int, _ expression: String) async throws -> JSONValue {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        let url = try #require(URL(string: "http://127.0.0.1:\(prometheus)/api/v1/query?query=\(encoded)"))
        let answer = try await httpGet(url)
        return try JSONDecoder().decode(JSONValue.self, from: Data(answer.body.utf8))
    }

    @Test func aRealPrometheusScrapesTheDaemonAndEveryDashboardQueryHasData() async throws {
        try await DaemonFixture.with { fixture in
            let x = testAddress(0xEF, 1), y = testAddress(0xEF, 2), publisher = testAddress(0xB0, 7)
            try fixture.writeKeys([(x, nil), (y, testAddress(0x5C, 2))], publisher: publisher)
            try fixture.writeValidatorStats([(x, missedAttestations: 1, lastAttestationSlot: 50)])
            try await fixture.sendEther(to: publisher, wei: 10_000_000_000_000_000)
            try await fixture.transact("StakingRegistry", "addAttestersToProvider", [1, [.string(y.lowercaseHex)]])
            try await fixture.transact("Rollup", "enqueue", [[.string(testAddress(0xEE, 1).lowercaseHex), .string(x.lowercaseHex)],
                                                             [.string(testAddress(0xDD, 1).lowercaseHex), .string(testAddress(0xDD, 2).lowercaseHex)]])
            let port = try LoopbackPort.free()
            let token = "prometheus-\(UUID().uuidString)"
            let serving = try fixture.serve(port: port, token: token, interval: "0.5")
            // Prometheus with the bundle's rules, scraping every second with the token from a file.
            let tokenFile = fixture.folder.appendingPathComponent("token")
            try AtomicFile.write(token, to: tokenFile, mode: 0o600)
            let prometheusPort = try LoopbackPort.free()
            let config = """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files:
                  - \(Self.bundle.appendingPathComponent("alerts.yml").path)
                scrape_configs:
                  - job_name: aztec-butler
                    authorization:
                      type: Bearer
                      credentials_file: \(tokenFile.path)
                    static_configs:
                      - targets: ["127.0.0.1:\(port)"]
                """
            let configFile = fixture.folder.appendingPathComponent("prometheus.yml")
            try config.write(to: configFile, atomically: true, encoding: .utf8)
            let storage = fixture.folder.appendingPathComponent("tsdb")
            let prometheus = Task {
                try await ProcessRunner.run(ProcessRequest(
                    executable: "/usr/bin/prometheus",
                    arguments: ["--config.file=\(configFile.path)", "--storage.tsdb.path=\(storage.path)",
                                "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn"],
                    timeout: .seconds(600)))
            }
            defer {
                prometheus.cancel()
                serving.cancel()
            }
            try await eventually(300, "Prometheus ready") {
                (try? await httpGet(try #require(URL(string: "http://127.0.0.1:\(prometheusPort)/-/ready"))))?.status == 200
            }
            try await eventually(300, "the daemon scraped and up") {
                let answer = try await Self.query(prometheusPort, #"up{job="aztec-butler"}"#)
                return answer["data"]?["result"]?.arrayValue?.first?["value"]?.arrayValue?.last == .string("1")
            }
            try await eventually(300, "the entry queue in Prometheus") {
                let answer = try await Self.query(prometheusPort, #"aztec_butler_entry_queue_length{network="testnet"}"#)
                return answer["data"]?["result"]?.arrayValue?.first?["value"]?.arrayValue?.last == .string("2")
            }
            try await Task.sleep(for: .seconds(3))  // a few more scrapes, for delta() and increase()
            let queries = try Self.dashboardQueries(network: "testnet")
            #expect(queries.count >= 10)
            for expression in queries {
                let answer = try await Self.query(prometheusPort, expression)
                #expect(answer["status"] == .string("success"), "\(expression): \(answer)")
                let rows: [JSONValue] = answer["data"]?["result"]?.arrayValue ?? []
                #expect(!rows.isEmpty, "no data for \(expression)")
            }
            // The queued attester without a coinbase arrives within a day: its alert is pending (for: 5m).
            try await eventually(300, "the missing-coinbase alert pending") {
                let answer = try await httpGet(try #require(URL(string: "http://127.0.0.1:\(prometheusPort)/api/v1/alerts")))
                return answer.body.contains("AztecAttesterNearQueueFrontWithoutCoinbase") && answer.body.contains(x.checksummed)
            }
            let rules = try await httpGet(try #require(URL(string: "http://127.0.0.1:\(prometheusPort)/api/v1/rules")))
            #expect(!rules.body.contains(#""health":"err""#), "a rule failed to evaluate: \(rules.body)")
        }
    }
}
