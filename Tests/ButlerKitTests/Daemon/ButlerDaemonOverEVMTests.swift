import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// The daemon against a private EVM the test changes while it runs (the Vyper stand-ins of
/// the Rollup and StakingRegistry), and a stand-in Aztec node answering the sentinel's stats.
@Suite(.serialized, .tags(.evm), .requires(.evm)) struct ButlerDaemonOverEVMTests {
    static let x = testAddress(0xEF, 1)  // the attester whose life is followed; no coinbase
    static let y = testAddress(0xEF, 2)  // a second attester with a coinbase
    static let publisher = testAddress(0xB0, 7)
    static let ether: UInt64 = 1_000_000_000_000_000_000

    /// Lines a daemon logged, collected for the test.
    final class LogLines: Sendable {
        private let lines = Locked<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    /// Runs the daemon in this process; `body` gets the daemon and the latest page.
    func withDaemon(_ fixture: DaemonFixture, options: ButlerDaemonOptions? = nil, log: LogLines = LogLines(),
                    _ body: (ButlerDaemon, @Sendable () -> String) async throws -> Void) async throws {
        let page = Locked("")
        let daemon = ButlerDaemon(configuration: try fixture.configuration(), options: try options ?? fixture.daemonOptions(),
                                  log: { log.append($0) }, publish: { snapshot in page.withLock { $0 = snapshot.metrics } })
        let running = Task { await daemon.run() }
        do {
            try await body(daemon, { page.withLock { $0 } })
        } catch {
            running.cancel()
            await running.value
            throw error
        }
        running.cancel()
        await running.value
    }

    static func states(_ page: String) -> [String: Double] {
        var result: [String: Double] = [:]
        for state in AttesterState.allCases {
            result[state.rawValue] = metric(page, #"aztec_butler_nbrof_attesters_in_state{network="testnet",attester_state="\#(state.rawValue)"}"#)
        }
        return result
    }

    @Test func oneAttestersWholeLifeThroughTheServedMetrics() async throws {
        try await DaemonFixture.with { fixture in
            try fixture.writeKeys([(Self.x, nil), (Self.y, testAddress(0x5C, 2))], publisher: Self.publisher)
            try fixture.writeValidatorStats([(Self.x, missedAttestations: 2, lastAttestationSlot: 77)])
            try await fixture.sendEther(to: Self.publisher, wei: Self.ether / 20)
            let port = try LoopbackPort.free()
            let token = "t0ken-\(UUID().uuidString)"
            let serving = try fixture.serve(port: port, token: token, interval: "0.3")
            let url = try #require(URL(string: "http://127.0.0.1:\(port)/metrics"))
            let authorized = ["Authorization": "Bearer \(token)"]
            func page() async -> String {
                (try? await httpGet(url, headers: authorized)).map { $0.status == 200 ? $0.body : "" } ?? ""
            }
            func waitFor(_ what: String, _ condition: @escaping ([String: Double], String) -> Bool) async throws {
                try await eventually(300, what) {
                    let text = await page()
                    return condition(Self.states(text), text)
                }
            }
            do {
                try await waitFor("both attesters evaluated as NEW") { states, text in
                    states["NEW"] == 2 && metric(text, #"aztec_butler_attester_states_last_updated_timestamp{network="testnet"}"#) != nil
                }
                // The token guards /metrics; /healthz answers without it.
                let refused = try await httpGet(url)
                #expect(refused.status == 401)
                #expect(refused.headers["www-authenticate"] == #"Bearer realm="Metrics""#)
                #expect(try await httpGet(url, headers: ["Authorization": "Bearer wrong"]).status == 401)
                let health = try await httpGet(try #require(URL(string: "http://127.0.0.1:\(port)/healthz")))
                #expect(health.status == 200 && health.body.hasPrefix("ok testnet"))

                try await fixture.transact("StakingRegistry", "addAttestersToProvider", [1, .array([.string(Self.x.lowercaseHex)])])
                try await waitFor("x in the provider queue") { states, text in
                    states["IN_STAKING_PROVIDER_QUEUE"] == 1
                        && metric(text, #"aztec_butler_staking_provider_queue_length{network="testnet",staking_provider_id="1"}"#) == 1
                }
                try await fixture.transact("StakingRegistry", "dripQueue", [1, 1])
                try await fixture.transact("Rollup", "enqueue", [.array([.string(testAddress(0xEE, 1).lowercaseHex), .string(Self.x.lowercaseHex)]),
                                                                 .array([.string(testAddress(0xDD, 1).lowercaseHex), .string(testAddress(0xDD, 2).lowercaseHex)])])
                try await waitFor("x in the entry queue, named as the next missing coinbase") { states, text in
                    states["ROLLUP_ENTRY_QUEUE"] == 1 && text.contains(#"aztec_butler_entry_queue_provider_next_missing_coinbase_timestamp{network="testnet",staking_provider_id="1",attester_address="\#(Self.x.checksummed)"}"#)
                }
                let withQueue = await page()
                #expect(metric(withQueue, #"aztec_butler_entry_queue_length{network="testnet"}"#) == 2)
                #expect(metric(withQueue, #"aztec_butler_entry_queue_provider_count{network="testnet"}"#) == 1)
                #expect(metric(withQueue, #"aztec_butler_attesters_missing_coinbase{network="testnet",attester_address="\#(Self.x.checksummed)"}"#) == 1)
                let publisherLabels = #"{network="testnet",publisher_address="\#(Self.publisher.checksummed)",server="eu-1"}"#
                #expect(metric(withQueue, "aztec_butler_publisher_eth_balance" + publisherLabels) == 0.05)
                #expect(metric(withQueue, "aztec_butler_publisher_required_eth" + publisherLabels) == 0.2)
                #expect(metric(withQueue, "aztec_butler_publisher_load" + publisherLabels) == 2)
                #expect(metric(withQueue, #"aztec_butler_attester_missed_attestations{network="testnet",attester_address="\#(Self.x.checksummed)"}"#) == 2)
                #expect(metric(withQueue, #"aztec_butler_attester_last_attestation_slot{network="testnet",attester_address="\#(Self.x.checksummed)"}"#) == 77)
                try await checkWithPromtool(withQueue)

                // Flushed into the validator set, then exiting.
                try await fixture.transact("Rollup", "dequeue", [2])
                try await fixture.transact("Rollup", "setAttesterStatuses", [.array([.string(Self.x.lowercaseHex)]), .array([1]), .array([.string("200000000000000000000000")])])
                try await waitFor("x active") { states, _ in states["ACTIVE"] == 1 && states["ROLLUP_ENTRY_QUEUE"] == 0 }
                try await fixture.transact("Rollup", "setAttesterStatuses", [.array([.string(Self.x.lowercaseHex)]), .array([3]), .array([.string("200000000000000000000000")])])
                try await waitFor("x no longer active") { states, text in
                    states["NO_LONGER_ACTIVE"] == 1 && text.contains(#"aztec_butler_attester_left_active_timestamp{network="testnet",attester_address="\#(Self.x.checksummed)"}"#)
                }
            } catch {
                serving.cancel()
                _ = try? await serving.value
                throw error
            }
            // SIGTERM: a clean stop with the states saved.
            serving.cancel()
            let output = try await serving.value
            let log = String(decoding: output.standardError, as: UTF8.self)
            #expect(output.status == 0, "\(log)")
            #expect(log.contains("stopped; attester states saved"))
            let transitions = [
                "(first seen) → NEW", "NEW → IN_STAKING_PROVIDER_QUEUE", "IN_STAKING_PROVIDER_QUEUE → ROLLUP_ENTRY_QUEUE",
                "ROLLUP_ENTRY_QUEUE → ACTIVE", "ACTIVE → NO_LONGER_ACTIVE",
            ]
            for transition in transitions {
                let lines = log.split(separator: "\n").filter { $0.contains("attester \(Self.x.checksummed) \(transition)") }
                #expect(lines.count == 1, "\(transition) logged \(lines.count) times:\n\(log)")
            }
            #expect(!log.contains(token), "the token never reaches the log")
            let saved = try AttesterStateBook.read(from: AttesterStateBook.url(dataDirectory: fixture.folder, network: "testnet"))
            #expect(saved.state(of: Self.x) == .noLongerActive)
            #expect(saved.state(of: Self.y) == .new)
        }
    }

    func checkWithPromtool(_ page: String) async throws {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/usr/bin/promtool", arguments: ["check", "metrics"],
                                                                standardInput: Data(page.utf8), timeout: .seconds(60)))
        // 3 is lint advice only (about the original's two names ending in _count); 1 would be a page Prometheus cannot read.
        #expect(output.status == 0 || output.status == 3, "\(String(decoding: output.standardError + output.standardOutput, as: UTF8.self))")
    }

    @Test func anRPCOutageNeverStopsTheDaemonAndItRecoversAlone() async throws {
        try await DaemonFixture.with { fixture in
            try fixture.writeKeys([(Self.x, nil)], publisher: Self.publisher)
            try await fixture.transact("Rollup", "enqueue", [.array([.string(Self.x.lowercaseHex)]), .array([.string(testAddress(0xDD, 1).lowercaseHex)])])
            let log = LogLines()
            try await withDaemon(fixture, log: log) { _, page in
                let errors = #"aztec_butler_scrape_errors_total{network="testnet",scraper="attester_views"}"#
                let lastSuccess = #"aztec_butler_scrape_last_success_timestamp{network="testnet",scraper="attester_views"}"#
                try await eventually(300, "x in the entry queue") { Self.states(page())["ROLLUP_ENTRY_QUEUE"] == 1 }
                fixture.evm.control("down")
                try await eventually(300, "errors counted during the outage") { (metric(page(), errors) ?? 0) >= 3 }
                // The last values stay while the source is down.
                #expect(Self.states(page())["ROLLUP_ENTRY_QUEUE"] == 1)
                #expect(metric(page(), #"aztec_butler_entry_queue_length{network="testnet"}"#) == 1)
                let during = metric(page(), lastSuccess) ?? 0
                try await Task.sleep(for: .seconds(1.2))
                #expect(metric(page(), lastSuccess) == during, "no success while the node is down")
                fixture.evm.control("up")
                try await eventually(300, "a success after the outage") { (metric(page(), lastSuccess) ?? 0) > during }
                #expect(log.all.contains { $0.hasPrefix("attester_views: ") && $0.contains("keeping the last values") })
                #expect(log.all.contains { $0.hasPrefix("attester_views: recovered after ") })
                let failingLines = log.all.filter { $0.hasPrefix("attester_views: ") && $0.contains("keeping the last values") }
                #expect(failingLines.count == 1, "an outage is logged once, not once per failed run: \(failingLines)")
            }
        }
    }

    @Test func aKeysFileReplacedWhileServing() async throws {
        try await DaemonFixture.with { fixture in
            try fixture.writeKeys([(Self.x, nil)], publisher: Self.publisher)
            let log = LogLines()
            try await withDaemon(fixture, log: log) { _, page in
                try await eventually(300, "one attester") { Self.states(page())["NEW"] == 1 }
                try fixture.writeKeys([(Self.x, testAddress(0x5C, 1)), (Self.y, nil)], publisher: Self.publisher, version: 2)
                try await eventually(300, "the new version read") {
                    let text = page()
                    return Self.states(text)["NEW"] == 2
                        && metric(text, #"aztec_butler_attesters_missing_coinbase{network="testnet",attester_address="\#(Self.x.checksummed)"}"#) == nil
                        && metric(text, #"aztec_butler_attesters_missing_coinbase{network="testnet",attester_address="\#(Self.y.checksummed)"}"#) == 1
                }
                // A broken v3: reported once, v2 stays in use.
                try #"{"schemaVersion": 1, "validators": [{"attester": {"eth": "0x12"}}]}"#
                    .write(to: fixture.folder.appendingPathComponent("testnet-keys-eu-1-v3.json"), atomically: true, encoding: .utf8)
                try await eventually(300, "the bad file counted") { metric(page(), #"aztec_butler_keys_files_invalid{network="testnet"}"#) == 1 }
                #expect(Self.states(page())["NEW"] == 2)
                let reports = log.all.filter { $0.contains("testnet-keys-eu-1-v3.json") }
                #expect(reports.count == 1 && reports.first?.contains("keeping testnet-keys-eu-1-v2.json of server eu-1") == true, "\(log.all)")
            }
        }
    }

    @Test func manyAttestersSeenFirstAreOneLine() async throws {
        try await DaemonFixture.with { fixture in
            try fixture.writeKeys((1...12).map { (testAddress(0xE0, $0), nil) }, publisher: Self.publisher)
            let log = LogLines()
            try await withDaemon(fixture, log: log) { _, page in
                try await eventually(300, "twelve attesters evaluated") {
                    metric(page(), #"aztec_butler_attester_states_last_updated_timestamp{network="testnet"}"#) != nil
                }
            }
            #expect(log.all.contains("first seen: 12 attesters: 12 NEW"), "\(log.all)")
            #expect(!log.all.contains { $0.contains("(first seen)") })
        }
    }

    @Test func statesSurviveARestart() async throws {
        try await DaemonFixture.with { fixture in
            try fixture.writeKeys([(Self.x, nil)], publisher: Self.publisher)
            try await fixture.transact("Rollup", "setAttesterStatuses", [.array([.string(Self.x.lowercaseHex)]), .array([1]), .array([.string("1000")])])
            try await withDaemon(fixture) { _, page in
                try await eventually(300, "x active") { Self.states(page())["ACTIVE"] == 1 }
            }
            let stateFile = AttesterStateBook.url(dataDirectory: fixture.folder, network: "testnet")
            #expect(try AttesterStateBook.read(from: stateFile).state(of: Self.x) == .active)
            // Withdrawn while the daemon was down: status NONE, in no queue. Only a daemon that
            // remembers x was ACTIVE can tell it left; a fresh one would call it NEW.
            try await fixture.transact("Rollup", "setAttesterStatuses", [.array([.string(Self.x.lowercaseHex)]), .array([0]), .array([.string("1")])])
            let log = LogLines()
            try await withDaemon(fixture, log: log) { _, page in
                try await eventually(300, "x no longer active after the restart") { Self.states(page())["NO_LONGER_ACTIVE"] == 1 }
            }
            #expect(log.all.contains { $0.hasPrefix("restored 1 attester state from ") })
            #expect(log.all.contains("attester \(Self.x.checksummed) ACTIVE → NO_LONGER_ACTIVE: it was active and is now in no queue with status NONE"))
            // A damaged state file is moved aside, never lost, and the daemon starts empty.
            try "{ damaged".write(to: stateFile, atomically: true, encoding: .utf8)
            let second = LogLines()
            try await withDaemon(fixture, log: second) { _, page in
                try await eventually(300, "x seen again") { Self.states(page())["NEW"] == 1 }
            }
            let aside = try FileManager.default.contentsOfDirectory(atPath: fixture.folder.path).filter { $0.hasPrefix("testnet-attester-state.unreadable-") }
            #expect(aside.count == 1)
            #expect(second.all.contains { $0.contains("moved it to testnet-attester-state.unreadable-") })
        }
    }
}
