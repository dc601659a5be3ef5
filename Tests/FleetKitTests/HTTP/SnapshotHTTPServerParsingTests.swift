@testable import FleetKit
import FleetTestSupport
import Testing

/// The pure parts of the server, without sockets.
@Suite(.tags(.unit)) struct SnapshotHTTPServerParsingTests {
    @Test func constantTimeComparisonMatchesOnlyEqualTokens() {
        let expected = Array("abc123".utf8)
        #expect(BearerTokenCheck.constantTimeEqual(ArraySlice("abc123".utf8), expected))
        for other in ["", "abc12", "abc1234", "abc124", "Abc123", "abc123abc123"] {
            #expect(!BearerTokenCheck.constantTimeEqual(ArraySlice(other.utf8), expected), "\(other)")
        }
        #expect(!BearerTokenCheck.constantTimeEqual(ArraySlice("x".utf8), []))
    }

    @Test func framerFindsTheHeadEndHoweverTheBytesAreSplit() {
        let text = Array("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nNEXT".utf8)
        for split in 0...text.count {
            var framer = HTTPHeadFramer()
            var buffer = Array(text[0..<split])
            var outcome = framer.scan(buffer)
            buffer += text[split...]
            if outcome == .incomplete { outcome = framer.scan(buffer) }
            #expect(outcome == .complete(requestStart: 2, end: text.count - 4), "split at \(split)")
        }
        var framer = HTTPHeadFramer()
        #expect(framer.scan(Array("GET / HTTP/1.1\nHost".utf8)) == .malformed)
    }

    @Test func parserReadsTheHeadersThatMatter() throws {
        let head = Array("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\nAuthorization: Bearer t\r\n".utf8)
        let parsed = try HTTPRequestHeadParser.parse(head[...])
        #expect(parsed.method == .get)
        #expect(parsed.path == "/metrics")
        #expect(parsed.version == .http11)
        #expect(parsed.closeRequested)
        #expect(!parsed.announcesBody)
        #expect(parsed.authorization.map { Array($0) } == Array("Bearer t".utf8))
    }

    @Test func durationsConvertWithoutOverflow() {
        #expect(MonotonicClock.nanoseconds(of: .milliseconds(300)) == 300_000_000)
        #expect(MonotonicClock.nanoseconds(of: .seconds(Int64.max)) == UInt64.max)
        #expect(MonotonicClock.nanoseconds(of: .seconds(-1)) == 0)
        #expect(MonotonicClock.adding(10, to: UInt64.max - 1) == UInt64.max)
        #expect(MonotonicClock.pollTimeout(until: 1_500_001, now: 0) == 2)
        #expect(MonotonicClock.pollTimeout(until: UInt64.max, now: 0) == Int32.max)
    }

    @Test func ipLiteralsAndLoopback() {
        #expect(IPAddressLiteral("127.0.0.1")?.isLoopback == true)
        #expect(IPAddressLiteral("::1")?.isLoopback == true)
        #expect(IPAddressLiteral("0.0.0.0")?.isLoopback == false)
        #expect(IPAddressLiteral("::")?.isLoopback == false)
        #expect(IPAddressLiteral("10.0.0.1")?.isLoopback == false)
        #expect(IPAddressLiteral("localhost") == nil)
        #expect(IPAddressLiteral("") == nil)
    }
}

#if canImport(Glibc)
import Glibc

@Suite(.tags(.unit)) struct SnapshotHTTPServerSocketCallTests {
    /// Writing to a socket whose peer is gone fails with EPIPE; without MSG_NOSIGNAL that
    /// would also raise SIGPIPE and end this test process.
    @Test func writingToAClosedPeerFailsWithoutSIGPIPE() {
        var ends: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &ends) == 0)
        close(ends[1])
        let outcome = Array("late answer".utf8).withUnsafeBytes { SocketCalls.sendSome($0, to: ends[0]) }
        guard case .failed = outcome else {
            Issue.record("expected a failed write, got \(outcome)")
            close(ends[0])
            return
        }
        close(ends[0])
    }
}
#endif
