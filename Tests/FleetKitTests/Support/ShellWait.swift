import FleetKit

/// Shell lines that wait, every 0.1 s, until `condition` (a shell test) holds, and give up
/// after two minutes with `message` on standard error and exit 3. Tests use them to make a
/// command wait for an event instead of sleeping for a guessed time.
func shellWait(until condition: String, orFail message: String) -> String {
    "n=0; until \(condition); do n=$((n+1)); "
        + "if [ $n -ge 1200 ]; then echo \(ShellQuote.quote(message)) >&2; exit 3; fi; sleep 0.1; done"
}
