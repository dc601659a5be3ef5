import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Learns when a child process started with Foundation's `Process` has exited, without
/// Foundation's own exit monitoring.
///
/// On Linux, Foundation learns of every child's exit on one shared thread, from a socket
/// the child inherits: when the socket closes it calls a blocking `waitpid` for that child.
/// `ssh` closes every inherited descriptor as it starts, so that thread then blocks until
/// the `ssh` really ends, and for that whole time no other `Process` of the program
/// reports its exit: `waitUntilExit()`, `isRunning` and termination handlers all wait for
/// the slowest `ssh` (and, called from Swift's cooperative pool, stall every task). The
/// other way round, a program started at the same moment that inherits the socket holds
/// back the report until it ends too. Here a thread per child waits with
/// `waitid(…, WNOWAIT)`, which reads the status without reaping the child, so Foundation
/// still reaps it as before.
public enum ChildExit {
    /// Calls `handler` once, on a thread of its own, when child `pid` has exited, with its
    /// status in the shell's convention (the exit code, or 128 plus the signal that ended
    /// it); with `nil` at once when `pid` is no child of this process or was reaped already.
    public static func watch(_ pid: Int32, handler: @escaping @Sendable (Int32?) -> Void) {
        Thread.detachNewThread {
            var info = siginfo_t()
            while true {
                if waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == 0 { break }
                if errno == EINTR { continue }
                handler(nil)
                return
            }
            handler(ExitStatus.fromWaitInfo(info))
        }
    }

    /// Waits until `process` (already started) has exited and returns its status in the
    /// shell's convention, suspending the caller without blocking a thread of the
    /// cooperative pool.
    public static func status(of process: Process) async -> Int32 {
        let child = StartedProcess(process)
        return await withCheckedContinuation { continuation in
            watch(child.process.processIdentifier) { status in
                continuation.resume(returning: status ?? child.statusFromFoundation())
            }
        }
    }
}

/// Whether a started child has exited, as learnt by ``ChildExit``.
public final class ChildExitState: Sendable {
    private let status = Locked<Int32?>(nil)

    /// Starts watching `process`, which must have been started.
    public init(watching process: Process) {
        let child = StartedProcess(process)
        ChildExit.watch(child.process.processIdentifier) { [status] exit in
            let known = exit ?? child.statusFromFoundation()
            status.withLock { $0 = known }
        }
    }

    /// The exit status once the child has exited (the shell's convention), else `nil`.
    public var exitStatus: Int32? { status.withLock { $0 } }

    /// Whether the child is still running.
    public var isRunning: Bool { exitStatus == nil }
}

/// A started `Process` handed to the watcher thread. Only used there once Foundation
/// has reaped the child, when its state no longer changes.
private struct StartedProcess: @unchecked Sendable {
    let process: Process

    init(_ process: Process) { self.process = process }

    /// The status Foundation recorded; waits for Foundation to finish recording it (the
    /// child is already reaped, so this is short).
    func statusFromFoundation() -> Int32 {
        process.waitUntilExit()
        return ExitStatus.of(process)
    }
}
