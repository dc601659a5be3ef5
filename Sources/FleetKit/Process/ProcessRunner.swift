import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts programs with `Process` and collects their output without blocking Swift's
/// cooperative thread pool.
///
/// Pipes are read on dedicated threads, standard input is written on another, and the
/// caller is resumed from the termination handler, so hundreds of programs can run at
/// once on a two-core machine without stalling other tasks. A program that talks to the
/// operator (a passphrase prompt) runs in the ``ProcessStreams/interactive(input:output:error:)``
/// mode, with the same signal handling, time limit and cancellation.
public enum ProcessRunner {
    /// Runs a program to completion and returns its exit status and captured output.
    ///
    /// Cancelling the calling task stops the program: its process tree gets SIGTERM at
    /// once and SIGKILL after the request's `killGrace`. The call then returns (it does
    /// not throw) as soon as the program has exited, with what was captured so far and
    /// ``ProcessOutput/cancelled`` set; the status is the real one, usually 143 (SIGTERM).
    /// A task that is already cancelled still starts the program, which is stopped at once;
    /// callers that would rather not start it check `Task.isCancelled` first.
    ///
    /// A launch refused with ETXTBSY ("text file busy") is tried again, up to five times
    /// over about two seconds: a program written just before it runs is busy for as long as
    /// any process holds it open for writing, and in a multi-threaded program a child
    /// being spawned on another thread at that moment briefly does.
    ///
    /// - Throws: ``ProcessLaunchError`` when the program cannot be started.
    public static func run(_ request: ProcessRequest) async throws(ProcessLaunchError) -> ProcessOutput {
        var retries = 0
        while true {
            switch await runOnce(request) {
            case .finished(let output):
                return output
            case .launchFailed(let reason, let textFileBusy):
                guard textFileBusy, retries < 5, !Task.isCancelled else {
                    throw ProcessLaunchError(executable: request.executable, reason: reason)
                }
                retries += 1
                try? await Task.sleep(for: .milliseconds(30 << retries))
            }
        }
    }

    private enum Attempt {
        case finished(ProcessOutput)
        case launchFailed(reason: String, textFileBusy: Bool)
    }

    private static func runOnce(_ request: ProcessRequest) async -> Attempt {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: request.executable)
        process.arguments = request.arguments
        if let environment = request.environment { process.environment = environment }

