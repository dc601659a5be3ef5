import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct PublisherFundingTests {
    @Test func fractionalLoadsAndTopUpsAsTheOriginalCountsThem() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = ButlerFixtures.address(0xA), b = ButlerFixtures.address(0xB)
        // Publisher A alone for attesters 1 and 2, shared with B for attester 3: A 2.5, B 0.5.
        try ButlerFixtures.write(ButlerFixtures.keysFile([
            ButlerFixtures.validator(attester: 1, publisher: "\"\(a)\""), ButlerFixtures.validator(attester: 2, publisher: "\"\(a)\""),
            ButlerFixtures.validator(attester: 3, publisher: "[\"\(a)\", \"\(b)\"]"),
        ]), "testnet-keys-eu-1-v1.json", in: folder)
        let keys = try KeysDirectory(folder: folder, network: "testnet").discover().merged
        let addressA = try #require(EthereumAddress(hex: a)), addressB = try #require(EthereumAddress(hex: b))
        let report = PublisherFundingReport(network: "testnet", keys: keys,
                                            balances: [addressA: UInt256(250_000_000_000_000_000), addressB: UInt256(100_000_000_000_000_000)],
                                            minEthPerAttester: try #require(EtherAmount(ether: "0.1")))
        #expect(report.publishers.map(\.load) == [2.5, 0.5])
        #expect(report.publishers.map(\.required) == ["0.3", "0.1"])
        #expect(report.publishers.map(\.topUp) == ["0.05", "0"])
        #expect(report.publishers.map(\.funded) == [false, true])
        #expect(report.needsTopUp)
        #expect(report.textLines == [
            "Publisher ETH balances and required top-ups:",
            "\(addressA.checksummed) - load: 2.5, current balance: 0.25 ETH ❌ REQUIRES ADDITIONAL: 0.05 ETH",
            "\(addressB.checksummed) - load: 0.5, current balance: 0.1 ETH ✅",
        ])
    }

    @Test func subtractionBorrowsAcrossLimbsAndRefusesToGoNegative() throws {
        let big = UInt256(limbs: (0, 1, 0, 0))
        #expect(big.subtracting(UInt256(1)) == UInt256(limbs: (0, 0, .max, .max)))
        #expect(UInt256(5).subtracting(UInt256(7)) == nil)
        #expect(UInt256(7).subtracting(UInt256(7)) == .zero)
        #expect(UInt256.max.subtracting(.max) == .zero)
    }
}

/// `get-provider-id` and `check-publisher-eth` against a private EVM.
@Suite(.serialized, .tags(.evm), .requires(.evm)) struct ProviderAndPublisherCommandsOverEVMTests {
    @Test func theProviderOfAnAdminAndThePublishersFunding() async throws {
        try await DaemonFixture.with { fixture in
            let publisher = testAddress(0xB0, 9)
            try fixture.writeKeys([(testAddress(0xEF, 1), nil), (testAddress(0xEF, 2), nil)], publisher: publisher)
            var environment = fixture.environment()
            environment["PATH"] = "/usr/bin:/bin"
            let common = ["--network", "testnet", "--data-dir", fixture.folder.path]
            let registry = ["--staking-registry", fixture.evm.deployment.stakingRegistry.checksummed]
            let multicall = ["--multicall3", fixture.evm.deployment.multicall3.checksummed]
            // The fixture registered provider 1 with admin 0xAD…01, take rate 100.
            let admin = testAddress(0xAD, 1)
            let found = try await runAztecButler(common + ["get-provider-id", admin.lowercaseHex, "--json"] + registry + multicall, environment: environment)
            #expect(found.status == 0, "\(found.stderr)")
            let json = try JSONDecoder().decode(JSONValue.self, from: Data(found.stdout.utf8))
            #expect(json["providerId"] == .integer(1) && json["takeRate"] == .integer(100) && json["admin"] == .string(admin.checksummed))
            let text = try await runAztecButler(common + ["get-provider-id"] + registry + multicall,
                                                environment: environment.merging(["AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS": admin.checksummed]) { $1 })
            #expect(text.status == 0 && text.stdout.contains("Provider ID: 1\n") && text.stdout.contains("Take Rate: 100 (1.0%)"))
            let unknown = try await runAztecButler(common + ["get-provider-id", testAddress(0xAD, 9).checksummed] + registry + multicall, environment: environment)
            #expect(unknown.status == 1 && unknown.stderr.contains("no staking provider has the admin"), "\(unknown.stderr)")

            let unfunded = try await runAztecButler(common + ["check-publisher-eth"] + multicall, environment: environment)
            #expect(unfunded.status == 1)
            #expect(unfunded.stdout.contains("\(publisher.checksummed) - load: 2, current balance: 0 ETH ❌ REQUIRES ADDITIONAL: 0.2 ETH"), "\(unfunded.stdout)")
            try await fixture.sendEther(to: publisher, wei: 300_000_000_000_000_000)
            let funded = try await runAztecButler(common + ["get-publisher-eth", "--json"] + multicall, environment: environment)
            #expect(funded.status == 0, "\(funded.stdout)\(funded.stderr)")
            let report = try JSONDecoder().decode(PublisherFundingReport.self, from: Data(funded.stdout.utf8))
            #expect(report.publishers.count == 1 && report.publishers.first?.balance == "0.3" && report.publishers.first?.funded == true)
        }
    }
}
