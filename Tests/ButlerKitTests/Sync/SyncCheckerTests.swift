@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct SyncCheckerTests {
    func probe(_ output: String, exit: Int32 = 0) -> SyncChecker.Probe {
        SyncChecker.interpret(CommandResult(exitStatus: exit, standardOutput: output), ports: [8080, 8081, 8082], timeoutSeconds: 60)
    }

    @Test func probeOutputs() {
        let tips = #"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":"0x2a"}}}"#
        #expect(probe("port=8081 rc=0\n\(tips)\n").localBlock == 42)
        #expect(probe("port=8081 rc=0\n\(tips)\n").port == 8081)
        #expect(probe("port=8080 rc=0\n" + #"{"jsonrpc":"2.0","id":1,"result":{"proven":{"number":0}}}"#).localBlock == 0, "0 is a block to compare")
        #expect(probe("port= rc=7\n").status == .noNode)
        #expect(probe("port=8080 rc=28\n").status == .timeout)
        #expect(probe("port=8080 rc=52\ncurl: (52) Empty reply from server").status == .rpcError)
        #expect(probe("port=8080 rc=0\n<html>").status == .rpcError)
        #expect(probe("garbage").status == .error)
        #expect(probe("", exit: 127).status == .error)
    }

    @Test func theScriptProbesEachPortAndCarriesNoSecret() {
        let checker = SyncChecker(transport: LocalTransport(), runLog: .discarding, reference: .fleetBest)
        let script = checker.probeScript(curlSeconds: 58)
        #expect(script.hasPrefix("for p in 8080 8081 8082; do"))
        #expect(script.contains("curl -sS -m 58"))
        #expect(script.contains(#"'{"jsonrpc":"2.0","id":1,"method":"node_getL2Tips","params":[]}'"#))
    }
}
