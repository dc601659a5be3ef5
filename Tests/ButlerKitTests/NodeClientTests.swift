import FleetTestSupport
import Foundation
import Testing
import FleetKit
import FleetKitTesting
@testable import ButlerKit

@Suite(.tags(.unit)) struct AztecNodeClientTests {
    let endpoint = URL(string: "http://127.0.0.1:8080/") ?? URL(fileURLWithPath: "/")

    func client(_ answers: [String: String]) -> (AztecNodeClient, ScriptedTransport) {
        let transport = ScriptedTransport([.respondWith { request in
            answerEach(request) { method, _ in answers[method] ?? #""error":{"code":-32601,"message":"Method not found: \#(method)"}"# }
        }])
        var options = JSONRPCClientOptions.standard
        options.retry = .none
        return (AztecNodeClient(url: endpoint, options: options, transport: transport), transport)
    }

    @Test func nodeInfoIsTyped() async throws {
        let (node, _) = client(["node_getNodeInfo": #""result":{"nodeVersion":"2.1.2","l1ChainId":11155111,"rollupVersion":1714840162,"enr":"enr:-abc","l1ContractAddresses":{"rollupAddress":"0xEbdD6A5C1c2b5a4a4C4E2e5D6B36FF1cC2A1a24b","registryAddress":"0xec4156431d0f3df66d4e24ba3d30dcb4c85fa309","feeJuiceAddress":"0x0000000000000000000000000000000000000000"},"protocolContractAddresses":{}}"#])
        let info = try await node.nodeInfo()
        #expect(info.nodeVersion == "2.1.2")
        #expect(info.l1ChainID == 11_155_111)
        #expect(info.rollupVersion == 1_714_840_162)
        #expect(info.rollupAddress == EthereumAddress(hex: "0xebdd6a5c1c2b5a4a4c4e2e5d6b36ff1cc2a1a24b"))
        #expect(info.registryAddress?.lowercaseHex == "0xec4156431d0f3df66d4e24ba3d30dcb4c85fa309")
    }

    @Test func tipsBlocksReadinessAndProof() async throws {
        let (node, transport) = client([
            "node_getL2Tips": #""result":{"latest":{"number":4321,"hash":"0xaa"},"proven":{"number":4300,"hash":"0xbb"},"finalized":{"number":"4290","hash":"0xcc"}}"#,
            "node_getBlockNumber": #""result":4321"#,
            "node_getProvenBlockNumber": #""result":"0x10cc""#,
            "node_isReady": #""result":true"#,
            "node_getArchiveSiblingPath": #""result":"AAAAIBq1c2libGluZ3BhdGg=""#,
        ])
        let tips = try await node.l2Tips()
        #expect(tips.latest == L2BlockID(number: 4321, hash: "0xaa"))
        #expect(tips.proven.number == 4300)
        #expect(tips.finalized.number == 4290)
        #expect(try await node.blockNumber() == 4321)
        #expect(try await node.provenBlockNumber() == 4300)
        #expect(try await node.isReady())
        #expect(try await node.archiveSiblingPath(atBlock: 4300) == "AAAAIBq1c2libGluZ3BhdGg=")
        let proofRequest = try #require(transport.sentBodies.last)
        #expect(proofRequest["method"] == .string("node_getArchiveSiblingPath"))
        #expect(proofRequest["params"] == .array([.string("4300"), .string("4300")]))
    }

    @Test func unexpectedShapesAreNamed() async throws {
        let (node, _) = client(["node_isReady": #""result":"yes""#, "node_getL2Tips": #""result":{"latest":{}}"#])
        let readyError = try await #require(throws: ChainReadError.self) { try await node.isReady() }
        #expect(readyError.description.contains("node_isReady"))
        let tipsError = try await #require(throws: ChainReadError.self) { try await node.l2Tips() }
        #expect(tipsError.description.contains("latest.number"))
        let missing = try await #require(throws: JSONRPCError.self) { try await node.blockNumber() }
        #expect(missing.description.contains("node_getBlockNumber"))
    }
}

@Suite(.tags(.unit)) struct EthereumClientScriptedTests {
    let endpoint = URL(string: "http://127.0.0.1:8545/") ?? URL(fileURLWithPath: "/")
    let contract = EthereumAddress(hex: "0x042dF8f42790d6943F41C25C2132400fd727f452") ?? .zero

    @Test func revertsComeBackAsValues() async throws {
        let reason = try ABIEncoder.encodeCall(FunctionSelector(signature: "Error(string)"), arguments: [.string("not allowed")], types: [.string])
        let transport = ScriptedTransport([
            .respond(200, #"{"jsonrpc":"2.0","id":1,"error":{"code":3,"message":"execution reverted: not allowed","data":"\#(Hex.encode(reason))"}}"#),
            .respond(200, #"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"execution reverted"}}"#),
            .respond(200, #"{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}"#),
        ], repeatLast: false)
        let client = EthereumClient(url: endpoint, options: try JSONRPCClientOptions(retry: .none), transport: transport)
        let call = EthereumCall(to: contract, data: [1, 2, 3, 4])
        let first = try await client.call(call)
        guard case .reverted(let revert) = first else {
            Issue.record("expected a revert, got \(first)")
            return
        }
        #expect(revert.reason == "not allowed")
        let second = try await client.call(call)
        #expect(second == .reverted(Revert(data: [], nodeMessage: "execution reverted")))
        let error = try await #require(throws: JSONRPCError.self) { try await client.call(call) }
        #expect(error.serverMessage == "header not found")
        #expect(error.method == "eth_call")
    }

    @Test func logRangesAreHalvedUntilTheNodeAccepts() async throws {
        let transport = ScriptedTransport([.respondWith { request in
            answerEach(request) { _, params in
                let filter = params.first
                let from = Int(filter?["fromBlock"]?.stringValue?.dropFirst(2) ?? "", radix: 16) ?? 0
                let to = Int(filter?["toBlock"]?.stringValue?.dropFirst(2) ?? "", radix: 16) ?? 0
                if to - from + 1 > 300 { return #""error":{"code":-32602,"message":"eth_getLogs is limited to a 300 block range"}"# }
                return #""result":[]"#
            }
        }])
        let client = EthereumClient(url: endpoint, options: try JSONRPCClientOptions(retry: .none), transport: transport)
        let logs = try await client.logs(LogFilter(address: contract, fromBlock: 1000, toBlock: 3499), chunkSize: 2000)
        #expect(logs.isEmpty)
        let ranges = transport.sentBodies.compactMap { body -> ClosedRange<Int>? in
            guard let filter = body["params"]?.arrayValue?.first,
                let from = filter["fromBlock"]?.stringValue.flatMap({ Int($0.dropFirst(2), radix: 16) }),
                let to = filter["toBlock"]?.stringValue.flatMap({ Int($0.dropFirst(2), radix: 16) }), to - from + 1 <= 300
            else { return nil }
            return from...to
        }
        // Accepted ranges cover 1000…3499 exactly once, in order.
        #expect(ranges.first?.lowerBound == 1000)
        #expect(ranges.last?.upperBound == 3499)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound + 1 == $1.lowerBound })
    }

    @Test func aRangeOfOneBlockThatIsStillRefusedFails() async throws {
        let transport = ScriptedTransport([.respond(200, #"{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"query returned more than 10000 results"}}"#)])
        let client = EthereumClient(url: endpoint, options: try JSONRPCClientOptions(retry: .none), transport: transport)
        let error = try await #require(throws: JSONRPCError.self) {
            try await client.logs(LogFilter(address: contract, fromBlock: 5, toBlock: 8), chunkSize: 4)
        }
        #expect(error.serverMessage == "query returned more than 10000 results")
        #expect(transport.requestCount == 3)
    }
}
