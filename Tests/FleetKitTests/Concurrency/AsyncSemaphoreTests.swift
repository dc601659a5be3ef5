import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct AsyncSemaphoreTests {
    @Test func atMostTheLimitStartAtOnceAndAFreedPermitPassesToTheNextInLine() async throws {
        let semaphore = AsyncSemaphore(limit: 2)
        let first = try #require(await semaphore.acquire())
        let second = try #require(await semaphore.acquire())
        #expect(semaphore.available == 0)
        let admitted = Locked(false)
        let waiter = Task {
            let slot = await semaphore.acquire()
            admitted.withLock { $0 = true }
            return slot
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!admitted.withLock { $0 }, "a third holder got in past the limit")
        first.release()
        first.release()   // a second release gives nothing back
        let third = try #require(await waiter.value)
        #expect(semaphore.available == 0)
        second.release()
        third.release()
        #expect(semaphore.available == 2)
    }

    @Test func aCancelledWaiterLeavesTheLine() async throws {
        let semaphore = AsyncSemaphore(limit: 1)
        let held = try #require(await semaphore.acquire())
        let waiter = Task { await semaphore.acquire() }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(await waiter.value == nil)
        held.release()
        #expect(semaphore.available == 1, "the cancelled waiter must not keep the permit")
    }

    @Test func withPermitHoldsAPermitWhileTheOperationRunsAndThrowsWhenCancelledInLine() async throws {
        let semaphore = AsyncSemaphore(limit: 1)
        let inside = try await semaphore.withPermit { semaphore.available }
        #expect(inside == 0 && semaphore.available == 1)
        await #expect(throws: TestFailure.self) { try await semaphore.withPermit { throw TestFailure() } }
        #expect(semaphore.available == 1, "a throwing operation gives its permit back")
        let held = try #require(await semaphore.acquire())
        let waiter = Task { try await semaphore.withPermit { "ran" } }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        held.release()
        #expect(semaphore.available == 1)
    }

    private struct TestFailure: Error {}
}
