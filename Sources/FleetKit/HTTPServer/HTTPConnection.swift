/// What the serving loop knows about one open client connection.
///
/// A connection alternates between reading a request head and writing its answer; it
/// never reads while an answer is still being written, so a client that sends requests
/// without reading the answers holds at most one answer and one head in memory.
struct HTTPConnection {
    enum Phase: Equatable {
        /// Just accepted, nothing received yet; closed after `requestTimeout`.
        case awaitingFirstRequest
        /// Between keep-alive requests; closed after `idleTimeout`.
        case awaitingNextRequest
        /// Part of a head has arrived; the whole head must arrive within `requestTimeout` of its
        /// first byte, however slowly the rest trickles in.
        case readingHead
        /// An answer is queued; it must be written within `requestTimeout`.
        case writing
        /// The last answer is sent and our side shut; unread input is discarded until the
        /// client closes or a short time passes, so closing does not reset the connection
        /// before the client has read the answer.
        case lingering
    }

    let descriptor: Int32
    /// Counts towards `maxConnections` (false for a connection refused with 503).
    let admitted: Bool
    /// Where an admitted connection comes from, counted against `maxConnectionsPerPeer`
    /// (nil for a refused one).
    let peer: PeerAddress?
    var phase: Phase = .awaitingFirstRequest
    /// When the current phase runs out, in ``MonotonicClock`` nanoseconds.
    var deadline: UInt64
    /// Received bytes not yet taken as a request head.
    var input: [UInt8] = []
    var framer = HTTPHeadFramer()
    var output = HTTPOutputQueue()
    /// Shut down and linger once ``output`` is written.
    var closeAfterOutput = false
    /// The client has sent FIN: answer what is buffered, then close.
    var peerFinishedSending = false

    init(descriptor: Int32, admitted: Bool, peer: PeerAddress? = nil, deadline: UInt64) {
        self.descriptor = descriptor
        self.admitted = admitted
        self.peer = admitted ? peer : nil
        self.deadline = deadline
    }

    /// Whether `poll` should wait for input.
    var wantsToRead: Bool {
        output.isEmpty && !peerFinishedSending && phase != .writing
    }

    /// Whether `poll` should wait until the socket can take more output.
    var wantsToWrite: Bool { !output.isEmpty }
}

/// Bytes waiting to be written, as whole arrays shared with the rendered responses (no
/// copy of a body per request) and the offset reached in the first one.
struct HTTPOutputQueue {
    enum Progress {
        /// Everything is written.
        case drained
        /// The socket is full; wait for POLLOUT.
        case pending
        /// The connection is broken.
        case failed
    }

    private var chunks: [[UInt8]] = []
    private var offset = 0

    var isEmpty: Bool { chunks.isEmpty }

    mutating func append(_ more: [[UInt8]]) {
        chunks.append(contentsOf: more.filter { !$0.isEmpty })
    }

    /// Writes as much as `descriptor` takes without blocking.
    mutating func write(to descriptor: Int32) -> Progress {
        while let chunk = chunks.first {
            let start = offset
            let outcome = chunk.withUnsafeBytes { raw in
                SocketCalls.sendSome(UnsafeRawBufferPointer(rebasing: raw[start...]), to: descriptor)
            }
            switch outcome {
            case .transferred(let count):
                guard count > 0 else { return .pending }
                offset += count
                if offset >= chunk.count {
                    chunks.removeFirst()
                    offset = 0
                }
            case .wouldBlock:
                return .pending
            case .endOfStream, .failed:
                return .failed
            }
        }
        return .drained
    }
}
