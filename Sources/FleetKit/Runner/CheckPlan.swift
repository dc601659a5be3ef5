import Foundation

/// Evaluates many shell checks of one host in a single remote round trip.
///
/// The checks run one after another in the one shell of the round trip, each as a brace
/// group with its standard streams closed off, and `<nonce> <index> <status>` is printed
/// after each; the nonce keeps stray output from passing for a status line. No process is
/// started per check: a subshell each (a `fork` on the host, about 0.75 ms on the benchmark
/// machine) cost more host time than the checks themselves, 20 ms of a 35 ms converged run
/// of one host.
///
/// What one check changes in the shell is undone before the next where it could change an
/// answer: the working folder is restored, and `set -e`, `-u` and `-f` are turned off again.
/// Variables a check sets stay visible to the checks after it in the same plan. A check
/// that ends the shell (`exit`, or a failure under its own `set -e`) ends the plan there,
/// and a check with a syntax error ends it where the shell finds the error (at the latest
/// at that check): the checks that got no status line are then evaluated one by one, each
/// in a shell of its own.
enum CheckPlan {
    /// The script that evaluates `checks` (step index → check command line).
    static func script(for checks: [(index: Int, script: String)], nonce: String) -> String {
        var lines = ["fk_dir=$PWD"]
        for check in checks {
            lines.append("{\n\(check.script)\n} </dev/null >/dev/null 2>&1; fk_status=$?; cd \"$fk_dir\" 2>/dev/null; set +efu; echo \"\(nonce) \(check.index) $fk_status\"")
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
