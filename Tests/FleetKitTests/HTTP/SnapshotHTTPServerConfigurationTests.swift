import FleetKit
import Foundation
import Testing

extension SnapshotHTTPServerSocketSuites {
    @Suite struct SnapshotHTTPServerConfigurationTests {
        private func message(_ make: () throws(SnapshotHTTPServerError) -> SnapshotHTTPServerConfiguration) -> String? {
            do {
                _ = try make()
                return nil
            } catch {
                return error.description
            }
        }

        @Test func defaultsAreLoopbackWithHealthzPublic() throws {
            let configuration = try SnapshotHTTPServerConfiguration(port: 9100)
            #expect(configuration.host == "127.0.0.1")
            #expect(configuration.publicPaths == ["/healthz"])
            #expect(configuration.maxConnections == 256)
            #expect(configuration.maxRequestHeadBytes == 16384)
            #expect(configuration.requestTimeout == .seconds(10))
            #expect(configuration.idleTimeout == .seconds(30))
        }

        @Test(arguments: ["0.0.0.0", "::", "192.168.1.10", "fe80::1"])
        func nonLoopbackHostWithoutTokenIsRefused(host: String) {
            for token in [nil, ""] as [String?] {
                let text = message { () throws(SnapshotHTTPServerError) in try SnapshotHTTPServerConfiguration(host: host, port: 9100, bearerToken: token) }
                #expect(text?.contains("METRICS_BEARER_TOKEN") == true)
                #expect(text?.contains("beyond loopback") == true)
                #expect(text?.contains(host) == true)
            }
        }

        @Test(arguments: ["127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"])
        func loopbackHostNeedsNoToken(host: String) throws {
            _ = try SnapshotHTTPServerConfiguration(host: host, port: 0)
        }

        @Test func anyAddressWithTokenServesAndDemandsIt() throws {
            let configuration = try SnapshotHTTPServerConfiguration(host: "0.0.0.0", port: 0, bearerToken: "s3cret-Token")
            let running = try RunningSnapshotServer(configuration)
            defer { running.stop() }
            #expect(try running.get("/metrics").status == 401)
            #expect(try running.get("/metrics", headers: ["Authorization: Bearer s3cret-Token"]).status == 200)
            #expect(try running.get("/healthz").status == 200)
        }

        @Test func badValuesAreRefusedNamingTheOptionAndValue() {
            let cases: [(String, () throws(SnapshotHTTPServerError) -> SnapshotHTTPServerConfiguration)] = [
                ("70000", { () throws(SnapshotHTTPServerError) in try .init(port: 70000) }),
                ("-1", { () throws(SnapshotHTTPServerError) in try .init(port: -1) }),
                ("localhost", { () throws(SnapshotHTTPServerError) in try .init(host: "localhost", port: 1) }),
                ("[::1]", { () throws(SnapshotHTTPServerError) in try .init(host: "[::1]", port: 1) }),
                ("maxConnections", { () throws(SnapshotHTTPServerError) in try .init(port: 1, maxConnections: 0) }),
                ("maxConnectionsPerPeer must", { () throws(SnapshotHTTPServerError) in try .init(port: 1, maxConnectionsPerPeer: 0) }),
                ("maxRequestHeadBytes", { () throws(SnapshotHTTPServerError) in try .init(port: 1, maxRequestHeadBytes: 1023) }),
                ("requestTimeout", { () throws(SnapshotHTTPServerError) in try .init(port: 1, requestTimeout: .zero) }),
                ("idleTimeout", { () throws(SnapshotHTTPServerError) in try .init(port: 1, idleTimeout: .milliseconds(-5)) }),
                ("healthz", { () throws(SnapshotHTTPServerError) in try .init(port: 1, publicPaths: ["healthz"]) }),
            ]
            for (expected, make) in cases {
                let text = message(make)
                #expect(text?.contains(expected) == true, "\(expected): \(text ?? "accepted")")
            }
            #expect(message { () throws(SnapshotHTTPServerError) in try .init(port: 65535, maxRequestHeadBytes: 1024) } == nil)
        }

        @Test func theTokenNeverAppearsInErrorsOrDescriptions() throws {
            let spaced = "top secret value"
            let text = message { () throws(SnapshotHTTPServerError) in try .init(host: "0.0.0.0", port: 1, bearerToken: spaced) }
            #expect(text != nil)
            #expect(text?.contains("secret") == false)

            let emptyOnLoopback = message { () throws(SnapshotHTTPServerError) in try .init(port: 1, bearerToken: "") }
            #expect(emptyOnLoopback?.contains("bearerToken") == true)

            let token = "Zq9-unguessable-Token"
            let badPort = message { () throws(SnapshotHTTPServerError) in try .init(host: "0.0.0.0", port: 99999, bearerToken: token) }
            #expect(badPort?.contains(token) == false)

            let configuration = try SnapshotHTTPServerConfiguration(host: "::", port: 1, bearerToken: token)
            var dumped = ""
            dump(configuration, to: &dumped)
            for shown in [configuration.description, String(reflecting: configuration), "\(configuration)", dumped] {
                #expect(!shown.contains(token))
                #expect(shown.contains("::"))
            }
        }

        @Test func startRechecksAConfigurationChangedAfterItsCheck() throws {
            var configuration = try SnapshotHTTPServerConfiguration(port: 0)
            configuration.host = "0.0.0.0"
            let server = SnapshotHTTPServer(configuration: configuration)
            #expect(throws: SnapshotHTTPServerError.self) { try server.start() }
            server.stop()
        }

        @Test func aPortInUseIsReportedClearly() throws {
            let first = try RunningSnapshotServer()
            defer { first.stop() }
            let second = SnapshotHTTPServer(configuration: try SnapshotHTTPServerConfiguration(port: first.port))
            do {
                _ = try second.start()
                Issue.record("a second server bound the same port")
            } catch {
                #expect(error.description.contains("\(first.port)"))
                #expect(error.description.contains("bind()"))
            }
        }
    }
}
