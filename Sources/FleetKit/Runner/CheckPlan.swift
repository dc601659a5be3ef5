import Foundation

/// Evaluates many shell checks of one host in a single remote round trip.
///
/// The script runs each check in its own `sh -c` (so one check's syntax error or `exit`
/// cannot disturb the others) and prints `<nonce> <index> <status>` after each; the nonce
/// keeps a check from forging another's line.
enum CheckPlan {
    /// The script that evaluates `checks` (step index → check command line).
    static func script(for checks: [(index: Int, script: String)], nonce: String) -> String {
        var lines = ["n=\(nonce)"]
        for check in checks {
            lines.append("sh -c \(ShellQuote.quote(check.script)) </dev/null >/dev/null 2>&1; echo \"$n \(check.index) $?\"")
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
