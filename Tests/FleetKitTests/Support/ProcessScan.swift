import Foundation

/// Checks `condition` every 50 ms until it holds or `limit` has passed; returns whether it
/// held. The limit only keeps a broken test from hanging: the caller asserts on the state,
/// never the time, and a loaded two-core machine running every suite at once can take tens
/// of seconds to get to a task.
func eventually(within limit: Duration = .seconds(300), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(50))
    }
}
