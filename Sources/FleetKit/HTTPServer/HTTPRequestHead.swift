/// What the server needs from one request head: method, path, version, and the few
/// headers that change the answer. Everything else is checked for syntax and dropped.
struct HTTPRequestHead: Equatable {
    enum Method: Equatable {
        case get
        case head
        /// Any other syntactically valid method; it is answered 405.
        case other
    }

    enum Version: Equatable {
        /// HTTP/1.0: the connection closes after the answer.
        case http10
        /// HTTP/1.1 (or a later 1.x, served as 1.1): keep-alive unless `Connection: close`.
        case http11
    }

    var method: Method
    /// The request target up to its query, as sent (no percent-decoding), e.g. "/metrics".
    var path: String
    var version: Version
    /// The client sent `Connection: close`.
    var closeRequested: Bool
    /// The client announced a body (`Content-Length` above 0 or any `Transfer-Encoding`),
    /// which the server never reads.
    var announcesBody: Bool
    /// The value of the one `Authorization` header, if there was one.
    var authorization: ArraySlice<UInt8>?
    /// The client takes `Content-Encoding: gzip` (`Accept-Encoding` names `gzip`, `x-gzip`
    /// or `*` without `q=0`), as Prometheus does.
    var acceptsGzip: Bool = false
}

/// Why a head was refused; each closes the connection after its answer.
enum HTTPHeadRejection: Error, Equatable {
    /// Not valid HTTP/1.x syntax, or ambiguous (two Host or Authorization headers).
    case malformed
    /// More than `maxRequestHeadBytes` before the end of the head.
    case tooLarge
    /// A well-formed request line with an HTTP major version other than 1.
    case unsupportedVersion
}

/// Parses one complete request head (request line and header lines, each ending in CRLF,
/// without the final empty line) strictly, by RFC 9112's grammar.
enum HTTPRequestHeadParser {
    static func parse(_ head: ArraySlice<UInt8>) throws(HTTPHeadRejection) -> HTTPRequestHead {
        var lines = HTTPLines(head)
        guard let requestLine = lines.next() else { throw .malformed }
        var request = try parseRequestLine(requestLine)
        var hostCount = 0
        var authorizationCount = 0
        while let line = lines.next() {
            let (name, value) = try parseHeaderLine(line)
            switch lowercased(name) {
            case "host":
                hostCount += 1
            case "connection":
                if value.split(separator: UInt8(ascii: ",")).contains(where: { lowercased(trimmed($0)) == "close" }) {
                    request.closeRequested = true
                }
            case "content-length":
                guard !value.isEmpty, value.allSatisfy(isDigit) else { throw .malformed }
                if value.contains(where: { $0 != UInt8(ascii: "0") }) { request.announcesBody = true }
            case "transfer-encoding":
                request.announcesBody = true
            case "authorization":
                authorizationCount += 1
                request.authorization = value
            case "accept-encoding":
                if acceptsGzip(value) { request.acceptsGzip = true }
            default:
                break
            }
        }
        guard hostCount <= 1, authorizationCount <= 1 else { throw .malformed }
        if request.version == .http11 && hostCount == 0 { throw .malformed }
        return request
    }