        let stdoutPipe = Pipe()
        process.standardOutput = stdoutPipe
        let stderrPipe: Pipe?, stdinPipe: Pipe?, state: RunState
        switch request.streams {
        case .captured:
            stderrPipe = Pipe()
            process.standardError = stderrPipe
            stdinPipe = request.standardInput == nil ? nil : Pipe()
            process.standardInput = stdinPipe ?? FileHandle.nullDevice
            state = RunState(limit: request.outputLimit, outputHandler: request.standardOutputHandler,
                             errorStarted: request.standardErrorStarted)
        case .interactive(let input, let output, let error):
            stderrPipe = nil
            stdinPipe = nil
            process.standardInput = FileHandle(fileDescriptor: input, closeOnDealloc: false)
            process.standardError = FileHandle(fileDescriptor: error, closeOnDealloc: false)
            state = RunState(limit: request.outputLimit, passThrough: output)
        }
        let started = ContinuousClock.now
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Attempt, Never>) in
                state.setOnFinish { ending in
                    let (out, err, truncated) = state.takeOutput()
                    continuation.resume(returning: .finished(ProcessOutput(
                        status: ending.status, standardOutput: out, standardError: err, truncated: truncated,
                        timedOut: ending.timedOut, cancelled: ending.cancelled, duration: ContinuousClock.now - started)))
                }
                process.terminationHandler = { finished in state.processExited(status: ExitStatus.of(finished)) }
                do {
                    try withDefaultSignalMask { try process.run() }
                } catch {
                    state.launchFailed()
                    continuation.resume(returning: .launchFailed(reason: String(describing: error), textFileBusy: isTextFileBusy(error)))
                    return
                }
                let pid = process.processIdentifier
                watchExit(of: pid, state: state)
                state.startReader(stdoutPipe.fileHandleForReading, stream: .standardOutput)
                if let stderrPipe { state.startReader(stderrPipe.fileHandleForReading, stream: .standardError) }
                if let stdinPipe, let input = request.standardInput {
                    startWriter(stdinPipe.fileHandleForWriting, data: input)
                }
                if let timeout = request.timeout {
                    scheduleTimeout(pid: pid, after: timeout, grace: request.killGrace, state: state)
                }
                // A cancellation that came before the pid was known is acted on here.
                if state.started(pid: pid) {
                    stopTree(of: pid, grace: request.killGrace, state: state)
                }
            }
        } onCancel: {
            if let pid = state.requestCancellation() {
                stopTree(of: pid, grace: request.killGrace, state: state)
            }
        }
    }

    /// Whether Foundation refused the launch because the program file is open for writing.
    private static func isTextFileBusy(_ error: any Error) -> Bool {
        let error = error as NSError
        let cause = error.userInfo[NSUnderlyingErrorKey] as? NSError ?? error
        return cause.domain == NSPOSIXErrorDomain && cause.code == Int(ETXTBSY)
    }

    /// Runs `body` with no signal blocked on the calling thread. `Process` hands the
    /// spawning thread's signal mask to the child, and Dispatch and Swift concurrency
    /// threads block almost every signal: a child started from one would ignore SIGTERM.
    private static func withDefaultSignalMask<T>(_ body: () throws -> T) rethrows -> T {
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }

    /// Learns of the program's exit through ``ChildExit`` rather than Foundation, whose
    /// single monitoring thread can be held up by another child (see there). Foundation's
    /// termination handler stays as the fallback for a child it reaped first.
    private static func watchExit(of pid: Int32, state: RunState) {
        ChildExit.watch(pid) { status in
            if let status { state.processExited(status: status) }
        }
    }

    /// Writes `data` to the child's standard input on a thread of its own. A child may exit
    /// without reading all of it (`cmp` stops at the first difference); the write then fails
    /// with EPIPE. SIGPIPE is blocked on this thread, and a pending one taken back, so that
    /// this never ends the whole process.
    private static func startWriter(_ handle: FileHandle, data: Data) {
        let fd = handle.fileDescriptor
        let thread = Thread {
            withoutPipeSignal(on: fd) {
                data.withUnsafeBytes { writeAll($0, to: fd) }
            }
            try? handle.close()
        }
        thread.start()
    }

    /// Runs `body`, whose writes to `fd` may meet a closed pipe, without SIGPIPE ending the
    /// whole process: the signal is blocked on this thread and a pending one taken back
    /// (Linux), or the descriptor told not to raise it (Darwin). The write then fails with EPIPE.
    static func withoutPipeSignal(on fd: Int32, _ body: () -> Void) {
        #if canImport(Darwin)
        _ = fcntl(fd, F_SETNOSIGPIPE, 1)
        body()
        #else
        var pipeSignal = sigset_t()
        var previous = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &previous)
        defer {
            var none = timespec()
            while sigtimedwait(&pipeSignal, nil, &none) == SIGPIPE {}
            pthread_sigmask(SIG_SETMASK, &previous, nil)
        }
        body()
        #endif
    }

    /// Writes every byte of `buffer` to `fd`, trying again after an interruption; stops at
    /// the first other error (a closed pipe, a full disk).
    static func writeAll(_ buffer: UnsafeRawBufferPointer, to fd: Int32) {
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let written = write(fd, base + offset, buffer.count - offset)
            if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { break }
        }
    }

    private static func scheduleTimeout(pid: Int32, after timeout: Duration, grace: Duration, state: RunState) {
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.dispatchInterval) {
            guard state.markTimedOutIfRunning() else { return }
            stopTree(of: pid, grace: grace, state: state)
        }
    }

    /// SIGTERM to the program and its descendants, then SIGKILL to whatever is left after
    /// `grace`. Children are signalled too: an orphan holding the output pipes would
    /// otherwise keep the run open after the program is gone.
    private static func stopTree(of pid: Int32, grace: Duration, state: RunState) {
        guard state.isRunning else { return }
        let family = [pid] + ProcessTree.descendants(of: pid)
        for member in family { kill(member, SIGTERM) }
        DispatchQueue.global().asyncAfter(deadline: .now() + grace.dispatchInterval) {
            let stragglers = Set(family + ProcessTree.descendants(of: pid)).subtracting([pid])
            // The program first: a child killed before it would let the program go on (and,
            // say, print what it prints after the child) before its own SIGKILL arrives.
            if state.isRunning { kill(pid, SIGKILL) }
            for member in stragglers { kill(member, SIGKILL) }
        }
    }
}

extension Duration {
    /// The duration as a Dispatch interval, rounded to milliseconds.
    var dispatchInterval: DispatchTimeInterval {
        let (seconds, attoseconds) = components
        return .milliseconds(Int(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000))
    }

    /// The duration in seconds as a floating-point number.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// The shared state of one running program: captured bytes, exit status and the
/// completion callback, guarded by one lock. The callback is called once, outside the lock.
private final class RunState: Sendable {
    enum Stream { case standardOutput, standardError }

    private struct Fields {
        var stdout = Data()
        var stderr = Data()
        var truncated = false
        var openStreams = 2
        var exitStatus: Int32?
        var timedOut = false
        var cancelled = false
        var pid: Int32?
        var finished = false
        var onFinish: (@Sendable (Ending) -> Void)?
    }

    /// How the program ended, handed to the completion callback.
    struct Ending {
        var status: Int32
        var timedOut: Bool
        var cancelled: Bool
    }

    private let limit: Int
    private let fields = Locked(Fields())
    /// Where standard output goes instead of `stdout`, with the flag that closes it: the
    /// lock is held during each call, so once the run finished no call is in flight or made.
    private let outputHandler: StandardOutputHandler?
    private let handlerOpen = Locked(true)
    /// Told once when standard error first gets bytes.
    private let errorStarted: (@Sendable () -> Void)?
    /// Where standard output is copied as it arrives, besides being kept (interactive runs).
    private let passThrough: Int32?

