/// Bounded concurrency: the one way FleetKit works on many hosts at once.
///
/// The runner, the connectivity check, the audit writer and kits' collectors all go
/// through it, so `forks` means the same everywhere. It also never runs more items at once
/// than the open-file limit leaves room for (``OpenFileLimit``), so a large `forks` slows a
/// run down instead of failing it with "too many open files".
public enum Concurrently {
    /// Calls `body` for every item, at most `limit` at a time (a limit below 1 counts as 1;
    /// fewer when the open-file limit is lower than the hosts it would take),
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
            let bound = min(max(1, limit), OpenFileLimit.hostsAtOnce(underLimit: OpenFileLimit.softLimit))
            for _ in 0..<bound where !startNext() { break }
            while let (index, output) = await group.next() {
                results[index] = output
                _ = startNext()
            }
            return results.compactMap { $0 }
        }
    }
}
