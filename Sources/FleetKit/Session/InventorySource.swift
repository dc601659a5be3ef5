import Foundation

/// Where a session's hosts come from: an inventory file read with a kit's column schema,
/// or hosts an integrator already has.
public struct InventorySource: Sendable {
    enum Origin: Sendable {
        case file(URL, displayName: String)
        case hosts([RemoteHost], name: String)
        case loaded(Inventory)
    }

    let origin: Origin
    /// The kit's columns (what `address` or `key` means).
    public var schema: InventorySchema
    /// How rows without a name column are named.
    public var naming: HostNaming
    /// Leave bad rows out (listed in ``Inventory/skippedRows``) instead of refusing the file.
    public var skipsInvalidRows: Bool
    /// Allow several rows for one server (jobs that group rows per server).
    public var allowsRepeatedAddresses: Bool
    /// Only the hosts whose name or address matches; an empty selection is an input error.
    public var limit: HostPattern?

    /// An inventory file (servers.csv), read when the session opens.
    ///
    /// - Parameter displayName: how messages name the file (the path as the user typed
    ///   it); the path itself when `nil`.
    public static func file(_ url: URL, displayName: String? = nil, schema: InventorySchema = .sshOnly, naming: HostNaming = .address,
                            skipsInvalidRows: Bool = false, allowsRepeatedAddresses: Bool = false,
                            limit: HostPattern? = nil) -> InventorySource {
        InventorySource(origin: .file(url, displayName: displayName ?? url.path), schema: schema, naming: naming,
                        skipsInvalidRows: skipsInvalidRows, allowsRepeatedAddresses: allowsRepeatedAddresses, limit: limit)
    }

    /// Hosts built in code; `name` stands for the file in messages.
    public static func hosts(_ hosts: [RemoteHost], name: String = "hosts", limit: HostPattern? = nil) -> InventorySource {
        InventorySource(origin: .hosts(hosts, name: name), schema: .sshOnly, naming: .address, skipsInvalidRows: false,
                        allowsRepeatedAddresses: true, limit: limit)
    }

    /// An inventory already read (for a caller that looked at it first: rows left out,
    /// the servers a confirmation names); its limit was applied when it was read.
    public static func loaded(_ inventory: Inventory) -> InventorySource {
        InventorySource(origin: .loaded(inventory), schema: .sshOnly, naming: .address, skipsInvalidRows: false,
                        allowsRepeatedAddresses: true, limit: nil)
    }

    /// The file's name without folders, for log and result names ("servers.csv").
    public var fileName: String {
        switch origin {
        case .file(let url, _): return url.lastPathComponent
        case .hosts(_, let name): return name
        case .loaded(let inventory): return URL(fileURLWithPath: inventory.file).lastPathComponent
        }
    }

    /// Reads the hosts and applies ``limit``.
    ///
    /// - Throws: ``InventoryError`` naming the file, line and column of every bad row, or
    ///   saying that no host matches the limit.
    public func load() throws(InventoryError) -> Inventory {
        var inventory: Inventory
        let name: String
        switch origin {
        case .file(let url, let displayName):
            inventory = try InventoryLoader.load(contentsOf: url, named: displayName, schema: schema, skipInvalidRows: skipsInvalidRows, naming: naming,
                                                 allowsRepeatedAddresses: allowsRepeatedAddresses)
            inventory.file = displayName
            name = displayName
        case .hosts(let hosts, let hostsName):
            inventory = Inventory(file: hostsName, hosts: hosts)
            name = hostsName
        case .loaded(let loaded):
            inventory = loaded
            name = loaded.file
        }
        if let limit {
            inventory = inventory.limited(to: limit)
            if inventory.hosts.isEmpty {
                throw InventoryError(file: name, line: nil, column: nil, message: "no host matches the host limit '\(limit.text)'")
            }
        }
        return inventory
    }
}
