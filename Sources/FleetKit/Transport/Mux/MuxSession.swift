import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One command run as a session of an OpenSSH master connection, asked for on the master's
/// control socket from this process (see ``MuxMessage``): no local `ssh` is started.
///
/// The command's standard input, output and error are socket pairs (used like pipes) whose
/// far ends are handed to the master; this side writes the input and reads both outputs on one thread that also
/// reads the master's replies, so a command costs one thread and a handful of descriptors
/// (all close-on-exec, so no program started meanwhile inherits them). The run ends when the
/// master closes the control connection, which it does once the session's channel closed;
/// the streams get two more seconds to drain. A master that dies closes the connection and
/// its ends of the streams, so a lost master ends the run at once instead of leaving it waiting.
enum MuxSession {
    /// What to run and how much of it to keep.
    struct Request: Sendable {
        /// The master's control socket.
        var socketPath: String
        /// The command line the server's login shell runs.
        var commandLine: String
        /// Bytes for the command's standard input, then end of file.
        var standardInput: Data
        /// Bytes of standard output kept (the rest is read and dropped).
        var outputLimit: Int
        /// Bytes of standard error kept.
        var errorLimit: Int
        /// Receives standard output instead of it being kept (see ``RemoteCommand/standardOutputHandler``).
        var standardOutputHandler: StandardOutputHandler?
        /// The start of the line the remote wrapper prints first on standard error, followed
        /// by the command's process group id; `nil` when the command prints none.
        var startLinePrefix: String?
        /// Time allowed to reach the master and have the session opened.
        var openTimeout: Duration
        /// Time after which the run is given up even though the session has not ended.
        var giveUpAfter: Duration
    }

    /// What this side saw of the session.
    struct Captured: Sendable {
        var standardOutput = Data()
        var standardError = Data()
        var truncated = false
        /// Whether the master opened the session (the command was sent to the server).
        var opened = false
        /// The command's process group on the host, from the wrapper's start line.
        var processGroup: Int32?
        var duration: Duration = .zero
    }

    /// How the run ended.
    enum Outcome: Sendable {
        /// Nothing was started: no master listens, it speaks another protocol version, or it
        /// refused the session. The reason is a sentence for the debug log.
        case unavailable(String)
        /// The command ended with this status.
        case exited(Int32, Captured)
        /// The session ended without an exit status: the connection was lost, or the
        /// command's whole process group was killed.
        case endedWithoutStatus(Captured)
        /// The caller cancelled; the command may still run on the host.
        case cancelled(Captured)
        /// ``Request/giveUpAfter`` passed; the command may still run on the host.
        case gaveUp(Captured)
    }

    /// Runs `request` on a thread of its own and returns how it ended. Cancelling the calling
    /// task ends the run early with ``Outcome/cancelled(_:)``: at once before the session was
    /// asked for, else once the master answered the request and the command's process group
    /// is known (or a second passed), so the caller can stop it on the host.
    static func run(_ request: Request) async -> Outcome {
        let signal = MuxCancellation()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Outcome, Never>) in
                Thread.detachNewThread {
                    continuation.resume(returning: execute(request, cancellation: signal))
                }
            }
        } onCancel: {
            signal.cancel()
        }
    }

    /// Asks the master on `socketPath` to close its connection and exit, on a thread of its
    /// own; `true` when it agreed (or closed the socket on it, as it may before answering).
    static func terminateMaster(socketPath: String) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            Thread.detachNewThread {
                #if canImport(Glibc)
                var run = MuxRun(request: Request(socketPath: socketPath, commandLine: "", standardInput: Data(), outputLimit: 0,
                                                  errorLimit: 0, standardOutputHandler: nil, startLinePrefix: nil,
                                                  openTimeout: .seconds(5), giveUpAfter: .seconds(5)),
                                 cancellation: MuxCancellation())
                let agreed = run.terminate()
                run.closeAll()
                continuation.resume(returning: agreed)
                #else
                continuation.resume(returning: false)
                #endif
            }
        }
    }

    #if canImport(Glibc)
    /// The blocking run, on the calling thread.
    static func execute(_ request: Request, cancellation: MuxCancellation) -> Outcome {
        var outcome = Outcome.unavailable("not started")
        ProcessRunner.withoutPipeSignal(on: -1) {
            var run = MuxRun(request: request, cancellation: cancellation)
            outcome = run.execute()
            run.closeAll()
        }
        return outcome
    }
    #else
    /// Descriptor passing is only written for Linux here: elsewhere every command starts `ssh`.
    static func execute(_ request: Request, cancellation: MuxCancellation) -> Outcome {
        .unavailable("speaking to the master directly is only supported on Linux")
    }
    #endif
}

