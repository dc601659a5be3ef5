import Foundation
import Testing
import FleetTestSupport

/// The trait that keeps blocking tests off the cooperative pool really moves them.
@Suite(.tags(.unit), .onOwnThread) struct OwnThreadTraitTests {
    @Test func aSynchronousTestRunsOnItsOwnThread() {
        #expect(currentThreadName() == "aSynchronousTestRunsOnItsOwnThread()")
    }

    @Test func anAsynchronousTestStaysOnItsOwnThreadAcrossAwaits() async throws {
        let name = "anAsynchronousTestStaysOnItsOwnThreadAcrossAwaits()"
        try await Task.sleep(for: .milliseconds(10))
        #expect(currentThreadName() == name)
        async let structured = currentThreadName()
        #expect(await structured == name, "child tasks run there too")
        let unstructured = await Task.detached { currentThreadName() }.value
        #expect(unstructured == nil, "a detached task keeps to the pool")
    }
}

/// The test whose dedicated thread runs the caller, `nil` on the cooperative pool.
private func currentThreadName() -> String? { DedicatedThreadExecutor.currentThreadName }
