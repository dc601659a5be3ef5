import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// The Gonka alert rules (ButlerKit's monitoring bundle) and the gauges they read (GonkaKit's
/// `status --prometheus` writer) live in two kits that cannot see each other: every metric
/// and label a rule reads must be one the writer writes, every gauge the writer writes is
/// read by a rule or listed here as shown only, and the promtool tests of the rules feed
/// only series the writer writes.
@Suite(.tags(.unit)) struct GonkaAlertMetricsTests {
    /// Gauges no rule reads, each with why.
    static let shownOnly: [String: String] = [
        "gonka_node_reachable": "part of gonka_node_up",
        "gonka_node_services_down": "part of gonka_node_up",
        "gonka_node_height": "compared with the network as gonka_node_blocks_behind",
        "gonka_node_network_height": "compared with the node as gonka_node_blocks_behind",
        "gonka_node_participant_registered": "registration happens once, in the deployment's phase 4",
        "gonka_node_in_current_epoch": "a new node is out of the epoch until its first proof of compute; shown for dashboards",
    ]
    /// Series Prometheus makes itself.
    static let prometheusOwn: Set<String> = ["up"]

    /// The writer's page for a node whose every reading is known.
    static var writtenPage: String {
        var status = NodeStatus(keyName: "node1", server: "ubuntu@10.0.0.1")
        status.reachable = true
        status.servicesDown = []
        status.height = 1000
        status.networkHeight = 1002
        status.catchingUp = false
        status.stateSyncChunk = 3
        status.participantRegistered = true
        status.inCurrentEpoch = true
        status.jailed = false
        status.missedBlocks = 3
        status.mlNodeHealthy = true
        status.mlNodeStatus = "INFERENCE"
        status.gpusSeen = 8
        status.diskFreeMiB = 250
        status.diskTotalMiB = 1000
        return NodeStatusMetrics.text(NodeStatusReport(nodes: [status]), now: Date(timeIntervalSince1970: 1_765_000_000))
    }

    /// Every match of `pattern`'s first group in `text`.
    static func matches(_ pattern: String, in text: String) throws -> [String] {
        let expression = try NSRegularExpression(pattern: pattern)
        return expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    @Test func everyMetricARuleReadsIsWrittenAndEveryGaugeIsReadOrShownOnly() throws {
        let page = Self.writtenPage
        let written = Set(try Self.matches(#"(?m)^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) gauge$"#, in: page))
        #expect(written.count >= 10, "\(page)")
        var read: Set<String> = []
        for rule in GonkaNodeAlertRules.rules() {
            let names = Set(try Self.matches(#"([a-zA-Z_:][a-zA-Z0-9_:]*)\{"#, in: rule.expression))
            #expect(!names.isEmpty, "\(rule.name) reads no metric: \(rule.expression)")
            for name in names.subtracting(Self.prometheusOwn) {
                #expect(written.contains(name), "\(rule.name) reads \(name), which gonka-deploy status --prometheus does not write")
            }
            // Each metric is read from the status job only.
            let selectors = try Self.matches(#"[a-zA-Z0-9_:](\{[^}]*\})"#, in: rule.expression)
            #expect(selectors.allSatisfy { $0 == "{job=\"\(GonkaNodeAlertRules.job)\"}" }, "\(rule.name): \(rule.expression)")
            read.formUnion(names)
        }
        for gauge in written.subtracting(read) {
            #expect(Self.shownOnly[gauge] != nil, "\(gauge) is written but no Gonka rule reads it: add a rule or list it as shown only")
        }
        for name in Self.shownOnly.keys {
            #expect(written.contains(name) && !read.contains(name), "\(name) is listed as shown only but is not written or is read by a rule")
        }
    }

    @Test func everyLabelARuleUsesIsWritten() throws {
        let page = Self.writtenPage
        let sampleLabels = Set(try Self.matches(#"(?m)^gonka_[a-z_]+\{([a-z_]+)="#, in: page))
        #expect(sampleLabels == ["node"], "\(page)")
        // job and instance come from the scrape; every other label a rule names is the writer's.
        let scrape: Set<String> = ["job", "instance"]
        for rule in GonkaNodeAlertRules.rules() {
            let joined = try Self.matches(#"on\(([^)]*)\)"#, in: rule.expression)
                .flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            let templated = try Self.matches(#"\$labels\.([a-zA-Z_]+)"#, in: rule.summary + " " + rule.description)
            for label in Set(joined + templated).subtracting(scrape) {
                #expect(sampleLabels.contains(label), "\(rule.name) uses the label \(label), which the gauges do not carry")
            }
        }
    }

    @Test func thePromtoolTestsOfTheRulesFeedOnlyWrittenSeries() throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ButlerKitTests/Fixtures/monitoring/gonka-nodes.test.yml")
        let tests = try String(contentsOf: fixture, encoding: .utf8)
        let fed = Set(try Self.matches(#"series: '([a-zA-Z_:][a-zA-Z0-9_:]*)\{"#, in: tests))
        #expect(!fed.isEmpty)
        let written = Set(try Self.matches(#"(?m)^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) gauge$"#, in: Self.writtenPage))
        for name in fed.subtracting(Self.prometheusOwn) {
            #expect(written.contains(name), "the promtool tests feed \(name), which gonka-deploy status --prometheus does not write")
        }
    }
}
