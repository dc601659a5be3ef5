import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

/// Keys given twice in one object, found with their JSON path at any depth.
@Suite(.tags(.unit)) struct JSONDuplicateKeysTests {
    func paths(_ json: String) -> [String] {
        JSONDuplicateKeys.find(in: Array(json.utf8)).map(\.path)
    }

    @Test func duplicatesAreFoundWithTheirPath() {
        #expect(paths(#"{"a":1,"b":{"c":1,"c":2},"a":3}"#) == ["b.c", "a"])
        #expect(paths(#"{"validators":[{"x":1},{"coinbase":"0x1","coinbase":"0x2"}]}"#) == ["validators[1].coinbase"])
        #expect(paths(#"{"a":"a","b":"a","c":["a","a"]}"#).isEmpty, "equal values and array elements are no duplicates")
        #expect(paths(#"{"k":{"a":1},"j":{"a":1}}"#).isEmpty, "the same key in two objects is fine")
        #expect(paths(#"{"\u0061":1,"a":2}"#) == ["a"], "escapes are resolved before comparing")
        #expect(paths(#"{"a\"b":1,"a\"b":2}"#) == ["a\"b"])
        #expect(JSONDuplicateKeys.find(in: Array(#"{"a":1,"a":2,"a":3}"#.utf8)) == [.init(path: "a", count: 3)])
    }

    @Test func deepNestingNeedsNoRecursion() {
        let depth = 200_000
        let json = String(repeating: "[", count: depth) + #"{"a":1,"a":2}"# + String(repeating: "]", count: depth)
        #expect(JSONDuplicateKeys.find(in: Array(json.utf8)).map(\.path.count) == [depth * 3 + 2], "the path is built once, when reported")
        let many = "{" + (0..<1000).map { _ in #""a":1"# }.joined(separator: ",") + "}"
        #expect(JSONDuplicateKeys.find(in: Array(many.utf8)) == [.init(path: "a", count: 1000)])
        let manyKeys = "[" + (0..<1000).map { #"{"k\#($0)":1,"k\#($0)":2}"# }.joined(separator: ",") + "]"
        #expect(JSONDuplicateKeys.find(in: Array(manyKeys.utf8)).count == JSONDuplicateKeys.maximumReported)
        #expect(paths("{{{]]]\"").isEmpty, "broken text gives no answer but never traps")
    }
}
