import Foundation
import FleetTestSupport
import Testing
@testable import FleetKit

/// Runs the built `fleet` executable, as a user would.
struct FleetTool {
    struct Output { var status: Int32; var stdout: String; var stderr: String }

    static func run(_ arguments: [String], environment extra: [String: String] = [:], in directory: URL, tool: String = "fleet") async throws -> Output {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for (key, value) in extra { environment[key] = value }
        let script = "cd \(ShellQuote.quote(directory.path)) && exec " + ShellQuote.join([try BuiltTool.path(tool)] + arguments)
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script], timeout: .seconds(120), environment: environment))
        return Output(status: output.status, stdout: String(decoding: output.standardOutput, as: UTF8.self),
                      stderr: String(decoding: output.standardError, as: UTF8.self))
    }
}

@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct FleetToolTests {
    let secret = "0x" + String(repeating: "5e", count: 32)

    func workspace() throws -> (URL, [String]) {
        let sandbox = try currentSandbox()
        let folder = sandbox.directory.appendingPathComponent("ws-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = "name,ip,ssh_user,private_key,role\n" + sandbox.hosts.map { "\($0.name),\($0.address),fleettest,\(secret),web" }.joined(separator: "\n") + "\n"
        try csv.write(to: folder.appendingPathComponent("servers.csv"), atomically: true, encoding: .utf8)
        let common = ["-i", sandbox.identityFile, "--known-hosts", folder.appendingPathComponent("known_hosts").path, "--persist", "0"]
        return (folder, common)
    }

    @Test func helpAndUsageErrors() async throws {
        let (folder, _) = try workspace()
        let help = try await FleetTool.run(["run", "--help"], in: folder)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--forks"))
        #expect(help.stdout.contains("env: TIMEOUT"))
        #expect(help.stdout.components(separatedBy: "USAGE").count == 2 && !help.stdout.contains("Usage:"), "one usage line")
        let pingHelp = try await FleetTool.run(["ping", "--help"], in: folder)
        #expect(pingHelp.stdout.contains("default: 30)"))
        let motdHelp = try await FleetTool.run(["--help"], in: folder, tool: "deploy-motd")
        #expect(motdHelp.status == 0 && motdHelp.stdout.hasPrefix("usage: deploy-motd"))
        let version = try await FleetTool.run(["--version"], in: folder)
        #expect(version.stdout == "fleet \(FleetKitVersion.current)\n")
        let missing = try await FleetTool.run(["run"], in: folder)
        #expect(missing.status == 2)
        #expect(missing.stderr.split(separator: "\n").count == 1)
        let noCommand = try await FleetTool.run(["run", "servers.csv"], in: folder)
        #expect(noCommand.status == 2)
        #expect(noCommand.stderr.contains("missing the command"))
        let badForks = try await FleetTool.run(["run", "servers.csv", "--forks", "x", "--", "true"], in: folder)
        #expect(badForks.status == 2)
        #expect(badForks.stderr == "fleet run: --forks expects a whole number from 1 to 1000, got 'x'; see 'fleet run --help'\n")
    }

    @Test func checkMasksSecretsAndReportsBadInput() async throws {
        let (folder, _) = try workspace()
        let text = try await FleetTool.run(["check", "servers.csv"], in: folder)
        #expect(text.status == 0)
        #expect(text.stdout.contains("private_key=***"))
        #expect(!text.stdout.contains("5e5e5e5e"))
        let json = try await FleetTool.run(["check", "servers.csv", "--json"], in: folder)
        let rows = try JSONDecoder().decode([InventorySummary.Row].self, from: Data(json.stdout.utf8))
        #expect(rows.map(\.name) == ["h1", "h2", "h3"])
        #expect(rows.allSatisfy { $0.variables["private_key"] == "***" && $0.variables["role"] == "web" })
        try "name,ip\nweb,10.0.0.1\nweb2,10.0.0.300\n".write(to: folder.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        let bad = try await FleetTool.run(["check", "bad.csv"], in: folder)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bad.csv:3:"))
    }

    @Test func runGroupsOutputPerHostAndFailsWhenAHostFails() async throws {
        let (folder, common) = try workspace()
        let ok = try await FleetTool.run(["run", "servers.csv"] + common + ["--", "echo", "hello from $SANDBOX_HOST"], in: folder)
        #expect(ok.status == 0, "\(ok.stderr)")
        let lines = ok.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6)
        #expect(lines[0].hasPrefix("== h1 (\(try currentSandbox().hosts[0].address)): exit 0 in ") && lines[0].hasSuffix(" s"))
        #expect(lines[1] == "hello from h1")
        for index in 1...3 { #expect(ok.stdout.contains("hello from h\(index)\n")) }
        #expect(ok.stderr.contains("h3 : ok=0 changed=1"))
        let logs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("logs").path)
        #expect(logs.contains { $0.hasPrefix("run_") && $0.hasSuffix(".log") })

        let failing = try await FleetTool.run(["run", "servers.csv", "--json"] + common + ["--", "test $SANDBOX_HOST != h2"], in: folder)
        #expect(failing.status == 1)
        let report = try JSONDecoder().decode(RunReport.self, from: Data(failing.stdout.utf8))
        #expect(report.hosts.map(\.status) == [.succeeded, .failed, .succeeded])

        let limited = try await FleetTool.run(["run", "servers.csv", "--limit", "h3"] + common + ["--", "echo only"], in: folder)
        #expect(limited.stdout.hasPrefix("== h3"))
        #expect(!limited.stdout.contains("== h1"))
    }

    @Test func timeoutFromEnvironmentStopsTheCommand() async throws {
        let (folder, common) = try workspace()
        let result = try await FleetTool.run(["run", "servers.csv", "--limit", "h1"] + common + ["--", "sleep 30"],
                                             environment: ["TIMEOUT": "1"], in: folder)
        #expect(result.status == 1)
        #expect(result.stdout.contains("timed out"))
    }

    @Test func exampleToolAppliesItsOwnPlaybookIdempotently() async throws {
        let (folder, _) = try workspace()
        let sandbox = try currentSandbox()
        let environment = ["HOME": folder.path]
        let first = try await FleetTool.run(["servers.csv", sandbox.identityFile], environment: environment, in: folder, tool: "deploy-motd")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("h2 : ok=0 changed=2"))
        let second = try await FleetTool.run(["servers.csv", sandbox.identityFile], environment: environment, in: folder, tool: "deploy-motd")
        #expect(second.stdout.contains("h2 : ok=2 changed=0"))
        let message = try await sandbox.transport().run(RemoteCommand("cat ~/motd/message"), on: sandbox.hosts[1])
        #expect(message.standardOutput == "Welcome to h2 (web), managed by deploy-motd\n")
    }

    @Test func pingReportsEveryHost() async throws {
        let (folder, common) = try workspace()
        let result = try await FleetTool.run(["ping", "servers.csv", "--json"] + common, in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try JSONDecoder().decode([ConnectivityCheck.Result].self, from: Data(result.stdout.utf8))
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0.reachable && ($0.connectSeconds ?? 0) > 0 })
    }
}