/// Reads the remote wrapper's start line (see ``MuxInvocation``).
enum MuxRunStartLine {
    /// The process group id on the start line, once the whole line has arrived.
    static func processGroup(in standardError: Data, prefix: [UInt8]) -> Int32? {
        guard standardError.starts(with: prefix) else { return nil }
        let rest = standardError.dropFirst(prefix.count)
        guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        guard let group = Int32(String(decoding: rest[..<newline], as: UTF8.self)), group > 1 else { return nil }
        return group
    }
}

/// Tells a running ``MuxSession`` to stop: sets a flag and wakes its poll through a pipe.
final class MuxCancellation: Sendable {
    private struct State {
        var cancelled = false
        var wakeDescriptor: Int32?
    }

    private let state = Locked(State())

    /// Asks the run to end.
    func cancel() {
        state.withLock { state in
            state.cancelled = true
            if let descriptor = state.wakeDescriptor {
                var byte: UInt8 = 1
                #if canImport(Glibc)
                _ = send(descriptor, &byte, 1, Int32(MSG_NOSIGNAL))
                #else
                _ = write(descriptor, &byte, 1)
                #endif
            }
        }
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// Sets (or, with `nil`, clears before closing it) the descriptor `cancel()` writes to.
    func wake(through descriptor: Int32?) { state.withLock { $0.wakeDescriptor = descriptor } }
}

#if canImport(Glibc)
/// The state of one blocking run of ``MuxSession``.
private struct MuxRun {
    private enum Phase { case hello, opening, running }

    let request: MuxSession.Request
    let cancellation: MuxCancellation
    private let started = ContinuousClock.now
    private var captured = MuxSession.Captured()
    private var phase = Phase.hello
    private var framer = MuxFramer()
    private var exitStatus: Int32?
    private var sessionID: UInt32?
    private let requestID: UInt32 = 1

    private var control: Int32 = -1
    private var wakeRead: Int32 = -1
    private var wakeWrite: Int32 = -1
    private var inputWrite: Int32 = -1
    private var outputRead: Int32 = -1
    private var errorRead: Int32 = -1
    private var inputOffset = 0
    private let input: [UInt8]
    private let startPrefix: [UInt8]?

    init(request: MuxSession.Request, cancellation: MuxCancellation) {
        self.request = request
        self.cancellation = cancellation
        input = Array(request.standardInput)
        startPrefix = request.startLinePrefix.map { Array($0.utf8) }
    }

    mutating func execute() -> MuxSession.Outcome {
        if let problem = connect() { return .unavailable(problem) }
        var wake: [Int32] = [-1, -1]
        guard Self.channel(&wake) else { return .unavailable("no pipe: \(Self.errorText())") }
        (wakeRead, wakeWrite) = (wake[0], wake[1])
        _ = fcntl(wakeRead, F_SETFL, fcntl(wakeRead, F_GETFL) | O_NONBLOCK)
        _ = fcntl(wakeWrite, F_SETFL, fcntl(wakeWrite, F_GETFL) | O_NONBLOCK)
        cancellation.wake(through: wakeWrite)
        guard send(MuxMessage.hello()) else { return .unavailable("the master did not take the hello: \(Self.errorText())") }

        let openBy = started + request.openTimeout
        let giveUpAt = started + request.giveUpAfter
        var drainUntil: ContinuousClock.Instant?
        var cancelBy: ContinuousClock.Instant?
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if cancellation.isCancelled {
                switch phase {
                case .hello:
                    return .cancelled(finish())
                case .opening:
                    // Closing the connection while the master opens the session trips an
                    // internal check in OpenSSH's master; the answer comes within `openBy`.
                    break
                case .running:
                    // Without the group id after a moment, the caller stops the command by its id.
                    if captured.processGroup != nil { return .cancelled(finish()) }
                    cancelBy = cancelBy ?? .now + .seconds(1)
                }
            }
            let now = ContinuousClock.now
            if phase != .running && now >= openBy { return .unavailable("the master did not open a session within \(request.openTimeout)") }
            if let cancelBy, now >= cancelBy { return .cancelled(finish()) }
            if now >= giveUpAt { return .gaveUp(finish()) }
            if let drainUntil, now >= drainUntil { break }
            if control < 0 && outputRead < 0 && errorRead < 0 { break }

            var deadline = giveUpAt
            for candidate in [phase == .running ? nil : openBy, cancelBy, drainUntil].compactMap({ $0 }) where candidate < deadline {
                deadline = candidate
            }
            var polled = pollList()
            let waitMilliseconds = Int32(clamping: max(0, (deadline - now).milliseconds) + 1)
            let ready = poll(&polled, nfds_t(polled.count), waitMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return phase == .running ? .endedWithoutStatus(finish()) : .unavailable("poll failed: \(Self.errorText())")
            }
            for entry in polled where entry.revents != 0 {
                switch entry.fd {
                case wakeRead:
                    while read(wakeRead, &buffer, buffer.count) > 0 {}
                case control:
                    if let failure = readControl(&buffer) { return failure }
                    if control < 0 {
                        if phase != .running { return .unavailable("the master closed the control connection before the session opened") }
                        drainUntil = .now + .seconds(2)
                    }
                case outputRead:
                    readOutput(&buffer)
                case errorRead:
                    readError(&buffer)
                case inputWrite:
                    writeInput()
                default:
                    break
                }
            }
        }
        let result = finish()
        if let exitStatus { return .exited(exitStatus, result) }
        return .endedWithoutStatus(result)
    }

