import FleetKit
import Foundation

/// The seed node's API as the deployment uses it: `<SEED_API_URL>/v1/participants/<address>`
/// and the chain RPC behind `<SEED_API_URL>/chain-rpc/`, asked from the operator's machine
/// with HTTP GETs, as the original's `curl` calls.
public struct SeedAPI: Sendable {
    /// `SEED_API_URL`, without a trailing slash.
    public let baseURL: String
    /// How requests are sent (FleetKit's HTTP seam; tests and tools can point it elsewhere).
    public let client: any HTTPTransport
    /// Limit of one request.
    public let timeout: Duration

    /// Creates the API for `baseURL` (a trailing slash is dropped).
    public init(baseURL: String, client: any HTTPTransport, timeout: Duration = .seconds(20)) {
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
