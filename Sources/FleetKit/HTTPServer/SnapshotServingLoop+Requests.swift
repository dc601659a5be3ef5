/// Turning received bytes into answers: framing and parsing heads, routing, queueing the
/// answer and writing it, connection by connection.
extension SnapshotServingLoop {
    /// Writes queued output and takes the next buffered request, until the connection has
    /// to wait for the socket or the client, or is done.
    func advance(_ connection: inout HTTPConnection, now: UInt64) -> Disposition {
        while true {
            if !connection.output.isEmpty {
                switch connection.output.write(to: connection.descriptor) {
                case .failed: return .close
                case .pending: return .keep
                case .drained: break
                }
                if connection.closeAfterOutput {
                    SocketCalls.shutdownWriting(connection.descriptor)
                    connection.phase = .lingering
                    connection.deadline = MonotonicClock.adding(limits.lingerTime, to: now)
                    return .keep
                }
                if connection.input.isEmpty {
                    if connection.peerFinishedSending { return .close }
                    connection.phase = .awaitingNextRequest
                    connection.deadline = MonotonicClock.adding(limits.idleTimeout, to: now)
                } else {
                    connection.phase = .readingHead
                    connection.deadline = MonotonicClock.adding(limits.requestTimeout, to: now)
                }
            }
            if connection.phase == .lingering { return .keep }
            switch connection.framer.scan(connection.input) {
            case .incomplete:
                if connection.input.count >= limits.maxRequestHeadBytes {
                    answerRejection(.tooLarge, on: &connection, now: now)
                } else if connection.peerFinishedSending {
                    return .close
                } else {
                    return .keep
                }
            case .malformed:
                answerRejection(.malformed, on: &connection, now: now)
            case .complete(let requestStart, let end):
                // The final CRLF is left out; every header line keeps its own line end.
                let head = connection.input[requestStart..<(end - 2)]
                connection.input.removeFirst(end)
                connection.framer.reset()
                answerHead(head, on: &connection, now: now)
            }
        }
    }

    private func answerHead(_ head: ArraySlice<UInt8>, on connection: inout HTTPConnection, now: UInt64) {
        let request: HTTPRequestHead
        do {
            request = try HTTPRequestHeadParser.parse(head)
        } catch {
            answerRejection(error, on: &connection, now: now)
            return
        }
        let answer = setup.router.answer(request)
        let closing = answer.closing || connection.peerFinishedSending
        setup.statistics.withLock {
            if answer.response.status == 400 { $0.badRequests += 1 } else { $0.requestsServed += 1 }
        }
        enqueue(answer.response.chunks(headOnly: answer.headOnly, closing: closing, acceptsGzip: answer.acceptsGzip),
                closing: closing, on: &connection, now: now)
    }

    private func answerRejection(_ rejection: HTTPHeadRejection, on connection: inout HTTPConnection, now: UInt64) {
        let response: RenderedResponse
        switch rejection {
        case .malformed: response = .badRequest
        case .tooLarge: response = .headTooLarge
        case .unsupportedVersion: response = .versionNotSupported
        }
        setup.statistics.withLock { $0.badRequests += 1 }
        connection.input.removeAll()
        connection.framer.reset()
        enqueue(response.chunks(headOnly: false, closing: true), closing: true, on: &connection, now: now)
    }

    func enqueue(_ chunks: [[UInt8]], closing: Bool, on connection: inout HTTPConnection, now: UInt64) {
        connection.output.append(chunks)
        connection.closeAfterOutput = closing
        connection.phase = .writing
        connection.deadline = MonotonicClock.adding(limits.requestTimeout, to: now)
    }
}
