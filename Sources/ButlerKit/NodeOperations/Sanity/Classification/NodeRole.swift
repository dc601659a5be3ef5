/// What an Aztec node does, as the runbook tells components apart: each role has its own
/// log markers (a bot's proofs, a validator's proposals, a prover's epoch proofs).
public enum NodeRole: String, Sendable, Codable, CaseIterable {
    /// A sequencer node with attesters: proposes and attests to blocks.
    case validator
    /// A prover node: proves blocks and submits epoch proofs.
    case prover
    /// A transaction bot: builds client proofs and sends transactions.
    case bot

    /// The role with the most distinct runbook markers in a log (single-role markers only);
    /// validator when the log shows none.
    public static func inferred(from summary: LogScanSummary, signals: LogSignalTable) -> NodeRole {
        var seen: [NodeRole: Int] = [:]
        for signal in signals.signals where signal.kind == .marker && signal.roles.count == 1 {
            if let role = signal.roles.first, summary.count(of: signal.id) > 0 { seen[role, default: 0] += 1 }
        }
        // Ties keep the first role in declaration order: validator, prover, bot.
        guard let best = NodeRole.allCases.max(by: { seen[$0] ?? 0 < seen[$1] ?? 0 }), seen[best] ?? 0 > 0 else { return .validator }
        return best
    }
}
