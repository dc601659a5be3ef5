@testable import ButlerKit
import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing

/// The collector over a scripted transport: each host's node answers one way.
@Suite(.tags(.unit)) struct ProofCollectorTests {
    static let tips = #"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":42}}}"#

    static func hosts(_ names: [String]) -> [RemoteHost] {
        names.enumerated().map { AztecInventory.host(name: $1, address: "203.0.113.\($0 + 1)", ethAddress: "0xabc\($0)") }
    }

    static func transport() -> FleetKitTesting.ScriptedTransport {
        FleetKitTesting.ScriptedTransport { host, command in
            if command.script == "true" {
                return host.name == "down" ? .failure(TransportError(host: host.name, kind: .unreachable, message: "Connection refused")) : .exit(0)
            }
            let request = String(decoding: command.standardInput ?? Data(), as: UTF8.self)
            let wantsPath = request.contains("node_getArchiveSiblingPath")
            switch host.name {
            case "good": return .exit(0, wantsPath ? #"{"jsonrpc":"2.0","id":2,"result":"cGF0aA=="}"# : tips)
            case "fresh": return .exit(0, #"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":0}}}"#)
            case "broken": return .exit(0, "<html>oops</html>")
            case "nonode": return .exit(7, stderr: "curl: (7) Failed to connect to 127.0.0.1 port 8080: Connection refused")
            case "slow": return .result(CommandResult(exitStatus: 124, timedOut: true))
            case "curlslow": return .exit(28, stderr: "curl: (28) Operation timed out")
            case "badpath": return .exit(0, wantsPath ? #"{"jsonrpc":"2.0","id":2,"error":{"code":-32000,"message":"block not found"}}"# : tips)
            default: return .exit(1)
            }
        }
    }

    @Test func everyAnswerBecomesAStatusWithAReason() async {
        let transport = Self.transport()
        let names = ["good", "fresh", "broken", "nonode", "slow", "curlslow", "badpath", "down"]
        let results = await ProofCollector(transport: transport, runLog: .discarding, perHostTimeout: .seconds(5))
            .collect(from: Self.hosts(names))
        #expect(results.map(\.name) == names, "results keep inventory order")
        #expect(results.map(\.status) == [.ok, .notSynced, .rpcError, .rpcError, .timeout, .timeout, .rpcError, .unreachable])
        #expect(results[0].blockNumber == 42 && results[0].proof == "cGF0aA==" && results[0].error == nil)
        #expect(results[0].ethAddress == "0xabc0")
        #expect(results[2].error?.contains("not JSON: <html>oops</html>") == true)
        #expect(results[3].error?.contains("curl exit 7") == true)
        #expect(results[6].blockNumber == 42 && results[6].error?.contains("block not found") == true)
        #expect(results[7].error?.contains("Connection refused") == true)
        let pathRequest = transport.calls(to: "good").compactMap(\.command.standardInput).map { String(decoding: $0, as: UTF8.self) }
            .first { $0.contains("node_getArchiveSiblingPath") }
        #expect(pathRequest?.contains(#""params":["42","42"]"#) == true)
        #expect(transport.calls.allSatisfy { !$0.command.script.contains("node_get") }, "requests travel on stdin")
    }

    @Test func csvAndSummaryCarryEveryResult() throws {
        let date = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        let results = [
            ProofResult(name: "a", address: "203.0.113.1", ethAddress: "0x1", status: .ok, blockNumber: 7, proof: "AA==", collectedAt: date, duration: 1),
            ProofResult(name: "b", address: "203.0.113.2", ethAddress: "", status: .rpcError, collectedAt: date, error: "bad, \"quoted\" answer", duration: 3),
        ]
        let csv = ProofReport.csv(results)
        #expect(csv == """
            name,address,eth_address,status,block_number,proof,collected_at,error
            a,203.0.113.1,0x1,ok,7,AA==,2026-01-01T00:00:00Z,
            b,203.0.113.2,,rpc_error,,,2026-01-01T00:00:00Z,"bad, ""quoted"" answer"

            """)
        let summary = ProofReport.summary(results, duration: 4, startedAt: date)
        #expect(summary.contains("success rate: 50.0% (1 of 2)"))
        #expect(summary.contains("slowest hosts:\n  b (203.0.113.2): 3.00 s, rpc_error\n  a"))
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("proof-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try ProofReport.writeCSV(results, to: folder.appendingPathComponent("proofs.csv"))
        #expect(try String(contentsOf: folder.appendingPathComponent("proofs.csv"), encoding: .utf8) == csv)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["proofs.csv"])
    }

    @Test func originalFileMapsEveryStatus() throws {
        let date = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        let results = ProofStatus.allCases.enumerated().map { index, status in
            ProofResult(name: "n\(index)", address: "203.0.113.\(index)", ethAddress: "0xe\(index)", status: status,
                        blockNumber: status == .ok || status == .rpcError ? 42 : nil, proof: status == .ok ? "AA==" : nil, collectedAt: date)
        }
        #expect(ProofResultsFile.csv(results) == """
            ip,address,block_number,proof,status,timestamp
            203.0.113.0,0xe0,42,AA==,SUCCESS,2026-01-01T00:00:00Z
            203.0.113.1,0xe1,ERROR,ERROR,FAILED,2026-01-01T00:00:00Z
            203.0.113.2,0xe2,42,N/A,ERROR,2026-01-01T00:00:00Z
            203.0.113.3,0xe3,N/A,N/A,ERROR,2026-01-01T00:00:00Z
            203.0.113.4,0xe4,ERROR,ERROR,FAILED,2026-01-01T00:00:00Z

            """)
        #expect(ProofResultsFile.counts(results) == (5, 1, 4, 20))
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(ProofResultsFile.dateCommandFormat(Date(timeIntervalSince1970: 1_795_390_000), timeZone: utc) == "Sun Nov 22 23:26:40 UTC 2026")
        #expect(ProofResultsFile.dateCommandFormat(date, timeZone: utc) == "Thu Jan  1 00:00:00 UTC 2026")
    }
}
