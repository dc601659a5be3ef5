import ButlerKit
import FleetTestSupport
import Foundation
import Testing

/// The `--signals` CSV under fuzzing: any text parses to a table or a bounded
/// ``LogSignalTableError``, never a trap. (The file holds log patterns, no secrets.)
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct LogSignalTableFuzzTests {
    static let samples = Fuzzer.bytes([
        LogSignalTable.aztec.csv,
        """
        id,kind,text,roles,when_seen,action
        peer-discovery-failure,failure,Failed FINDNODE request,validator,Minor,FINDNODE failures are routine
        reorg,failure,"Chain reorg, detected",validator prover,Critical,"Persistent ""reorgs"" hurt"

        """,
    ])
    static let tokens = Fuzzer.bytes([",", "\"", "\"\"", "\n", "\r\n", "Critical", "Minor", "failure", "catalogue", "validator prover", ",,,"])

    @Test func mutatedSignalFilesNeverTrap() {
        let ran = Fuzzer.run(seed: 2_126_007, samples: Self.samples, tokens: Self.tokens, secrets: []) { input in
            do {
                let table = try LogSignalTable.parse(csv: input.text, file: "signals.csv")
                _ = LogSignalTable.aztec.merging(table)
                return []
            } catch {
                return [String(describing: error)]
            }
        }
        #expect(ran >= 500)
    }
}
