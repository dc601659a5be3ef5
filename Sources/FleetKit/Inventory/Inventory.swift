/// The hosts read from one inventory file, in file order.
public struct Inventory: Sendable {
    /// The file the hosts came from, as given to the loader.
    public var file: String
    /// The hosts in the order they appear in the file.
    public var hosts: [RemoteHost]
    /// Rows left out because they had problems, when the loader was asked to skip them.
    public var skippedRows: [InventoryError]

    /// Creates an inventory from hosts.
    public init(file: String, hosts: [RemoteHost], skippedRows: [InventoryError] = []) {
        self.file = file
        self.hosts = hosts
        self.skippedRows = skippedRows
    }

    /// Every secret value of every host, without repeats, for the log redactor.
    public var secretValues: [String] {
        var seen: Set<String> = []
        var values: [String] = []
        for host in hosts {
            for value in host.secretValues where !value.isEmpty && seen.insert(value).inserted {
                values.append(value)
            }
        }
        return values
    }

    /// The same inventory holding only the hosts `pattern` matches, in file order.
    public func limited(to pattern: HostPattern) -> Inventory {
        Inventory(file: file, hosts: hosts.filter { pattern.matches($0) }, skippedRows: skippedRows)
    }
}
