extension LogSignalTable {
    /// The built-in table: the testnet runbook's component markers and failure markers,
    /// Aztec's log catalogue (operators' reference "Reading your logs", 2026) with its
    /// grades and actions, and the signatures of crashes and node starts.
    ///
    /// Print it with `aztec-fleet sanity --print-signals`, edit the copy, and pass it back
    /// with `--signals FILE` to change or extend it.
    public static let aztec = LogSignalTable(checked: runbookMarkers + failureMarkers + bridgeFailures + catalogue + crashes + reorgs)

    static let runbookMarkers: [LogSignal] = [
        LogSignal(id: "tx-gossiping", kind: .marker, text: "Generated IVC proof", roles: [.bot], title: "Tx gossiping",
                  event: .componentSilent, whenMissing: .major,
                  action: "The bot built no transaction: check its node URL, its account's funds and the node's P2P."),
        LogSignal(id: "block-proposal", kind: .marker, text: "Can propose block", roles: [.validator], title: "Block proposal",
                  action: "A validator proposes only in the slots it leads; its absence alone means nothing."),
        LogSignal(id: "block-processing", kind: .marker, text: "l2BlockSourceHash", roles: [.validator], title: "Block processing",
                  event: .componentSilent, whenMissing: .major,
                  action: "The node processed no block: check its L1 RPC and consensus URLs and its sync (aztec-fleet sync); the marker is logged at debug level (the runbook's LOG_LEVEL=debug)."),
        LogSignal(id: "block-proving", kind: .marker, text: "Processed 1 new L2 blocks", roles: [.prover], title: "Block proving",
                  event: .componentSilent, whenMissing: .major,
                  action: "The prover followed no block: check its L1 RPC and its archiver's sync."),
        LogSignal(id: "epoch-proving", kind: .marker, text: "Submitted proof for epoch", roles: [.prover], title: "Epoch proving",
                  event: .componentSilent, whenMissing: .major,
                  action: "No epoch proof was submitted in the scanned period: check the proving broker and agents and the publisher's ETH."),
    ]

    static let failureMarkers: [LogSignal] = [
        LogSignal(id: "peer-discovery-failure", kind: .failure, text: "Failed FINDNODE request", roles: [.validator],
                  title: "Peer discovery failure", event: .peerDiscoveryFailure, whenSeen: .major,
                  action: "Check that port 40400 tcp and udp is reachable from outside and that P2P_IP is the server's public address; compare with the boot node."),
        LogSignal(id: "epoch-proof-failed", kind: .failure, text: "Error running epoch", roles: [.prover], title: "Epoch proving job failed",
                  event: .proofGenerationFailure, whenSeen: .critical,
                  action: "Proof generation failure: collect the prover's logs and create a detailed issue report for the Alpha team."),
        LogSignal(id: "epoch-proof-not-submitted", kind: .failure, text: "Failed to submit epoch proof", roles: [.prover],
                  title: "Epoch proof not accepted on L1", event: .proofGenerationFailure, whenSeen: .critical,
                  action: "Check the prover publisher's ETH and its L1 RPC, then report to the Alpha team."),
    ]

    /// L1↔L2 messaging and rollup contract failures: the custom errors of the L1 contracts
    /// (l1-contracts `Errors.sol`), which nodes log when a call reverts or a simulation
    /// fails, graded as the Release Support matrix grades bridge/contract issues.
    static let bridgeFailures: [LogSignal] = [
        LogSignal(id: "bridge-inbox-error", kind: .failure, text: "Inbox__", title: "L1→L2 message (Inbox) error",
                  event: .bridgeFailure, whenSeen: .critical,
                  action: "Bridge/contract issue (Alpha Team): investigate the Inbox revert (message sent to L1, its L2 block) and escalate if needed."),
        LogSignal(id: "bridge-outbox-error", kind: .failure, text: "Outbox__", title: "L2→L1 message (Outbox) error",
                  event: .bridgeFailure, whenSeen: .critical,
                  action: "Bridge/contract issue (Alpha Team): investigate the Outbox revert (message consumed before its epoch was proven, wrong proof) and escalate if needed."),
        LogSignal(id: "bridge-portal-error", kind: .failure, text: "FeeJuicePortal__", title: "Fee Juice portal error",
                  event: .bridgeFailure, whenSeen: .critical,
                  action: "Bridge/contract issue (Alpha Team): investigate the portal revert (deposit, initialization) and escalate if needed."),
        LogSignal(id: "rollup-contract-error", kind: .failure, text: "Rollup__", title: "Rollup contract error",
                  event: .bridgeFailure, whenSeen: .critical,
                  action: "Bridge/contract issue (Alpha Team): a rollup call reverted (proposal, proof or in-hash of L1→L2 messages); investigate and escalate if needed."),
    ]

    /// The node pruning its chain: the archiver unwinding unproven blocks (`Unwound N blocks
    /// … due to predicted reorg at L1 block …`, `Removed N checkpoints …` in later releases)
    /// and world state following it (`Chain pruned to block N`).
    static let reorgs: [LogSignal] = [
        LogSignal(id: "archiver-unwind", kind: .reorg, text: "due to predicted reorg", title: "Archiver unwound the chain",
                  event: .chainReorg, action: "The chain was pruned back to its proven block: an epoch was not proven in time or L1 reorged."),
        LogSignal(id: "world-state-pruned", kind: .reorg, text: "Chain pruned to", title: "World state pruned",
                  event: .chainReorg, action: "World state unwound with the chain."),
    ]

