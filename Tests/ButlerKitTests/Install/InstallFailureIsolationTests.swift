import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// One broken, one misconfigured and one unreachable server never stop the others.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(4))
struct InstallFailureIsolationTests {
    @Test func brokenMisconfiguredAndUnreachableHostsDoNotStopTheOthers() async throws {
        let sandbox = try currentSandbox()
        let installers = try AztecFleetSandbox.prepare(sandbox)
        try AztecFleetSandbox.setState(sandbox, 2, "apt-fail")
        var keys = sandbox.hosts.map { _ in AztecFleetSandbox.privateKey() }
        keys[2] = ""  // h3 has no private key
        let inventoryURL = sandbox.directory.appendingPathComponent("servers.csv")
        try AztecFleetSandbox.inventoryCSV(sandbox.hosts, keys: keys).write(to: inventoryURL, atomically: true, encoding: .utf8)
        try await sandbox.stopHost(4)

        let logs = sandbox.directory.appendingPathComponent("logs")
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"),
            arguments: ["install", inventoryURL.path, "--installer-url", installers.aztec, "--docker-installer-url", installers.docker,
                        "--node-wait", "5", "--retries", "1", "--retry-delay", "0", "--json"]
                + AztecFleetSandbox.connectionArguments(sandbox, logs: logs),
            timeout: .seconds(300), environment: AztecFleetSandbox.toolEnvironment))
        try await sandbox.startHost(4)
        let console = String(decoding: output.standardError, as: UTF8.self)
        #expect(output.status == 1, "a failed host makes the run fail:\n\(console)")
        let report = try JSONDecoder().decode(StagedRunReport.self, from: output.standardOutput)

        // h4 was unreachable: never given to a stage, but listed in the JSON with its reason.
        #expect(report.hostNames == ["h1", "h2", "h3", "h4"])
        #expect(report.unreachable.map(\.host) == ["h4"])
        #expect(report.stages.allSatisfy { stage in !stage.report.hosts.contains { $0.host == "h4" } })
        #expect(console.contains("[WARN] [h4] unreachable, skipped"))
        // h2: apt-get fails twice (one retry), the rescue runs, the host stops after prepare.
        let prepare = try #require(report.stages.first { $0.stage == "prepare" })
        let h2 = try #require(prepare.report.hosts.first { $0.host == "h2" })
        #expect(h2.status == .failed && h2.counts.rescued == 1)
        #expect(AztecFleetSandbox.calls(sandbox, 2).filter { $0.hasPrefix("apt-get") && $0.contains("update") }.count == 2)
        #expect(AztecFleetSandbox.calls(sandbox, 2).contains("dpkg --configure -a"))
        #expect(report.stages.first { $0.stage == "docker" }?.report.hosts.map(\.host) == ["h1", "h3"])
        #expect(!AztecFleetSandbox.calls(sandbox, 2).contains("get-docker"))
        // h3: fails in the aztec stage, naming its inventory line and column; nothing of the node is written.
        let aztec = try #require(report.stages.first { $0.stage == "aztec" })
        let h3 = try #require(aztec.report.hosts.first { $0.host == "h3" })
        #expect(h3.status == .failed)
        #expect(h3.message?.contains("servers.csv line 4 (h3) cannot run a node: no validator private key: fill the 'private_key' column") == true)
        #expect(!AztecFleetSandbox.calls(sandbox, 3).contains { $0.hasPrefix("aztec-installer") })
        // h1 went through all three.
        #expect(report.lastReport(of: "h1")?.status == .succeeded)
        #expect(aztec.report.hosts.first { $0.host == "h1" }?.status == .succeeded)
        #expect(!report.succeeded)
    }

    @Test func aMissingKeyFileStopsTheRunBeforeAnyServerIsChangedAndEveryProblemIsListed() async throws {
        let sandbox = try currentSandbox()
        _ = try AztecFleetSandbox.prepare(sandbox)
        let keys = sandbox.hosts.map { _ in AztecFleetSandbox.privateKey() }
        var csv = AztecFleetSandbox.inventoryCSV(Array(sandbox.hosts.prefix(3)), keys: Array(keys.prefix(3)))
        // A fourth row names an SSH key file that does not exist; h3 is down.
        csv = csv.replacingOccurrences(of: "name,ip,user,port,", with: "name,ip,user,port,ssh_key,")
        var lines = csv.split(separator: "\n").map(String.init)
        for index in 1..<lines.count {
            var fields = lines[index].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields.insert(index == 2 ? "/nonexistent/fleet-key" : "", at: 4)
            lines[index] = fields.joined(separator: ",")
        }
        let inventoryURL = sandbox.directory.appendingPathComponent("servers-missing-key.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: inventoryURL, atomically: true, encoding: .utf8)
        let callsBefore = (1...3).map { AztecFleetSandbox.calls(sandbox, $0).count }
        try await sandbox.stopHost(3)
        let logs = sandbox.directory.appendingPathComponent("logs-preflight")
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"),
            arguments: ["prepare", inventoryURL.path]
                + AztecFleetSandbox.connectionArguments(sandbox, logs: logs),
            timeout: .seconds(120), environment: AztecFleetSandbox.toolEnvironment))
        try await sandbox.startHost(3)
        let console = String(decoding: output.standardError, as: UTF8.self)
        #expect(output.status == 2, "\(console)")
        #expect(console.contains("[ERROR] [local] preflight: the SSH key file /nonexistent/fleet-key (for host h2) cannot be read"))
        #expect(console.contains("[WARN] [h3] unreachable, skipped"), "connectivity problems are listed in the same run")
        #expect(console.contains("aztec-fleet: the preflight found 1 problem on this machine (listed above); no server was changed"))
        #expect((1...3).map { AztecFleetSandbox.calls(sandbox, $0).count } == callsBefore, "no stage ran")
    }

    @Test func theFirewallAllowsTheSSHPortInUseNot22() async throws {
        let sandbox = try currentSandbox()
        _ = try AztecFleetSandbox.prepare(sandbox)
        // h1 names port 2222 in its row; h2 has no port and gets --port 2222. Both sshd listen on 22 and 2222.
        let csv = "name,ip,user,port\nh1,\(sandbox.hosts[0].address),fleettest,2222\nh2,\(sandbox.hosts[1].address),fleettest,\n"
        let inventoryURL = sandbox.directory.appendingPathComponent("servers-port.csv")
        try csv.write(to: inventoryURL, atomically: true, encoding: .utf8)
        let logs = sandbox.directory.appendingPathComponent("logs-port")
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"),
            arguments: ["prepare", inventoryURL.path, "--port", "2222"] + AztecFleetSandbox.connectionArguments(sandbox, logs: logs),
            timeout: .seconds(120), environment: AztecFleetSandbox.toolEnvironment))
        #expect(output.status == 0, "\(String(decoding: output.standardError, as: UTF8.self))")
        for index in 1...2 {
            let rules = try String(contentsOf: AztecFleetSandbox.stateFolder(sandbox, index).appendingPathComponent("ufw.rules"), encoding: .utf8)
            #expect(rules.split(separator: "\n").map(String.init).sorted() == ["2222/tcp", "40400/tcp", "40400/udp"], "h\(index): \(rules)")
        }
        let sshd = try String(contentsOf: sandbox.hostDirectory(2).appendingPathComponent("sshd.log"), encoding: .utf8)
        #expect(sshd.contains("port 2222"), "h2 was reached on 2222")
    }
}
