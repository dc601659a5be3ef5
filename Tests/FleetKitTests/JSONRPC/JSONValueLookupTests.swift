import FleetTestSupport
import Foundation
import Testing
import FleetKit

@Suite(.tags(.unit)) struct JSONValueLookupTests {
    private func parse(_ text: String) throws -> JSONValue { try #require(JSONValue(parsing: Data(text.utf8))) }

    @Test func notJSONIsNil() {
        #expect(JSONValue(parsing: Data("<html>502</html>".utf8)) == nil)
        #expect(JSONValue(parsing: Data()) == nil)
    }

    @Test func valuesAtAPath() throws {
        let status = try parse(#"{"result":{"sync_info":{"latest_block_height":"123","catching_up":false}}}"#)
        #expect(status.value(at: ["result", "sync_info", "latest_block_height"]) == .string("123"))
        #expect(status.value(at: []) == status)
        #expect(status.value(at: ["result", "missing"]) == nil)
        #expect(status.value(at: ["result", "sync_info", "catching_up", "deeper"]) == nil, "a step into a non-object")
    }

    @Test func theFirstValueUnderAKeyOwnMembersFirstThenSortedNames() throws {
        let report = try parse(#"""
            {"z": {"passed": 1}, "a": [{"passed": 2}], "summary": {"passed": 3}}
            """#)
        #expect(report.firstValue(forKey: "passed") == .integer(2), "a's array comes before summary and z")
        let own = try parse(#"{"a": {"passed": 1}, "passed": 9}"#)
        #expect(own.firstValue(forKey: "passed") == .integer(9))
        #expect(own.firstValue(forKey: "absent") == nil)
        #expect(JSONValue.string("passed").firstValue(forKey: "passed") == nil)
    }

    @Test func everyObjectIsVisitedDepthFirst() throws {
        let value = try parse(#"{"checks": [{"id": "a", "status": "PASS"}, {"id": "b", "inner": {"id": "c"}}], "id": "root"}"#)
        var seen: [String] = []
        value.forEachObject { object in if let id = object["id"]?.stringValue { seen.append(id) } }
        #expect(seen == ["root", "a", "b", "c"])
    }

    @Test(arguments: [
        (#""123""#, "123", 123), ("123", "123", 123), ("1.5", "1.5", nil), ("2.0", "2", 2),
        (#""abc""#, "abc", nil), ("true", nil, nil), ("null", nil, nil), ("[1]", nil, nil),
    ] as [(String, String?, Int?)])
    func numbersAndTextReadEitherWay(json: String, text: String?, integer: Int?) throws {
        let value = try parse(json)
        #expect(value.scalarText == text)
        #expect(value.integerFromNumberOrText == integer)
    }
}
