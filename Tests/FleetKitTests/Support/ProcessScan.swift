import Foundation

/// Checks `condition` every 50 ms until it holds or `limit` has passed; returns whether it
/// held. The limit is generous on purpose: the caller asserts on the state, not the time.
func eventually(within limit: Duration = .seconds(20), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(50))
    }
}
