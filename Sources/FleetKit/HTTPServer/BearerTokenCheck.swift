/// Checks `Authorization: Bearer <token>` against the configured token in constant time.
struct BearerTokenCheck: Sendable {
    private let expected: [UInt8]

    /// `token` must not be empty (the configuration guarantees it).
    init(token: String) { expected = Array(token.utf8) }

    /// Whether `authorization` (the header value) is the scheme "Bearer", in any case,
    /// followed by spaces and exactly the expected token.
    func accepts(_ authorization: ArraySlice<UInt8>?) -> Bool {
        guard let authorization, let space = authorization.firstIndex(of: UInt8(ascii: " ")) else { return false }
        let scheme = HTTPRequestHeadParser.lowercased(authorization[authorization.startIndex..<space])
        let credentials = authorization[space...].drop { $0 == UInt8(ascii: " ") }
        let tokenMatches = Self.constantTimeEqual(credentials, expected)
        return (scheme == "bearer") && tokenMatches
    }

    /// Compares every presented byte, with no early exit, against the expected bytes
    /// (repeated cyclically), so the time taken depends on the presented length only: it
    /// reveals neither where the first difference is nor how long the expected token is.
    static func constantTimeEqual(_ presented: ArraySlice<UInt8>, _ expected: [UInt8]) -> Bool {
        guard !expected.isEmpty else { return false }
        var difference: UInt = presented.count == expected.count ? 0 : 1
        var expectedIndex = 0
        for byte in presented {
            difference |= UInt(byte ^ expected[expectedIndex])
            expectedIndex += 1
            if expectedIndex == expected.count { expectedIndex = 0 }
        }
        return difference == 0
    }
}
