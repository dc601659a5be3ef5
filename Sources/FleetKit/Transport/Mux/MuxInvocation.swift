import Foundation

/// The remote half of one command run as a session of the host's master connection (see
/// ``MuxSession``), and the reading of what came back.
///
/// The server's login shell gets one line: `timeout -k 5 N sh -c WRAPPER sh SCRIPT || exit`.
/// - The login shell stays the session's first process and reports the status: `timeout`'s
///   own, which is the script's, 124 when the limit passed, and 128 plus the signal when
///   the script's shell was killed (`timeout` then dies of the same signal). `|| exit` keeps
///   the shell from replacing itself with `timeout` and exits with that status; it reads the
///   same in every common login shell.
/// - `timeout` leads a process group of its own holding the whole command, and bounds it on
///   the host even when this machine dies or loses the connection: nothing else there
///   would. Its cost is measured in docs/BENCHMARKS.md.
/// - One `sh`, which is also the script's shell, prints a start line on standard error
///   with its parent's pid, the process group id, so a cancellation can stop the group over
///   another session (``stopCommandLine(group:)``), then runs the script with `eval`; the
///   script sees no positional parameters and its own `$$`, as under `sh -c`.
/// - A cancellation that comes before the start line reached this machine stops the
///   command by its id instead (``stopCommandLine``): it drops a `<id>.cancel` marker in
///   ``RemoteInvocation/runFolder`` and stops the group of the `timeout` whose command line
///   carries the id. The `sh` looks for the marker right after printing its start line
///   (shell tests only, no program started) and exits with 143 when it is there. The
///   marker is written before the search, and `timeout` made its group before the `sh`
///   looked, so either the search finds the group or the `sh` finds the marker.
///
/// The exit status comes from the master's exit message, so no exit line is needed: a
/// command's own 255 is told from a lost connection by the message being there. The start
/// line is removed from standard error; standard output is never touched.
struct MuxInvocation: Sendable {
    /// Letters and digits naming this invocation in its start line.
    let id: String
    /// The command line with the ``Privilege`` words' definitions in front when it uses them.
    let script: String
    /// The limit the host's `timeout` enforces.
    let timeout: Duration

    /// Creates an invocation with a fresh random id.
    init(script: String, timeout: Duration, id: String = RemoteInvocation.makeID()) {
        self.id = id
        self.script = script
        self.timeout = timeout
    }

    /// The start line before the process group id.
    var startLinePrefix: String { "@fleetkit \(id) start " }

    /// Bytes the start line adds to standard error at most.
    var markerBytes: Int { startLinePrefix.utf8.count + 12 }

    /// Whole seconds `timeout` allows, at least one.
    var timeoutSeconds: Int { max(1, Int(timeout.seconds.rounded(.up))) }

    /// The program of the one `sh`; see the type's description.
    var wrapper: String {
        let folder = RemoteInvocation.runFolder
        return "printf '%s%s\\n' \(ShellQuote.quote(startLinePrefix)) \"$PPID\" >&2; "
            + "if [ -e \"\(folder)/\(id).cancel\" ] && [ -n \"$LOGNAME\" ] && [ -O \"\(folder)\" ] && [ ! -L \"\(folder)\" ]; then exit 143; fi; "
            + "fleetkit_script=$1; shift; eval \"unset fleetkit_script; $fleetkit_script\""
    }

    /// The line the login shell runs.
    var commandLine: String {
        "timeout -k \(RemoteTimeout.killAfterSeconds) \(timeoutSeconds) sh -c \(ShellQuote.quote(wrapper)) sh \(ShellQuote.quote(script)) || exit"
    }

    /// Whether a session that ended with `status` after `duration` was ended by the host's
    /// `timeout`: 124, or SIGKILL once the limit and the kill grace passed.
    func timedOut(status: Int32, duration: Duration) -> Bool {
        status == RemoteTimeout.timedOutStatus || (status == 128 + 9 && duration >= timeout)
    }

    /// A command that stops this command by its id, for a cancellation that came before
    /// its process group was known: drops the cancel marker the wrapper looks for, then
    /// stops the group of every `timeout` whose command line carries this invocation's
    /// start line (the search pattern is written so that it does not match itself), and
    /// removes cancel markers older than an hour.
    var stopCommandLine: String {
        let pattern = "@fleetkit \(id)[ ]start"
        let program = [
            "[ -n \"$LOGNAME\" ] || exit 0",
            "d=\"\(RemoteInvocation.runFolder)\"",
            "if \(RemoteInvocation.makeRunFolder); then : >\"$d/\(id).cancel\"; fi",
            "for f in $(grep -l -e \(ShellQuote.quote(pattern)) /proc/[0-9]*/cmdline 2>/dev/null); do",
            "p=${f#/proc/}; p=${p%/cmdline}",
            "read -r _ c _ _ g _ 2>/dev/null <\"/proc/$p/stat\" || continue",
            "if [ \"$c\" = '(timeout)' ] && [ \"$g\" = \"$p\" ]; then \(RemoteInvocation.stopGroup) fi",
            "done",
            "find \"$d\" -name '*.cancel' -mmin +60 -exec rm -f {} + 2>/dev/null",
            "exit 0",
        ].joined(separator: "\n")
        return "sh -c " + ShellQuote.quote(program)
    }

    /// A command that stops process group `group` the way ``RemoteInvocation/stopGroup`` does.
    static func stopCommandLine(group: Int32) -> String {
        "sh -c " + ShellQuote.quote("p=\(group); " + RemoteInvocation.stopGroup)
    }

    /// Standard error without the start line, cut to `limit`, and whether it was cut.
    func standardError(_ captured: Data, limit: Int) -> (Data, Bool) {
        var rest = captured
        let prefix = Data(startLinePrefix.utf8)
        if rest.starts(with: prefix), let newline = rest.firstIndex(of: UInt8(ascii: "\n")) {
            rest = rest[rest.index(after: newline)...]
        }
        let bound = max(0, limit)
        return (Data(rest.prefix(bound)), rest.count > bound)
    }
}