    /// `method SP request-target SP HTTP-version`, single spaces, origin-form target ("/...")
    /// or "*".
    private static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPHeadRejection) -> HTTPRequestHead {
        let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed }
        let methodToken = parts[0], target = parts[1], versionText = parts[2]
        guard !methodToken.isEmpty, methodToken.allSatisfy(isTokenCharacter) else { throw .malformed }
        guard let first = target.first, first == UInt8(ascii: "/") || (target.count == 1 && first == UInt8(ascii: "*")),
              target.allSatisfy({ (0x21...0x7E).contains($0) }) else { throw .malformed }
        let version = try parseVersion(versionText)
        let method: HTTPRequestHead.Method
        switch String(decoding: methodToken, as: UTF8.self) {
        case "GET": method = .get
        case "HEAD": method = .head
        default: method = .other
        }
        let pathBytes = target.prefix { $0 != UInt8(ascii: "?") }
        return HTTPRequestHead(
            method: method, path: String(decoding: pathBytes, as: UTF8.self), version: version,
            closeRequested: false, announcesBody: false, authorization: nil)
    }

    /// Whether an `Accept-Encoding` value takes gzip: a `gzip`, `x-gzip` or `*` coding
    /// whose quality is not zero.
    static func acceptsGzip(_ value: ArraySlice<UInt8>) -> Bool {
        value.split(separator: UInt8(ascii: ",")).contains { element in
            let parts = element.split(separator: UInt8(ascii: ";"))
            guard let coding = parts.first.map({ lowercased(trimmed($0)) }), ["gzip", "x-gzip", "*"].contains(coding) else { return false }
            for parameter in parts.dropFirst() {
                let text = lowercased(trimmed(parameter)).replacingOccurrences(of: " ", with: "")
                if text.hasPrefix("q="), let quality = Double(text.dropFirst(2)), quality <= 0 { return false }
            }
            return true
        }
    }

    /// "HTTP/" DIGIT "." DIGIT; major 1 only.
    private static func parseVersion(_ text: ArraySlice<UInt8>) throws(HTTPHeadRejection) -> HTTPRequestHead.Version {
        let bytes = Array(text)
        guard bytes.count == 8, Array(bytes[0..<5]) == Array("HTTP/".utf8), isDigit(bytes[5]),
              bytes[6] == UInt8(ascii: "."), isDigit(bytes[7]) else { throw .malformed }
        guard bytes[5] == UInt8(ascii: "1") else { throw .unsupportedVersion }
        return bytes[7] == UInt8(ascii: "0") ? .http10 : .http11
    }

    /// `field-name ":" OWS field-value OWS`; no space before the colon, no line folding,
    /// no control characters in the value.
    private static func parseHeaderLine(
        _ line: ArraySlice<UInt8>
    ) throws(HTTPHeadRejection) -> (name: ArraySlice<UInt8>, value: ArraySlice<UInt8>) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed }
        let name = line[line.startIndex..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else { throw .malformed }
        let value = trimmed(line[(colon + 1)...])
        guard value.allSatisfy(isFieldValueCharacter) else { throw .malformed }
        return (name, value)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    /// RFC 9110 `tchar`.
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return tokenPunctuation.contains(byte)
        }
    }

    private static let tokenPunctuation = Set("!#$%&'*+-.^_`|~".utf8)

    /// Visible ASCII, obs-text, space and tab.
    private static func isFieldValueCharacter(_ byte: UInt8) -> Bool {
        byte == 0x09 || byte == 0x20 || (0x21...0x7E).contains(byte) || byte >= 0x80
    }

    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }),
              let last = bytes.lastIndex(where: { !isSpace($0) }) else { return bytes[bytes.endIndex...] }
        return bytes[start...last]
    }

    /// ASCII lower case of `bytes` as a String, for comparing names and tokens.
    static func lowercased(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }
}

/// The CRLF-terminated lines of a head, without their line ends. A line starting with a
/// space or tab (obsolete line folding) is returned as is and refused by the header parser
/// because a name cannot start with whitespace.
private struct HTTPLines: IteratorProtocol {
    private var rest: ArraySlice<UInt8>

    init(_ head: ArraySlice<UInt8>) { rest = head }

    mutating func next() -> ArraySlice<UInt8>? {
        guard !rest.isEmpty else { return nil }
        guard let carriageReturn = rest.firstIndex(of: UInt8(ascii: "\r")) else {
            defer { rest = rest[rest.endIndex...] }
            return rest
        }
        let line = rest[rest.startIndex..<carriageReturn]
        let afterLineEnd = rest.index(carriageReturn, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex
        rest = rest[afterLineEnd...]
        return line
    }
}
