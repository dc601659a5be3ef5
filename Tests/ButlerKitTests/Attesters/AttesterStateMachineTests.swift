import ButlerKit
import FleetTestSupport
import Testing

@Suite(.tags(.unit)) struct AttesterStateMachineTests {
    static func seen(provider: Bool = false, entry: Bool = false, _ status: AttesterView.Status = .none) -> AttesterObservation {
        AttesterObservation(isInProviderQueue: provider, isInEntryQueue: entry, onChainStatus: status)
    }

    @Test func theWholeLifeInOrder() {
        var state: AttesterState? = nil
        var reasons: [String] = []
        for observation in [Self.seen(), Self.seen(provider: true), Self.seen(entry: true), Self.seen(.validating), Self.seen(.exiting), Self.seen(.validating)] {
            let transition = AttesterStateMachine.next(from: state, observing: observation)
            if let reason = transition.reason { reasons.append("\(transition.state.rawValue): \(reason)") }
            state = transition.state
        }
        #expect(state == .noLongerActive, "terminal: a later VALIDATING does not bring it back")
        #expect(reasons == [
            "NEW: first seen; not on chain yet",
            "IN_STAKING_PROVIDER_QUEUE: it is in the staking provider's queue",
            "ROLLUP_ENTRY_QUEUE: it is in the rollup's entry queue",
            "ACTIVE: the rollup reports it VALIDATING",
            "NO_LONGER_ACTIVE: the rollup reports it EXITING, leaving the validator set",
        ])
    }

    @Test func directlyFromTheProviderQueueToActive() {
        #expect(AttesterStateMachine.next(from: .inStakingProviderQueue, observing: Self.seen(.validating)).state == .active)
    }

    @Test func aQueuedAttesterReadingNoneIsNotGone() {
        // Deposited attesters read NONE with balance 0 until flushed: membership decides.
        #expect(AttesterStateMachine.next(from: .rollupEntryQueue, observing: Self.seen(entry: true)) == AttesterTransition(state: .rollupEntryQueue, reason: nil))
        #expect(AttesterStateMachine.next(from: .rollupEntryQueue, observing: Self.seen()).state == .rollupEntryQueue)
        #expect(AttesterStateMachine.next(from: .inStakingProviderQueue, observing: Self.seen()).state == .inStakingProviderQueue)
        #expect(AttesterStateMachine.next(from: .active, observing: Self.seen()).state == .noLongerActive)
        #expect(AttesterStateMachine.next(from: .new, observing: Self.seen(.zombie)).state == .noLongerActive)
    }

    @Test func everyStateAndObservationGivesAState() {
        for previous in [nil] + AttesterState.allCases.map(Optional.some) {
            for status in AttesterView.Status.allCases {
                for provider in [false, true] {
                    for entry in [false, true] {
                        let transition = AttesterStateMachine.next(from: previous, observing: Self.seen(provider: provider, entry: entry, status))
                        if previous == .noLongerActive { #expect(transition.state == .noLongerActive && transition.reason == nil) }
                        if transition.state == previous { #expect(transition.reason == nil, "no reason without a change") }
                    }
                }
            }
        }
    }
}
