import FleetKit
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an Aztec node's log as a stream and counts what the runbook and the log catalogue
/// look for, in constant memory whatever the log's size.
///
/// Feed it chunks of any size with ``scan(_:)-(UnsafeRawBufferPointer)`` (a pipe, `docker logs`
/// over SSH, a file) and call ``finish()`` at the end. JSON lines (`LOG_JSON=1`) and the
/// pretty text format may be mixed in one stream, with or without the `docker logs
/// --timestamps` prefix. Each line counts once per signal it contains. Malformed JSON,
/// invalid UTF-8 and lines of many megabytes are counted, never fatal: a line longer than
/// `maxLineBytes` is scanned over its first `maxLineBytes` bytes only.
public struct LogScanner: Sendable {
    /// Bytes of a line kept as a tally's example.
    public static let exampleBytes = 300

    /// The signals looked for.
    public let signals: LogSignalTable
    private let matcher: FixedStringMatcher
    private var splitter: BoundedLineSplitter
    private var state: ScanState

    /// Creates a scanner for `signals` that scans at most `maxLineBytes` of any line.
    public init(signals: LogSignalTable = .aztec, maxLineBytes: Int = 1 << 20) {
        self.signals = signals
        matcher = FixedStringMatcher(strings: signals.signals.map(\.text))
        splitter = BoundedLineSplitter(maxLineBytes: maxLineBytes)
        state = ScanState(signalCount: signals.signals.count)
    }

    /// Scans the next chunk of the stream.
    public mutating func scan(_ chunk: UnsafeRawBufferPointer) {
        state.summary.bytes += chunk.count
        // The splitter and the state are moved out for the call: the line closure mutates the
        // state while the splitter runs, and a swap keeps the splitter's buffer unshared.
        var lines = BoundedLineSplitter(maxLineBytes: 1)
        swap(&lines, &splitter)
        let matcher = matcher
        lines.split(chunk) { line, cut in state.add(line, cut: cut, matcher: matcher) }
        swap(&lines, &splitter)
    }

    /// Scans the next chunk of the stream.
    public mutating func scan(_ data: Data) {
        data.withUnsafeBytes { scan($0) }
    }

    /// Scans the last line (when the stream did not end with a newline) and returns the summary.
    public mutating func finish() -> LogScanSummary {
        let matcher = matcher
        splitter.finish { line, cut in state.add(line, cut: cut, matcher: matcher) }
        var summary = state.summary
        summary.overlongLines = splitter.overlongLines
        for (index, signal) in signals.signals.enumerated() { summary.signals[signal.id] = state.tallies[index] }
        return summary
    }

    /// Scans everything readable from `fileDescriptor` (a file, a pipe, standard input) in
    /// chunks of `chunkBytes`; `name` names the source in errors.
    ///
    /// - Throws: ``LogReadError`` when reading fails.
    public static func scan(fileDescriptor: Int32, name: String, signals: LogSignalTable = .aztec, maxLineBytes: Int = 1 << 20,
                            chunkBytes: Int = 1 << 20) throws(LogReadError) -> LogScanSummary {
        var scanner = LogScanner(signals: signals, maxLineBytes: maxLineBytes)
        var buffer = [UInt8](repeating: 0, count: max(1, chunkBytes))
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw LogReadError(source: name, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { scanner.scan(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
        return scanner.finish()
    }
}

/// What a scan has counted so far.
private struct ScanState: Sendable {
    var summary = LogScanSummary()
    var tallies: [LogTally]
    /// The line number each signal was last counted on, so a line counts once per signal.
    var countedOnLine: [Int]

    init(signalCount: Int) {
        tallies = Array(repeating: LogTally(), count: signalCount)
        countedOnLine = Array(repeating: 0, count: signalCount)
    }

    mutating func add(_ line: UnsafeRawBufferPointer, cut: Bool, matcher: FixedStringMatcher) {
        summary.lines += 1
        let lineNumber = summary.lines
        let facts = LogLineFacts(line, cut: cut)
        if facts.isJSON { summary.jsonLines += 1 } else { summary.textLines += 1 }
        if facts.isMalformedJSON { summary.malformedJSONLines += 1 }
        if let time = facts.time {
            if summary.firstTimestamp == nil || time < summary.firstTimestamp ?? time { summary.firstTimestamp = time }
            if summary.lastTimestamp == nil || time > summary.lastTimestamp ?? time { summary.lastTimestamp = time }
        }
        switch facts.level {
        case .warn: summary.warnings.add(time: facts.time, line: line)
        case .error: summary.errors.add(time: facts.time, line: line)
        case .fatal: summary.fatals.add(time: facts.time, line: line)
        default: break
        }
        if !UTF8Check.isValid(line, cut: cut) { summary.invalidUTF8Lines += 1 }
        matcher.forEachMatch(in: line) { index in
            guard countedOnLine[index] != lineNumber else { return }
            countedOnLine[index] = lineNumber
            tallies[index].add(time: facts.time, line: line)
        }
    }
}

/// A log source that could not be read.
public struct LogReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, `-` for standard input, or the host.
    public var source: String
    /// The system's reason.
    public var reason: String

    /// Creates an error.
    public init(source: String, reason: String) {
        self.source = source
        self.reason = reason
    }

    /// "cannot read SOURCE: REASON".
    public var description: String { "cannot read \(source): \(reason)" }
}

extension LogReadError: InputError {}
