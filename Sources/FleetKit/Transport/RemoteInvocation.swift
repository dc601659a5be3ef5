import Foundation

/// The remote half of one command run through `ssh`, and the reading of what came back.
///
/// The host runs a small `sh` wrapper around the command (itself under `timeout`, see
/// ``RemoteTimeout``). The wrapper
/// - prints a start line on standard error before the command starts and an exit line
///   with the command's status after it ends, both carrying this invocation's random id.
///   They tell a command's own exit 255 (start and exit line present) from a failure of
///   `ssh` itself (no start line: the command never ran) and from a connection lost while
///   the command ran (start line only). Both lines are removed from the result, so
///   standard error is byte-exact otherwise and standard output is never touched;
/// - runs the command in the background and records the pid of its `timeout` (which
///   leads its own process group) in `<run folder>/<id>` (see ``runFolder``), removed
///   when it ends. On
///   cancellation the transport sends ``cleanupCommandLine``, which drops a
///   `<id>.cancel` marker and sends SIGTERM to that group; `timeout` sends SIGKILL
///   after ``RemoteTimeout/killAfterSeconds`` (see ``stopGroup``). The wrapper looks
///   for the marker after writing the pid file, and the cleanup looks for the pid file
///   after writing the marker, so a cancellation that overtakes the command's start is
///   still seen by one of the two. Without a usable run folder the command still runs;
///   it is then only stopped by its own timeout.
struct RemoteInvocation: Sendable {
    /// Letters and digits naming this invocation in the markers and the pid file.
    let id: String
    /// The command line as the caller wrote it, with the definitions of the ``Privilege``
    /// words in front when it uses them.
    let script: String
    /// The limit the host's `timeout` enforces.
    let timeout: Duration

    /// Folder holding pid files and cancel markers, as a shell word for double quotes:
    /// one per login user in the temporary folder, so nothing is left in the home folder
    /// and a reboot clears it. The wrapper makes it with mode 0700 and uses it only when
    /// it is a real folder owned by the user: another user who made it first can keep
    /// the cancellation from reaching the host, never see or steer the commands.
    static let runFolder = "${TMPDIR:-/tmp}/fleetkit-run-$LOGNAME"

    /// Creates an invocation with a fresh random id.
    init(script: String, timeout: Duration, id: String = RemoteInvocation.makeID()) {
        self.id = id
        self.script = script
        self.timeout = timeout
    }

    /// A random id of letters and digits.
    static func makeID() -> String {
        "fk" + String(UInt64.random(in: .min ... .max), radix: 36)
    }

    /// The line the wrapper prints on standard error before the command starts.
    var startLine: String { "@fleetkit \(id) start" }

    /// The text before the status in the line the wrapper prints after the command ends.
    var exitPrefix: String { "@fleetkit \(id) exit " }

    /// Bytes the two wrapper lines can add to standard error at most.
    var markerBytes: Int { startLine.utf8.count + exitPrefix.utf8.count + 8 }

    /// The command line handed to `ssh` (parsed by the login shell on the host).
    var commandLine: String { "sh -c " + ShellQuote.quote(wrapper) }

    /// The `sh` program that runs the command; see the type's description.
    var wrapper: String {
        [
            "d=\"\(Self.runFolder)\"; f=",
            "if [ -n \"$LOGNAME\" ] && \(Self.makeRunFolder); then f=\"$d/\(id)\"; fi",
            "printf '%s\\n' \(ShellQuote.quote(startLine)) >&2",
            "exec 3<&0",
            RemoteTimeout.wrap(script, timeout: timeout) + " <&3 3<&- &",
            "p=$!",
            "exec 3<&-",
            "if [ -n \"$f\" ]; then { echo \"$p\" >\"$f\"; } 2>/dev/null; [ ! -e \"$f.cancel\" ] || { \(Self.stopGroup) }; fi",
            // Quiet: some shells report a job that died of a signal on standard error.
            "wait \"$p\" 2>/dev/null; s=$?",
            "printf '%s%d\\n' \(ShellQuote.quote(exitPrefix)) \"$s\" >&2",
            // Off the command's path: detached from the session's pipes, so the session
            // ends without waiting for the removal.
            "[ -z \"$f\" ] || rm -f \"$f\" \"$f.cancel\" </dev/null >/dev/null 2>&1 &",
            "exit \"$s\"",
        ].joined(separator: "\n")
    }

