import FleetKit
import FleetTestSupport
import Testing
@testable import ButlerKit

@Suite(.tags(.unit)) struct ABICodecTests {
    @Test func staticArguments() throws {
        let encoded = try ABIEncoder.encode([.uint(69), .bool(true)], as: [.uint(32), .bool])
        #expect(Hex.encode(encoded, prefix: false)
            == "0000000000000000000000000000000000000000000000000000000000000045"
            + "0000000000000000000000000000000000000000000000000000000000000001")
    }

    @Test func dynamicArgumentsMatchTheSolidityDocumentation() throws {
        let types: [ABIType] = [.bytes, .bool, .array(.uint256)]
        let values: [ABIValue] = [.bytes(Array("dave".utf8)), .bool(true), .array([.uint(1), .uint(2), .uint(3)])]
        let encoded = try ABIEncoder.encode(values, as: types)
        let expected = [
            "60", "1", "a0", "4", "6461766500000000000000000000000000000000000000000000000000000000", "3", "1", "2", "3",
        ].map { $0.count == 64 ? $0 : String(repeating: "0", count: 64 - $0.count) + $0 }.joined()
        #expect(Hex.encode(encoded, prefix: false) == expected)
        #expect(try ABIDecoder.decode(encoded, as: types) == values)
    }

    @Test func nestedDynamicTuplesRoundTrip() throws {
        let type = try ABIType(parsing: "(uint8,(string,bytes32)[],int16[2],(address,bool,bytes)[])")
        #expect(type.description == "(uint8,(string,bytes32)[],int16[2],(address,bool,bytes)[])")
        let value = ABIValue.tuple([
            .uint(7),
            .array([.tuple([.string("héllo"), .fixedBytes([UInt8](repeating: 0xAB, count: 32))]), .tuple([.string(""), .fixedBytes([UInt8](repeating: 1, count: 32))])]),
            .array([.int(-300), .int(300)]),
            .array([.tuple([.address(Multicall3.canonicalAddress), .bool(false), .bytes([1, 2, 3])])]),
        ])
        let encoded = try ABIEncoder.encode(value, as: type)
        #expect(try ABIDecoder.decode(encoded, as: type) == value)
    }

    @Test func typeParsingRejectsNonsense() {
        #expect(throws: ABITypeParseError.self) { try ABIType(parsing: "uint7") }
        #expect(throws: ABITypeParseError.self) { try ABIType(parsing: "bytes33") }
        #expect(throws: ABITypeParseError.self) { try ABIType(parsing: "(uint256") }
        #expect(throws: ABITypeParseError.self) { try ABIType(parsing: "uint256[") }
        #expect(throws: ABITypeParseError.self) { try ABIType(parsing: "float") }
        #expect((try? ABIType(parsing: "uint")) == .uint256)
    }

    @Test func encodingRejectsValuesOutsideTheirType() {
        #expect(throws: ABIEncodingError.self) { try ABIEncoder.encode(.uint(256), as: .uint(8)) }
        #expect(throws: ABIEncodingError.self) { try ABIEncoder.encode(.int(-129), as: .int(8)) }
        #expect(throws: ABIEncodingError.self) { try ABIEncoder.encode(.fixedBytes([1]), as: .fixedBytes(2)) }
        #expect(throws: ABIEncodingError.self) { try ABIEncoder.encode(.bool(true), as: .address) }
        #expect(throws: ABIEncodingError.self) { try ABIEncoder.encode(.array([.uint(1)]), as: .fixedArray(.uint256, 2)) }
    }

    @Test func shortDataNamesWhatAndWhere() throws {
        let data = [UInt8](repeating: 0, count: 40)
        let error = try #require(throws: ABIDecodingError.self) {
            try ABIDecoder.decode(data, as: [.uint256, .uint256], context: "getEntryQueueLength() return data")
        }
        #expect(error.offset == 32)
        #expect(error.path == "value[1]")
        #expect(error.reason == .dataTooShort(needed: 64, available: 40))
        #expect(error.description.contains("getEntryQueueLength() return data"))
        #expect(error.description.contains("byte offset 32"))
    }

    @Test func offsetsAndLengthsOutsideTheDataAreRejected() throws {
        // An offset pointing far beyond the data.
        var badOffset = UInt256(0x1000).bigEndianBytes
        badOffset += UInt256(0).bigEndianBytes
        let offsetError = try #require(throws: ABIDecodingError.self) { try ABIDecoder.decode(badOffset, as: [.bytes]) }
        #expect(offsetError.offset == 0)
        // A length claiming 2^255 elements must fail before allocating anything.
        let hugeLength = UInt256(0x20).bigEndianBytes + UInt256(limbs: (1 << 63, 0, 0, 0)).bigEndianBytes
        let lengthError = try #require(throws: ABIDecodingError.self) { try ABIDecoder.decode(hugeLength, as: [.array(.uint256)]) }
        #expect(lengthError.offset == 32)
        // A bytes length running past the end.
        let longBytes = UInt256(0x20).bigEndianBytes + UInt256(100).bigEndianBytes + [UInt8](repeating: 1, count: 32)
        #expect(throws: ABIDecodingError.self) { try ABIDecoder.decode(longBytes, as: [.bytes]) }
    }

    @Test func dirtyWordsAreRejected() {
        #expect(throws: ABIDecodingError.self) { try ABIDecoder.decode(UInt256(2).bigEndianBytes, as: .bool) }
        #expect(throws: ABIDecodingError.self) { try ABIDecoder.decode(UInt256(256).bigEndianBytes, as: .uint(8)) }
        #expect(throws: ABIDecodingError.self) { try ABIDecoder.decode(UInt256.max.bigEndianBytes, as: .address) }
        #expect(throws: ABIDecodingError.self) { try ABIDecoder.decode(UInt256(200).bigEndianBytes, as: .int(8)) }
        #expect((try? ABIDecoder.decode(UInt256.max.bigEndianBytes, as: .int(8))) == .int(-1))
        let badUTF8 = UInt256(0x20).bigEndianBytes + UInt256(2).bigEndianBytes + [0xC3, 0x28] + [UInt8](repeating: 0, count: 30)
        #expect(throws: ABIDecodingError.self) { try ABIDecoder.decode(badUTF8, as: .string) }
    }

    @Test func randomGarbageNeverTraps() throws {
        var generator = SystemRandomNumberGenerator()
        let types = try [
            "(uint8,(string,bytes32)[],int16[2],(address,bool,bytes)[])", "bytes[]", "string[][]", "(bytes,uint256)[3]",
        ].map { try ABIType(parsing: $0) }
        for round in 0..<3000 {
            let length = Int.random(in: 0...320, using: &generator)
            var data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // Bias some words towards small numbers so offsets and lengths are often almost valid.
            for word in stride(from: 0, to: data.count - 31, by: 32) where Bool.random(using: &generator) {
                for index in word..<(word + 31) { data[index] = 0 }
                data[word + 31] = UInt8.random(in: 0...0x80, using: &generator)
            }
            _ = try? ABIDecoder.decode(data, as: types[round % types.count])
        }
    }
}
