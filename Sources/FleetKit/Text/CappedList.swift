/// Lists of problems as the tools print them: at most a fixed number of lines, then one line
/// counting the rest, so a file with 200,000 bad rows prints a page, not 200,000 lines.
public enum CappedList {
    /// How many items a printed list shows before "… and N more".
    public static let defaultLimit = 50

    /// The first `limit` of `items`, then "… and N more" when some were left out.
    public static func lines(_ items: [String], limit: Int = defaultLimit) -> [String] {
        let shown = max(0, limit)
        guard items.count > shown else { return items }
        return Array(items.prefix(shown)) + ["… and \(items.count - shown) more"]
    }

    /// ``lines(_:limit:)`` joined by `separator`, each line after `prefix`.
    public static func joined(_ items: [String], limit: Int = defaultLimit, prefix: String = "", separator: String = "\n") -> String {
        lines(items, limit: limit).map { prefix + $0 }.joined(separator: separator)
    }
}
