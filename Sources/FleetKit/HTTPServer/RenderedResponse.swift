/// A response rendered to bytes ahead of time: the head in its keep-alive and its close
/// variant, and the body, so answering costs no formatting.
///
/// Every answer carries `Content-Type`, `Content-Length`, `Connection`,
/// `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`, and no `Server` banner.
/// There is no `Date` header: the bytes are fixed when the response is rendered.
struct RenderedResponse: Sendable {
    let status: Int
    private let keepAliveHead: [UInt8]
    private let closeHead: [UInt8]
    private let body: [UInt8]
    /// The same answer with its body gzip-compressed, for clients that accept it; `nil` for
    /// small bodies, where compression saves nothing worth a client's time.
    private let gzipped: GzipVariant?

    /// Heads and body of the compressed answer.
    private struct GzipVariant: Sendable {
        let keepAliveHead: [UInt8]
        let closeHead: [UInt8]
        let body: [UInt8]
    }

    /// Bodies from this size on get a gzip variant.
    static let gzipThreshold = 1024

    /// Renders `status` with `body`; `extraHeaders` are complete header lines without CRLF.
    /// With `offerGzip`, a body of ``gzipThreshold`` bytes or more is also compressed once,
    /// here, and both variants carry `Vary: Accept-Encoding`.
    init(status: Int, contentType: String, body: [UInt8], extraHeaders: [String] = [], offerGzip: Bool = false) {
        self.status = status
        self.body = body
        var compressed: [UInt8]?
        if offerGzip && body.count >= Self.gzipThreshold {
            let candidate = Gzip.compress(body)
            if candidate.count < body.count { compressed = candidate }
        }
        let extra = extraHeaders + (compressed == nil ? [] : ["Vary: Accept-Encoding"])
        (keepAliveHead, closeHead) = Self.heads(status: status, contentType: contentType, length: body.count, extraHeaders: extra)
        gzipped = compressed.map { gzipBody in
            let heads = Self.heads(status: status, contentType: contentType, length: gzipBody.count,
                                   extraHeaders: extra + ["Content-Encoding: gzip"])
            return GzipVariant(keepAliveHead: heads.keepAlive, closeHead: heads.close, body: gzipBody)
        }
    }

    private static func heads(status: Int, contentType: String, length: Int, extraHeaders: [String]) -> (keepAlive: [UInt8], close: [UInt8]) {
        var common = "HTTP/1.1 \(status) \(Self.reasonPhrase(for: status))\r\n"
        common += "Content-Type: \(contentType)\r\n"
        common += "Content-Length: \(length)\r\n"
        common += "Cache-Control: no-store\r\n"
        common += "X-Content-Type-Options: nosniff\r\n"
        for header in extraHeaders { common += header + "\r\n" }
        return (Array((common + "Connection: keep-alive\r\n\r\n").utf8), Array((common + "Connection: close\r\n\r\n").utf8))
    }

    /// Renders `snapshot` (with a gzip variant when it is large enough), or the 500 answer
    /// when it is not servable.
    init(snapshot: HTTPSnapshot) {
        if snapshot.isServable {
            self.init(status: snapshot.status, contentType: snapshot.contentType, body: snapshot.body, offerGzip: true)
        } else {
            self = .internalServerError
        }
    }

    /// The bytes to send, in order: head and (unless `headOnly`) body, compressed when the
    /// client accepts gzip and a compressed variant exists. The body array is shared, not copied.
    func chunks(headOnly: Bool, closing: Bool, acceptsGzip: Bool = false) -> [[UInt8]] {
        if acceptsGzip, let gzipped {
            let head = closing ? gzipped.closeHead : gzipped.keepAliveHead
            return headOnly ? [head] : [head, gzipped.body]
        }
        let head = closing ? closeHead : keepAliveHead
        return headOnly || body.isEmpty ? [head] : [head, body]
    }

    /// A short plain-text answer for the server's own statuses.
    private static func plain(_ status: Int, extraHeaders: [String] = []) -> RenderedResponse {
        RenderedResponse(
            status: status, contentType: "text/plain; charset=utf-8",
            body: Array("\(reasonPhrase(for: status))\n".utf8), extraHeaders: extraHeaders)
    }

    static let badRequest = plain(400)
    static let unauthorized = plain(401, extraHeaders: ["WWW-Authenticate: Bearer realm=\"Metrics\""])
    static let notFound = plain(404)
    static let methodNotAllowed = plain(405, extraHeaders: ["Allow: GET, HEAD"])
    static let headTooLarge = plain(431)
    static let internalServerError = plain(500)
    static let overloaded = plain(503, extraHeaders: ["Retry-After: 1"])
    static let versionNotSupported = plain(505)

    /// The standard reason phrase, or an empty one (allowed by RFC 9112) for other codes.
    static func reasonPhrase(for status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 203: "Non-Authoritative Information"
        case 206: "Partial Content"
        case 300: "Multiple Choices"
        case 301: "Moved Permanently"
        case 302: "Found"
        case 303: "See Other"
        case 307: "Temporary Redirect"
        case 308: "Permanent Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 410: "Gone"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: ""
        }
    }
}
