@testable import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The node container's state and log, as the scripts ask Docker for them.
@Suite(.tags(.unit)) struct NodeContainerTests {
    @Test func inspectOutputBecomesAStateOrAReason() throws {
        let state = try NodeContainer.parse("/aztec-node|restarting|4|137|true|2026-01-05T11:00:00.123Z\n").get()
        #expect(state == ContainerState(name: "aztec-node", status: "restarting", restartCount: 4, exitCode: 137, oomKilled: true, startedAt: "2026-01-05T11:00:00.123Z"))
        #expect(NodeContainer.parse("no-container: Error: No such object: x\n") == .failure(.init(reason: "Error: No such object: x")))
        #expect(NodeContainer.parse("garbage") == .failure(.init(reason: "docker inspect printed 'garbage'")))
    }

    @Test func namesAndSinceAreQuotedForTheRemoteShell() {
        let logs = NodeContainer.logsScript(name: "my node's", since: "1h; rm -rf /")
        #expect(logs.hasSuffix("as_root docker logs --timestamps --since '1h; rm -rf /' 'my node'\\''s' 2>&1"))
        #expect(NodeContainer.inspectScript(name: "a b").contains("n='a b'; "))
        #expect(NodeContainer.inspectScript(name: nil).contains("n=aztec-node; as_root docker inspect \"$n\""))
    }
}
