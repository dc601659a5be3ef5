import ButlerKit
import FleetTestSupport
import Testing

/// The `aztec-fleet status` table: each value under its own header.
@Suite(.tags(.unit)) struct NodeStatusTableTests {
    @Test func anInspectionErrorIsShownOnItsOwnLineNotUnderL1RPC() throws {
        let error = "ssh: connect to host 10.0.0.2 port 22: Connection refused"
        let statuses = [
            NodeStatus(host: "eu-1", address: "10.0.0.1", layout: .compose, version: "2.1.0", service: "running",
                       l1RPCURLs: ["https://eth.example/***"], consensusURLs: ["https://beacon.example"], provenBlock: 42),
            NodeStatus(host: "eu-2", address: "10.0.0.2", error: error),
        ]
        let table = NodeInspector.table(statuses)
        let lines = table.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let header = try #require(lines.first)
        let l1Column = try #require(header.range(of: "L1 RPC")).lowerBound
        let failedRow = try #require(lines.first { $0.hasPrefix("eu-2") })
        #expect(!failedRow.contains("Connection refused"), "the error sits in a table column: \(failedRow)")
        #expect(failedRow[l1Column...].hasPrefix("-"))
        #expect(failedRow.contains("error"))
        #expect(lines.contains("  eu-2: \(error)"))
        #expect(lines.contains("Errors:"))
        let goodRow = try #require(lines.first { $0.hasPrefix("eu-1") })
        #expect(goodRow[l1Column...].hasPrefix("https://eth.example/***"))
    }

    @Test func withoutErrorsThereIsNoErrorsSection() {
        let table = NodeInspector.table([NodeStatus(host: "eu-1", address: "10.0.0.1", layout: .original, version: "2.1.0")])
        #expect(!table.contains("Errors:"))
    }
}
