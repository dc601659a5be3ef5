import FleetKit
import Foundation

/// The health gate of a Gonka node after an upgrade restarted it, looked at through the
/// node's own connection: its RPC on the server (`/status`) gives a block height and says
/// it is not catching up, the height advances past the first one seen, and the validator
/// keeps signing: the seed node's slashing record shows it not jailed and its missed blocks
/// not rising between looks (blocks missed while it was down do not count). A node that is
/// not a validator has no record; that is not held against it.
struct UpgradeHealthWatch: HealthWatch {
    /// The node: its connection and the seed API; `nil` for a host the upgrade did not read.
    let target: NodeUpgradeTarget?
    /// The time the jailing is judged against.
    let clock: any FleetClock
    /// The height and missed blocks of the look the advance is measured from.
    private var baseline: (height: Int, missed: Int?)?

    init(target: NodeUpgradeTarget?, clock: any FleetClock) {
        self.target = target
        self.clock = clock
    }

    mutating func look() async -> HealthVerdict {
        guard let target else { return .waiting("the node was not read before the rollout") }
        let context = target.context, seedAPI = target.seedAPI
        guard let body = (try? await NodeServerProbe.get(NodeServerProbe.chainStatusURL, context)).flatMap({ $0 }),
              let status = JSONValue(parsing: Data(body.utf8)),
              let height = status.firstValue(forKey: "latest_block_height")?.integerFromNumberOrText else {
            return .waiting("the node's RPC gives no block height")
        }
        guard status.firstValue(forKey: "catching_up")?.boolValue == false else { return .waiting("the node is catching up (height \(height))") }
        var missed: Int?
        var signing = "no signing record (not a validator)"
        if let validator = status.value(at: ["result", "validator_info", "address"])?.stringValue {
            switch await NodeStatusProbe.signingRecord(validatorHex: validator, seedAPI: seedAPI, now: clock.now()) {
            case .unknown(let why): return .waiting("the validator's signing record cannot be read: \(why)")
            case .noRecord: break
            case .record(let missedBlocks, let jailed):
                if jailed == true { return .waiting("the validator is jailed (\(missedBlocks.map { "\($0) missed blocks" } ?? "missed blocks unknown"))") }
                missed = missedBlocks
                signing = "not jailed, " + (missedBlocks.map { "\($0) missed blocks, not rising" } ?? "missed blocks unknown")
            }
        }
        guard let baseline else {
            self.baseline = (height, missed)
            return .waiting("at height \(height), not catching up; waiting for the height to advance")
        }
        guard height > baseline.height else { return .waiting("the height stays at \(height)") }
        if let before = baseline.missed, let now = missed, now > before {
            self.baseline = (height, now)
            return .waiting("missed blocks rose from \(before) to \(now); watching whether the validator signs again")
        }
        return .healthy("height \(baseline.height) → \(height), not catching up; \(signing)")
    }
}
