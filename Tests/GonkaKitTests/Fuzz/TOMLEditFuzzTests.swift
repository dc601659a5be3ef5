import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// TOML edits under fuzzing: the editor either edits any text or refuses it with a bounded
/// ``TOMLEditError``, never traps; edits it made read back, and applying them again changes
/// nothing. (config.toml and app.toml hold no secrets.)
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct TOMLEditFuzzTests {
    static let samples = Fuzzer.bytes([
        """
        # CometBFT
        moniker = "node-1"
        [p2p]
        laddr = "tcp://0.0.0.0:26656"   # listen
        persistent_peers = ""
        seeds = 'a@b:1'
        [statesync]
        enable = false
        rpc_servers = ""
        trust_height = 0
        trust_hash = ""
        [[array.of.tables]]
        enable = true
        multi = \"\"\"
        line
        \"\"\"
        list = [1, 2,
          3]

        """,
        "pruning = \"default\"\npruning-keep-recent = \"0\"\npruning-interval = \"0\"\n[api]\nenable = true\r\n",
    ])
    static let tokens = Fuzzer.bytes(["=", "\"", "'", "\"\"\"", "'''", "[", "]", "[[", "]]", "#", "\\", "\n", "\r\n", ".", "{", "}", ","])

    static let edits = [
        TOMLKeyEdit(table: ["p2p"], key: "persistent_peers", value: .string("id@1.2.3.4:5000")),
        TOMLKeyEdit(table: ["statesync"], key: "enable", value: .boolean(true)),
        TOMLKeyEdit(table: ["statesync"], key: "trust_height", value: .integer(1_999_000)),
        TOMLKeyEdit(table: [], key: "pruning", value: .string("custom")),
        TOMLKeyEdit(table: ["new", "table"], key: "key", value: .string("quote \" and \\ and \u{1B}")),
    ]

    @Test func mutatedTOMLIsEditedOrRefusedNeverTrapped() {
        let ran = Fuzzer.run(seed: 2_126_009, samples: Self.samples, tokens: Self.tokens, secrets: []) { input in
            var texts: [String] = []
            do {
                let first = try TOMLKeyEditor.apply(Self.edits, to: input.text)
                let second = try TOMLKeyEditor.apply(Self.edits, to: first.text)
                #expect(second.text == first.text, "\(input.label): a second application changed the text")
                for edit in Self.edits {
                    let read = try TOMLKeyEditor.valueText(at: edit.table + [edit.key], in: first.text)
                    #expect(read == edit.value.description, "\(input.label): \(edit.path) reads \(read ?? "nothing")")
                }
            } catch {
                texts.append(String(describing: error))
            }
            return texts
        }
        #expect(ran >= 500)
    }
}
