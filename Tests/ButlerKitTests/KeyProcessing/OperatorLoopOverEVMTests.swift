@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The operator guide's loop through the built binary against a private EVM whose
/// StakingRegistry stand-in checks the admin: new private keys → public keys file (keys stored,
/// web3signers reloaded) → keys files (prepare-deployment) → registration calldata executed on
/// the EVM → the attesters IN_STAKING_PROVIDER_QUEUE. No private key is ever printed.
@Suite(.serialized, .tags(.evm, .slow), .requires(.evm)) struct OperatorLoopOverEVMTests {
    /// eth-tester's deployer: the account of private key 1, which sends `test_sendCalldata`.
    static let deployer = EthereumAddress(hex: "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf") ?? .zero
    /// Attester private keys (Hardhat accounts 1 and 2, the original's phase-2 example) and their addresses.
    static let attesterKeys = ["0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
                               "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
                               "0x97cb22ac7d7738c6faac945bcc4948d7eafb31e740ea264e0c233ccac625d2f5"]
    static let attesters = ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
                            "0x5FAC75C9bD29CDf5599C74e31A8a88850a573748"]
    static let blsKeys = ["0x09d2913bbbf998f7a0018203321c5427e3b912fb9f57ed6004c89ea9abf0c413",
                          "0x0fe9586a9cb0fdd435993a3b4210feabe24b2984c9fdc2b72d269a481d17b113",
                          "0x0000000000000000000000000000000000000000000000000000000000000002"]
    static let blsPublicKeys = ["0x93b08f1aa2fa961575b4ed2b6222dc7576b5f8bf6b7cb93d6ddb6824bad0e7ca",
                                "0x9b03e1ad3e6a9d04dd1f720d742b801091ac435deffcf8f259eaa0924669c7a1",
                                "0x030644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd3"]
    static let publisherKeys = (1...3).map { "0x" + String(repeating: "ab", count: 31) + String(format: "%02x", $0) }

    static var privateKeysJSON: String {
        let validators = (0..<3).map { index in
            #"{"attester": {"eth": "\#(attesterKeys[index])", "bls": "\#(blsKeys[index])"}, "publisher": "\#(publisherKeys[index])", "feeRecipient": "0x\#(String(repeating: "0", count: 64))", "coinbase": "0x\#(String(repeating: "0", count: 40))"}"#
        }
        return #"{"schemaVersion": 1, "validators": [\#(validators.joined(separator: ", "))]}"#
    }

    /// Every private key of the batch, as the file spells it and without `0x`.
    static var secrets: [String] { (attesterKeys + blsKeys.prefix(2) + publisherKeys).flatMap { [$0, String($0.dropFirst(2))] } }

    /// The registration file's coordinates for attester `index`: distinct, one above 2^255.
    static func coordinates(_ index: Int) -> [String] {
        ["\(1000 + index)", "\(2000 + index)", "\(3000 + index)", "\(4000 + index)", "\(5000 + index)", "\(6000 + index)",
         "57896044618658097711785492504343953926634992332820282019728792003956564819968", "\(8000 + index)"]
    }

    static func registrationJSON() -> String {
        let entries = (0..<3).map { index in
            let c = coordinates(index)
            return #"{"attester": "\#(attesters[index])", "publicKeyG1": {"x": "\#(c[0])", "y": "\#(c[1])"}, "publicKeyG2": {"x0": "\#(c[2])", "x1": "\#(c[3])", "y0": "\#(c[4])", "y1": "\#(c[5])"}, "proofOfPossession": {"x": "\#(c[6])", "y": "\#(c[7])"}}"#
        }
        return "[\(entries.joined(separator: ", "))]"
    }

    func butler(_ fixture: DaemonFixture, _ arguments: [String], provider: String = "2", extra: [String: String] = [:]) async throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try await runAztecButler(["--network", "testnet", "--data-dir", fixture.folder.path] + arguments,
                                              environment: fixture.environment(extra: ["AZTEC_STAKING_PROVIDER_ID": provider].merging(extra) { $1 }),
                                              timeout: .seconds(240))
        for secret in Self.secrets {
            #expect(!result.stdout.lowercased().contains(secret) && !result.stderr.lowercased().contains(secret), "a private key was printed")
        }
        return result
    }

    func send(_ fixture: DaemonFixture, _ proposal: CalldataProposal) async throws {
        _ = try await fixture.rpc.call("test_sendCalldata", [.string(proposal.contract), .string(proposal.calldata)])
    }

    func registry(_ fixture: DaemonFixture) -> StakingRegistryReader {
        StakingRegistryReader(client: EthereumClient(url: fixture.evm.deployment.url()), registry: fixture.evm.deployment.stakingRegistry,
                              strategy: .multicall3(address: fixture.evm.deployment.multicall3))
    }

    func contracts(_ fixture: DaemonFixture) -> [String] {
        ["--staking-registry", fixture.evm.deployment.stakingRegistry.checksummed, "--multicall3", fixture.evm.deployment.multicall3.checksummed]
    }

    /// Starts the web3signer stand-in on a free port; returns its port and the file it logs to.
    func startSigner(_ folder: URL) throws -> (Int, URL, Process) {
        let port = try LoopbackPort.free()
        let log = folder.appendingPathComponent("signer.log")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [ButlerFixtures.folder.appendingPathComponent("web3signer_stub.py").path, log.path, String(port)]
        process.standardInput = Pipe()
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (port, log, process)
    }

    @Test func fromPrivateKeysToTheProviderQueue() async throws {
        try await DaemonFixture.with { fixture in
            let registryAddress = fixture.evm.deployment.stakingRegistry
            let work = fixture.folder.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            // Provider 2, administered by the deployer, created from the create-provider calldata.
            try await send(fixture, try ProviderAdminCalldata.createProvider(registry: registryAddress, admin: Self.deployer, takeRate: 500,
                                                                           rewardsRecipient: testAddress(0x5E, 2)))
            #expect(try await registry(fixture).providerConfigurations([2]).first?.admin == Self.deployer)
            let privateKeys = work.appendingPathComponent("new-private-keys.json")
            try Self.privateKeysJSON.write(to: privateKeys, atomically: true, encoding: .utf8)
            let store = work.appendingPathComponent("stored-keys.json")
            let publicKeys = work.appendingPathComponent("public-new-private-keys.json")

            // Phase 2 refused: the third attester already waits in provider 1's queue.
            try await fixture.transact("StakingRegistry", "addAttestersToProvider", [1, .array([.string(Self.attesters[2].lowercased())])])
            let storeCommand = "/bin/sh -c 'umask 077; cat > \"$0\"' \(store.path)"
            let refused = try await butler(fixture, ["process-private-keys", privateKeys.path, "-o", publicKeys.path, "--store-command", storeCommand] + contracts(fixture),
                                           provider: "1")
            #expect(refused.status != 0 && refused.stderr.contains("validators[2]") && refused.stderr.contains(Self.attesters[2]), "\(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: store.path) && !FileManager.default.fileExists(atPath: publicKeys.path))

            // Phase 2 for provider 2: stored through the command, one signer reloaded, one down.
            let (port, signerLog, signer) = try startSigner(work)
            defer { signer.terminate() }
            try await eventually(60, "the web3signer stand-in listens") { LoopbackPort.accepts(port) }
            let deadPort = try LoopbackPort.free()
            let processed = try await butler(fixture, ["process-private-keys", privateKeys.path, "-o", publicKeys.path, "--store-command", storeCommand, "--json"] + contracts(fixture),
                                             extra: ["WEB3SIGNER_URLS": "http://127.0.0.1:\(port), http://127.0.0.1:\(deadPort)/reload"])
            #expect(processed.status == 1, "one web3signer could not be reloaded: \(processed.stderr)")
            let report = try JSONDecoder().decode(PrivateKeysProcessingReport.self, from: Data(processed.stdout.utf8))
            #expect(report.validators.map(\.attester) == Self.attesters && report.validators.map(\.blsPublicKey) == Self.blsPublicKeys)
            #expect(report.providerQueue == ProviderQueueCheck(providerId: 2, queueLength: 0))
            #expect(report.reloads.map(\.succeeded) == [true, false])
            #expect(try String(contentsOf: signerLog, encoding: .utf8) == "POST /reload\n")
            #expect(try Data(contentsOf: store) == Data(Self.privateKeysJSON.utf8), "the storage received the private keys file unchanged")
            let storeMode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
            #expect(storeMode == 0o600)
            let publicFile = try KeysFile.decode(Data(contentsOf: publicKeys), fileName: "p", publisherOptional: true)
            #expect(publicFile.validators.map(\.attester.eth.text) == Self.attesters && publicFile.validators.map(\.attester.bls.text) == Self.blsPublicKeys)

            // Phase 3: one keys file per server from production keys, the public keys and the publishers.
            let production = work.appendingPathComponent("prod-keyfile.json")
            try DeploymentCommandsOverEVMTests.keysFile([DeploymentCommandsOverEVMTests.validator(testAddress(0xCC, 1), coinbase: testAddress(0x5C, 1), publisher: testAddress(0xB0, 1))])
                .write(to: production, atomically: true, encoding: .utf8)
            let publishers = work.appendingPathComponent("publishers.json")
            try #"{"a": ["\#(testAddress(0xB0, 2).checksummed)"]}"#.write(to: publishers, atomically: true, encoding: .utf8)
            try await fixture.sendEther(to: testAddress(0xB0, 2), wei: 1_000_000_000_000_000_000)
            let prepared = try await butler(fixture, ["prepare-deployment", "--production-keys", production.path, "--new-public-keys", publicKeys.path,
                                                      "--available-publishers", publishers.path])
            #expect(prepared.status == 0, "\(prepared.stderr)")
            let keysFile = try KeysFile.read(from: fixture.folder.appendingPathComponent("testnet-keys-a-v1.json"))
            #expect(keysFile.validators.map(\.attester.eth.text) == [testAddress(0xCC, 1).checksummed] + Self.attesters)

            // Phase 5: calldata from the aztec CLI's registration file, executed as the admin's multisig would.
            let registration = work.appendingPathComponent("keys")
            try FileManager.default.createDirectory(at: registration, withIntermediateDirectories: true)
            try Self.registrationJSON().write(to: registration.appendingPathComponent("validator_1_staker_output.json"), atomically: true, encoding: .utf8)
            let batch = work.appendingPathComponent("safe-batch.json")
            let added = try await butler(fixture, ["add-keys", registration.path, "--safe-batch", batch.path, "--json"] + contracts(fixture))
            #expect(added.status == 0, "\(added.stderr)")
            let addReport = try JSONDecoder().decode(AddKeysReport.self, from: Data(added.stdout.utf8))
            let proposal = try #require(addReport.proposal)
            #expect(addReport.adding == Self.attesters && addReport.providerId == 2 && proposal.contract == registryAddress.checksummed)
            #expect(proposal.function == "addKeysToProvider(uint256,(address,(uint256,uint256),(uint256,uint256,uint256,uint256),(uint256,uint256))[])")
            let batchJSON = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: batch)) as? [String: Any])
            let transactions = try #require(batchJSON["transactions"] as? [[String: Any]])
            #expect(batchJSON["version"] as? String == "1.0" && batchJSON["chainId"] as? String == String(fixture.chainId))
            #expect(transactions.count == 1 && transactions[0]["data"] as? String == proposal.calldata && transactions[0]["to"] as? String == proposal.contract
                    && transactions[0]["value"] as? String == "0")
            try await send(fixture, proposal)

            // The registry stored every KeyStore exactly as the registration file gave it.
            let function = StakingRegistryReader.Functions.getValueAtIndexInQueue
            let client = EthereumClient(url: fixture.evm.deployment.url())
            for index in 0..<3 {
                let call = try function.call(on: registryAddress, [.unsigned(2), .unsigned(UInt64(1 + index))])
                let value = try #require(try function.decodeOutcome(try await client.call(call), from: registryAddress).first)
                let expected: ABIValue = .tuple([.address(try #require(EthereumAddress(hex: Self.attesters[index]))),
                                                 .tuple(try Self.coordinates(index)[0..<2].map { .uint(try #require(UInt256(decimal: $0))) }),
                                                 .tuple(try Self.coordinates(index)[2..<6].map { .uint(try #require(UInt256(decimal: $0))) }),
                                                 .tuple(try Self.coordinates(index)[6..<8].map { .uint(try #require(UInt256(decimal: $0))) })])
                #expect(value == expected, "KeyStore \(index)")
            }

            // Verification as the guide does it: the new attesters are IN_STAKING_PROVIDER_QUEUE.
            let listed = try await butler(fixture, ["attesters", "--json"] + contracts(fixture))
            #expect(listed.status == 0, "\(listed.stderr)")
            let placements = try JSONDecoder().decode(AttesterPlacementReport.self, from: Data(listed.stdout.utf8))
            let states = Dictionary(uniqueKeysWithValues: placements.attesters.map { ($0.address, $0.state) })
            #expect(Self.attesters.map { states[$0] } == Array(repeating: .inStakingProviderQueue, count: 3))
            #expect(states[testAddress(0xCC, 1).checksummed] == .new)
            let cache = work.appendingPathComponent("testnet-cached-attesters.json")
            let one = try await butler(fixture, ["scrape-attester-status", "--show-queued", "--attester", Self.attesters[1], "--output-file", cache.path, "--json"] + contracts(fixture))
            #expect(one.status == 0, "\(one.stderr)")
            let shown = try JSONDecoder().decode(AttesterPlacementReport.self, from: Data(one.stdout.utf8))
            #expect(shown.attesters.map(\.address) == [Self.attesters[1]] && shown.attesters.first?.state == .inStakingProviderQueue)
            let cached = try String(contentsOf: cache, encoding: .utf8)
            #expect(cached.contains(#""address": "\#(Self.attesters[2])",\#n      "lastSeenState": "IN_STAKING_PROVIDER_QUEUE""#) && cached.contains(#""version": "2.0""#))

            // Run again: nothing left to add.
            let again = try await butler(fixture, ["add-keys", registration.path, "--json"] + contracts(fixture))
            let againReport = try JSONDecoder().decode(AddKeysReport.self, from: Data(again.stdout.utf8))
            #expect(againReport.proposal == nil && againReport.adding.isEmpty && againReport.skipped.count == 3)
            #expect(againReport.skipped.allSatisfy { $0.reason == "already in provider 2's queue" })

            // The other provider-admin calldata, executed the same way.
            try await send(fixture, try ProviderAdminCalldata.changeCommission(registry: registryAddress, providerId: 2, takeRate: 750))
            #expect(try await registry(fixture).providerConfigurations([2]).first?.takeRate == 750)
            let handOver = try ProviderAdminCalldata.changeAdmin(registry: registryAddress, providerId: 2, newAdmin: Self.deployer)
            try await send(fixture, handOver[0])
            let pending = ContractFunction("pendingProviderAdmins", inputs: [.uint256], outputs: [.address])
            func pendingAdmin() async throws -> EthereumAddress? {
                try pending.decodeOutcome(try await client.call(try pending.call(on: registryAddress, [.unsigned(2)])), from: registryAddress).first?.addressValue
            }
            #expect(try await pendingAdmin() == Self.deployer)
            try await send(fixture, handOver[1])
            #expect(try await pendingAdmin() == .zero)
        }
    }
}
