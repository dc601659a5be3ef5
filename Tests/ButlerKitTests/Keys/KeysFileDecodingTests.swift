import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Reading keys files: every problem reported with its JSON path, both publisher forms, and
/// a file read and written unchanged staying the same.
@Suite(.tags(.unit)) struct KeysFileDecodingTests {
    let name = "mainnet-keys-eu-west-1-v3.json"

    func problems(_ text: String) -> [String] {
        do {
            _ = try KeysFile.decode(Data(text.utf8), fileName: name)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func theOriginalFormatReadsAndRewritesByteForByte() throws {
        let url = ButlerFixtures.data.appendingPathComponent(name)
        let original = try Data(contentsOf: url)
        let file = try KeysFile.read(from: url)
        #expect(file.schemaVersion == 1)
        #expect(file.remoteSigner == "https://signer.example.com:8080")
        #expect(file.validators.count == 2)
        #expect(file.validators[0].attester.eth.text == "0x5A0b54D5dc17e0AadC383d2db43B0a0D3E029c4c", "spelling kept")
        #expect(file.validators[0].coinbase == KeysFileAddress(ButlerFixtures.address(0xc0b1)))
        #expect(file.validators[1].coinbase == nil)
        #expect(file.validators[0].publisher == .single(try #require(KeysFileAddress(ButlerFixtures.address(0xb0b1)))))
        #expect(file.encoded() == original)
    }

    @Test func publisherStringAndArrayKeepTheirForm() throws {
        let text = ButlerFixtures.keysFile([
            ButlerFixtures.validator(attester: 1),
            ButlerFixtures.validator(attester: 2, publisher: "[\"\(ButlerFixtures.address(7))\", \"\(ButlerFixtures.address(8))\"]"),
        ])
        let file = try KeysFile.decode(Data(text.utf8), fileName: name)
        guard case .single = file.validators[0].publisher, case .list(let list) = file.validators[1].publisher else {
            Issue.record("publisher forms not kept: \(file.validators.map(\.publisher))")
            return
        }
        #expect(list.map(\.text) == [ButlerFixtures.address(7), ButlerFixtures.address(8)])
        let again = try KeysFile.decode(file.encoded(), fileName: name)
        #expect(again == file)
        let rewritten = String(decoding: file.encoded(), as: UTF8.self)
        #expect(rewritten.contains("\"publisher\": \"\(ButlerFixtures.address(0xb0b))\""))
        #expect(rewritten.contains("\"publisher\": [\n"))
        #expect(file.publishers.count == 3)
    }

    @Test func unknownFieldsAndAMissingSchemaVersionSurviveARewrite() throws {
        let text = """
        {"remoteSigner": "https://signer.example.com", "note": {"owner": "ops", "tags": [1, 2.5, true, null]},
         "validators": [{"attester": {"eth": "\(ButlerFixtures.address(1))", "bls": "\(ButlerFixtures.word(1))", "label": "a"},
                         "feeRecipient": "\(ButlerFixtures.word(0))", "publisher": "\(ButlerFixtures.address(2))", "enabled": false}]}
        """
        let file = try KeysFile.decode(Data(text.utf8), fileName: name)
        #expect(file.schemaVersion == 1, "absent means 1, as in the original")
        #expect(file.otherFields["note"]?["owner"] == .string("ops"))
        #expect(file.validators[0].otherFields == ["enabled": .bool(false)])
        #expect(file.validators[0].attester.otherFields == ["label": .string("a")])
        let rewritten = try JSONDecoder().decode(JSONValue.self, from: file.encoded())
        let source = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        guard case .object(var expected) = source else { throw KeysFileTestError("not an object") }
        expected["schemaVersion"] = .integer(1)
        #expect(rewritten == .object(expected))
    }

    @Test func everyProblemOfAFileIsReportedWithItsPath() {
        let text = ButlerFixtures.keysFile([
            ButlerFixtures.validator(attester: 1),
            """
            {"attester": {"eth": "0x1234", "bls": "0xzz"}, "coinbase": "\(ButlerFixtures.address(0))", "feeRecipient": "\(ButlerFixtures.address(5))", "publisher": ["\(ButlerFixtures.address(3))", "oops"]}
            """,
            "{\"attester\": \"0x01\", \"publisher\": []}",
            "{\"attester\": {\"eth\": \"\(ButlerFixtures.address(1))\", \"bls\": \"\(ButlerFixtures.word(1))\"}, \"feeRecipient\": \"\(ButlerFixtures.word(0))\", \"publisher\": 5}",
            "[]",
        ])
        #expect(problems(text) == [
            "\(name): validators[1].attester.eth: expected 0x + 40 hex digits, got 0x + 4 hex digits",
            "\(name): validators[1].attester.bls: expected 0x + 64 hex digits",
            "\(name): validators[1].coinbase: the zero address cannot be a coinbase (leave coinbase out until it is known)",
            "\(name): validators[1].feeRecipient: expected 0x + 64 hex digits, got 0x + 40 hex digits",
            "\(name): validators[1].publisher[1]: expected 0x + 40 hex digits",
            "\(name): validators[2].attester: expected an object with eth and bls, got a string",
            "\(name): validators[2].feeRecipient: missing (expected 0x + 64 hex digits)",
            "\(name): validators[2].publisher: expected at least one publisher, got an empty array",
            "\(name): validators[3].publisher: expected 0x + 40 hex digits or an array of them, got the number 5",
            "\(name): validators[4]: expected a validator object with attester, feeRecipient and publisher, got an array",
        ])
    }

    @Test func aRepeatedAttesterInOneFileIsReported() {
        let text = ButlerFixtures.keysFile([ButlerFixtures.validator(attester: 1), ButlerFixtures.validator(attester: 2),
                                            ButlerFixtures.validator(attester: 1)])
        #expect(problems(text) == ["\(name): validators[2].attester.eth: the same attester as validators[0]; an attester belongs in one entry"])
    }

    @Test func topLevelProblems() {
        #expect(problems("{\"schemaVersion\": \"1\", \"remoteSigner\": \"signer:8080\"}") == [
            "\(name): schemaVersion: expected a whole number from 1, got a string",
            "\(name): remoteSigner: expected an http(s) URL such as https://signer.example.com:8080, got text that is not a URL (not shown: it may hold a key)",
            "\(name): validators: missing (expected an array of validators)",
        ])
        #expect(problems("[1, 2]") == ["\(name): expected a JSON object with schemaVersion, remoteSigner and validators, got an array"])
        #expect(problems("{\"validators\": {}}") == ["\(name): validators: expected an array of validators, got an object"])
        let broken = problems("{\"validators\": [")
        #expect(broken.count == 1 && broken[0].hasPrefix("\(name): not valid JSON: "))
        #expect(problems("") .count == 1)
    }

    @Test func aBLSKeyIsNeverQuotedInAProblem() {
        let secret = "0x" + String(repeating: "ab", count: 31)
        let text = ButlerFixtures.keysFile(["{\"attester\": {\"eth\": \"\(ButlerFixtures.address(1))\", \"bls\": \"\(secret)\"}, \"feeRecipient\": \"\(ButlerFixtures.word(0))\", \"publisher\": \"\(ButlerFixtures.address(2))\"}"])
        let found = problems(text)
        #expect(found == ["\(name): validators[0].attester.bls: expected 0x + 64 hex digits, got 0x + 62 hex digits"])
        #expect(!found.joined().contains(secret))
    }

    @Test func writingIsAtomicWithOwnerOnlyMode() throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = try KeysFile.read(from: ButlerFixtures.data.appendingPathComponent(name))
        let target = folder.appendingPathComponent(name)
        try file.write(to: target)
        #expect(try KeysFile.read(from: target) == file)
        let mode = try FileManager.default.attributesOfItem(atPath: target.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [name], "no temporary file left")
    }

    @Test func aMissingFileNamesItsPath() {
        let url = URL(fileURLWithPath: "/nonexistent/\(name)")
        #expect(throws: KeysFileError.self) { try KeysFile.read(from: url) }
        do {
            _ = try KeysFile.read(from: url)
        } catch {
            #expect(error.description.hasPrefix("\(name): cannot read /nonexistent/\(name): "))
        }
    }
}

struct KeysFileTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
