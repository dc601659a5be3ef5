import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// TCP connections to loopback: a listening port answers with a latency, a closed one is
/// refused, a text that is no IP address is refused before any socket; and the system resolver.
@Suite(.tags(.unit)) struct TCPConnectProbeTests {
    @Test func aListeningPortAnswersAndAClosedOneRefuses() async throws {
        let listener = try LoopbackPort.Listener()
        defer { listener.close() }
        let latency = try await TCPConnectProbe.connect(address: "127.0.0.1", port: listener.port, timeout: .seconds(30))
        #expect(latency >= .zero)
        let closed = try LoopbackPort.Listener()
        closed.close()
        let refused = await #expect(throws: TCPConnectProbe.Failure.self) {
            _ = try await TCPConnectProbe.connect(address: "127.0.0.1", port: closed.port, timeout: .seconds(30))
        }
        #expect(refused?.description == "Connection refused")
        let notAnAddress = await #expect(throws: TCPConnectProbe.Failure.self) {
            _ = try await TCPConnectProbe.connect(address: "beast-3.example", port: 80, timeout: .seconds(30))
        }
        #expect(notAnAddress?.description == "'beast-3.example' is not an IP address")
        await #expect(throws: TCPConnectProbe.Failure.self) { _ = try await TCPConnectProbe.connect(address: "127.0.0.1", port: 0, timeout: .seconds(1)) }
    }

    @Test func theSystemResolverKnowsLocalhostAndNotAnInvalidName() async throws {
        #expect(try await SystemHostNameResolver().ipv4Addresses(of: "localhost").contains("127.0.0.1"))
        await #expect(throws: SystemHostNameResolver.Failure.self) { _ = try await SystemHostNameResolver().ipv4Addresses(of: "no-such-host.invalid") }
    }
}
