/// Finds where a request head ends (the empty line after the headers) in bytes that
/// arrive a few at a time, scanning each byte once however the bytes are split.
///
/// Lines must end in CRLF: a bare LF, or a CR not followed by LF, makes the head malformed
/// at once rather than letting a client hold the connection until a limit is hit. Empty
/// lines before the request line are skipped, as RFC 9112 allows.
struct HTTPHeadFramer {
    enum Outcome: Equatable {
        /// The head is not complete yet.
        case incomplete
        /// The head occupies `bytes[requestStart..<end]`; `end` is just past the empty line.
        case complete(requestStart: Int, end: Int)
        /// A line ended in something other than CRLF.
        case malformed
    }

    private static let carriageReturn = UInt8(ascii: "\r")
    private static let lineFeed = UInt8(ascii: "\n")

    /// Where scanning resumes: every byte before it has been checked.
    private var position = 0
    /// Where the current line starts.
    private var lineStart = 0
    /// Where the request line starts, once the leading empty lines are behind.
    private var requestStart: Int?

    /// Scans the bytes of `buffer` not scanned before. `buffer` must only have grown at its
    /// end since the last call; call ``reset()`` after removing a head from its front.
    mutating func scan(_ buffer: [UInt8]) -> Outcome {
        while position < buffer.count {
            let byte = buffer[position]
            if byte == Self.lineFeed { return .malformed }
            guard byte == Self.carriageReturn else {
                if requestStart == nil { requestStart = position }
                position += 1
                continue
            }
            guard position + 1 < buffer.count else { return .incomplete }
            guard buffer[position + 1] == Self.lineFeed else { return .malformed }
            let emptyLine = position == lineStart
            position += 2
            if emptyLine, let requestStart { return .complete(requestStart: requestStart, end: position) }
            lineStart = position
        }
        return .incomplete
    }

    /// Forgets all progress, for the next head at the front of a buffer.
    mutating func reset() { self = HTTPHeadFramer() }
}