    /// Accepts the run folder `$d` when it is a folder (not a link) owned by this user, or
    /// makes it with mode 0700 (only then a program is started); true when it can be used.
    static let makeRunFolder =
        "{ { [ -d \"$d\" ] && [ ! -L \"$d\" ] && [ -O \"$d\" ]; } || mkdir -m 700 \"$d\"; } 2>/dev/null"

    /// Shell commands that stop the process group led by `timeout` (pid `$p`): SIGTERM to
    /// the group (to `timeout` alone when it has not made its group yet, in which case it
    /// has not started the command either), and SIGKILL to whatever of the group is left
    /// a second after `timeout`'s own kill grace, for when `timeout` itself was stopped
    /// before it could follow up. A group id cannot be reused while the group exists.
    /// (`kill -SIG -PID`, without `--`: dash refuses `kill -SIG -- -PID`.)
    static var stopGroup: String {
        "kill -TERM \"-$p\" 2>/dev/null || kill -TERM \"$p\" 2>/dev/null; "
            + "(sleep \(RemoteTimeout.killAfterSeconds + 1); kill -KILL \"-$p\") </dev/null >/dev/null 2>&1 &"
    }

    /// A short command that stops this invocation's command on the host if it runs (or
    /// keeps it from starting), and removes cancel markers older than an hour whose
    /// command never came.
    var cleanupCommandLine: String {
        let program = [
            "[ -n \"$LOGNAME\" ] || exit 0",
            "d=\"\(Self.runFolder)\"; f=\"$d/\(id)\"",
            "\(Self.makeRunFolder) || exit 0",
            ": >\"$f.cancel\"",
            "p=; [ ! -s \"$f\" ] || read -r p <\"$f\"",
            "case \"$p\" in ''|*[!0-9]*) ;; *) \(Self.stopGroup);; esac",
            "find \"$d\" -name '*.cancel' -mmin +60 -exec rm -f {} + 2>/dev/null",
            "exit 0",
        ].joined(separator: "\n")
        return "sh -c " + ShellQuote.quote(program)
    }

    /// What one run of `ssh` says about the command.
    struct Reading: Sendable, Equatable {
        /// Standard error without the wrapper's lines, capped at the caller's limit.
        var standardError: Data
        /// Standard output capped at the caller's limit (otherwise as received).
        var standardOutput: Data
        /// Whether either stream passed the caller's limit.
        var truncated: Bool
        /// Whether the wrapper started, so the command ran (or began to).
        var started: Bool
        /// The command's status as the wrapper reported it; `nil` when the line is missing.
        var reportedStatus: Int32?
    }

    /// Finds and removes the wrapper's lines and applies the caller's `outputLimit` (the
    /// process was allowed ``markerBytes`` more on standard error).
    func read(standardOutput: Data, standardError: Data, truncated: Bool, outputLimit: Int) -> Reading {
        var stderr = standardError
        var started = false
        var reportedStatus: Int32?
        let start = Data((startLine + "\n").utf8)
        if let range = stderr.range(of: start) {
            started = true
            stderr.removeSubrange(range)
            let prefix = Data(exitPrefix.utf8)
            if let found = stderr.range(of: prefix, options: .backwards), found.lowerBound >= range.lowerBound,
               let newline = stderr[found.upperBound...].firstIndex(of: UInt8(ascii: "\n")),
               let status = Int32(String(decoding: stderr[found.upperBound..<newline], as: UTF8.self)) {
                reportedStatus = status
                stderr.removeSubrange(found.lowerBound...newline)
            }
        }
        let limit = max(0, outputLimit)
        return Reading(standardError: stderr.prefix(limit), standardOutput: standardOutput.prefix(limit),
                       truncated: truncated || stderr.count > limit || standardOutput.count > limit,
                       started: started, reportedStatus: reportedStatus)
    }
}
