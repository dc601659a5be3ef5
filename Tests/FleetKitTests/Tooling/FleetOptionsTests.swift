import Foundation
import FleetTestSupport
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct FleetOptionsTests {
    let spec = CommandSpec(name: "tool", summary: "test", subcommands: [
        CommandSpec(name: "go", summary: "go", arguments: [ArgumentSpec("INVENTORY", help: "csv")], options: FleetOptions.specs(runOptions: true)),
    ])

    func options(_ arguments: [String], environment: [String: String] = [:]) throws -> FleetOptions {
        guard case .run(let parsed) = try CommandLineParser.parse(["go", "servers.csv"] + arguments, spec: spec, version: "1", environment: environment) else {
            throw SandboxError("expected a command to run")
        }
        return try FleetOptions(parsed, environment: ["HOME": "/home/op"] .merging(environment) { $1 }, currentDirectory: URL(fileURLWithPath: "/work"))
    }

    @Test func defaults() throws {
        let o = try options([])
        #expect(o.forks == 20)
        #expect(o.timeout == .seconds(600))
        #expect(o.controlPersist == .seconds(60))
        #expect(!o.verbose && !o.force && !o.checkMode && !o.json)
        #expect(o.knownHostsFile.path == "/home/op/.config/fleetkit/known_hosts")
        #expect(o.logDirectory.path == "/work/logs")
    }

    @Test func environmentFallbacksOfTheOriginalScripts() throws {
        let o = try options([], environment: ["TIMEOUT": "600", "VERBOSE": "1", "FORCE": "1"])
        #expect(o.timeout == .seconds(600))
        #expect(o.verbose)
        #expect(o.force)
        let flags = try options(["--timeout", "30", "--forks", "5", "--check", "--limit", "web-*"], environment: ["TIMEOUT": "600"])
        #expect(flags.timeout == .seconds(30))
        #expect(flags.forks == 5)
        #expect(flags.checkMode)
        let runOptions = try flags.runOptions()
        #expect(runOptions.checkMode && runOptions.forks == 5)
        #expect(flags.limit?.matches(RemoteHost(name: "web-2", address: "10.0.0.2")) == true)
    }

    @Test func badValuesAreUsageErrors() {
        #expect(throws: UsageError.self) { try options(["--forks", "0"]) }
        #expect(throws: UsageError.self) { try options(["--timeout", "soon"]) }
        #expect(throws: UsageError.self) { try options(["--identity", "/nonexistent/key"]) }
        #expect(throws: UsageError.self) { try options(["--port", "70000"]) }
        #expect(throws: UsageError.self) { try options(["--connect-concurrency", "0"]) }
        #expect(throws: UsageError.self) { try options(["--kex", "curve25519-sha256 -oProxyCommand=id"]) }
    }

    @Test func connectionStartsAndTheKeyExchangeOptIn() throws {
        let defaults = try options([]).sshConfiguration()
        #expect(defaults.connectionStartLimit == 32)
        #expect(defaults.extraOptions.isEmpty, "OpenSSH's post-quantum key exchange stays the default")
        let tuned = try options(["--connect-concurrency", "8", "--kex", "curve25519-sha256"]).sshConfiguration()
        #expect(tuned.connectionStartLimit == 8)
        #expect(tuned.extraOptions == ["KexAlgorithms=curve25519-sha256"])
        #expect(try options([], environment: ["FLEET_CONNECT_CONCURRENCY": "4"]).connectConcurrency == 4)
        #expect(try options(["--control-dir", "cm"]).sshConfiguration().controlDirectory.path == "/work/cm")
        #expect(try options([]).controlDirectory == OpenSSHConfiguration.defaultControlDirectory)
    }

    @Test func colourOnlyOnATerminalWithoutNoColor() {
        #expect(shouldColorConsole(isTerminal: true, environment: [:]))
        #expect(!shouldColorConsole(isTerminal: false, environment: [:]))
        #expect(!shouldColorConsole(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(!shouldColorConsole(isTerminal: true, environment: ["TERM": "dumb"]))
    }
}
