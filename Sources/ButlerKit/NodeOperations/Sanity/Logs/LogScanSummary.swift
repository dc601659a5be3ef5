import Foundation

/// How often something appeared in a log, when first and last, and the first line it was in.
public struct LogTally: Sendable, Codable, Equatable {
    /// Lines it appeared in (a line counts once).
    public var count = 0
    /// The time of the first such line that carried one.
    public var first: Date?
    /// The time of the last such line that carried one.
    public var last: Date?
    /// The first such line, cut to ``LogScanner/exampleBytes`` bytes.
    public var example: String?

    /// An empty tally.
    public init() {}

    mutating func add(time: Date?, line: UnsafeRawBufferPointer) {
        count += 1
        if let time {
            if first == nil { first = time }
            last = time
        }
        if example == nil {
            example = String(decoding: line.prefix(LogScanner.exampleBytes), as: UTF8.self)
        }
    }
}

/// What a scan found in a log: the lines by format and level, the oddities it survived and
/// each signal's tally.
public struct LogScanSummary: Sendable, Codable, Equatable {
    /// Bytes read.
    public var bytes = 0
    /// Lines read, over-long ones included.
    public var lines = 0
    /// Lines that are JSON objects (`LOG_JSON=1`).
    public var jsonLines = 0
    /// Lines in the pretty text format, or any other text.
    public var textLines = 0
    /// JSON lines without a level or not closed (truncated, or not a node's log line).
    public var malformedJSONLines = 0
    /// Lines that are not valid UTF-8 (scanned anyway, byte by byte).
    public var invalidUTF8Lines = 0
    /// Lines longer than the scanner's limit: only their start was scanned.
    public var overlongLines = 0
    /// Lines at level warn.
    public var warnings = LogTally()
    /// Lines at level error.
    public var errors = LogTally()
    /// Lines at level fatal.
    public var fatals = LogTally()
    /// The earliest time a line carried.
    public var firstTimestamp: Date?
    /// The latest time a line carried.
    public var lastTimestamp: Date?
    /// Each signal's tally, by signal id; every signal of the table has one, seen or not.
    public var signals: [String: LogTally] = [:]

    /// An empty summary.
    public init() {}

    /// Lines in which the signal `id` appeared.
    public func count(of id: String) -> Int { signals[id]?.count ?? 0 }
}
