import Foundation

/// Runs commands on hosts. ``OpenSSHTransport`` is the real one, ``LocalTransport`` runs
/// on this machine, ``ScriptedTransport`` answers from a script in unit tests.
public protocol Transport: Sendable {
    /// Runs `command` on `host`. A command that ran and failed returns a result with its
    /// exit status (255 included); only a host that cannot be used throws. When the
    /// calling task is cancelled, implementations stop the command (on the host too) and
    /// throw a ``TransportError`` of kind `cancelled`.
    func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult

    /// Writes `data` to `path` on `host` atomically (temporary file, then rename) with
    /// permission bits `mode`; the file is never readable by others while it is written.
    func upload(_ data: Data, to path: String, mode: UInt16, on host: RemoteHost) async throws(TransportError) -> CommandResult

    /// Ends every connection this transport opened.
    func close() async
}

extension Transport {
    /// Uploads by piping the bytes into a remote shell that writes a 0600 temporary file
    /// next to the target (creating its folder), sets `mode` and renames it into place.
    public func upload(_ data: Data, to path: String, mode: UInt16, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        try await run(RemoteCommand(UploadScript.make(path: path, mode: mode), standardInput: data), on: host)
    }

    /// Nothing to close by default.
    public func close() async {}
}

/// The remote half of an upload, kept in one place so every transport writes files the same way.
public enum UploadScript {
    /// A script that stores standard input at `path` with `mode`, atomically.
    public static func make(path: String, mode: UInt16) -> String {
        let target = ShellQuote.quote(path)
        let octal = String(mode, radix: 8)
        return "set -e; umask 077; mkdir -p -- \"$(dirname -- \(target))\"; t=$(mktemp -- \(target).XXXXXX); trap 'rm -f \"$t\"' EXIT; "
            + "cat > \"$t\"; chmod \(octal) \"$t\"; mv -f -- \"$t\" \(target); trap - EXIT"
    }
}

/// Wraps a script so the host itself stops it at the deadline: killing the local `ssh`
/// does not stop a remote command.
enum RemoteTimeout {
    /// Seconds between the host's SIGTERM and its SIGKILL.
    static let killAfterSeconds = 5

    /// `timeout -k 5 Ns sh -c 'script'`, or `sh -c 'script'` without a limit.
    static func wrap(_ script: String, timeout: Duration?) -> String {
        guard let timeout else { return "sh -c " + ShellQuote.quote(script) }
        let seconds = max(1, Int(timeout.seconds.rounded(.up)))
        return "timeout -k \(killAfterSeconds) \(seconds) sh -c " + ShellQuote.quote(script)
    }

    /// Exit status `timeout` uses when it stopped the command.
    static let timedOutStatus: Int32 = 124
}
