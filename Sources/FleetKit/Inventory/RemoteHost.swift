/// One server from the inventory and everything the inventory says about it.
public struct RemoteHost: Sendable, Hashable, Identifiable {
    /// The host's name, which is unique within an inventory.
    public var id: String { name }
    /// The name from the name column, or the address when there is none.
    public var name: String
    /// An IPv4 address, IPv6 address or DNS hostname.
    public var address: String
    /// The SSH user, when given.
    public var user: String?
    /// The SSH port, when given.
    public var port: Int?
    /// The SSH identity (private key) file, when given.
    public var identityFile: String?
    /// The host's Ethereum address (0x + 40 hex digits), when given.
    public var ethAddress: String?
    /// The validator private key, when given.
    public var privateKey: Secret?
    /// L1 execution RPC URLs.
    public var l1RPCURLs: [String]
    /// L1 consensus (beacon) URLs.
    public var consensusURLs: [String]
    /// Every other non-empty column; the key is the header as written, lowercased.
    public var variables: [String: String]
    /// Other non-empty columns whose names look secret (key, secret, password, mnemonic, token, seed).
    public var secretVariables: [String: Secret]
    /// The line in the inventory file where the host was defined.
    public var line: Int

    /// Creates a host; only the name and address are required.
    public init(
        name: String, address: String, user: String? = nil, port: Int? = nil, identityFile: String? = nil,
        ethAddress: String? = nil, privateKey: Secret? = nil, l1RPCURLs: [String] = [], consensusURLs: [String] = [],
        variables: [String: String] = [:], secretVariables: [String: Secret] = [:], line: Int = 0
    ) {
        self.name = name
        self.address = address
        self.user = user
        self.port = port
        self.identityFile = identityFile
        self.ethAddress = ethAddress
        self.privateKey = privateKey
        self.l1RPCURLs = l1RPCURLs
        self.consensusURLs = consensusURLs
        self.variables = variables
        self.secretVariables = secretVariables
        self.line = line
    }

    /// Every secret value this host carries (privateKey + secretVariables), for the log redactor.
    public var secretValues: [String] {
        var values: [String] = []
        if let privateKey { values.append(privateKey.revealed) }
        for key in secretVariables.keys.sorted() {
            if let secret = secretVariables[key] { values.append(secret.revealed) }
        }
        return values
    }
}