/// Inventories as users bring them: a validator key in a column called `key`, names
/// from a spreadsheet, a host that is down.
@Suite(.serialized, .tags(.sandbox), .requires(.sandbox), .sandboxHosts(3))
struct FleetToolInventoryTests {
    @Test func aKeyColumnNeverReachesAnArgvTheConsoleOrTheLog() async throws {
        let sandbox = try currentSandbox()
        let folder = sandbox.directory.appendingPathComponent("key-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let key = "0x" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0 ... .max)) }.joined()
        // The original Aztec toolkit's servers.csv: KEY is the validator's private key, not an SSH key file.
        let csv = "IP,ADDRESS,KEY,user\n" + sandbox.hosts.map { "\($0.address),0x\(String(repeating: "1", count: 40)),\(key),fleettest" }
            .joined(separator: "\n") + "\n"
        try csv.write(to: folder.appendingPathComponent("servers.csv"), atomically: true, encoding: .utf8)
        let common = ["-i", sandbox.identityFile, "--known-hosts", folder.appendingPathComponent("known_hosts").path, "--persist", "0", "-v"]
        let body = String(key.dropFirst(2))
        let seen = Locked<[String]>([])
        let watcher = Task {
            while !Task.isCancelled {
                let leaked = ProcessScan.live(containing: body)
                if !leaked.isEmpty { seen.withLock { $0 += leaked } }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        let run = try await FleetTool.run(["run", "servers.csv"] + common + ["--", "sleep 0.5; echo ran"], in: folder)
        let check = try await FleetTool.run(["check", "servers.csv"], in: folder)
        let checkJSON = try await FleetTool.run(["check", "servers.csv", "--json"], in: folder)
        watcher.cancel()
        _ = await watcher.value
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.components(separatedBy: "ran\n").count == 4)
        #expect(seen.withLock { $0 }.isEmpty, "the key appeared in a command line: \(seen.withLock { $0 })")
        #expect(check.stdout.contains("key=***") && check.stdout.contains("address=0x1111"))
        for shown in [run.stdout, run.stderr, check.stdout, check.stderr, checkJSON.stdout] {
            #expect(!shown.contains(body))
        }
        let logs = folder.appendingPathComponent("logs")
        for file in try FileManager.default.contentsOfDirectory(atPath: logs.path) {
            #expect(!(try String(contentsOf: logs.appendingPathComponent(file), encoding: .utf8)).contains(body))
        }
    }

    @Test func namesWithSpacesAreRunAndMatchedByLimit() async throws {
        let sandbox = try currentSandbox()
        let folder = sandbox.directory.appendingPathComponent("names-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let names = ["Validator 1", "Validator [2]", "EU, rack 3"]
        let csv = "Name,IP,SSH User\n" + zip(names, sandbox.hosts).map { "\"\($0)\",\($1.address),fleettest" }.joined(separator: "\n") + "\n"
        try csv.write(to: folder.appendingPathComponent("servers.csv"), atomically: true, encoding: .utf8)
        let common = ["-i", sandbox.identityFile, "--known-hosts", folder.appendingPathComponent("known_hosts").path, "--persist", "0"]
        let all = try await FleetTool.run(["run", "servers.csv"] + common + ["--", "echo $SANDBOX_HOST"], in: folder)
        #expect(all.status == 0, "\(all.stderr)")
        for (name, host) in zip(names, sandbox.hosts) {
            #expect(all.stdout.contains("== \(name) (\(host.address)): exit 0"))
        }
        #expect(all.stderr.contains("Validator 1   : ok=0 changed=1"))
        let one = try await FleetTool.run(["run", "servers.csv", "--limit", "Validator [2]"] + common + ["--", "echo $SANDBOX_HOST"], in: folder)
        #expect(one.stdout.hasPrefix("== Validator [2] (\(sandbox.hosts[1].address)): exit 0"))
        #expect(one.stdout.hasSuffix("h2\n") && !one.stdout.contains("Validator 1"))
        let escaped = try await FleetTool.run(["run", "servers.csv", "--limit", "eu\\, rack 3"] + common + ["--", "echo $SANDBOX_HOST"], in: folder)
        #expect(escaped.stdout.hasPrefix("== EU, rack 3 (") && escaped.stdout.hasSuffix("h3\n"))
    }

    @Test func theSandboxScriptsInventoryLoads() throws {
        let sandbox = try currentSandbox()
        let inventory = try InventoryLoader.load(contentsOf: sandbox.directory.appendingPathComponent("inventory.csv"))
        #expect(inventory.hosts.map(\.name) == sandbox.hosts.map(\.name))
        #expect(inventory.hosts.map(\.address) == sandbox.hosts.map(\.address))
        #expect(inventory.hosts.allSatisfy { $0.user == "fleettest" && $0.port == 22 })
    }

    @Test func jsonListsEveryHostUnreachableIncluded() async throws {
        let sandbox = try currentSandbox()
        let folder = sandbox.directory.appendingPathComponent("json-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let csv = "name,ip,user\n" + sandbox.hosts.map { "\($0.name),\($0.address),fleettest" }.joined(separator: "\n") + "\n"
        try csv.write(to: folder.appendingPathComponent("servers.csv"), atomically: true, encoding: .utf8)
        let common = ["-i", sandbox.identityFile, "--known-hosts", folder.appendingPathComponent("known_hosts").path, "--persist", "0"]
        try await sandbox.stopHost(2)
        let run = try await FleetTool.run(["run", "servers.csv", "--json"] + common + ["--", "true"], in: folder)
        let ping = try await FleetTool.run(["ping", "servers.csv", "--json"] + common, in: folder)
        try await sandbox.startHost(2)
        #expect(run.status == 1 && ping.status == 1)
        let report = try JSONDecoder().decode(RunReport.self, from: Data(run.stdout.utf8))
        #expect(report.hosts.map(\.host) == ["h1", "h2", "h3"])
        #expect(report.hosts.map(\.status) == [.succeeded, .unreachable, .succeeded])
        let rows = try JSONDecoder().decode([ConnectivityCheck.Result].self, from: Data(ping.stdout.utf8))
        #expect(rows.map(\.host) == ["h1", "h2", "h3"])
        #expect(rows.map(\.reachable) == [true, false, true])
    }
}
