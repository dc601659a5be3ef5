import FleetKit

/// How a bad URL is quoted in a problem: credentials masked, and text that does not parse as a
/// URL not quoted at all, since it may hold an API key.
enum URLText {
    /// `'https://***@host/***'`, or a note that the text is not a URL.
    static func shown(_ text: String) -> String {
        let masked = URLCredentials.masked(text)
        return masked == Redactor.mask ? "text that is not a URL (not shown: it may hold a key)" : "'\(masked)'"
    }
}
