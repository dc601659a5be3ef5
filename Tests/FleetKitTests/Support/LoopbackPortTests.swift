import FleetTestSupport
import Foundation
import Testing
import FleetKitTesting

/// Ports for test servers: below the kernel's ephemeral range, never handed out twice, free.
@Suite(.tags(.unit)) struct LoopbackPortTests {
    @Test func freePortsAreDistinctBindableAndBelowTheEphemeralRange() throws {
        let range = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let ephemeralStart = try #require(range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) })
        let ports = try (0..<50).map { _ in try LoopbackPort.free() }
        #expect(Set(ports).count == ports.count, "no port twice: \(ports)")
        #expect(ports.allSatisfy { $0 >= 20_000 && $0 < ephemeralStart }, "\(ports)")
        for port in ports.prefix(5) {
            let listener = try LoopbackPort.Listener(port: port)
            #expect(listener.port == port)
            #expect(LoopbackPort.accepts(port))
            listener.close()
        }
    }
}
