import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The node-health stage's settings, its step order and the collector script it ships.
@Suite(.tags(.unit)) struct NodeMonitoringSettingsTests {
    @Test func everyAddressAndNonAddressesAreRefusedAsListenAddresses() throws {
        for address in ["0.0.0.0", "::"] {
            let error = try #require(throws: MonitoringSettingError.self) {
                try NodeMonitoring(.install, settings: NodeMonitoringSettings(listenAddress: .fixed(address)))
            }
            #expect(error.setting == .exporterAddress && error.message.contains("never listens on every address"))
        }
        #expect(throws: MonitoringSettingError.self) { try NodeMonitoring(.install, settings: NodeMonitoringSettings(listenAddress: .fixed("node1.example"))) }
        #expect(throws: MonitoringSettingError.self) { try NodeMonitoring(.install, settings: NodeMonitoringSettings(monitoringServer: "0.0.0.0")) }
        #expect(throws: MonitoringSettingError.self) { try NodeMonitoring(.install, settings: NodeMonitoringSettings(textfileDirectory: "relative/dir")) }
        #expect(throws: MonitoringSettingError.self) { try NodeMonitoring(.install, settings: NodeMonitoringSettings(collectorPath: "/usr/local/lib/$(reboot).sh")) }
        _ = try NodeMonitoring(.install, settings: NodeMonitoringSettings(listenAddress: .fixed("127.0.0.1")))
    }

    @Test func theFirewallRuleAndListenAddressComeBeforeThePackageStartsTheExporter() throws {
        let steps = try NodeMonitoring(.install, settings: NodeMonitoringSettings(monitoringServer: "203.0.113.9")).playbook.steps.map(\.name)
        let package = try #require(steps.firstIndex(of: "node_exporter package"))
        #expect(try #require(steps.firstIndex(of: "firewall rule")) < package)
        #expect(try #require(steps.firstIndex(of: "node_exporter listen address")) < package)
        let withoutServer = try NodeMonitoring(.install, settings: NodeMonitoringSettings()).playbook.steps.map(\.name)
        #expect(!withoutServer.contains("firewall rule"), "no server, no rule: the access step then requires a private address")
        let removal = try NodeMonitoring(.remove, settings: NodeMonitoringSettings(monitoringServer: "203.0.113.9")).playbook.steps.map(\.name)
        #expect(removal == ["collector and drop-in removed", "firewall rule removed", "node_exporter removed"])
    }

    @Test func theCollectorPassesShellcheckAndWritesThroughATemporaryFile() async throws {
        let script = CollectorScript.text(NodeMonitoringSettings())
        #expect(script.contains("mktemp \"$OUT/.aztec_node.prom.XXXXXX\"") && script.contains("mv -f \"$tmp\" \"$OUT/aztec_node.prom\""))
        for gauge in CollectorScript.gauges { #expect(script.contains("# TYPE \(gauge.name) "), "\(gauge.name) has no TYPE line") }
        let shellcheck = "/usr/bin/shellcheck"
        #expect(FileManager.default.isExecutableFile(atPath: shellcheck), "shellcheck is missing: run scripts/setup.sh tests")
        let output = try await ProcessRunner.run(ProcessRequest(executable: shellcheck, arguments: ["-s", "sh", "-"], standardInput: Data(script.utf8), timeout: .seconds(60)))
        #expect(output.status == 0, "\(String(decoding: output.standardOutput, as: UTF8.self))")
    }
}
