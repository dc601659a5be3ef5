import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The built `aztec-butler` executable on the fixture files: output, JSON, exit codes.
@Suite(.tags(.unit)) struct AztecButlerToolTests {
    struct Run {
        let status: Int32
        let output: String
        let error: String
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Run {
        let result = try await runAztecButler(arguments, environment: environment, timeout: .seconds(300))
        return Run(status: result.status, output: result.stdout, error: result.stderr)
    }

    @Test func keysListsEachServersNewestFileAndTotals() async throws {
        let result = try await run(["--network", "mainnet", "--data-dir", ButlerFixtures.data.path, "keys"])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "mainnet keys files in \(ButlerFixtures.data.path):")
        #expect(lines.contains("  beast-3    v10      2           2           mainnet-keys-beast-3-v10.json"))
        #expect(lines.contains("  eu-west-1  v3       2           1           mainnet-keys-eu-west-1-v3.json"))
        #expect(lines.contains("total: 2 servers, 4 attesters (1 without coinbase), 3 publishers"))
        #expect(!result.output.contains("testnet") && !result.output.contains("0x0000000000000000000000000000000000000000000000000000000000001111"))
    }

    @Test func keysJSONAndTheFixtureStaysUnchanged() async throws {
        let fixture = ButlerFixtures.data.appendingPathComponent("mainnet-keys-eu-west-1-v3.json")
        let before = try Data(contentsOf: fixture)
        let result = try await run(["keys", "--json", "--network", "mainnet", "--data-dir", ButlerFixtures.data.path])
        #expect(result.status == 0)
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(result.output.utf8))
        #expect(json["totals"]?["attesters"] == .integer(4))
        #expect(json["files"]?.arrayValue?.compactMap { $0["serverId"]?.stringValue } == ["beast-3", "eu-west-1"])
        #expect(json["problems"] == .array([]))
        #expect(try Data(contentsOf: fixture) == before)
    }

    @Test func keysProblemsExitOne() async throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.copyItem(at: ButlerFixtures.data.appendingPathComponent("mainnet-keys-eu-west-1-v3.json"),
                                         to: folder.appendingPathComponent("mainnet-keys-eu-west-1-v3.json"))
        try FileManager.default.copyItem(at: ButlerFixtures.data.appendingPathComponent("mainnet-keys-eu-west-1-v3.json"),
                                         to: folder.appendingPathComponent("mainnet-keys-us-east-2-v1.json"))
        try ButlerFixtures.write("{\"validators\": 3}", "mainnet-keys-bad-v4.json", in: folder)
        let result = try await run(["keys", "--network", "mainnet", "--data-dir", folder.path])
        #expect(result.status == 1)
        #expect(result.output.contains("\(folder.path)/mainnet-keys-bad-v4.json: validators: expected an array of validators, got the number 3"))
        // The copy names the same remote signer: its attesters are the high-availability layout, not an error,
        // but two servers sending from one publisher account still are.
        #expect(result.output.contains("on several servers through one remote signer (high availability)"))
        #expect(!result.output.contains("is in 2 keys files"))
        #expect(result.output.contains("is used by 2 servers: eu-west-1, us-east-2"))
        #expect(result.output.contains("total: 2 servers"), "the good files still load")
    }

    @Test func configShowsSourcesAndMasksTheToken() async throws {
        let configHome = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: configHome) }
        try FileManager.default.createDirectory(at: configHome.appendingPathComponent("aztec-butler"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: ButlerFixtures.folder.appendingPathComponent("config/mainnet-base.env"),
                                         to: configHome.appendingPathComponent("aztec-butler/mainnet-base.env"))
        let environment = ["XDG_CONFIG_HOME": configHome.path, "XDG_DATA_HOME": "/srv/data", "SERVER_ID": "from-env"]
        let result = try await run(["config", "--metrics-port", "9500"], environment: environment)
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines.contains("network: mainnet"), "the only configured network")
        #expect(lines.contains("data folder: /srv/data/aztec-butler (environment XDG_DATA_HOME)"))
        #expect(lines.contains("SERVER_ID from-env environment SERVER_ID"))
        #expect(lines.contains("METRICS_PORT 9500 flag --metrics-port"))
        #expect(lines.contains("METRICS_BEARER_TOKEN *** file \(configHome.path)/aztec-butler/mainnet-base.env:5"))
        #expect(lines.contains("MIN_ETH_PER_ATTESTER 0.1 default"))
        #expect(lines.contains("not used from the file: SAFE_API_KEY"))
        #expect(!result.output.contains("s3cr3t"))

        let json = try await run(["config", "--json"], environment: environment)
        #expect(json.status == 0 && !json.output.contains("s3cr3t"))
        let parsed = try JSONDecoder().decode(JSONValue.self, from: Data(json.output.utf8))
        let token = parsed["settings"]?.arrayValue?.first { $0["variable"] == .string("METRICS_BEARER_TOKEN") }
        #expect(token?["value"] == .string("***") && token?["source"] == .string("file"))
    }

    @Test func badValuesAndUsageExitTwo() async throws {
        let bad = try await run(["config", "--network", "mainnet", "--metrics-port", "70000"], environment: ["XDG_CONFIG_HOME": "/nonexistent"])
        #expect(bad.status == 2)
        #expect(bad.error == "aztec-butler: METRICS_PORT (flag --metrics-port): expected a port from 1 to 65535, got '70000'\n")
        let missingFile = try await run(["config", "--config", "/nonexistent/mainnet-base.env"])
        #expect(missingFile.status == 2 && missingFile.error.contains("cannot read the configuration file /nonexistent/mainnet-base.env"))
        let unknown = try await run(["keyz"])
        #expect(unknown.status == 2 && unknown.error.contains("did you mean 'keys'?"))
        let none = try await run([])
        #expect(none.status == 2)
        for command in [[], ["keys"], ["config"]] {
            let help = try await run(command + ["--help"])
            #expect(help.status == 0 && help.output.hasPrefix("USAGE: aztec-butler"))
        }
    }

    @Test func aDataFolderThatCannotBeListedIsOneLineAndExitTwo() async throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let notAFolder = folder.appendingPathComponent("keys.json")
        try "{}".write(to: notAFolder, atomically: true, encoding: .utf8)
        let result = try await run(["keys", "--network", "mainnet", "--data-dir", notAFolder.path])
        #expect(result.status == 2, "\(result.output)\(result.error)")
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(result.error.contains("cannot list keys files in \(notAFolder.path)"))
    }
}

/// Runs the built `aztec-butler` with a minimal environment (no terminal, no colour, a home
/// that does not exist) plus `environment`; every tool-level test of the Butler goes through it.
func runAztecButler(_ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(600))
    async throws -> (status: Int32, stdout: String, stderr: String)
{
    var full = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home", "NO_COLOR": "1"]
    full.merge(environment) { $1 }
    let output = try await ProcessRunner.run(ProcessRequest(executable: try BuiltTool.path("aztec-butler"), arguments: arguments,
                                                            timeout: timeout, environment: full))
    return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
}
