import Foundation
import Testing
import FleetTestSupport
@testable import FleetKit

/// The wire form of OpenSSH's multiplexing messages, checked byte by byte against the layout
/// in OpenSSH's `PROTOCOL.mux` and `mux.c`.
@Suite(.tags(.unit)) struct MuxMessageTests {
    private func be(_ value: UInt32) -> [UInt8] { [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)] }
    private func string(_ text: String) -> [UInt8] { be(UInt32(text.utf8.count)) + Array(text.utf8) }

    @Test func helloIsTypeAndVersionFour() {
        #expect(MuxMessage.hello() == be(8) + be(0x0000_0001) + be(4))
    }

    @Test func newSessionAsksForNoTerminalForwardingOrEscape() {
        let bytes = MuxMessage.newSession(requestID: 7, command: "exec true")
        let body = be(0x1000_0002) + be(7) + string("") + be(0) + be(0) + be(0) + be(0) + be(0xFFFF_FFFF) + string("") + string("exec true")
        #expect(bytes == be(UInt32(body.count)) + body)
    }

    @Test func aliveCheckCarriesTheRequestID() {
        #expect(MuxMessage.aliveCheck(requestID: 3) == be(8) + be(0x1000_0004) + be(3))
    }

    @Test func repliesAreDecoded() throws {
        #expect(try MuxMessage.decode(be(0x0000_0001) + be(4)) == .hello(version: 4))
        #expect(try MuxMessage.decode(be(0x0000_0001) + be(4) + string("ext") + string("value")) == .hello(version: 4))
        #expect(try MuxMessage.decode(be(0x8000_0006) + be(1) + be(9)) == .sessionOpened(requestID: 1, sessionID: 9))
        #expect(try MuxMessage.decode(be(0x8000_0004) + be(9) + be(255)) == .exitMessage(sessionID: 9, status: 255))
        #expect(try MuxMessage.decode(be(0x8000_0008) + be(9)) == .ttyAllocationFailed(sessionID: 9))
        #expect(try MuxMessage.decode(be(0x8000_0003) + be(1) + string("Session open refused by peer"))
                == .failure(requestID: 1, reason: "Session open refused by peer"))
        #expect(try MuxMessage.decode(be(0x8000_0002) + be(1) + string("Permission denied")) == .permissionDenied(requestID: 1, reason: "Permission denied"))
        #expect(try MuxMessage.decode(be(0x8000_0005) + be(3) + be(4242)) == .alive(requestID: 3, pid: 4242))
        #expect(try MuxMessage.decode(be(0x8000_0001) + be(2)) == .ok(requestID: 2))
    }

    @Test func shortOrUnknownMessagesAreErrorsNotTraps() {
        #expect(throws: MuxProtocolError.self) { try MuxMessage.decode(be(0x8000_0004) + be(9)) }
        #expect(throws: MuxProtocolError.self) { try MuxMessage.decode([0, 0]) }
        #expect(throws: MuxProtocolError.self) { try MuxMessage.decode(be(0x8000_0003) + be(1) + be(100) + [1, 2]) }
        #expect(throws: MuxProtocolError.self) { try MuxMessage.decode(be(0x7777_7777)) }
    }

    @Test func theFramerWaitsForWholeMessagesAndRefusesHugeOnes() throws {
        var framer = MuxFramer()
        let exit = be(12) + be(0x8000_0004) + be(9) + be(0)
        let opened = be(12) + be(0x8000_0006) + be(1) + be(9)
        let stream = opened + exit
        framer.append(stream.prefix(5))
        #expect(try framer.next() == nil)
        framer.append(stream.dropFirst(5))
        #expect(try framer.next() == Array(opened.dropFirst(4)))
        #expect(try framer.next() == Array(exit.dropFirst(4)))
        #expect(try framer.next() == nil)
        #expect(!framer.hasPartialMessage)
        var huge = MuxFramer()
        huge.append(be(UInt32(MuxMessage.largestBody + 1)))
        #expect(throws: MuxProtocolError.self) { try huge.next() }
    }

    @Test func theStartLineGivesTheProcessGroupOnceWhole() {
        let invocation = MuxInvocation(script: "true", timeout: .seconds(5), id: "fkabc")
        let prefix = Array(invocation.startLinePrefix.utf8)
        #expect(MuxRunStartLine.processGroup(in: Data("@fleetkit fkabc start 1234".utf8), prefix: prefix) == nil)
        #expect(MuxRunStartLine.processGroup(in: Data("@fleetkit fkabc start 1234\nerr".utf8), prefix: prefix) == 1234)
        #expect(MuxRunStartLine.processGroup(in: Data("@fleetkit fkzzz start 1234\n".utf8), prefix: prefix) == nil)
        #expect(MuxRunStartLine.processGroup(in: Data("@fleetkit fkabc start 1\n".utf8), prefix: prefix) == nil, "never the init process")
        let (stderr, cut) = invocation.standardError(Data("@fleetkit fkabc start 1234\nboom\n".utf8), limit: 3)
        #expect(stderr == Data("boo".utf8))
        #expect(cut)
    }

    @Test func theRemoteLineRunsOneShellUnderTimeoutAndQuotesTheScript() {
        let invocation = MuxInvocation(script: "echo 'it''s'; exit 3", timeout: .milliseconds(1500), id: "fkabc")
        #expect(invocation.commandLine.hasPrefix("timeout -k \(RemoteTimeout.killAfterSeconds) 2 sh -c "))
        #expect(invocation.commandLine.hasSuffix(" sh " + ShellQuote.quote("echo 'it''s'; exit 3") + " || exit"))
        #expect(invocation.commandLine.components(separatedBy: "sh -c").count == 2, "one sh per command")
        #expect(MuxInvocation.stopCommandLine(group: 4321).contains("p=4321; kill -TERM"))
    }
}
