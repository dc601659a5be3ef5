import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// The Slack-compatible webhook: the message's JSON, delivery and failures that never name
/// the webhook's address, and where its URL may be read from.
@Suite(.tags(.unit)) struct ChatWebhookTests {
    static let url = URL(string: "https://hooks.example/services/T01/B02/SECRETtoken") ?? URL(fileURLWithPath: "/")

    /// Records the body and answers as scripted; `echo` puts the URL in the answer or the error.
    final class Scripted: HTTPTransport, @unchecked Sendable {
        let status: Int
        let fails: Bool
        var bodies: [Data] = []
        init(status: Int = 200, fails: Bool = false) {
            self.status = status
            self.fails = fails
        }
        struct Refused: Error, CustomStringConvertible {
            var description: String
        }
        func post(_ body: Data, to url: URL, timeout: Duration) async throws -> HTTPResponse {
            bodies.append(body)
            if fails { throw Refused(description: "Could not connect to \(url.absoluteString) (path \(url.path))") }
            return HTTPResponse(status: status, body: Data("invalid_token for \(url.absoluteString)".utf8))
        }
        func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse { HTTPResponse(status: 405, body: Data()) }
    }

    @Test func theMessageIsJSONTextAndFailuresNeverNameTheURL() async throws {
        let delivered = Scripted()
        #expect(await ChatWebhook(url: Self.url, http: delivered).post("verdict \"ok\"\nline 2") == .delivered)
        #expect(try JSONDecoder().decode([String: String].self, from: try #require(delivered.bodies.first)) == ["text": "verdict \"ok\"\nline 2"])

        let rejected = await ChatWebhook(url: Self.url, http: Scripted(status: 403)).post("x")
        #expect(rejected == .failed(reason: "the webhook answered HTTP 403: invalid_token for <webhook>"))
        let unreachable = await ChatWebhook(url: Self.url, http: Scripted(fails: true)).post("x")
        #expect(unreachable == .failed(reason: "the webhook could not be reached: Could not connect to <webhook> (path /***)"))
    }

    @Test func theURLComesFromAFileOrTheEnvironmentNeverTheCommandLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "\(Self.url.absoluteString)\nignored\n".write(to: folder.appendingPathComponent("hook.url"), atomically: true, encoding: .utf8)
        #expect(try WebhookSource.url(from: "hook.url", environment: [:], currentDirectory: folder) == Self.url)
        #expect(try WebhookSource.url(from: "env:HOOK", environment: ["HOOK": Self.url.absoluteString], currentDirectory: folder) == Self.url)
        for source in [Self.url.absoluteString, "env:MISSING", "missing.url"] {
            #expect(throws: WebhookSourceError.self) { try WebhookSource.url(from: source, environment: [:], currentDirectory: folder) }
            do {
                _ = try WebhookSource.url(from: source, environment: [:], currentDirectory: folder)
            } catch {
                #expect(!error.description.contains("SECRET"))
            }
        }
    }
}
