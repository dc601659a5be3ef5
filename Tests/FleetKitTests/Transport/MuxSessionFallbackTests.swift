import Foundation
import Glibc
import Testing
import FleetTestSupport
@testable import FleetKit

/// When the control socket cannot take a session, nothing is started and the reason is
/// given, so the transport falls back to starting `ssh`: checked against a stand-in master.
@Suite(.tags(.unit)) struct MuxSessionFallbackTests {
    private func request(_ path: String) -> MuxSession.Request {
        MuxSession.Request(socketPath: path, commandLine: "true", standardInput: Data(), outputLimit: 100, errorLimit: 100,
                           standardOutputHandler: nil, startLinePrefix: nil, openTimeout: .seconds(30), giveUpAfter: .seconds(60))
    }

    private func reason(of outcome: MuxSession.Outcome) -> String? {
        if case .unavailable(let reason) = outcome { return reason }
        return nil
    }

    @Test func noListenerIsUnavailable() async {
        let outcome = await MuxSession.run(request("/tmp/fk-no-master-\(UInt32.random(in: 0 ... .max))"))
        #expect(reason(of: outcome)?.contains("no master answers") == true, "\(outcome)")
    }

    @Test func anotherProtocolVersionIsUnavailable() async throws {
        let master = try StandInMaster(replies: { _ in [MuxMessage.Reply.hello(version: 3)] })
        let outcome = await MuxSession.run(request(master.path))
        #expect(reason(of: outcome)?.contains("protocol 3") == true, "\(outcome)")
    }

    @Test func aRefusedSessionIsUnavailable() async throws {
        let master = try StandInMaster(replies: { received in
            received == 0 ? [.hello(version: 4)] : [.failure(requestID: 1, reason: "Session open refused by peer")]
        })
        let outcome = await MuxSession.run(request(master.path))
        #expect(reason(of: outcome)?.contains("refused the session: Session open refused by peer") == true, "\(outcome)")
    }

    @Test func aMasterThatClosesBeforeTheSessionOpensIsUnavailable() async throws {
        let master = try StandInMaster(replies: { received in received == 0 ? [.hello(version: 4)] : nil })
        let outcome = await MuxSession.run(request(master.path))
        let why = reason(of: outcome) ?? ""
        #expect(why.contains("closed the control connection before the session opened") || why.contains("did not take the session request"),
                "\(outcome)")
    }
}

/// Ending a master over its control socket, which spares an `ssh -O exit` per host.
@Suite(.tags(.unit)) struct MuxTerminateTests {
    @Test func aMasterThatAgreesIsEnded() async throws {
        let master = try StandInMaster(replies: { received in received == 0 ? [.hello(version: 4)] : received == 1 ? [.ok(requestID: 1)] : nil })
        #expect(await MuxSession.terminateMaster(socketPath: master.path))
    }

    @Test func noMasterOrAnotherVersionIsNotEnded() async throws {
        #expect(await !MuxSession.terminateMaster(socketPath: "/tmp/fk-no-master-\(UInt32.random(in: 0 ... .max))"))
        let master = try StandInMaster(replies: { _ in [.hello(version: 3)] })
        #expect(await !MuxSession.terminateMaster(socketPath: master.path))
    }

    @Test func theRequestIsTypeAndID() {
        #expect(MuxMessage.terminate(requestID: 1) == [0, 0, 0, 8, 0x10, 0, 0, 5, 0, 0, 0, 1])
    }
}

/// A listening Unix socket that answers one client: `replies(n)` after the n-th message it
/// read (0: on connecting) gives the messages to send, `nil` closes the connection.
private final class StandInMaster: @unchecked Sendable {
    let path = "/tmp/fk-standin-\(UInt32.random(in: 0 ... .max))"
    private let listener: Int32

    init(replies: @escaping @Sendable (Int) -> [MuxMessage.Reply]?) throws {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let path = self.path
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        listener = descriptor
        guard bound == 0, listen(descriptor, 1) == 0 else { throw SandboxLessError("cannot listen on \(path)") }
        Thread.detachNewThread {
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var received = 0
            var buffer = [UInt8](repeating: 0, count: 4096)
            while let messages = replies(received) {
                for message in messages { Self.send(message, to: client) }
                // Whatever the client sends next (its hello, its session request) counts as one message.
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { return }
                received += 1
            }
        }
    }

    deinit {
        close(listener)
        unlink(path)
    }

    private static func send(_ reply: MuxMessage.Reply, to client: Int32) {
        var body = MuxWriter()
        switch reply {
        case .hello(let version):
            body.put(MuxMessage.MessageType.hello.rawValue)
            body.put(version)
        case .ok(let id):
            body.put(MuxMessage.MessageType.ok.rawValue)
            body.put(id)
        case .failure(let id, let reason):
            body.put(MuxMessage.MessageType.failure.rawValue)
            body.put(id)
            body.put(string: Array(reason.utf8))
        default:
            return
        }
        let bytes = body.framed()
        _ = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

private struct SandboxLessError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
