import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing
import FleetKitTesting

/// `aztec-butler serve` and `install-service` refusing what cannot work, before any read.
@Suite(.tags(.unit)) struct ServeToolTests {
    @Test func valuesThatCannotWorkAreRefusedAtStart() async throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let base = ["XDG_CONFIG_HOME": folder.path]
        let cases: [([String], [String: String], String)] = [
            (["--attester-views-interval", "0"], [:], "--attester-views-interval: expected seconds from 0.1 to 86400, got '0'"),
            (["--keys-interval", "nan"], [:], "--keys-interval: expected seconds from 0.1 to 86400, got 'nan'"),
            (["--entry-queue-interval", "1e9"], [:], "--entry-queue-interval: expected seconds from 0.1 to 86400, got '1e9'"),
            ([], ["METRICS_HOST": "0.0.0.0"], "METRICS_BEARER_TOKEN"),
            ([], ["METRICS_HOST": "metrics.example.com"], "METRICS_HOST (environment METRICS_HOST): expected an IPv4 or IPv6 address"),
            (["--multicall3", "0x12"], [:], "--multicall3: '0x12' is not an address"),
        ]
        for (extra, environment, expected) in cases {
            let result = try await runAztecButler(["--network", "testnet", "--data-dir", folder.path, "serve"] + extra,
                                                  environment: base.merging(environment) { $1 }, timeout: .seconds(30))
            #expect(result.status == 2, "\(extra) \(environment): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(extra) \(environment): \(result.stderr)")
        }
        // With a token any address is accepted; a port already taken ends the run with one clear line.
        let listener = try LoopbackPort.Listener()
        defer { listener.close() }
        let busy = try await runAztecButler(["--network", "testnet", "--data-dir", folder.path, "serve", "--metrics-host", "0.0.0.0",
                                             "--metrics-port", String(listener.port)],
                                            environment: base.merging(["METRICS_BEARER_TOKEN": "secret-\(UUID().uuidString)"]) { $1 }, timeout: .seconds(30))
        #expect(busy.status == 1 && busy.stderr.contains("cannot listen on 0.0.0.0 port \(listener.port)"), "\(busy.stderr)")
        #expect(!busy.stderr.contains("secret-"))
    }

    @Test func installServicePrintsTheUnitAndStartServerIsServe() async throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let unit = try await runAztecButler(["--network", "mainnet", "--data-dir", folder.path, "install-service", "--user", "butler"],
                                            environment: ["XDG_CONFIG_HOME": folder.path, "METRICS_BEARER_TOKEN": "never-printed"])
        #expect(unit.status == 0, "\(unit.stderr)")
        #expect(unit.stdout.contains("ExecStart=\(try BuiltTool.path("aztec-butler")) --network mainnet --data-dir \(folder.path) serve"))
        #expect(unit.stdout.contains("User=butler\n") && unit.stdout.contains("Restart=always\n") && unit.stdout.contains("RestartSec=5\n"))
        #expect(unit.stdout.contains("ExecReload=/bin/kill -HUP $MAINPID\n"), "systemctl reload sends the SIGHUP that reloads")
        #expect(!unit.stdout.contains("never-printed"))
        let badUser = try await runAztecButler(["--network", "mainnet", "install-service", "--user", "a b;rm"], environment: ["XDG_CONFIG_HOME": folder.path])
        #expect(badUser.status == 2 && badUser.stderr.contains("--user: 'a b;rm' is not an account name"))
        let help = try await runAztecButler(["start-server", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--attester-views-interval") && help.stdout.contains("/healthz"))
    }

    /// SIGPIPE (a scraper's socket or a closed log pipe) never ends the service. SIGHUP
    /// reloads it, as `systemctl reload` expects: a configuration that loads replaces the
    /// running daemon, one that does not is refused and the daemon goes on. SIGTERM stops it
    /// with the states saved and exit 0 (the driver's 143 is for commands a signal cuts
    /// short, not for a service whose way to stop it is).
    @Test func servesOnThroughSIGPIPEReloadsOnSIGHUPAndStopsOnSIGTERMWithTheStatesSaved() async throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let errors = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let configFolder = folder.appendingPathComponent("aztec-butler")
        try FileManager.default.createDirectory(at: configFolder, withIntermediateDirectories: true)
        let baseFile = configFolder.appendingPathComponent("testnet-base.env")
        let (firstPort, secondPort) = (try LoopbackPort.free(), try LoopbackPort.free())
        try "METRICS_PORT=\(firstPort)\n".write(to: baseFile, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try BuiltTool.path("aztec-butler"))
        process.arguments = ["--network", "testnet", "--data-dir", folder.path, "serve"]
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/nonexistent-home", "NO_COLOR": "1", "XDG_CONFIG_HOME": folder.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let log = { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }
        try await eventually(60, "the service listening") { log().contains("serving http://127.0.0.1:\(firstPort)/metrics") }
        kill(process.processIdentifier, SIGPIPE)
        try await Task.sleep(for: .milliseconds(500))
        #expect(process.isRunning, "SIGPIPE does not end the service: \(log())")

        try "METRICS_PORT=\(secondPort)\n".write(to: baseFile, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        try await eventually(60, "the service reloaded") { log().contains("serving http://127.0.0.1:\(secondPort)/metrics") }
        #expect(process.isRunning, "\(log())")
        #expect(log().contains("reloading: the configuration was read again"), "\(log())")
        #expect(log().components(separatedBy: "stopped; attester states saved").count == 2, "the first daemon saved its states: \(log())")

        try "METRICS_PORT=not-a-port\n".write(to: baseFile, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        try await eventually(60, "the reload refused") { log().contains("reload refused, still running with the previous configuration") }
        #expect(process.isRunning, "\(log())")
        #expect(log().contains("METRICS_PORT"), "the refusal says which setting: \(log())")

        kill(process.processIdentifier, SIGTERM)
        try await eventually(30, "the service stopped") { !process.isRunning }
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(log())")
        #expect(log().hasSuffix("stopped; attester states saved\n"), "\(log())")
    }
}
