@testable import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `aztec-butler get-queue-stats` against the local EVM (the Vyper Rollup mock, seeded with
/// 300 queued attesters of which 5 were flushed) and a stand-in Aztec node naming that rollup.
@Suite(.serialized, .tags(.evm), .requires(.evm)) struct QueueStatsOverEVMTests {
    /// A keys file of one server holding queued attesters 10, 20 and 30, the one at 20 without a coinbase.
    static func keysFile() -> String {
        let validators = [10, 20, 30].map { index -> String in
            let attester = testAddress(0xEE, 0x1000 + index).checksummed
            let coinbase = index == 20 ? "" : #""coinbase": "\#(testAddress(0x5C, index).checksummed)", "#
            return #"{"attester": {"eth": "\#(attester)", "bls": "0x\#(String(repeating: "1", count: 64))"}, \#(coinbase)"feeRecipient": "0x\#(String(repeating: "0", count: 64))", "publisher": "\#(testAddress(0xB0, 1).checksummed)"}"#
        }
        return #"{"schemaVersion": 1, "remoteSigner": "https://signer.example:8080", "validators": [\#(validators.joined(separator: ", "))]}"#
    }

    /// Starts the stand-in Aztec node on a free loopback port; returns its URL and a stop function.
    static func startNode(rollup: EthereumAddress, chainId: UInt64, folder: URL, extraArguments: [String] = []) async throws -> (URL, @Sendable () -> Void) {
        let port = try LoopbackPort.free()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pidFile = folder.appendingPathComponent("node.pid").path
        let script = AztecFleetSandbox.fixtures.appendingPathComponent("fake_node.py").path
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: "/usr/bin/python3",
            arguments: [script, "--port", String(port), "--rollup", rollup.checksummed, "--chain-id", String(chainId), "--daemon", "--pidfile", pidFile] + extraArguments,
            timeout: .seconds(30)))
        guard output.status == 0 else {
            throw EVMSetupError(description: "the stand-in Aztec node did not start on port \(port) (exit \(output.status)): \(String(decoding: output.standardError, as: UTF8.self))")
        }
        let stop: @Sendable () -> Void = {
            if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(pid, SIGTERM)
            }
        }
        return (URL(string: "http://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/"), stop)
    }

    /// The shared EVM, a data folder holding the keys file and a stand-in Aztec node naming the
    /// EVM's rollup; the caller stops the node and removes the folder.
    static func setUp() async throws -> (EVMDeployment, URL, UInt64, URL, @Sendable () -> Void) {
        let deployment = try await SharedEVM.shared.deployment()
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("butler-queue-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try keysFile().write(to: folder.appendingPathComponent("testnet-keys-eu-west-1-v2.json"), atomically: true, encoding: .utf8)
        let chainId = try await EthereumClient(url: deployment.url()).chainID()
        let (nodeURL, stop) = try await startNode(rollup: deployment.rollup, chainId: chainId, folder: folder)
        return (deployment, folder, chainId, nodeURL, stop)
    }

    func run(_ arguments: [String], environment: [String: String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runAztecButler(arguments, environment: environment, timeout: .seconds(600))
    }

    @Test func theProvidersAttestersInTheEntryQueueWithTheirArrivals() async throws {
        let (deployment, folder, chainId, nodeURL, stop) = try await Self.setUp()
        defer { stop(); try? FileManager.default.removeItem(at: folder) }
        let environment = ["ETHEREUM_NODE_URL": deployment.url().absoluteString, "AZTEC_NODE_URL": nodeURL.absoluteString,
                           "AZTEC_STAKING_PROVIDER_ID": "2", "XDG_CONFIG_HOME": folder.path]
        let before = Date()
        let result = try await run(["--network", "testnet", "--data-dir", folder.path, "get-queue-stats", "--json",
                                    "--multicall3", deployment.multicall3.checksummed], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let stats = try JSONDecoder().decode(EntryQueueStats.self, from: Data(result.stdout.utf8))
        // Seeded: flush size 4, 32 slots of 36 s, epoch 11, 295 left in the queue.
        #expect(stats.global.totalQueueLength == 295 && stats.global.flushSize == 4 && stats.global.epochDuration == 1152)
        #expect(stats.global.timePerAttester == 288 && stats.global.currentEpoch == 11 && stats.global.isBootstrapped)
        #expect(stats.providerId == 2 && stats.provider.queueCount == 3)
        // Attester 10 is at position 5 (the first five were flushed): arrives 5 × 288 s from now.
        let start = Int64(before.timeIntervalSince1970)
        let next = try #require(stats.provider.nextArrivalTimestamp)
        #expect(next >= start + 1440 && next <= start + 1440 + 60)
        let missing = try #require(stats.provider.nextMissingCoinbase)
        #expect(missing.address.lowercased() == testAddress(0xEE, 0x1000 + 20).checksummed.lowercased())
        #expect((missing.timestamp ?? 0) - next == 2880, "attester 20 is ten places after attester 10")

        // The nodes must belong to the same chain.
        let (otherNode, stopOther) = try await Self.startNode(rollup: deployment.rollup, chainId: chainId + 1, folder: folder.appendingPathComponent("other"))
        defer { stopOther() }
        var mismatched = environment
        mismatched["AZTEC_NODE_URL"] = otherNode.absoluteString
        let refused = try await run(["--network", "testnet", "--data-dir", folder.path, "get-queue-stats"], environment: mismatched)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("follows L1 chain \(chainId + 1) but the Ethereum node"))
        let noProvider = try await run(["--network", "testnet", "--data-dir", folder.path, "get-queue-stats"],
                                       environment: environment.filter { $0.key != "AZTEC_STAKING_PROVIDER_ID" })
        #expect(noProvider.status == 2 && noProvider.stderr.contains("AZTEC_STAKING_PROVIDER_ID is not set"))
    }

    @Test func aBrokenEthereumNodeIsOneClearLineNeverACrash() async throws {
        let (deployment, folder, _, nodeURL, stop) = try await Self.setUp()
        defer { stop(); try? FileManager.default.removeItem(at: folder) }
        // Garbage, an HTTP 503 that never ends, and nothing listening at all.
        for broken in [deployment.url("/malformed"), deployment.url("/fail/503/1000/\(UUID().uuidString.prefix(6))"), URL(string: "http://127.0.0.1:9") ?? deployment.url()] {
            let environment = ["ETHEREUM_NODE_URL": broken.absoluteString, "AZTEC_NODE_URL": nodeURL.absoluteString,
                               "AZTEC_STAKING_PROVIDER_ID": "2", "XDG_CONFIG_HOME": folder.path]
            let result = try await run(["--network", "testnet", "--data-dir", folder.path, "get-queue-stats",
                                        "--multicall3", deployment.multicall3.checksummed], environment: environment)
            #expect(result.status == 1, "\(broken): \(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("aztec-butler: the Ethereum node"), "\(broken): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }
}
