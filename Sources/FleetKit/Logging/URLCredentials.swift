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
