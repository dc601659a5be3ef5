import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `gonka-deploy upgrade` on three deployed sandbox nodes: one node at a time behind the
/// health gate, one config.env setting changed, the ML node settings through the admin API,
/// `--check` changing nothing, an unknown tag refused before any restart, and a node failing
/// its gate stopping the rollout with the third node untouched.
extension GonkaDeployFleetTests {
    /// The origin's tags, the same on every host.
    static let remoteTags = "v0.2.5 a25a25a25a25a25a25a25a25a25a25a25a25a25a\nv0.2.6 b26b26b26b26b26b26b26b26b26b26b26b26b26b\n"

    /// Deploys node-a, node-b and node-c, gives every host the origin's tags, and returns the work folder.
    func deployThreeNodes(_ sandbox: SandboxHosts) async throws -> URL {
        for host in 1...3 { try await GonkaDeploySandbox.prepare(sandbox, host: host, filesystem: "ext4") }
        let folder = try workFolder(sandbox)
        let deploy = try await GonkaDeploySandbox.run(sandbox, ["nodes", "--yes"], in: folder)
        #expect(deploy.status == 0, "\(deploy.console)")
        for host in 1...3 { try state(sandbox, host, "remote-tags", Self.remoteTags) }
        return folder
    }

    func state(_ sandbox: SandboxHosts, _ host: Int, _ name: String, _ text: String) throws {
        let url = GonkaDeploySandbox.stateFolder(sandbox, host: host).appendingPathComponent(name)
        try text.write(to: url, atomically: false, encoding: .utf8)
        try SandboxHosts.giveToLoginUser(url)
    }

    /// The gate's looks and the hosts' pulls and starts, in the order they happened: `h1 status 2000101`, `h2 docker compose … up …`.
    func startTimeline(_ sandbox: SandboxHosts) throws -> URL {
        let timeline = GonkaDeploySandbox.stateFolder(sandbox).appendingPathComponent("timeline.log")
        try "".write(to: timeline, atomically: false, encoding: .utf8)
        try SandboxHosts.giveToLoginUser(timeline)
        for host in 1...3 { try state(sandbox, host, "timeline", timeline.path) }
        return timeline
    }

    /// The deploy folder of `host`'s node.
    func deployFolder(_ sandbox: SandboxHosts, _ host: Int) -> URL {
        URL(fileURLWithPath: GonkaDeploySandbox.mountPoint(sandbox, host: host) + "/gonka/deploy/join")
    }

