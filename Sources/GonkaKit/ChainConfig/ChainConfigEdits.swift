/// The edits a Gonka node's chain configuration gets, as `TOMLKeyEdit`s for `TOMLKeyEditor`:
/// persistent peers and state sync in CometBFT's `config.toml`, pruning in the Cosmos SDK's
/// `app.toml` (at the top level, where the SDK reads it: the original appends the keys at the
/// end of the file, which puts them in the last table, where the SDK ignores them).
public enum ChainConfigEdits {
    /// `config.toml`: `[p2p] persistent_peers`, and the `[statesync]` keys when `stateSync` is given.
    public static func configTOML(persistentPeers: [PersistentPeer], stateSync: StateSyncSettings?) -> [TOMLKeyEdit] {
        var edits = [
            TOMLKeyEdit(table: ["p2p"], key: "persistent_peers", value: .string(persistentPeers.map(\.description).joined(separator: ","))),
        ]
        if let stateSync {
            edits += [
                TOMLKeyEdit(table: ["statesync"], key: "enable", value: .boolean(true)),
                TOMLKeyEdit(table: ["statesync"], key: "rpc_servers", value: .string(stateSync.rpcServers.joined(separator: ","))),
                TOMLKeyEdit(table: ["statesync"], key: "trust_height", value: .integer(stateSync.trustHeight)),
                TOMLKeyEdit(table: ["statesync"], key: "trust_hash", value: .string(stateSync.trustHash)),
            ]
        }
        return edits
    }

    /// `app.toml`: top-level `pruning = "custom"`, `pruning-keep-recent` and `pruning-interval`
    /// (strings, as the SDK's template writes them).
    public static func appTOML(pruning: PruningSettings) -> [TOMLKeyEdit] {
        [
            TOMLKeyEdit(table: [], key: "pruning", value: .string("custom")),
            TOMLKeyEdit(table: [], key: "pruning-keep-recent", value: .string(String(pruning.keepRecent))),
            TOMLKeyEdit(table: [], key: "pruning-interval", value: .string(String(pruning.interval))),
        ]
    }
}
