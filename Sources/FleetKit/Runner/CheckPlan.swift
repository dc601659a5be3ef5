import Foundation

/// Evaluates many shell checks of one host in a single remote round trip.
///
/// The script runs each check in its own subshell (so one check's `exit` or variables
/// cannot disturb the others, and no new shell program is started per check) and prints
/// `<nonce> <index> <status>` after each; the nonce keeps stray output from passing for a
/// status line. A check with a syntax error stops the whole script from parsing: no
/// status comes back and the runner evaluates those checks one by one instead.
enum CheckPlan {
    /// The script that evaluates `checks` (step index → check command line).
    static func script(for checks: [(index: Int, script: String)], nonce: String) -> String {
        var lines = ["n=\(nonce)"]
        for check in checks {
            lines.append("(\n\(check.script)\n) </dev/null >/dev/null 2>&1; echo \"$n \(check.index) $?\"")
        }
        return lines.joined(separator: "\n")
    }

    /// Reads the statuses back; checks without a line (the script was cut short) are absent.
    static func parse(_ output: String, nonce: String) -> [Int: Int32] {
        var statuses: [Int: Int32] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[0] == nonce, let index = Int(parts[1]), let status = Int32(parts[2]) else { continue }
            statuses[index] = status
        }
        return statuses
    }

    /// A random token for one plan.
    static func makeNonce() -> String {
        "fk" + String(UInt64.random(in: .min ... .max), radix: 36)
    }
}