    /// What an upgrade may change on a host: the checkout's state, the deploy folder's files, the admin API's nodes.
    func snapshot(_ sandbox: SandboxHosts, _ host: Int) -> [String] {
        let join = deployFolder(sandbox, host), git = join.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".git")
        let files = [git.appendingPathComponent("HEAD-commit"), git.appendingPathComponent("HEAD-tag"), git.appendingPathComponent("fetched-tags"),
                     join.appendingPathComponent("config.env"), join.appendingPathComponent(".env"), join.appendingPathComponent("node-config.json"),
                     join.appendingPathComponent("docker-compose.yml"),
                     GonkaDeploySandbox.stateFolder(sandbox, host: host).appendingPathComponent("admin-nodes.json")]
        return files.map { (try? String(contentsOf: $0, encoding: .utf8)) ?? "<absent>" }
    }

    /// Calls on `host` that change something: git fetch or checkout, compose pull or up.
    func changingCalls(_ sandbox: SandboxHosts, _ host: Int) -> [String] {
        GonkaDeploySandbox.calls(sandbox, host: host).filter { !$0.hasPrefix("sudo ") }.filter { $0.hasPrefix("git fetch") || $0.hasPrefix("git checkout") || $0.hasSuffix(" pull") || $0.contains(" up ") }
    }

    @Test func upgradeRollsOneNodeAtATimeChangingOneSettingAndTheMLNodeThroughTheAdminAPI() async throws {
        let sandbox = try currentSandbox()
        let folder = try await deployThreeNodes(sandbox)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Since the deployment: the node files move HF_HOME, and node-b's API holds another max_concurrent than node-config.json.
        for (host, name) in [(1, "a"), (2, "b"), (3, "c")] {
            let moved = "\"\(GonkaDeploySandbox.mountPoint(sandbox, host: host))/models\""
            try GonkaDeploySandbox.nodeFile(sandbox, host: host, extra: ["KEY_NAME": "\"node-\(name)\"", "HF_HOME": moved])
                .write(to: folder.appendingPathComponent("nodes/\(name).conf"), atomically: true, encoding: .utf8)
            try state(sandbox, host, "height-advances", "")
        }
        let adminFile = GonkaDeploySandbox.stateFolder(sandbox, host: 2).appendingPathComponent("admin-nodes.json")
        let drifted = try String(contentsOf: adminFile, encoding: .utf8).replacingOccurrences(of: "\"max_concurrent\": 500", with: "\"max_concurrent\": 250")
        #expect(drifted.contains("250"), "the API read node-config.json on its first start: \(drifted)")
        try state(sandbox, 2, "admin-nodes.json", drifted)
        let before = (1...3).map { snapshot(sandbox, $0) }
        let changingBefore = (1...3).map { changingCalls(sandbox, $0) }

        // A tag the origin does not have: refused before anything changes.
        let unknown = try await GonkaDeploySandbox.run(sandbox, ["upgrade", "--tag", "v9.9.9", "nodes"], in: folder)
        #expect(unknown.status == 1 && unknown.stderr.contains("nothing was upgraded: 3 nodes cannot be upgraded:"), "\(unknown.console)")
        #expect(unknown.stderr.contains("node-a: the tag v9.9.9 does not exist in the repository the checkout at"), "\(unknown.stderr)")
        #expect((1...3).map { snapshot(sandbox, $0) } == before && (1...3).map { changingCalls(sandbox, $0) } == changingBefore)

        // --check: every change shown, nothing touched.
        let check = try await GonkaDeploySandbox.run(sandbox, ["upgrade", "--tag", "v0.2.5", "nodes", "--check"], in: folder)
        #expect(check.status == 0, "\(check.console)")
        let mount = GonkaDeploySandbox.mountPoint(sandbox, host: 1)
        #expect(check.stdout.contains("Upgrade to v0.2.5, checked only: nothing was changed.\n"), "\(check.stdout)")
        #expect(check.stdout.contains("node-a (fleettest@\(sandbox.hosts[0].address)):\n  tag:         commit 5a1e00000000 → v0.2.5 (a25a25a25a25)\n"
                                      + "  config.env:  HF_HOME: \(mount)/hf → \(mount)/models\n  .env:        rewritten from config.env\n"), "\(check.stdout)")
        #expect(check.stdout.contains("  ML nodes:    update ML node node1: max_concurrent: 250 → 500\n"), "\(check.stdout)")
        #expect(check.stdout.contains("  batch 1: node-a\n  batch 2: node-b\n  batch 3: node-c\n"), "\(check.stdout)")
        #expect(!check.console.contains(GonkaDeploySandbox.password))
        #expect((1...3).map { snapshot(sandbox, $0) } == before && (1...3).map { changingCalls(sandbox, $0) } == changingBefore, "--check changed nothing")

        // The upgrade: one node at a time, each through its gate before the next one is touched.
        let timeline = try startTimeline(sandbox)
        let run = try await GonkaDeploySandbox.run(sandbox, ["upgrade", "--tag", "v0.2.5", "nodes", "--gate-interval", "1", "--gate-timeout", "120"], in: folder)
        #expect(run.status == 0, "\(run.console)")
        #expect(run.stdout.contains("3 nodes upgraded to v0.2.5.\n"), "\(run.stdout)")
        #expect(!run.console.contains(GonkaDeploySandbox.password))
        let log = try String(contentsOf: folder.appendingPathComponent("logs/upgrade_latest.log"), encoding: .utf8)
        #expect(log.contains("] [OK] [node-b] ML node node1 updated through the admin API\n") && !log.contains(GonkaDeploySandbox.password), "\(log)")
        let events = try String(contentsOf: timeline, encoding: .utf8).split(separator: "\n").map(String.init)
        for (host, next) in [("h1", "h2"), ("h2", "h3")] {
            let up = try #require(events.firstIndex { $0.hasPrefix("\(host) ") && $0.contains(" up -d --force-recreate") }, "\(events)")
            let looks = events.indices.filter { $0 > up && events[$0].hasPrefix("\(host) status ") }
            let nextStart = try #require(events.firstIndex { $0.hasPrefix("\(next) ") && $0.hasSuffix(" pull") }, "\(events)")
            #expect(looks.count >= 2 && looks.allSatisfy { $0 < nextStart }, "\(host) passed its gate before \(next) was touched: \(events)")
            #expect(!events[..<nextStart].contains { $0.hasPrefix("\(next) ") }, "\(events)")
        }
        for host in 1...3 {
            let join = deployFolder(sandbox, host)
            let configEnv = try String(contentsOf: join.appendingPathComponent("config.env"), encoding: .utf8)
            #expect(configEnv.contains("export HF_HOME=\(GonkaDeploySandbox.mountPoint(sandbox, host: host))/models\n"))
            #expect(try String(contentsOf: join.appendingPathComponent("docker-compose.yml"), encoding: .utf8).contains("inferenced:v0.2.5"))
            #expect(changingCalls(sandbox, host).dropFirst(changingBefore[host - 1].count) == [
                "git fetch --quiet --tags origin", "git checkout --quiet --force refs/tags/v0.2.5",
                "docker compose -f docker-compose.yml -f docker-compose.mlnode.yml pull",
                "docker compose -f docker-compose.yml -f docker-compose.mlnode.yml up -d --force-recreate"], "host \(host)")
        }
        #expect(try String(contentsOf: folder.appendingPathComponent("nodes/node-b/config.env"), encoding: .utf8).contains("/models\n"), "the local copy too")
        // node-config.json reached node-b's API through the admin API; the other APIs already matched.
        let requests = GonkaDeploySandbox.state(sandbox, "admin-requests.log", host: 2)
        #expect(requests.hasPrefix("PUT /admin/v1/nodes/node1 {") && requests.contains(#""max_concurrent": 500"#), "\(requests)")
        #expect(GonkaDeploySandbox.state(sandbox, "admin-requests.log", host: 1).isEmpty && GonkaDeploySandbox.state(sandbox, "admin-requests.log", host: 3).isEmpty)

        // The next tag, checked: the images it pulls, and again nothing touched.
        let settled = (1...3).map { snapshot(sandbox, $0) }
        let next = try await GonkaDeploySandbox.run(sandbox, ["upgrade", "--tag", "v0.2.6", "nodes/c.conf", "--check", "--json"], in: folder)
        #expect(next.status == 0, "\(next.console)")
        let report = try JSONDecoder().decode(UpgradeReportShape.self, from: Data(next.stdout.utf8))
        #expect(report.checkMode && report.rollout == nil && report.batches == [["node-c"]])
        #expect(report.nodes.first?.fromTag == "v0.2.5" && report.nodes.first?.configEnv.isEmpty == true, "\(next.stdout)")
        #expect(report.nodes.first?.newImages == ["ghcr.io/product-science/inferenced:v0.2.6", "ghcr.io/product-science/api:v0.2.6",
                                                  "ghcr.io/product-science/mlnode:v0.2.6"], "\(next.stdout)")
        #expect((1...3).map { snapshot(sandbox, $0) } == settled)
    }

    @Test func aNodeFailingItsGateStopsTheRolloutAndLeavesTheLaterNodeUntouched() async throws {
        let sandbox = try currentSandbox()
        let folder = try await deployThreeNodes(sandbox)
        defer { try? FileManager.default.removeItem(at: folder) }
        for host in [1, 3] { try state(sandbox, host, "height-advances", "") }
        try state(sandbox, 2, "catching-up", "true")   // node-b never catches up after its restart
        let untouched = snapshot(sandbox, 3), calls = changingCalls(sandbox, 3)

        let run = try await GonkaDeploySandbox.run(sandbox, ["upgrade", "--tag", "v0.2.6", "nodes", "--gate-interval", "1", "--gate-timeout", "3", "--json"],
                                                   in: folder)
        #expect(run.status == 1, "\(run.console)")
        let report = try JSONDecoder().decode(UpgradeReportShape.self, from: Data(run.stdout.utf8))
        let outcomes = try #require(report.rollout).hosts.map { "\($0.host) \($0.outcome)" }
        #expect(outcomes == ["node-a done", "node-b gate-failed", "node-c not-run"], "\(run.stdout)")
        #expect(report.rollout?.stopReason?.contains("1 host failed by batch 2") == true, "\(run.stdout)")
        #expect(run.stderr.contains("health gate failed: not healthy after 3 s: the node is catching up"), "\(run.stderr)")
        #expect(snapshot(sandbox, 3) == untouched && changingCalls(sandbox, 3) == calls, "node-c untouched")
        #expect(try String(contentsOf: deployFolder(sandbox, 1).appendingPathComponent("docker-compose.yml"), encoding: .utf8).contains("inferenced:v0.2.6"))
    }
}

/// The fields of `upgrade --json` the tests read.
struct UpgradeReportShape: Decodable {
    struct Node: Decodable {
        let keyName: String
        let fromTag: String?
        let configEnv: [ConfigEnvChangeShape]
        let newImages: [String]?
    }

    struct ConfigEnvChangeShape: Decodable {
        let name: String
    }

    struct Rollout: Decodable {
        struct Host: Decodable {
            let host: String
            let outcome: String
        }

        let hosts: [Host]
        let stopReason: String?
    }

    let checkMode: Bool
    let nodes: [Node]
    let batches: [[String]]
    let rollout: Rollout?
}
