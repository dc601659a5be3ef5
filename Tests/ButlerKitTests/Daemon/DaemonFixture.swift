import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing
import FleetKitTesting
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A private EVM the test may change (`--allow-writes`), a stand-in Aztec node naming its
/// rollup and answering node_getValidatorsStats from a file, and a data folder with keys.
final class DaemonFixture: Sendable {
    let evm: EVMServerProcess
    let folder: URL
    let nodeURL: URL
    let chainId: UInt64
    let statsFile: URL
    private let stopNode: @Sendable () -> Void
    let rpc: JSONRPCClient

    /// Provider 1 is registered; the queue flushes 4 per 32-slot epoch of 36 s.
    static func start() async throws -> DaemonFixture {
        let evm = try await EVMServerProcess.start(["--seed", "none", "--allow-writes"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("butler-daemon-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let chainId = try await EthereumClient(url: evm.deployment.url()).chainID()
        let statsFile = folder.appendingPathComponent("validators-stats.json")
        let (nodeURL, stop) = try await QueueStatsOverEVMTests.startNode(
            rollup: evm.deployment.rollup, chainId: chainId, folder: folder.appendingPathComponent("node"),
            extraArguments: ["--validators-stats-file", statsFile.path])
        let fixture = DaemonFixture(evm: evm, folder: folder, nodeURL: nodeURL, chainId: chainId, statsFile: statsFile, stopNode: stop)
        try await fixture.transact("Rollup", "setParameters", [4, 2, 12, true, 32, 36, 11, 0])
        try await fixture.transact("StakingRegistry", "registerProvider", [.string(testAddress(0xAD, 1).lowercaseHex), 100, .string(testAddress(0x5E, 1).lowercaseHex)])
        return fixture
    }

    private init(evm: EVMServerProcess, folder: URL, nodeURL: URL, chainId: UInt64, statsFile: URL, stopNode: @escaping @Sendable () -> Void) {
        self.evm = evm
        self.folder = folder
        self.nodeURL = nodeURL
        self.chainId = chainId
        self.statsFile = statsFile
        self.stopNode = stopNode
        rpc = JSONRPCClient(endpoint: evm.deployment.url(), options: (try? JSONRPCClientOptions(timeout: .seconds(60))) ?? .standard)
    }

    func stop() async {
        stopNode()
        await evm.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Sends a transaction to a stand-in contract (`Rollup`, `StakingRegistry`).
    func transact(_ contract: String, _ function: String, _ arguments: [JSONValue]) async throws {
        _ = try await rpc.call("test_transact", [.string(contract), .string(function)] + arguments)
    }

    func sendEther(to address: EthereumAddress, wei: UInt64) async throws {
        _ = try await rpc.call("test_sendEther", [.string(address.lowercaseHex), .integer(Int64(wei))])
    }

    /// Writes a keys file of server `eu-1` (version `version`) with `validators` as
    /// (attester, coinbase) and every publisher `publisher`.
    func writeKeys(_ validators: [(EthereumAddress, EthereumAddress?)], publisher: EthereumAddress, version: Int = 1) throws {
        let entries = validators.map { attester, coinbase -> String in
            let coinbaseField = coinbase.map { #""coinbase": "\#($0.checksummed)", "# } ?? ""
            return #"{"attester": {"eth": "\#(attester.checksummed)", "bls": "0x\#(String(repeating: "1", count: 64))"}, \#(coinbaseField)"feeRecipient": "0x\#(String(repeating: "0", count: 64))", "publisher": "\#(publisher.checksummed)"}"#
        }
        let text = #"{"schemaVersion": 1, "remoteSigner": "https://signer.example:8080", "validators": [\#(entries.joined(separator: ", "))]}"#
        try text.write(to: folder.appendingPathComponent("testnet-keys-eu-1-v\(version).json"), atomically: true, encoding: .utf8)
    }

    /// Writes what the stand-in node answers to node_getValidatorsStats.
    func writeValidatorStats(_ stats: [(EthereumAddress, missedAttestations: Int, lastAttestationSlot: Int)]) throws {
        let entries = stats.map { address, missed, slot in
            #""\#(address.lowercaseHex)": {"address": "\#(address.lowercaseHex)", "totalSlots": 40, "lastAttestation": {"timestamp": "1700000000", "slot": "\#(slot)", "date": "2023-11-14T22:13:20.000Z"}, "missedProposals": {"currentStreak": 0, "count": 0}, "missedAttestations": {"currentStreak": 1, "count": \#(missed)}, "history": []}"#
        }
        try #"{"stats": {\#(entries.joined(separator: ", "))}, "lastProcessedSlot": "100", "slotWindow": 100}"#
            .write(to: statsFile, atomically: true, encoding: .utf8)
    }

    /// The configuration the daemon reads, as `aztec-butler` would load it from `environment`.
    func environment(extra: [String: String] = [:]) -> [String: String] {
        var environment = ["ETHEREUM_NODE_URL": evm.deployment.url().absoluteString, "AZTEC_NODE_URL": nodeURL.absoluteString,
                           "AZTEC_STAKING_PROVIDER_ID": "1", "XDG_CONFIG_HOME": folder.path]
        environment.merge(extra) { $1 }
        return environment
    }

    func configuration(extra: [String: String] = [:]) throws -> ButlerConfiguration {
        try ButlerConfiguration.load(ButlerConfigurationRequest(network: "testnet", environment: environment(extra: extra),
                                                                homeDirectory: "/nonexistent-home", dataDirectory: folder))
    }

    /// `aztec-butler serve` on this fixture's nodes and data, listening on 127.0.0.1:`port`
    /// with `token`, every scraper every `interval` seconds; cancel the task to send SIGTERM.
    func serve(port: Int, token: String, interval: String) throws -> Task<ProcessOutput, any Error> {
        var environment = self.environment(extra: ["METRICS_PORT": String(port), "METRICS_BEARER_TOKEN": token])
        environment["PATH"] = "/usr/bin:/bin"
        environment["HOME"] = "/nonexistent-home"
        var arguments = ["--network", "testnet", "--data-dir", folder.path, "serve",
                         "--staking-registry", evm.deployment.stakingRegistry.checksummed,
                         "--multicall3", evm.deployment.multicall3.checksummed]
        for scraper in ButlerScraper.allCases { arguments += ["--\(scraper.intervalOption)", interval] }
        let executable = try BuiltTool.path("aztec-butler")
        return Task {
            try await ProcessRunner.run(ProcessRequest(executable: executable, arguments: arguments, timeout: .seconds(600),
                                                       killGrace: .seconds(10), environment: environment))
        }
    }

    /// Daemon options for tests: sub-second intervals, the fixture's contracts, one quick
    /// attempt per request so an outage shows at once.
    func daemonOptions(interval: String = "0.2") throws -> ButlerDaemonOptions {
        var options = ButlerDaemonOptions()
        for scraper in ButlerScraper.allCases { try options.intervals.set(scraper, seconds: interval) }
        options.stakingRegistry = evm.deployment.stakingRegistry
        options.multicall3 = evm.deployment.multicall3
        options.rpc = try JSONRPCClientOptions(timeout: .seconds(10), retry: JSONRPCRetryPolicy(maxAttempts: 1))
        options.version = "test"
        return options
    }
}

/// The value of the sample written exactly as `series` (name and labels) on `page`.
func metric(_ page: String, _ series: String) -> Double? {
    for line in page.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

/// Polls `condition` every 100 ms until it holds or `seconds` pass; the bound only keeps a
/// broken test from hanging (a loaded machine running every suite can be slow to get here).
func eventually(_ seconds: Double = 300, _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("not within \(seconds) s: \(what)")
    throw EVMSetupError(description: "timed out waiting for: \(what)")
}

/// One session for the tests' GETs, without a URL cache.
private let uncachedSession = URLSession(configuration: .uncached)

/// A GET over loopback: status, headers and body.
func httpGet(_ url: URL, headers: [String: String] = [:]) async throws -> (status: Int, headers: [String: String], body: String) {
    var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: 10)
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let (data, response) = try await uncachedSession.data(for: request)
    let http = response as? HTTPURLResponse
    var fields: [String: String] = [:]
    for (key, value) in http?.allHeaderFields ?? [:] { fields[String(describing: key).lowercased()] = String(describing: value) }
    return (http?.statusCode ?? 0, fields, String(decoding: data, as: UTF8.self))
}

extension DaemonFixture {
    /// Starts a fixture, runs `body` with it and stops it whether `body` passed or threw.
    static func with(_ body: (DaemonFixture) async throws -> Void) async throws {
        let fixture = try await start()
        do {
            try await body(fixture)
        } catch {
            await fixture.stop()
            throw error
        }
        await fixture.stop()
    }
}
