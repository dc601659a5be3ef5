import FleetKit
import FleetTestSupport
import Testing
@testable import ButlerKit

@Suite(.tags(.unit)) struct KeccakTests {
    @Test func emptyInputUsesEthereumPadding() {
        #expect(Hex.encode(Keccak256.hash([]), prefix: false) == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    }

    @Test func abc() {
        #expect(Hex.encode(Keccak256.hash(utf8: "abc"), prefix: false) == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    }

    @Test func inputCrossingTheRateBoundary() {
        // 200 bytes 0, 1, …, 199: one full 136-byte block plus a partial one.
        let input = (0..<200).map { UInt8($0) }
        #expect(Hex.encode(Keccak256.hash(input), prefix: false) == "bfb0aa97863e797943cf7c33bb7e880bb4543f3d2703c0923c6901c2af57b890")
    }

    @Test func transferSelector() {
        #expect(FunctionSelector(signature: "transfer(address,uint256)").hex == "0xa9059cbb")
    }

    @Test(arguments: [
        ("getAttesterView(address)", "34a51ed5"), ("getStatus(address)", "30ccebb5"),
        ("getEntryQueueLength()", "1b56a0e7"), ("getEntryQueueAt(uint256)", "9ca03702"),
        ("getEntryQueueFlushSize()", "10073ff0"), ("getAvailableValidatorFlushes()", "2980c31e"),
        ("getNextFlushableEpoch()", "ca3dc9ec"), ("getIsBootstrapped()", "8990cf69"),
        ("getEpochDuration()", "5d3ea8f1"), ("getSlotDuration()", "c4014c12"),
        ("getCurrentEpoch()", "b97dd9e2"), ("getActiveAttesterCount()", "90a3b386"),
        ("getAttesterAtIndex(uint256)", "a7f8e646"), ("providerConfigurations(uint256)", "dc5aca93"),
        ("nextProviderIdentifier()", "2c9a9db5"), ("getProviderQueueLength(uint256)", "28f34d3c"),
        ("getFirstIndexInQueue(uint256)", "2a9e42c1"), ("getLastIndexInQueue(uint256)", "834d1091"),
        ("getValueAtIndexInQueue(uint256,uint128)", "2ba4d02d"), ("aggregate3((address,bool,bytes)[])", "82ad56cb"),
    ])
    func aztecSelectors(signature: String, selector: String) {
        #expect(FunctionSelector(signature: signature).hex == "0x" + selector)
    }

    @Test func readersUseTheDocumentedSelectors() {
        #expect(RollupReader.Functions.getAttesterView.selector.hex == "0x34a51ed5")
        #expect(RollupReader.Functions.getEntryQueueAt.selector.hex == "0x9ca03702")
        #expect(StakingRegistryReader.Functions.getValueAtIndexInQueue.selector.hex == "0x2ba4d02d")
        #expect(StakingRegistryReader.Functions.providerConfigurations.selector.hex == "0xdc5aca93")
        #expect(Multicall3.aggregate3.selector.hex == "0x82ad56cb")
    }

    @Test func stakedWithProviderTopic() {
        #expect(StakingRegistryReader.Functions.stakedWithProviderTopic.hex
            == "0xc91c8b4e934fb8f46c6d08a34d60ceb8dbe4ab6844a7040ca4c580e5a837d5c7")
    }

    @Test func validatorQueuedTopic() {
        #expect(EventTopic(signature: "ValidatorQueued(address,address)").hex
            == "0x676247b4195b3fe545499177befc02b4b4bebd3805a2283b30defcae63d54661")
    }

    @Test func checksummedAddress() {
        let address = EthereumAddress(hex: "0xca11bde05977b3631167028862be2a173976ca11")
        #expect(address?.checksummed == "0xcA11bde05977b3631167028862bE2a173976CA11")
        #expect(address == Multicall3.canonicalAddress)
        #expect(EthereumAddress(hex: "0x1234") == nil)
        #expect(EthereumAddress(hex: "0xzz11bde05977b3631167028862be2a173976ca11") == nil)
    }
}

@Suite(.tags(.unit)) struct UInt256Tests {
    @Test func decimalAndHexRoundTrip() throws {
        let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
        #expect(UInt256(decimal: max) == .max)
        #expect(UInt256.max.description == max)
        #expect(UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936") == nil)
        #expect(UInt256(hex: "0x1a")?.uint64Value == 26)
        #expect(UInt256(26).hexQuantity == "0x1a")
        #expect(UInt256.zero.hexQuantity == "0x0")
        #expect(UInt256(hex: "0x" + String(repeating: "f", count: 65)) == nil)
        #expect(UInt256(decimal: "12a") == nil)
    }

    @Test func signedValues() {
        #expect(Int256(-1).bitPattern == .max)
        #expect(Int256(-128).signedBitWidth == 8)
        #expect(Int256(127).signedBitWidth == 8)
        #expect(Int256(128).signedBitWidth == 9)
        #expect(Int256(decimal: "-57896044618658097711785492504343953926634992332820282019728792003956564819968")?.signedBitWidth == 256)
        #expect(Int256(decimal: "57896044618658097711785492504343953926634992332820282019728792003956564819968") == nil)
        #expect(Int256(-42).description == "-42")
        #expect(Int256(-42).int64Value == -42)
        #expect(Int256(-5) < Int256(3))
    }
}
