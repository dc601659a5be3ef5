import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Issue 21: escape sequences and bidi controls reached the terminal from the `--signals`
/// file, `connection-info` and keys-file names; formula-like host names went unescaped
/// into `sync_results.csv` and the proof CSVs.
@Suite(.tags(.unit)) struct HostileTextSinkTests {
    static let osc = "\u{1B}]0;pwned\u{07}"
    static let date = Date(timeIntervalSince1970: 1_767_225_600)

    @Test func signalsFileValuesAreShownVisibly() throws {
        let csv = "id,kind,text,title,action\nmine,failure,Disk full,Disk \(Self.osc)full,run \u{202E}rm\n"
        let table = try LogSignalTable.parse(csv: csv, file: "signals.csv")
        let signal = try #require(table.signal("mine"))
        #expect(signal.title == "Disk \\u{1B}]0;pwned\\u{7}full" && signal.action == "run \\u{202E}rm")
        #expect(signal.text == "Disk full")
        do {
            _ = try LogSignalTable.parse(csv: "id,kind,text\nx\u{1B}[2J,bogus\(Self.osc),abc\n", file: "sig\u{202E}.csv")
            Issue.record("no error")
        } catch {
            #expect(!error.description.contains("\u{1B}") && !error.description.contains("\u{202E}"), "\(error.description)")
        }
    }

    @Test func connectionInfoShowsHostileServiceTextVisibly() throws {
        let services = """
            NAME                 TYPE           CLUSTER-IP     EXTERNAL-IP     PORT(S)                         AGE
            boot-node-lb-tcp     LoadBalancer   10.0.12.34     34.1.2.3\u{202E}    40400:31234/TCP                 5d
            boot-node-lb-udp     LoadBalancer   10.0.12.35     34.1.2.3    40400:31235/UDP                 5d
            ethereum-lb          LoadBalancer   10.0.12.36     35.2.1.2\(Self.osc)      8545:30545/TCP   5d

            """
        let info = try NetworkConnectionInfo.parse(kubectlOutput: services, source: "s.txt", aztecImage: "img\u{1B}[2J")
        let message = info.message + String(decoding: try JSONEncoder().encode(info), as: UTF8.self)
        #expect(!message.contains("\u{1B}") && !message.contains("\u{202E}") && !message.contains("\u{07}"), "\(message)")
        #expect(info.bootNodeTCP.externalIP == "34.1.2.3\\u{202E}")
        #expect(info.aztecImage == "img\\u{1B}[2J")
    }

    @Test func formulaLikeCellsAreNeutralisedAndNumbersStay() throws {
        let sync = SyncResultsFile.csv([
            SyncResult(name: "=HYPERLINK(\"http://evil\")", address: "10.0.0.1", localBlock: 5, remoteBlock: 7, status: .syncing, port: 8080,
                       checkedAt: Self.date, rawOutput: "@SUM(1+1)"),
            SyncResult(name: "-host", address: "10.0.0.2", status: .error, checkedAt: Self.date, rawOutput: "+cmd"),
        ])
        let lines = sync.split(separator: "\n").map(String.init)
        #expect(lines[0] == SyncResultsFile.header)
        #expect(lines[1] == "10.0.0.1,\"'=HYPERLINK(\"\"http://evil\"\")\",5,7,SYNCING,8080,2026-01-01T00:00:00Z,\"'@SUM(1+1)\"", "\(lines[1])")
        #expect(lines[2].hasPrefix("10.0.0.2,\"'-host\",N/A,N/A,") && lines[2].hasSuffix(",\"'+cmd\""), "\(lines[2])")
        let proof = ProofReport.csv([
            ProofResult(name: "@evil", address: "10.0.0.3", ethAddress: "0x1", status: .rpcError, collectedAt: Self.date, error: "=1+1", duration: 1),
        ])
        #expect(proof.contains("\"'@evil\",10.0.0.3,0x1,rpc_error,,,2026-01-01T00:00:00Z,\"'=1+1\""), "\(proof)")
        let records = try CSVReader.parse(sync, file: "sync_results.csv")
        #expect(records[1].fields[2] == "5" && records[1].fields[5] == "8080")
    }
}