    /// Hello, then a request that the master exit (blocking, with five-second read limits).
    mutating func terminate() -> Bool {
        guard connect() == nil else { return false }
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(control, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        guard send(MuxMessage.hello()), case .hello(MuxMessage.protocolVersion)? = nextReply(),
              send(MuxMessage.terminate(requestID: requestID)) else { return false }
        switch nextReply() {
        case .ok?, nil: return true
        default: return false
        }
    }

    /// The next message, read blocking; `nil` at end of file, on an error or a bad message.
    private mutating func nextReply() -> MuxMessage.Reply? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            if let body = try? framer.next() { return try? MuxMessage.decode(body) }
            let count = read(control, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            framer.append(buffer[0..<count])
        }
    }

    /// Closes every descriptor still open.
    mutating func closeAll() {
        cancellation.wake(through: nil)
        for descriptor in [control, wakeRead, wakeWrite, inputWrite, outputRead, errorRead] where descriptor >= 0 {
            close(descriptor)
        }
        (control, wakeRead, wakeWrite, inputWrite, outputRead, errorRead) = (-1, -1, -1, -1, -1, -1)
    }

    private mutating func finish() -> MuxSession.Captured {
        captured.duration = ContinuousClock.now - started
        return captured
    }

    private func pollList() -> [pollfd] {
        let readable = Int16(POLLIN)
        var list = [pollfd(fd: wakeRead, events: readable, revents: 0)]
        for descriptor in [control, outputRead, errorRead] where descriptor >= 0 {
            list.append(pollfd(fd: descriptor, events: readable, revents: 0))
        }
        if inputWrite >= 0 { list.append(pollfd(fd: inputWrite, events: Int16(POLLOUT), revents: 0)) }
        return list
    }

    // MARK: Control connection

