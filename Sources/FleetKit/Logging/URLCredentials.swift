import Foundation

/// Hides what in a URL may be a credential, for showing URLs to people.
///
/// RPC providers put API keys in the path (`/v2/<key>`), the query or the user part, so
/// everything but the scheme, host and port is masked.
public enum URLCredentials {
    /// `https://eth.example:8545/v2/abc?key=1` → `https://eth.example:8545/***`; a URL with
    /// nothing after the host is returned as it is; text that is not a URL is masked whole.
    public static func masked(_ text: String) -> String {
        guard let components = URLComponents(string: text), let scheme = components.scheme, let host = components.host, !host.isEmpty else {
            return Redactor.mask
        }
        var shown = "\(scheme)://\(host)"
        if let port = components.port { shown += ":\(port)" }
        let hasUser = components.user != nil || components.password != nil
        let hasRest = !(components.path.isEmpty || components.path == "/") || components.query != nil || components.fragment != nil
        if hasUser { shown = "\(scheme)://***@\(host)" + (components.port.map { ":\($0)" } ?? "") }
        return hasRest ? shown + "/***" : shown
    }
}

extension URLCredentials {
    /// Query parameter names whose values are credentials (compared lowercased, `-` and `_` ignored).
    public static let credentialQueryNames: Set<String> = ["apikey", "key", "token", "accesstoken", "authtoken", "auth", "secret",
                                                           "password", "pass", "signature", "sig", "projectsecret", "apitoken"]

    /// Path segments after which the next segment is a provider's API key: Alchemy's
    /// `/v2/KEY`, Infura's `/v3/KEY`, Ankr's `/eth/KEY` and the like.
    public static let keyedPathPrefixes: Set<String> = ["v1", "v2", "v3", "v4", "eth", "rpc", "key", "apikey", "token"]

    /// `text` with only its credentials masked, the rest left to read:
    /// the user info (`https://***@host`), path API keys of the well-known RPC providers
    /// (`/v2/***` Alchemy, `/v3/***` Infura, a QuickNode-style token segment), any path
    /// segment that looks like a token (16 or more letters, digits, `-` or `_`, with both
    /// letters and digits), the values of credential query parameters (`?apikey=***`,
    /// `key=`, `token=` …) and the fragment. Text that is not a URL is masked whole.
    ///
    /// `https://user:pw@eth-mainnet.g.alchemy.com/v2/abc123…?chain=1&apikey=k` →
    /// `https://***@eth-mainnet.g.alchemy.com/v2/***?chain=1&apikey=***`.
    public static func maskingCredentials(_ text: String) -> String {
        guard var components = URLComponents(string: text), let host = components.host, !host.isEmpty, components.scheme != nil else {
            return Redactor.mask
        }
        let hasUser = components.user != nil || components.password != nil
        components.user = nil
        components.password = nil
        var segments = components.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        for index in segments.indices where !segments[index].isEmpty {
            let afterPrefix = index > 0 && keyedPathPrefixes.contains(segments[index - 1].lowercased())
            if afterPrefix || looksLikeToken(segments[index]) { segments[index] = Redactor.mask }
        }
        components.percentEncodedPath = segments.joined(separator: "/")
        if let items = components.percentEncodedQueryItems {
            components.percentEncodedQueryItems = items.map { item in
                let name = item.name.lowercased().replacingOccurrences(of: "_", with: "").replacingOccurrences(of: "-", with: "")
                guard let value = item.value, !value.isEmpty,
                      credentialQueryNames.contains(name) || name.hasSuffix("key") || name.hasSuffix("token") || looksLikeToken(value) else {
                    return item
                }
                return URLQueryItem(name: item.name, value: Redactor.mask)
            }
        }
        if components.fragment != nil { components.percentEncodedFragment = Redactor.mask }
        guard var shown = components.string else { return Redactor.mask }
        shown = shown.replacingOccurrences(of: "%2A%2A%2A", with: Redactor.mask)
        if hasUser, let range = shown.range(of: "://") { shown.replaceSubrange(range, with: "://\(Redactor.mask)@") }
        return shown
    }

    /// Whether a path segment or query value looks like an API token: 16 or more letters,
    /// digits, `-` or `_`, with at least one letter and one digit.
    static func looksLikeToken(_ text: String) -> Bool {
        guard text.count >= 16, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return false }
        return text.contains(where: \.isLetter) && text.contains(where: \.isNumber)
    }
}
