import ButlerKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct ProofResponseParserTests {
    static func data(_ text: String) -> Data { Data(text.utf8) }

    @Test func readsTheProvenBlockAsNumberDecimalStringOrHex() throws {
        let number = #"{"jsonrpc":"2.0","id":1,"result":{"latest":{"number":50,"hash":"0x1"},"proven":{"number":42,"hash":"0x2"},"finalized":{"number":40}}}"#
        #expect(try ProofResponseParser.provenBlock(fromTips: Self.data(number)) == 42)
        let text = #"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":"43"}}}"#
        #expect(try ProofResponseParser.provenBlock(fromTips: Self.data(text)) == 43)
        let hex = #"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":"0x2c"}}}"#
        #expect(try ProofResponseParser.provenBlock(fromTips: Self.data(hex)) == 44)
    }

    @Test func provenBlockZeroOrNoTipsMeansNotSynced() {
        for body in [
            #"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":0}}}"#,
            #"{"jsonrpc":"2.0","id":1,"result":null}"#,
            #"{"jsonrpc":"2.0","id":1,"result":{"latest":{"number":3}}}"#,
        ] {
            #expect(throws: ProofResponseParser.Failure.self) { try ProofResponseParser.provenBlock(fromTips: Self.data(body)) }
            do {
                _ = try ProofResponseParser.provenBlock(fromTips: Self.data(body))
            } catch {
                guard case .notSynced = error else { Issue.record("expected notSynced for \(body), got \(error)"); continue }
            }
        }
    }

    @Test func jsonRPCErrorsCarryTheNodesMessage() {
        let body = #"{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"world state is not ready"}}"#
        #expect(throws: ProofResponseParser.Failure.rpcError(code: -32603, message: "world state is not ready")) {
            try ProofResponseParser.provenBlock(fromTips: Self.data(body))
        }
        #expect(ProofResponseParser.Failure.rpcError(code: -32603, message: "world state is not ready").description
                == "the node answered JSON-RPC error -32603: world state is not ready")
    }

    @Test func malformedAnswersAreClearErrorsNeverCrashes() {
        let cases: [(String, String)] = [
            ("", "returned an empty body"),
            ("<html>502 Bad Gateway</html>", "returned text that is not JSON: <html>502 Bad Gateway</html>"),
            (#"{"jsonrpc":"2.0","result":{"proven":"#, "returned text that is not JSON"),
            ("[1,2,3]", "returned JSON that is not an object"),
            (#""just a string""#, "returned JSON that is not an object"),
            (#"{"jsonrpc":"2.0","id":1}"#, "has neither result nor error"),
            (#"{"jsonrpc":"2.0","id":1,"result":[1]}"#, "result is not an object"),
            (#"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":-5}}}"#, "has no block number"),
            (#"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":1.5}}}"#, "has no block number"),
            (#"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":"twelve"}}}"#, "has no block number"),
        ]
        for (body, expected) in cases {
            do {
                _ = try ProofResponseParser.provenBlock(fromTips: Self.data(body))
                Issue.record("expected an error for \(body)")
            } catch {
                guard case .malformed = error else { Issue.record("expected malformed for \(body), got \(error)"); continue }
                #expect(error.description.hasPrefix("the node's answer is not valid JSON-RPC: "))
                #expect(error.description.contains(expected), "\(error.description)")
            }
        }
        #expect(throws: ProofResponseParser.Failure.self) { try ProofResponseParser.provenBlock(fromTips: Data([0xff, 0xfe, 0x00])) }
    }

    @Test func readsTheSiblingPath() throws {
        #expect(try ProofResponseParser.siblingPath(from: Self.data(#"{"jsonrpc":"2.0","id":2,"result":"AAECAw=="}"#)) == "AAECAw==")
        #expect(throws: ProofResponseParser.Failure.self) { try ProofResponseParser.siblingPath(from: Self.data(#"{"jsonrpc":"2.0","id":2,"result":""}"#)) }
        #expect(throws: ProofResponseParser.Failure.self) { try ProofResponseParser.siblingPath(from: Self.data(#"{"jsonrpc":"2.0","id":2,"result":{"a":1}}"#)) }
    }

    @Test func requestsAreJSONRPC2WithStringParams() throws {
        let body = ProofResponseParser.request("node_getArchiveSiblingPath", params: ["42", "42"], id: 2)
        let object = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
        #expect(object["jsonrpc"] as? String == "2.0")
        #expect(object["method"] as? String == "node_getArchiveSiblingPath")
        #expect(object["params"] as? [String] == ["42", "42"])
    }
}
