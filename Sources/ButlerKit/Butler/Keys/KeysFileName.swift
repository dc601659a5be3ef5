/// The name of a keys file, `{network}-keys-{serverId}-v{version}.json`, as the original names them.
///
/// Server ids may contain dashes (`mainnet-keys-eu-west-1-v3.json` is server `eu-west-1`,
/// version 3); versions compare as numbers, so v10 comes after v9.
public struct KeysFileName: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The network, e.g. `mainnet`.
    public let network: String
    /// The server the file belongs to, e.g. `eu-west-1`.
    public let serverId: String
    /// The version number.
    public let version: Int

    /// Creates a name from its parts.
    public init(network: String, serverId: String, version: Int) {
        self.network = network
        self.serverId = serverId
        self.version = version
    }

    /// Parses `fileName` with `^{network}-keys-(.+)-v(\d+)\.json$`; `nil` when it is not a keys
    /// file of `network` (another network's file, another file, a version too large to count).
    public init?(parsing fileName: String, network: String) {
        guard let parts = Self.parts(of: fileName, network: network), let version = Int(parts.digits) else { return nil }
        self.init(network: network, serverId: parts.serverId, version: version)
    }

    /// The server id of a file named like a keys file of `network` whose version number is too
    /// large to count (above 9223372036854775807); `nil` for any other name. Such a file must be
    /// reported, not skipped: skipping it would silently fall back to an older version.
    public static func serverIdOfUncountableVersion(_ fileName: String, network: String) -> String? {
        guard let parts = parts(of: fileName, network: network), Int(parts.digits) == nil else { return nil }
        return parts.serverId
    }

    /// The server id and the version digits of `{network}-keys-(.+)-v(\d+)\.json`.
    private static func parts(of fileName: String, network: String) -> (serverId: String, digits: Substring)? {
        let prefix = network + "-keys-"
        let suffix = ".json"
        guard !network.isEmpty, fileName.hasPrefix(prefix), fileName.hasSuffix(suffix),
              fileName.count > prefix.count + suffix.count else { return nil }
        let middle = fileName.dropFirst(prefix.count).dropLast(suffix.count)
        // The greedy `(.+)` leaves the last "-v<digits>" to the version.
        guard let marker = middle.range(of: "-v", options: .backwards) else { return nil }
        let serverId = middle[..<marker.lowerBound]
        let digits = middle[marker.upperBound...]
        guard !serverId.isEmpty, !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return (String(serverId), digits)
    }

    /// `{network}-keys-{serverId}-v{version}.json`.
    public var fileName: String { "\(network)-keys-\(serverId)-v\(version).json" }

    /// The same server's next version; `nil` when the version is already the largest number there is.
    public var next: KeysFileName? {
        let (version, overflow) = version.addingReportingOverflow(1)
        return overflow ? nil : KeysFileName(network: network, serverId: serverId, version: version)
    }

    /// The file name.
    public var description: String { fileName }

    /// Orders by network, then server id, then version as a number.
    public static func < (lhs: KeysFileName, rhs: KeysFileName) -> Bool {
        (lhs.network, lhs.serverId, lhs.version) < (rhs.network, rhs.serverId, rhs.version)
    }
}
