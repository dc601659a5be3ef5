import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// The node's config.toml and app.toml edits on realistic CometBFT and Cosmos SDK files,
/// checked with Python's tomllib.
@Suite(.tags(.unit)) struct ChainConfigEditsTests {
    static let peers = NodeConfSetting.originalPersistentPeers.split(separator: ",").compactMap { try? PersistentPeer(parsing: String($0)) }

    static func stateSync() throws -> StateSyncSettings {
        try StateSyncSettings(trustHeight: StateSyncSettings.originalFallbackHeight, trustHash: StateSyncSettings.originalFallbackHash)
    }

    /// The lines of `before` and `after` that differ, as (old, new) pairs, when both have the same number of lines.
    func changedLines(_ before: String, _ after: String) -> [(String, String)] {
        let old = before.split(separator: "\n", omittingEmptySubsequences: false)
        let new = after.split(separator: "\n", omittingEmptySubsequences: false)
        guard old.count == new.count else { return [("line count", "\(old.count) → \(new.count)")] }
        return zip(old, new).filter { $0 != $1 }.map { (String($0), String($1)) }
    }

    @Test func configTOMLChangesOnlyTheNamedKeys() async throws {
        let original = try GonkaFixtures.text("cometbft-config.toml")
        let edits = ChainConfigEdits.configTOML(persistentPeers: Self.peers, stateSync: try Self.stateSync())
        let result = try TOMLKeyEditor.apply(edits, to: original)
        #expect(result.changes.map(\.action) == [.replaced, .replaced, .replaced, .replaced, .replaced])
        let changed = changedLines(original, result.text)
        #expect(changed.map(\.1) == [
            "persistent_peers = \"\(NodeConfSetting.originalPersistentPeers)\"",
            "enable = true",
            "rpc_servers = \"http://node2.gonka.ai:26657,http://node1.gonka.ai:26657\"",
            "trust_height = 1851443",
            "trust_hash = \"C7B2ED7863CFC5F363D24B244CDD18A6A7754BEAD3C2F88AE503FF6A0D3F3C27\"",
        ])
        let document = try await PythonTOML.load(result.text)
        let p2p = try #require(document["p2p"] as? [String: Any])
        let statesync = try #require(document["statesync"] as? [String: Any])
        #expect(p2p["persistent_peers"] as? String == NodeConfSetting.originalPersistentPeers)
        #expect(p2p["seeds"] as? String == "cc6b7a7a3d9e2d2e4d0f21b8e8a1e2f5c7b9d3a1@node2.gonka.ai:5000", "other keys keep their values")
        #expect(statesync["enable"] as? Bool == true)
        #expect(statesync["rpc_servers"] as? String == "http://node2.gonka.ai:26657,http://node1.gonka.ai:26657")
        #expect(statesync["trust_height"] as? Int == 1_851_443)
        #expect(statesync["trust_hash"] as? String == StateSyncSettings.originalFallbackHash)
        #expect((document["rpc"] as? [String: Any])?["laddr"] as? String == "tcp://0.0.0.0:26657", "[rpc] laddr is not the state-sync enable's table")
        let again = try TOMLKeyEditor.apply(edits, to: result.text)
        #expect(again.text == result.text)
        #expect(!again.changedAnything)
    }

    @Test func appTOMLGetsPruningAtTheTopLevel() async throws {
        let original = try GonkaFixtures.text("cosmos-app.toml")
        let edits = ChainConfigEdits.appTOML(pruning: .original)
        let result = try TOMLKeyEditor.apply(edits, to: original)
        #expect(changedLines(original, result.text).map(\.1) == [
            "pruning = \"custom\"", "pruning-keep-recent = \"1000\"", "pruning-interval = \"100\"",
        ])
        let document = try await PythonTOML.load(result.text)
        #expect(document["pruning"] as? String == "custom")
        #expect(document["pruning-keep-recent"] as? String == "1000")
        #expect(document["pruning-interval"] as? String == "100")
        #expect(document["mempool"] as? [String: Int] == ["max-txs": -1], "the last table gets nothing")
        let again = try TOMLKeyEditor.apply(edits, to: result.text)
        #expect(again.text == result.text && !again.changedAnything)
    }

    /// The original deletes the top-level keys and appends them at the end, inside [mempool];
    /// the edit puts them back at the top level, where the SDK reads them.
    @Test func appTOMLLeftByTheOriginalGetsTopLevelPruningBack() async throws {
        let broken = try GonkaFixtures.text("cosmos-app-after-original.toml")
        let before = try await PythonTOML.load(broken)
        #expect(before["pruning"] == nil, "the original's keys are not at the top level")
        let result = try TOMLKeyEditor.apply(ChainConfigEdits.appTOML(pruning: PruningSettings(keepRecent: 20000, interval: 512)), to: broken)
        #expect(result.changes.map(\.action) == [.inserted, .inserted, .inserted])
        let document = try await PythonTOML.load(result.text)
        #expect(document["pruning"] as? String == "custom")
        #expect(document["pruning-keep-recent"] as? String == "20000")
        #expect(document["pruning-interval"] as? String == "512")
        #expect(result.text.contains("app-db-backend = \"\"\npruning = \"custom\"\npruning-keep-recent = \"20000\"\npruning-interval = \"512\"\n"),
                "inserted after the last top-level key")
        #expect(result.text.replacingOccurrences(of: "pruning = \"custom\"\npruning-keep-recent = \"20000\"\npruning-interval = \"512\"\n", with: "") == broken,
                "nothing else changed")
    }

    @Test func stateSyncSettingsAreChecked() throws {
        #expect(throws: StateSyncSettingsError.self) { try StateSyncSettings(rpcServers: ["http://a:26657"], trustHeight: 1, trustHash: StateSyncSettings.originalFallbackHash) }
        #expect(throws: StateSyncSettingsError.self) { try StateSyncSettings(rpcServers: ["http://a:1,b", "http://c:1"], trustHeight: 1, trustHash: StateSyncSettings.originalFallbackHash) }
        #expect(throws: StateSyncSettingsError.self) { try StateSyncSettings(trustHeight: 0, trustHash: StateSyncSettings.originalFallbackHash) }
        #expect(throws: StateSyncSettingsError.self) { try StateSyncSettings(trustHeight: 5, trustHash: "abc") }
        let lower = try StateSyncSettings(trustHeight: 5, trustHash: StateSyncSettings.originalFallbackHash.lowercased())
        #expect(lower.trustHash == StateSyncSettings.originalFallbackHash)
        #expect(ChainConfigEdits.configTOML(persistentPeers: [], stateSync: nil).map(\.description) == ["p2p.persistent_peers = \"\""])
    }
}
