import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct ConnectionStartGateTests {
    @Test func atMostTheLimitStartAtOnceAndASlotPassesToTheNextInLine() async throws {
        let gate = ConnectionStartGate(limit: 2)
        let first = try #require(await gate.enter())
        let second = try #require(await gate.enter())
        #expect(gate.freeSlots == 0)
        let admitted = Locked(false)
        let waiter = Task {
            let slot = await gate.enter()
            admitted.withLock { $0 = true }
            return slot
        }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!admitted.withLock { $0 }, "a third connection started past the limit")
        first.release()
        first.release()   // a second release gives nothing back
        let third = try #require(await waiter.value)
        #expect(gate.freeSlots == 0)
        second.release()
        third.release()
        #expect(gate.freeSlots == 2)
    }

    @Test func aCancelledWaiterLeavesTheLine() async throws {
        let gate = ConnectionStartGate(limit: 1)
        let held = try #require(await gate.enter())
        let waiter = Task { await gate.enter() }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        #expect(await waiter.value == nil)
        held.release()
        #expect(gate.freeSlots == 1, "the cancelled waiter must not keep the slot")
    }
}

@Suite(.tags(.unit)) struct OpenFileLimitTests {
    @Test func hostsAtOnceLeaveRoomUnderTheLimit() {
        #expect(OpenFileLimit.hostsAtOnce(underLimit: 1024) == (1024 - 64) / 8)
        #expect(OpenFileLimit.hostsAtOnce(underLimit: 10) == 1)
        #expect(OpenFileLimit.hostsAtOnce(underLimit: nil) == Int.max)
    }

    @Test func theSoftLimitIsRaisedToTheHardLimit() {
        let before = OpenFileLimit.softLimit
        let after = OpenFileLimit.raiseSoftLimit()
        if let before, let after { #expect(after >= before) }
        var limits = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        #expect(getrlimit(resource, &limits) == 0)
        if limits.rlim_max != rlim_t.max { #expect(limits.rlim_cur == limits.rlim_max) }
    }
}