    static let catalogue: [LogSignal] = [
        LogSignal(id: "keystore-is-array", kind: .catalogue, text: "ZodError: Expected object, received array", title: "Keystore file is an array",
                  event: .catalogueMessage, grade: .urgent, whenSeen: .critical,
                  action: "The node will not start: keep only the keystore file (such as key1.json) in the keystore folder; the staker-output file belongs with the registration materials."),
        LogSignal(id: "reqresp-eof", kind: .catalogue, text: "ERR_UNEXPECTED_EOF", title: "Peer closed a req/resp stream",
                  event: .catalogueMessage, grade: .ignore, action: "Routine peer churn; no action."),
        LogSignal(id: "p2p-no-valid-address", kind: .catalogue, text: "no valid addresses were provided for transports",
                  title: "P2P address invalid", event: .catalogueMessage, grade: .urgent, whenSeen: .critical,
                  action: "The node cannot bind its P2P transport and will not start: set a valid P2P address and make sure the P2P port is reachable."),
        LogSignal(id: "p2p-start-failed", kind: .catalogue, text: "Failed to start p2p service", title: "P2P service did not start",
                  event: .catalogueMessage, grade: .urgent, whenSeen: .critical,
                  action: "Free or change the P2P port (P2P_PORT, P2P_LISTEN_ADDR) and restart the node."),
        LogSignal(id: "no-peers", kind: .catalogue, text: "Node has no connected peers", title: "No connected peers",
                  event: .catalogueMessage, grade: .urgent, whenSeen: .critical,
                  action: "Check that the P2P port is reachable (nc -zv <external-IP> 40400) and that the advertised IP matches the external address."),
        LogSignal(id: "proposal-skipped-few-peers", kind: .catalogue, text: "since we have too few connected peers", roles: [.validator],
                  title: "Proposal skipped: too few peers", event: .catalogueMessage, grade: .urgent, whenSeen: .critical,
                  action: "Fix peer connectivity; SEQ_MIN_PEERS_TO_PROPOSE=0 only hides the isolation."),
        LogSignal(id: "attestation-timeout", kind: .catalogue, text: "AttestationTimeoutError", roles: [.validator],
                  title: "Attestations not collected in time", event: .catalogueMessage, grade: .investigate, whenSeen: .minor,
                  action: "Every timed-out slot is a block not produced: check the node's peer count and connectivity first; across many slots it is the network's liveness."),
        LogSignal(id: "mempool-drops", kind: .catalogue, text: "txs from mempool due to failures during block building", roles: [.validator],
                  title: "Transactions dropped while building", event: .catalogueMessage, grade: .investigate, whenSeen: .minor,
                  action: "Read the failures field: a burst after a reorg corrects itself, a steady trickle points at transactions the node rejects."),
        LogSignal(id: "slashing-vote", kind: .catalogue, text: "targeted by slashing vote", roles: [.validator],
                  title: "Own validator targeted by a slashing vote", event: .catalogueMessage, grade: .urgent, whenSeen: .critical,
                  action: "React while the round is open: confirm the node attests and proposes; compare aztec_slasher_own_validator_current_round_votes_max with aztec_slasher_quorum_size."),
        LogSignal(id: "trace-unavailable", kind: .catalogue, text: "historical state is not available", title: "L1 trace of an old block unavailable",
                  event: .catalogueMessage, grade: .ignore,
                  action: "Routine for old blocks; for recent blocks the L1 RPC cannot trace: use a debug-capable execution RPC keeping about 12 hours of history."),
        LogSignal(id: "payload-too-large", kind: .catalogue, text: "PayloadTooLargeError", roles: [.prover], title: "Proof payload too large",
                  event: .catalogueMessage, grade: .investigate, whenSeen: .minor,
                  action: "Raise RPC_MAX_BODY_SIZE on the proving broker and agents."),
    ]

    static let crashes: [LogSignal] = [
        LogSignal(id: "out-of-memory", kind: .crash, text: "JavaScript heap out of memory", title: "Out of memory",
                  action: "Give the node more memory or lower its load; look at what grew before the crash."),
        LogSignal(id: "segmentation-fault", kind: .crash, text: "Segmentation fault", title: "Segmentation fault",
                  action: "Collect the logs around the crash and create an issue."),
        LogSignal(id: "uncaught-exception", kind: .crash, text: "uncaughtException", title: "Uncaught exception",
                  action: "Collect the logs around the crash and create an issue."),
        LogSignal(id: "unhandled-rejection", kind: .crash, text: "UnhandledPromiseRejection", title: "Unhandled promise rejection",
                  action: "Collect the logs around the crash and create an issue."),
        LogSignal(id: "node-started", kind: .start, text: "Aztec Node started on chain", title: "Node start",
                  action: "More than one start in the scanned period means the node restarted."),
    ]
}