    /// State of a captured run: both output streams read here.
    init(limit: Int, outputHandler: StandardOutputHandler?, errorStarted: (@Sendable () -> Void)?) {
        self.limit = max(0, limit)
        self.outputHandler = outputHandler
        self.errorStarted = errorStarted
        passThrough = nil
    }

    /// State of an interactive run: only standard output is read here, copied to `passThrough`
    /// and kept up to `limit`; standard error goes to the terminal directly.
    init(limit: Int, passThrough: Int32) {
        self.limit = max(0, limit)
        outputHandler = nil
        errorStarted = nil
        self.passThrough = passThrough
        fields.withLock { $0.openStreams = 1 }
    }

    var isRunning: Bool { fields.withLock { $0.exitStatus == nil } }

    func setOnFinish(_ callback: @escaping @Sendable (Ending) -> Void) { fields.withLock { $0.onFinish = callback } }

    /// Marks a program that never started as finished, so nothing reports it again.
    func launchFailed() { fields.withLock { $0.finished = true } }

    /// Records the pid of the started program; `true` when the task was cancelled before
    /// it was known, so the caller must stop the program now.
    func started(pid: Int32) -> Bool {
        fields.withLock {
            $0.pid = pid
            return $0.cancelled
        }
    }

    /// Records that the calling task was cancelled while the program had not exited;
    /// returns the pid to stop when the program has started.
    func requestCancellation() -> Int32? {
        fields.withLock {
            // A cancellation after the exit changes nothing: the program finished on its own.
            guard $0.exitStatus == nil else { return nil }
            $0.cancelled = true
            return $0.pid
        }
    }

    func markTimedOutIfRunning() -> Bool {
        fields.withLock {
            guard $0.exitStatus == nil else { return false }
            $0.timedOut = true
            return true
        }
    }

    func processExited(status: Int32) {
        let first: Bool? = fields.withLock {
            guard $0.exitStatus == nil else { return nil }
            $0.exitStatus = status
            return $0.cancelled
        }
        guard let cancelled = first else { return }
        finishIfDone()
        // A grandchild may keep a pipe open after the program exited (an ssh master holds
        // the pipes of its clients); stop waiting for it after a short grace and report
        // what was read so far. A cancelled caller only waits for what is already in the pipes.
        let grace: DispatchTimeInterval = cancelled ? .milliseconds(200) : .seconds(2)
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) { [self] in
            fields.withLock { $0.openStreams = 0 }
            finishIfDone()
        }
    }

    func takeOutput() -> (Data, Data, Bool) { fields.withLock { ($0.stdout, $0.stderr, $0.truncated) } }

    func startReader(_ handle: FileHandle, stream: Stream) {
        let fd = handle.fileDescriptor
        let copy = stream == .standardOutput ? passThrough : nil
        let thread = Thread { [self] in
            if let copy {
                ProcessRunner.withoutPipeSignal(on: copy) { readAll(fd, stream: stream, copyTo: copy) }
            } else {
                readAll(fd, stream: stream, copyTo: nil)
            }
            try? handle.close()
            fields.withLock { $0.openStreams = max(0, $0.openStreams - 1) }
            finishIfDone()
        }
        thread.start()
    }

    /// Reads `fd` to its end: into the handler, or kept up to the limit (and copied to `copyTo`).
    private func readAll(_ fd: Int32, stream: Stream, copyTo: Int32?) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        var quiet = stream == .standardError
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            if quiet {
                quiet = false
                errorStarted?()
            }
            if let copyTo {
                buffer.withUnsafeBytes { ProcessRunner.writeAll(UnsafeRawBufferPointer(rebasing: $0[0..<count]), to: copyTo) }
            }
            if stream == .standardOutput, let outputHandler {
                handlerOpen.withLock { open in
                    guard open else { return }
                    buffer.withUnsafeBytes { outputHandler(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                }
            } else {
                append(buffer[0..<count], to: stream)
            }
        }
    }

    private func append(_ bytes: ArraySlice<UInt8>, to stream: Stream) {
        fields.withLock { fields in
            let current = stream == .standardOutput ? fields.stdout.count : fields.stderr.count
            let room = max(0, limit - current)
            let kept = bytes.prefix(room)
            if kept.count < bytes.count { fields.truncated = true }
            if kept.isEmpty { return }
            if stream == .standardOutput { fields.stdout.append(contentsOf: kept) } else { fields.stderr.append(contentsOf: kept) }
        }
    }

    private func finishIfDone() {
        let ending: (callback: @Sendable (Ending) -> Void, ending: Ending)? = fields.withLock { fields in
            guard !fields.finished, fields.openStreams == 0, let exit = fields.exitStatus, let callback = fields.onFinish else { return nil }
            fields.finished = true
            return (callback, Ending(status: exit, timedOut: fields.timedOut, cancelled: fields.cancelled))
        }
        guard let ending else { return }
        // Waits for a handler call in flight, and keeps late bytes (from a pipe a grandchild
        // still holds) from reaching the caller after the run returned.
        handlerOpen.withLock { $0 = false }
        ending.callback(ending.ending)
    }
}
