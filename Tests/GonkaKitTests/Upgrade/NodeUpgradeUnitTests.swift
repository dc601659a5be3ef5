import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
@testable import GonkaKit
import Testing

/// The upgrade's pieces on their own: config.env changes by name with secrets masked, the
/// ML node changes the admin API gets, tag names, the tag's commit from `git ls-remote`, and
/// the health gate's judgement of a restarted node.
@Suite(.tags(.unit)) struct NodeUpgradeUnitTests {
    @Test func configEnvChangesComeByNameWithSecretsMasked() {
        let current = "export KEY_NAME=node-a\nexport HF_HOME=/mnt/ssd/hf\nexport KEYRING_PASSWORD=old-secret\nexport OLD_SETTING='x y'\n"
        let rendered = "export KEY_NAME=node-a\nexport HF_HOME=/mnt/ssd/models\nexport KEYRING_PASSWORD=new-secret\nexport NEW_URL=http://a/new-secret\n"
        let changes = ConfigEnvChange.changes(from: current, to: rendered, secrets: ["new-secret"])
        #expect(changes.map(\.line) == ["HF_HOME: /mnt/ssd/hf → /mnt/ssd/models", "KEYRING_PASSWORD: ******** → ********",
                                        "NEW_URL: added ********", "OLD_SETTING: removed (was 'x y')"])
        #expect(ConfigEnvChange.changes(from: rendered, to: rendered, secrets: []).isEmpty)
        #expect(ConfigEnvChange.changes(from: nil, to: "export A=1\n", secrets: []).map(\.kind) == [.added])
    }

    static let nodeConfig = """
        [
          {"id": "node1", "host": "inference", "inference_port": 5000, "poc_port": 8080, "max_concurrent": 500,
           "models": {"Qwen/Qwen3-32B-FP8": {"args": []}}}
        ]
        """

    @Test func mlNodeChangesSendOnlyWhatDiffers() throws {
        let same = #"[{"node": {"id": "node1", "host": "inference", "inference_port": 5000, "poc_port": 8080, "max_concurrent": 500, "models": {"Qwen/Qwen3-32B-FP8": {}}}, "state": {"current_status": "INFERENCE"}}]"#
        #expect(MLNodeChange.changes(adminNodes: same, nodeConfigJSON: Self.nodeConfig) == [], "absent args read as none")
        let drifted = same.replacingOccurrences(of: "\"max_concurrent\": 500", with: "\"max_concurrent\": 250")
        let update = try #require(MLNodeChange.changes(adminNodes: drifted, nodeConfigJSON: Self.nodeConfig)?.first)
        #expect(update.action == .update && update.fields == ["max_concurrent: 250 → 500"])
        #expect(update.request.method == "PUT" && update.request.path == "/admin/v1/nodes/node1" && update.body["max_concurrent"] == 500)
        let other = #"[{"id": "node7", "host": "10.0.0.7"}]"#
        let add = try #require(MLNodeChange.changes(adminNodes: other, nodeConfigJSON: Self.nodeConfig))
        #expect(add.map(\.action) == [.add] && add[0].request.method == "POST" && add[0].request.path == "/admin/v1/nodes", "node7 is left alone")
        #expect(MLNodeChange.changes(adminNodes: "{}", nodeConfigJSON: Self.nodeConfig) == nil)
    }

    @Test func tagNamesAndTheTagsCommit() throws {
        for good in ["v0.2.6", "release/v1.0.0-rc1", "v1+build"] { #expect(ReleaseTag(good) != nil, "\(good)") }
        for bad in ["", "-v1", "v1 2", "v1;rm", "v..1", "v1/", "v1.lock", "$(x)"] { #expect(ReleaseTag(bad) == nil, "\(bad)") }
        let tag = try #require(ReleaseTag("v0.2.6"))
        let annotated = ["1111111111111111111111111111111111111111\trefs/tags/v0.2.6", "2222222222222222222222222222222222222222\trefs/tags/v0.2.6^{}"]
        #expect(NodeUpgradeProbe.tagCommit(annotated, tag: tag) == "2222222222222222222222222222222222222222")
        #expect(NodeUpgradeProbe.tagCommit(Array(annotated.prefix(1)), tag: tag) == "1111111111111111111111111111111111111111")
        #expect(NodeUpgradeProbe.tagCommit(["fatal: could not read from remote repository"], tag: tag) == nil)
    }

    /// Answers the seed node's signing record from a list, one answer per request.
    final class SigningRecords: HTTPTransport {
        let answers: Locked<[HTTPResponse]>
        init(_ answers: [HTTPResponse]) { self.answers = Locked(answers) }
        func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse { HTTPResponse(status: 405, body: Data()) }
        func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse {
            answers.withLock { $0.count > 1 ? $0.removeFirst() : $0.first ?? HTTPResponse(status: 500, body: Data()) }
        }
    }

    static func record(missed: Int, jailedUntil: String = "1970-01-01T00:00:00Z") -> HTTPResponse {
        HTTPResponse(status: 200, body: Data(#"{"val_signing_info": {"missed_blocks_counter": "\#(missed)", "jailed_until": "\#(jailedUntil)"}}"#.utf8))
    }

    /// A watch whose node answers `/status` with `statuses` in turn (height, catching up), the seed node with `records`.
    func watch(_ statuses: [(Int, Bool)], records: [HTTPResponse]) throws -> UpgradeHealthWatch {
        let answers = Locked(statuses)
        let transport = ScriptedTransport { _, _ in
            let (height, catchingUp) = answers.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
            return .exit(0, #"{"result": {"sync_info": {"latest_block_height": "\#(height)", "catching_up": \#(catchingUp)}, "validator_info": {"address": "4F2C0E5A7B1D9E3C6A8F0B2D4E6C8A0B1C3D5E7F"}}}"#)
        }
        let config = try NodeConfig.parse(GonkaFixtures.nodeFile(), file: "nodes/a.conf", environment: [:])
        let settings = NodeRunSettings(nodeFile: URL(fileURLWithPath: "/tmp/nodes/a.conf"), nodeFileName: "nodes/a.conf", environment: [:],
                                       workingDirectory: URL(fileURLWithPath: "/tmp"), logFolder: URL(fileURLWithPath: "/tmp/logs"),
                                       knownHostsFile: URL(fileURLWithPath: "/tmp/known_hosts"), console: .silent, transport: transport)
        let context = HostContext(host: RemoteHost(name: "node-a", address: "10.0.0.1"), transport: transport, runLog: RunLog(sinks: []))
        let plan = NodeUpgradePlan(keyName: "node-a", server: "ubuntu@10.0.0.1", toTag: "v0.2.6", toCommit: String(repeating: "b", count: 40),
                                   configEnv: [], composeEnvChanges: false, nodeConfigFileChanges: false, mlNodes: [])
        let target = NodeUpgradeTarget(settings: settings, config: config, context: context,
                                       seedAPI: SeedAPI(baseURL: "http://seed", client: SigningRecords(records)), plan: plan)
        return UpgradeHealthWatch(target: target, clock: SystemClock())
    }

    func verdicts(_ watch: UpgradeHealthWatch, looks: Int) async -> [HealthVerdict] {
        var watch = watch
        var seen: [HealthVerdict] = []
        for _ in 0..<looks { seen.append(await watch.look()) }
        return seen
    }

    @Test func theGatePassesOnceTheHeightAdvancesNotCatchingUpAndSigning() async throws {
        let seen = await verdicts(try watch([(100, true), (101, false), (103, false)], records: [Self.record(missed: 4)]), looks: 3)
        #expect(seen[0] == .waiting("the node is catching up (height 100)"))
        #expect(seen[1] == .waiting("at height 101, not catching up; waiting for the height to advance"))
        #expect(seen[2] == .healthy("height 101 → 103, not catching up; not jailed, 4 missed blocks, not rising"))
    }

    @Test func theGateWaitsWhileTheHeightStandsMissedBlocksRiseOrTheValidatorIsJailed() async throws {
        let standing = await verdicts(try watch([(100, false)], records: [Self.record(missed: 0)]), looks: 3)
        #expect(standing.last == .waiting("the height stays at 100"))
        let missing = await verdicts(try watch([(100, false), (101, false), (102, false), (103, false)],
                                               records: [Self.record(missed: 1), Self.record(missed: 5), Self.record(missed: 5)]), looks: 3)
        #expect(missing[1] == .waiting("missed blocks rose from 1 to 5; watching whether the validator signs again"))
        #expect(missing[2] == .healthy("height 101 → 102, not catching up; not jailed, 5 missed blocks, not rising"))
        let jailed = await verdicts(try watch([(100, false), (101, false)], records: [Self.record(missed: 60, jailedUntil: "2999-01-01T00:00:00Z")]), looks: 2)
        #expect(jailed.allSatisfy { $0 == .waiting("the validator is jailed (60 missed blocks)") })
        let consensus = try consensusAddress()
        let unread = await verdicts(try watch([(100, false), (101, false)], records: [HTTPResponse(status: 500, body: Data())]), looks: 2)
        #expect(unread.last == .waiting("the validator's signing record cannot be read: the seed node's signing record of \(consensus) answered 500"))
        let notAValidator = await verdicts(try watch([(100, false), (101, false)], records: [HTTPResponse(status: 404, body: Data())]), looks: 2)
        #expect(notAValidator.last == .healthy("height 100 → 101, not catching up; no signing record (not a validator)"))
    }

    func consensusAddress() throws -> String {
        try Bech32.encode(prefix: "gonkavalcons", data: try #require(Hex.decode("4F2C0E5A7B1D9E3C6A8F0B2D4E6C8A0B1C3D5E7F")))
    }
}
