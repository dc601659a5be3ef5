import FleetKit
import FleetTestSupport
import Testing

/// A typed command line split into argv the way a POSIX shell splits words, with no expansion.
@Suite(.tags(.unit)) struct ShellWordsTests {
    @Test(arguments: [
        ("gcloud secrets create batch-7 --data-file=-", ["gcloud", "secrets", "create", "batch-7", "--data-file=-"]),
        (#"vault kv put "secret/aztec/batch 2" keys=-"#, ["vault", "kv", "put", "secret/aztec/batch 2", "keys=-"]),
        (#"sh -c 'cat > "$0"' /tmp/out"#, ["sh", "-c", #"cat > "$0""#, "/tmp/out"]),
        (#"a\ b "c\"d" 'e\f' "g\h" $HOME `x` ;"#, ["a b", #"c"d"#, #"e\f"#, #"g\h"#, "$HOME", "`x`", ";"]),
        ("  pass   insert -m\tbatch  ", ["pass", "insert", "-m", "batch"]),
        (#"'' "" x"#, ["", "", "x"]),
        ("", []),
    ])
    func splits(text: String, words: [String]) throws {
        #expect(try ShellWords.split(text) == words)
    }

    @Test(arguments: ["gcloud 'secrets", #"vault "kv"#, #"trailing\"#])
    func refusesUnfinishedText(text: String) {
        #expect(throws: ShellWords.SplitError.self) { try ShellWords.split(text) }
    }
}
