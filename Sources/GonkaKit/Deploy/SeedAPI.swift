import FleetKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTP GETs the deployment makes from the operator's machine, as the original's `curl`
/// calls do: the seed node's participant API and its chain RPC. A protocol, so tests and
/// tools can point it elsewhere.
public protocol DeployHTTPClient: Sendable {
    /// GETs `url` and returns status and body, or throws when no answer arrived within `timeout`.
    func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse
}

/// A ``DeployHTTPClient`` over an ephemeral `URLSession` (no cache, no cookies).
public struct URLSessionDeployHTTPClient: DeployHTTPClient {
    /// Creates the client.
    public init() {}

    /// GETs `url` with `Accept: application/json`.
    public func get(_ url: URL, timeout: Duration) async throws -> HTTPResponse {
        let session = URLSession(configuration: .uncached)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: url)
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        request.timeoutInterval = Double(timeout.components.seconds)
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        return HTTPResponse(status: http.statusCode, body: data)
    }
}

/// The seed node's API as the deployment uses it: `<SEED_API_URL>/v1/participants/<address>`
/// and the chain RPC behind `<SEED_API_URL>/chain-rpc/`.
public struct SeedAPI: Sendable {
    /// `SEED_API_URL`, without a trailing slash.
    public let baseURL: String
    /// How requests are sent.
    public let client: any DeployHTTPClient
    /// Limit of one request.
    public let timeout: Duration

    /// Creates the API for `baseURL` (a trailing slash is dropped).
    public init(baseURL: String, client: any DeployHTTPClient, timeout: Duration = .seconds(20)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.timeout = timeout
    }

    /// The participant page of `address`, as the original prints it.
    public func participantURL(_ address: String) -> String { baseURL + "/v1/participants/" + address }

    /// Whether `address` is a registered participant: the page answers 200 with a `pubkey`,
    /// as the original tests. Throws when the API cannot be reached at all.
    public func isParticipant(_ address: String) async throws(SeedAPIError) -> Bool {
        let response = try await get(participantURL(address))
        return response.status == 200 && String(decoding: response.body, as: UTF8.self).contains("pubkey")
    }

    /// GETs `text` as a URL; an unreachable API is a ``SeedAPIError``.
    func get(_ text: String) async throws(SeedAPIError) -> HTTPResponse {
        guard let url = URL(string: text) else { throw SeedAPIError("not a URL: \(text)") }
        do {
            return try await client.get(url, timeout: timeout)
        } catch {
            throw SeedAPIError("cannot reach \(text): \(error.localizedDescription)")
        }
    }
}

/// The seed API could not be asked.
public struct SeedAPIError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let message: String

    init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}

extension SeedAPI {
    /// The body of `<SEED_API_URL>/chain-rpc/<path>` (e.g. `status`), the seed node's
    /// CometBFT RPC; anything but 200 is a ``StepFailure``.
    public func chainRPC(_ path: String) async throws -> Data {
        let url = baseURL + "/chain-rpc/" + path
        let response = try await get(url)
        guard response.status == 200 else { throw StepFailure("\(url) answered \(response.status)") }
        return response.body
    }
}