    private mutating func connect() -> String? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(request.socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return "the control socket's path is too long" }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path)
            raw[path.count] = 0
        }
        control = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard control >= 0 else { return "no socket: \(Self.errorText())" }
        // Writes here are a few dozen bytes; the limit only bounds a master that stopped reading.
        var limit = timeval(tv_sec: 5, tv_usec: 0)
        _ = setsockopt(control, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(control, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return "no master answers on its control socket: \(Self.errorText())" }
        return nil
    }

    private func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(control, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent > 0 { offset += sent } else if sent < 0 && errno == EINTR { continue } else { return false }
        }
        return true
    }

    /// Sends one descriptor with one byte, as OpenSSH's `mm_send_fd` does.
    private func sendDescriptor(_ descriptor: Int32) -> Bool {
        let wordSize = MemoryLayout<Int>.size
        func aligned(_ length: Int) -> Int { (length + wordSize - 1) & ~(wordSize - 1) }
        let headerLength = aligned(MemoryLayout<cmsghdr>.size)
        let space = headerLength + aligned(MemoryLayout<Int32>.size)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: space, alignment: wordSize)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: space)
        let header = buffer.bindMemory(to: cmsghdr.self, capacity: 1)
        header.pointee.cmsg_len = headerLength + MemoryLayout<Int32>.size
        header.pointee.cmsg_level = SOL_SOCKET
        header.pointee.cmsg_type = Int32(SCM_RIGHTS)
        (buffer + headerLength).storeBytes(of: descriptor, as: Int32.self)
        var byte: UInt8 = 0
        return withUnsafeMutablePointer(to: &byte) { bytePointer in
            var vector = iovec(iov_base: bytePointer, iov_len: 1)
            return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                var message = msghdr()
                message.msg_iov = vectorPointer
                message.msg_iovlen = 1
                message.msg_control = buffer
                message.msg_controllen = space
                while true {
                    let sent = sendmsg(control, &message, Int32(MSG_NOSIGNAL))
                    if sent == 1 { return true }
                    if sent < 0 && errno == EINTR { continue }
                    return false
                }
            }
        }
    }

    /// Reads what the master sent and acts on each whole message; returns an outcome when
    /// the run must end now.
    private mutating func readControl(_ buffer: inout [UInt8]) -> MuxSession.Outcome? {
        let count = read(control, &buffer, buffer.count)
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return nil }
        if count <= 0 {
            close(control)
            control = -1
            return nil
        }
        framer.append(buffer[0..<count])
        do {
            while let body = try framer.next() {
                if let outcome = handle(try MuxMessage.decode(body)) { return outcome }
            }
        } catch {
            return phase == .running ? .endedWithoutStatus(finish()) : .unavailable(error.description)
        }
        return nil
    }

    private mutating func handle(_ reply: MuxMessage.Reply) -> MuxSession.Outcome? {
        switch (phase, reply) {
        case (.hello, .hello(let version)):
            guard version == MuxMessage.protocolVersion else {
                return .unavailable("the master speaks multiplexing protocol \(version), not \(MuxMessage.protocolVersion)")
            }
            return openSession()
        case (.opening, .sessionOpened(let id, let session)) where id == requestID:
            phase = .running
            sessionID = session
            captured.opened = true
        case (.opening, .failure(_, let reason)), (.opening, .permissionDenied(_, let reason)):
            return .unavailable("the master refused the session: \(TerminalText.escaped(reason))")
        case (.running, .exitMessage(let session, let status)) where session == sessionID:
            exitStatus = Int32(truncatingIfNeeded: status)
        case (.running, .ttyAllocationFailed):
            break
        case (.running, _):
            break
        default:
            return .unavailable("the master answered out of turn (\(reply))")
        }
        return nil
    }

    /// Sends the session request and the three descriptors, keeping this side's ends.
    private mutating func openSession() -> MuxSession.Outcome? {
        var output: [Int32] = [-1, -1]
        var error: [Int32] = [-1, -1]
        guard Self.channel(&output) else { return .unavailable("no pipe: \(Self.errorText())") }
        guard Self.channel(&error) else {
            close(output[0]); close(output[1])
            return .unavailable("no pipe: \(Self.errorText())")
        }
        var inputRemote: Int32
        if input.isEmpty {
            inputRemote = open("/dev/null", O_RDONLY | O_CLOEXEC)
        } else {
            var pair: [Int32] = [-1, -1]
            if Self.channel(&pair) {
                inputRemote = pair[0]
                inputWrite = pair[1]
                _ = fcntl(inputWrite, F_SETFL, fcntl(inputWrite, F_GETFL) | O_NONBLOCK)
            } else {
                inputRemote = -1
            }
        }
        (outputRead, errorRead) = (output[0], error[0])
        defer {
            for remote in [inputRemote, output[1], error[1]] where remote >= 0 { close(remote) }
        }
        guard inputRemote >= 0 else { return .unavailable("no standard input for the session: \(Self.errorText())") }
        guard send(MuxMessage.newSession(requestID: requestID, command: request.commandLine)),
              sendDescriptor(inputRemote), sendDescriptor(output[1]), sendDescriptor(error[1]) else {
            return .unavailable("the master did not take the session request: \(Self.errorText())")
        }
        phase = .opening
        return nil
    }

    // MARK: Standard streams

    private mutating func readOutput(_ buffer: inout [UInt8]) {
        let count = read(outputRead, &buffer, buffer.count)
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        if count <= 0 {
            close(outputRead)
            outputRead = -1
            return
        }
        if let handler = request.standardOutputHandler {
            buffer.withUnsafeBytes { handler(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        } else {
            Self.keep(buffer[0..<count], in: &captured.standardOutput, limit: request.outputLimit, truncated: &captured.truncated)
        }
    }

    private mutating func readError(_ buffer: inout [UInt8]) {
        let count = read(errorRead, &buffer, buffer.count)
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        if count <= 0 {
            close(errorRead)
            errorRead = -1
            return
        }
        Self.keep(buffer[0..<count], in: &captured.standardError, limit: request.errorLimit, truncated: &captured.truncated)
        if captured.processGroup == nil, let startPrefix {
            captured.processGroup = MuxRunStartLine.processGroup(in: captured.standardError, prefix: startPrefix)
        }
    }

    private mutating func writeInput() {
        let written = input[inputOffset...].withUnsafeBytes { Glibc.send(inputWrite, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if written > 0 { inputOffset += written }
        if inputOffset >= input.count || (written < 0 && errno != EINTR && errno != EAGAIN) {
            close(inputWrite)
            inputWrite = -1
        }
    }

    private static func keep(_ bytes: ArraySlice<UInt8>, in kept: inout Data, limit: Int, truncated: inout Bool) {
        let room = max(0, limit - kept.count)
        if bytes.count > room { truncated = true }
        kept.append(contentsOf: bytes.prefix(room))
    }

    /// A connected pair of descriptors, reading end first, both close-on-exec from the start
    /// (a program started on another thread meanwhile inherits neither). A socket pair
    /// rather than a pipe: Glibc's `pipe2` is not visible from Swift, and the master reads
    /// and writes both alike.
    private static func channel(_ pair: inout [Int32]) -> Bool {
        socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
#endif
