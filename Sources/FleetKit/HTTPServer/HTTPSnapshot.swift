/// One ready response: what a GET (or, without the body, a HEAD) of one path answers
/// until the next ``SnapshotHTTPServer/publish(_:at:)`` of that path replaces it.
///
/// The server renders the status line and headers once, when the snapshot is published,
/// so serving it costs a lookup and a write. A snapshot the server cannot send faithfully
/// is served as `500 Internal Server Error` instead (see ``isServable``).
public struct HTTPSnapshot: Sendable {
    /// The HTTP status code, e.g. 200; servable codes are 200...599 except 204 and 304.
    public var status: Int
    /// The `Content-Type` header value, e.g. `text/plain; version=0.0.4; charset=utf-8`.
    public var contentType: String
    /// The bytes sent after the headers of a GET answer (never for HEAD).
    public var body: [UInt8]

    /// Creates a snapshot answering `status` with `body` labelled as `contentType`.
    public init(status: Int = 200, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// Whether the server can send this snapshot as it is: a status in 200...599 other than
    /// 204 and 304 (those two may not carry the `Content-Length` every answer has) and a
    /// non-empty content type made only of visible ASCII characters, spaces and tabs (so it
    /// can never break out of its header line).
    public var isServable: Bool {
        guard (200...599).contains(status), status != 204, status != 304 else { return false }
        guard !contentType.isEmpty else { return false }
        return contentType.utf8.allSatisfy { $0 == 0x09 || (0x20...0x7E).contains($0) }
    }
}
