import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// The byte-preserving TOML key editor on small documents with the awkward cases.
@Suite(.tags(.unit)) struct TOMLKeyEditorTests {
    func apply(_ edits: [TOMLKeyEdit], _ text: String) throws(TOMLEditError) -> TOMLEditResult {
        try TOMLKeyEditor.apply(edits, to: text)
    }

    @Test func replacesOnlyTheValueKeepingSpacingAndComment() throws {
        let text = "[p2p]\n  persistent_peers   =   \"old\"   # who we keep\nother = 1\n"
        let result = try apply([TOMLKeyEdit(table: ["p2p"], key: "persistent_peers", value: .string("new"))], text)
        #expect(result.text == "[p2p]\n  persistent_peers   =   \"new\"   # who we keep\nother = 1\n")
        #expect(result.changes.first?.action == .replaced)
    }

    @Test func aValueThatAlreadyReadsTheSameKeepsItsBytes() throws {
        let text = "a = 'custom'\nb = \"x\\u0041\"\nc = true\nd = 0042\ne = 7\n"
        let result = try apply([
            TOMLKeyEdit(table: [], key: "a", value: .string("custom")),
            TOMLKeyEdit(table: [], key: "b", value: .string("xA")),
            TOMLKeyEdit(table: [], key: "c", value: .boolean(true)),
            TOMLKeyEdit(table: [], key: "d", value: .integer(42)),
            TOMLKeyEdit(table: [], key: "e", value: .integer(7)),
        ], text)
        #expect(result.changes.map(\.action) == [.kept, .kept, .kept, .replaced, .kept])
        #expect(result.text == "a = 'custom'\nb = \"x\\u0041\"\nc = true\nd = 42\ne = 7\n")
    }

    @Test func insertsAMissingKeyAfterTheLastKeyOfItsTableWithItsIndentation() async throws {
        let text = "top = 1\n\n[statesync]\n  enable = false\n  # trailing comment\n\n[next]\nx = 1\n"
        let result = try apply([TOMLKeyEdit(table: ["statesync"], key: "trust_height", value: .integer(10))], text)
        #expect(result.text == "top = 1\n\n[statesync]\n  enable = false\n  trust_height = 10\n  # trailing comment\n\n[next]\nx = 1\n")
        #expect(result.changes.first?.action == .inserted)
        let document = try await PythonTOML.load(result.text)
        #expect((document["statesync"] as? [String: Any])?["trust_height"] as? Int == 10)
    }

    @Test func insertsIntoAnEmptyTableAndAddsAMissingTableAtTheEnd() async throws {
        let text = "[empty]\n# nothing yet\n[other]\nx = 1"
        let result = try apply([
            TOMLKeyEdit(table: ["empty"], key: "a", value: .integer(1)),
            TOMLKeyEdit(table: ["new", "deep"], key: "b", value: .string("two")),
        ], text)
        #expect(result.text == "[empty]\na = 1\n# nothing yet\n[other]\nx = 1\n\n[new.deep]\nb = \"two\"\n")
        let document = try await PythonTOML.load(result.text)
        #expect(((document["new"] as? [String: Any])?["deep"] as? [String: Any])?["b"] as? String == "two")
    }

    @Test func aFirstTopLevelKeyGoesAboveTheCommentsOfTheFirstTable() async throws {
        let text = "# file header\n\n# the rpc table\n[rpc]\nladdr = \"x\"\n"
        let result = try apply([TOMLKeyEdit(table: [], key: "pruning", value: .string("custom"))], text)
        #expect(result.text == "# file header\n\npruning = \"custom\"\n\n# the rpc table\n[rpc]\nladdr = \"x\"\n")
        let document = try await PythonTOML.load(result.text)
        #expect(document["pruning"] as? String == "custom")
        #expect(try apply([TOMLKeyEdit(table: [], key: "a", value: .integer(1))], "").text == "a = 1\n")
    }

    @Test func multiLineValuesStringsWithBracketsAndArraysOfTablesAreFollowed() async throws {
        let text = """
            title = "has # and ] and [x] inside"
            list = [
              "a", # comment with ]
              'b]',
            ]
            doc = \"\"\"
            [not_a_table]
            key = "not a key"
            \"\"\"
            [[servers]]
            key = "in an array of tables"
            [target]
            key = "old"

            """
        let result = try apply([
            TOMLKeyEdit(table: [], key: "list", value: .string("now a string")),
            TOMLKeyEdit(table: ["target"], key: "key", value: .string("new")),
            TOMLKeyEdit(table: ["not_a_table"], key: "key", value: .string("added")),
        ], text)
        #expect(result.changes.map(\.action) == [.replaced, .replaced, .inserted])
        #expect(result.text.hasPrefix("title = \"has # and ] and [x] inside\"\nlist = \"now a string\"\ndoc = \"\"\"\n[not_a_table]\nkey = \"not a key\"\n\"\"\"\n[[servers]]\nkey = \"in an array of tables\"\n[target]\nkey = \"new\"\n"))
        let document = try await PythonTOML.load(result.text)
        #expect((document["servers"] as? [[String: Any]])?.first?["key"] as? String == "in an array of tables")
        #expect((document["not_a_table"] as? [String: Any])?["key"] as? String == "added")
    }

    @Test func dottedKeysAndQuotedKeysMatch() throws {
        let text = "p2p.persistent_peers = \"\"\n[\"quoted table\"]\n\"quoted key\" = 1\n"
        let result = try apply([
            TOMLKeyEdit(table: ["p2p"], key: "persistent_peers", value: .string("x")),
            TOMLKeyEdit(table: ["quoted table"], key: "quoted key", value: .integer(2)),
        ], text)
        #expect(result.text == "p2p.persistent_peers = \"x\"\n[\"quoted table\"]\n\"quoted key\" = 2\n")
    }

    @Test func stringsAreEscapedSoTOMLReadsThemBack() async throws {
        let value = "quote \" backslash \\ tab \t newline \n bell \u{7} ✓"
        let result = try apply([TOMLKeyEdit(table: ["t"], key: "k", value: .string(value))], "[t]\nk = \"\"\n")
        let document = try await PythonTOML.load(result.text)
        #expect((document["t"] as? [String: Any])?["k"] as? String == value)
        #expect(!(try apply([TOMLKeyEdit(table: ["t"], key: "k", value: .string(value))], result.text)).changedAnything)
    }

    @Test func aDateTimeWithASpaceIsOneValue() async throws {
        let text = "when = 1979-05-27 07:32:00Z # a comment\nk = 1\n"
        let result = try apply([TOMLKeyEdit(table: [], key: "k", value: .integer(2)), TOMLKeyEdit(table: [], key: "when", value: .string("later"))], text)
        #expect(result.text == "when = \"later\" # a comment\nk = 2\n")
        #expect(try await PythonTOML.load(result.text)["when"] as? String == "later")
    }

    @Test func crlfFilesStayCRLF() throws {
        let text = "[p2p]\r\nseeds = \"\"\r\n"
        let result = try apply([TOMLKeyEdit(table: ["p2p"], key: "persistent_peers", value: .string("x"))], text)
        #expect(result.text == "[p2p]\r\nseeds = \"\"\r\npersistent_peers = \"x\"\r\n")
    }

    static let broken: [(text: String, line: Int)] = [
        ("a = \"unclosed\nb = 1\n", 1),
        ("a = 1\nb = [1,\n2,\n", 2),
        ("a = 1\n\nc = \"\"\"\nnever closed\n", 3),
        ("[table\nx = 1\n", 1),
        ("just words\n", 1),
        ("a = 1 b = 2\n", 1),
        ("a =\n", 1),
    ]

    @Test(arguments: broken)
    func textItCannotFollowIsRefusedWithTheLine(_ example: (text: String, line: Int)) {
        #expect(throws: TOMLEditError.self) { try apply([TOMLKeyEdit(table: [], key: "z", value: .integer(1))], example.text) }
        do throws(TOMLEditError) {
            _ = try apply([TOMLKeyEdit(table: [], key: "z", value: .integer(1))], example.text)
        } catch {
            #expect(error.line == example.line, "\(error)")
        }
    }
}
