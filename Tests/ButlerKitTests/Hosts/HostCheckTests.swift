import FleetKit
import FleetKitTesting
import FleetTestSupport
import Foundation
import Testing
@testable import ButlerKit

/// `check-hosts` against loopback stand-ins: a listening and a closed P2P port, JSON-RPC
/// answers by URL (IP:port and HTTPS subdomains), and names answered by a stand-in resolver.
@Suite(.tags(.unit)) struct HostCheckTests {
    /// Answers host names from a table; other names fail as NXDOMAIN would.
    struct TableResolver: HostNameResolver {
        let table: [String: [String]]
        struct NotFound: Error, CustomStringConvertible { let description = "Name or service not known" }
        func ipv4Addresses(of name: String) async throws -> [String] {
            guard let addresses = table[name] else { throw NotFound() }
            return addresses
        }
    }

    /// Answers JSON-RPC POSTs by URL; other URLs cannot be reached.
    final class URLTransport: HTTPTransport {
        let answers: [String: (Int, String)]
        let asked = Locked<[String]>([])
        init(_ answers: [String: (Int, String)]) { self.answers = answers }
        func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse { try await post(Data(), to: url, timeout: timeout) }
        func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
            let method = (try? JSONDecoder().decode(JSONValue.self, from: body))?["method"]?.stringValue ?? "?"
            asked.withLock { $0.append("\(url.absoluteString) \(method)") }
            guard let (status, body) = answers[url.absoluteString] else { throw URLError(.cannotConnectToHost) }
            return HTTPResponse(status: status, body: Data(body.utf8))
        }
    }

    static func hostsFile(p2pOpen: Int, p2pClosed: Int) -> String {
        """
        {
          "beast-3": {"ip": "127.0.0.1", "base_domain": "beast-3.example.xyz",
                      "services": {"p2p": {"port": \(p2pOpen)}, "aztec_rpc": {"port": 8085, "subdomain": "rpc.mainnet.aztec"},
                                   "ethereum": {"port": 8545, "subdomain": "eth"}}},
          "alpha": {"ip": "127.0.0.1", "base_domain": "alpha.example.xyz", "extra": true,
                    "services": {"p2p": {"port": \(p2pClosed)}, "aztec_rpc": {"port": 9085}}},
          "bare": {"ip": "127.0.0.1", "services": {}}
        }
        """
    }

    @Test func everyCheckOnEveryHost() async throws {
        let listener = try LoopbackPort.Listener()
        defer { listener.close() }
        let closed = try LoopbackPort.Listener()
        closed.close()
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("mainnet-hosts.json")
        try Self.hostsFile(p2pOpen: listener.port, p2pClosed: closed.port).write(to: file, atomically: true, encoding: .utf8)
        let info = #"{"jsonrpc": "2.0", "id": 1, "result": {"nodeVersion": "2.1.9", "l1ChainId": 1}}"#
        let transport = URLTransport([
            "https://rpc.mainnet.aztec.beast-3.example.xyz": (200, info),
            "http://127.0.0.1:8085": (200, info),
            "http://127.0.0.1:8545": (200, #"{"jsonrpc": "2.0", "id": 1, "result": "Geth/v1.14.0\u001b[31m"}"#),
            "https://eth.beast-3.example.xyz": (502, "<html>Bad Gateway</html>"),
        ])
        let resolver = TableResolver(table: ["beast-3.example.xyz": ["10.0.0.9", "127.0.0.1"], "alpha.example.xyz": ["10.0.0.7"]])
        let report = try await HostCheck(hostsFile: file, resolver: resolver, http: transport, rpcTimeout: .seconds(30)).run()

        let beast = try #require(report.results["beast-3"])
        #expect(beast.dns?.success == true && beast.dns?.resolvedIps == ["10.0.0.9", "127.0.0.1"])
        #expect(beast.p2p?.success == true && beast.p2p?.endpoint == "127.0.0.1:\(listener.port)" && beast.p2p?.latency != nil)
        #expect(beast.aztecRPC?.https?.nodeVersion == "2.1.9" && beast.aztecRPC?.ipPort?.nodeVersion == "2.1.9")
        #expect(beast.ethereumRPC?.ipPort?.success == true && beast.ethereumRPC?.https?.success == false)
        let alpha = try #require(report.results["alpha"])
        #expect(alpha.dns?.success == false && alpha.dns?.error?.contains("127.0.0.1") == true)
        #expect(alpha.p2p?.success == false && alpha.aztecRPC?.https == nil && alpha.aztecRPC?.ipPort?.success == false)
        #expect(report.results["bare"].map { $0.outcomes.isEmpty } == true)
        #expect(report.summary == HostCheckReport.Summary(totalChecks: 9, passed: 5, failed: 4) && report.hasFailures)
        #expect(transport.asked.withLock { $0 }.contains("http://127.0.0.1:8545 web3_clientVersion"))

        let text = report.lines.joined(separator: "\n")
        #expect(text.contains("    ✓ beast-3.example.xyz → 127.0.0.1 - OK") && text.contains("    ✓ 127.0.0.1:8085 - OK (") && text.contains(") [2.1.9]"))
        #expect(text.contains("    ✗ 127.0.0.1:\(closed.port) - FAILED: Connection refused") && text.hasSuffix("Summary: 5/9 checks passed"))
        #expect(!text.contains("\u{1b}"), "text from a node is escaped")
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(report)) as? [String: Any]
        let beastJSON = (json?["results"] as? [String: Any])?["beast-3"] as? [String: Any]
        #expect(beastJSON?["base_domain"] as? String == "beast-3.example.xyz" && (beastJSON?["aztec_rpc"] as? [String: Any])?["ip_port"] != nil)
        #expect((json?["summary"] as? [String: Any])?["total_checks"] as? Int == 9)
    }

    @Test func oneHostOneKind() async throws {
        let listener = try LoopbackPort.Listener()
        defer { listener.close() }
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("mainnet-hosts.json")
        try Self.hostsFile(p2pOpen: listener.port, p2pClosed: 1).write(to: file, atomically: true, encoding: .utf8)
        let transport = URLTransport([:])
        let report = try await HostCheck(hostsFile: file, host: "beast-3", checks: .p2p, resolver: TableResolver(table: [:]), http: transport).run()
        #expect(Array(report.results.keys) == ["beast-3"] && report.summary == HostCheckReport.Summary(totalChecks: 1, passed: 1, failed: 0))
        #expect(transport.asked.withLock { $0 }.isEmpty)
        await #expect(throws: ButlerRequestError.self) { try await HostCheck(hostsFile: file, host: "nope", resolver: TableResolver(table: [:])).run() }
    }

    @Test func badHostsFilesNameThePath() throws {
        let bad = #"{"a": {"ip": "300.1.1.1", "services": {"p2p": {"port": 70000}, "aztec_rpc": {"port": 1, "subdomain": "a b"}}}, "b": {"ip": "::1"}}"#
        let error = try #require(throws: KeysFileError.self) { try HostsFile.decode(Data(bad.utf8), fileName: "h.json") }
        #expect(error.problems.map(\.jsonPath) == [#"["a"].ip"#, #"["a"].services.p2p.port"#, #"["a"].services.aztec_rpc.subdomain"#, #"["b"].services"#])
    }
}
