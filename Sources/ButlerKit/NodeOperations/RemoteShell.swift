import FleetKit

/// Pieces of the shell scripts the install stages run on servers. Programs that need root
/// are written after ``Privilege/asRoot``; the transport decides per host how root is reached.
enum RemoteShell {
    /// Stops a script (exit 2, with the reason naming the host on standard error) when root
    /// is out of reach, so that a failing root read is never taken for "the file is not there".
    static let requireRoot = "\(Privilege.canBecomeRoot) || exit 2; "

    /// `q(value)`: one value quoted for the remote shell.
    static func q(_ value: String) -> String { ShellQuote.quote(value) }

    /// apt-get with no questions asked.
    static let aptGet = "\(Privilege.asRoot) env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"

    /// Fetches `url` into a private temporary file `$t` (removed on exit), retrying the
    /// transfer, then runs `command`, which refers to the file as `"$t"`. A per-run file,
    /// so servers sharing `/tmp` never delete each other's copy.
    static func downloadThenRun(_ url: String, _ command: String) -> String {
        "set -e; t=$(mktemp); trap 'rm -f \"$t\"' EXIT; curl -fsSL --retry 3 -o \"$t\" \(q(url)); \(command)"
    }

    /// A rescue for failed package installs: finish dpkg's pending configuration so the
    /// next attempt (or a person) starts from a consistent state, and say why.
    static func repairPackages(after failure: String) -> String {
        "\(Privilege.asRoot) env DEBIAN_FRONTEND=noninteractive dpkg --configure -a; echo \(q(failure + "; dpkg configured, nothing half-installed left behind")) >&2"
    }

    /// A JSON-RPC 2.0 POST to the node on loopback, the body read from `body` (a quoted shell word or `@-` for stdin).
    static func nodeRPC(port: Int, body: String, maxSeconds: Int) -> String {
        "curl -sS -m \(maxSeconds) -X POST -H 'Content-Type: application/json' --data-binary \(body) http://127.0.0.1:\(port)/"
    }

    /// The JSON-RPC request for `node_getL2Tips`.
    static let l2TipsRequest = #"{"jsonrpc":"2.0","id":1,"method":"node_getL2Tips","params":[]}"#

    /// A check that passes when the node answers `node_getL2Tips` with a result.
    static func nodeAnswers(port: Int) -> String {
        nodeRPC(port: port, body: q(l2TipsRequest), maxSeconds: 5) + " 2>/dev/null | grep -q '\"result\"'"
    }
}
