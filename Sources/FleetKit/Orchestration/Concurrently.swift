/// Bounded concurrency: the one way FleetKit works on many hosts at once.
///
/// The runner, the connectivity check, the audit writer and kits' collectors all go
/// through it, so `forks` means the same everywhere.
public enum Concurrently {
    /// Calls `body` for every item, at most `limit` at a time (a limit below 1 counts as 1),
    /// and returns one result per item, in the order of `items`. Every item is started, also
    /// after cancellation: `body` sees `Task.isCancelled` and decides what to return.
    public static func map<Item: Sendable, Output: Sendable>(
        _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async -> Output
    ) async -> [Output] {
        await withTaskGroup(of: (Int, Output).self) { group in
            var pending = Array(items.enumerated())[...]
            var results = [Output?](repeating: nil, count: items.count)
            func startNext() -> Bool {
                guard let (index, item) = pending.popFirst() else { return false }
                group.addTask { (index, await body(item)) }
                return true
            }
            for _ in 0..<max(1, limit) where !startNext() { break }
            while let (index, output) = await group.next() {
                results[index] = output
                _ = startNext()
            }
            return results.compactMap { $0 }
        }
    }
}
