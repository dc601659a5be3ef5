// TEMPORARY: replaced by the inventory branch on merge.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public init(_ value: String) { revealed = value }
    public let revealed: String
    public var description: String { "***" }
    public var debugDescription: String { "***" }
}
public struct RemoteHost: Sendable, Hashable, Identifiable {
    public var id: String { name }
    public var name: String
    public var address: String
    public var user: String?
    public var port: Int?
    public var identityFile: String?
    public var ethAddress: String?
    public var privateKey: Secret?
    public var l1RPCURLs: [String]
    public var consensusURLs: [String]
    public var variables: [String: String]
    public var secretVariables: [String: Secret]
    public var line: Int
    public init(name: String, address: String, user: String? = nil, port: Int? = nil, identityFile: String? = nil, ethAddress: String? = nil, privateKey: Secret? = nil, l1RPCURLs: [String] = [], consensusURLs: [String] = [], variables: [String: String] = [:], secretVariables: [String: Secret] = [:], line: Int = 0) {
        self.name = name; self.address = address; self.user = user; self.port = port; self.identityFile = identityFile
        self.ethAddress = ethAddress; self.privateKey = privateKey; self.l1RPCURLs = l1RPCURLs; self.consensusURLs = consensusURLs
        self.variables = variables; self.secretVariables = secretVariables; self.line = line
    }
    public var secretValues: [String] { (privateKey.map { [$0.revealed] } ?? []) + secretVariables.values.map(\.revealed) }
}
