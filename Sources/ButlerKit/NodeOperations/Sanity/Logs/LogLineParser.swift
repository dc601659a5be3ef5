import Foundation

/// A node log's severity, as pino numbers it (Aztec adds `verbose` at 25).
public enum NodeLogLevel: Int, Sendable, Codable, Comparable, CaseIterable {
    /// Finest detail.
    case trace = 10
    /// Troubleshooting detail (the runbook's preset).
    case debug = 20
    /// Aztec's level between debug and info.
    case verbose = 25
    /// What the node is doing.
    case info = 30
    /// Off the happy path.
    case warn = 40
    /// An error.
    case error = 50
    /// An error that brought the node down.
    case fatal = 60

    /// Orders by severity.
    public static func < (lhs: NodeLogLevel, rhs: NodeLogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level of a pino number (31 is still info: numbers round down to the level below).
    init?(number: Int) {
        guard let level = Self.allCases.last(where: { $0.rawValue <= number }) else { return nil }
        self = level
    }

    /// The level of a label in any letter case (`error`, `ERROR`, `warning`).
    init?<Bytes: Collection>(label: Bytes) where Bytes.Element == UInt8 {
        var word = ""
        for byte in label.prefix(8) { word.append(Character(Unicode.Scalar(byte | 0x20))) }
        switch word {
        case "trace": self = .trace
        case "debug": self = .debug
        case "verbose": self = .verbose
        case "info": self = .info
        case "warn", "warning": self = .warn
        case "error": self = .error
        case "fatal", "critical": self = .fatal
        default: return nil
        }
    }
}

/// What one line of a node log says about itself: its format, level and time. Reads only a
/// few bytes near the start of the line; never fails (a line it cannot read has no level).
struct LogLineFacts {
    /// Whether the line is a JSON object (`LOG_JSON=1`) rather than pretty text.
    var isJSON = false
    /// A line that starts as JSON but has no level or does not end with `}`. The line is
    /// not parsed: one cut right after a nested object's `}` still reads as whole.
    var isMalformedJSON = false
    /// The level, when the line states one.
    var level: NodeLogLevel?
    /// The time, when the line carries a full date (JSON `time`, or the `docker logs
    /// --timestamps` prefix); the pretty format's time of day alone is not used.
    var time: Date?

    /// Reads `line` (without its newline); `cut` lines may lack their end.
    init(_ line: UnsafeRawBufferPointer, cut: Bool) {
        var position = 0
        if let (time, end) = LogTime.iso8601(line, from: 0), end < line.count, line[end] == 0x20 {
            self.time = time
            position = end + 1
        }
        while position < line.count, line[position] == 0x20 || line[position] == 0x09 { position += 1 }
        guard position < line.count else { return }
        if line[position] == 0x7B {   // {
            isJSON = true
            readJSON(line, from: position, cut: cut)
        } else {
            level = Self.prettyLevel(line, from: position)
        }
    }

    /// `"level":30` or `"level":"error"`, and `"time":1767225600000` or an ISO string,
    /// looked for in the first bytes of the object, where pino writes them.
    private mutating func readJSON(_ line: UnsafeRawBufferPointer, from start: Int, cut: Bool) {
        let window = min(line.count, start + 512)
        if let value = Self.find(Self.levelKey, in: line, from: start, to: window) {
            level = Self.jsonLevel(line, at: value)
        }
        if time == nil, let value = Self.find(Self.timeKey, in: line, from: start, to: window) {
            time = Self.jsonTime(line, at: value)
        }
        var end = line.count
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        isMalformedJSON = level == nil || (!cut && line[end - 1] != 0x7D)
    }

    static let levelKey = Array(#""level":"#.utf8)
    static let timeKey = Array(#""time":"#.utf8)

    /// The index just after `key` within `line[from..<to]`.
    static func find(_ key: [UInt8], in line: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int? {
        guard end - start >= key.count, let first = key.first else { return nil }
        var index = start
        while index <= end - key.count {
            if line[index] == first {
                var matched = 1
                while matched < key.count, line[index + matched] == key[matched] { matched += 1 }
                if matched == key.count { return index + key.count }
            }
            index += 1
        }
        return nil
    }

    private static func skipSpaces(_ line: UnsafeRawBufferPointer, _ index: Int) -> Int {
        var index = index
        while index < line.count, line[index] == 0x20 { index += 1 }
        return index
    }

    static func jsonLevel(_ line: UnsafeRawBufferPointer, at start: Int) -> NodeLogLevel? {
        let index = skipSpaces(line, start)
        guard index < line.count else { return nil }
        if line[index] == 0x22 {   // "label"
            var end = index + 1
            while end < line.count, end - index < 10, line[end] != 0x22 { end += 1 }
            return NodeLogLevel(label: line[(index + 1)..<end])
        }
        guard let (number, _) = LogTime.digits(line, from: index, max: 3) else { return nil }
        return NodeLogLevel(number: Int(number))
    }

    static func jsonTime(_ line: UnsafeRawBufferPointer, at start: Int) -> Date? {
        let index = skipSpaces(line, start)
        guard index < line.count else { return nil }
        if line[index] == 0x22 { return LogTime.iso8601(line, from: index + 1)?.date }
        guard let (number, _) = LogTime.digits(line, from: index, max: 16) else { return nil }
        // pino writes milliseconds since 1970; a value this small can only be seconds.
        return Date(timeIntervalSince1970: number >= 100_000_000_000 ? Double(number) / 1000 : Double(number))
    }

    /// The level word of the pretty format: `[17:11:33.403] INFO: module message`, with the
    /// colour codes pino-pretty adds around the word on a terminal.
    static func prettyLevel(_ line: UnsafeRawBufferPointer, from start: Int) -> NodeLogLevel? {
        var index = start
        if line[index] == 0x5B {   // [time]
            var end = index + 1
            while end < line.count, end - index < 40, line[end] != 0x5D { end += 1 }
            guard end < line.count, line[end] == 0x5D else { return nil }
            index = skipSpaces(line, end + 1)
        }
        index = skipColour(line, index)
        let wordStart = index
        while index < line.count, index - wordStart < 8, line[index] >= 0x41, line[index] <= 0x5A { index += 1 }
        guard index > wordStart else { return nil }
        let wordEnd = index
        index = skipColour(line, index)
        guard index < line.count, line[index] == 0x3A else { return nil }   // :
        return NodeLogLevel(label: line[wordStart..<wordEnd])
    }

    /// Skips ANSI colour sequences (`ESC [ … m`).
    private static func skipColour(_ line: UnsafeRawBufferPointer, _ start: Int) -> Int {
        var index = start
        while index + 1 < line.count, line[index] == 0x1B, line[index + 1] == 0x5B {
            var end = index + 2
            while end < line.count, end - index < 16, line[end] != 0x6D { end += 1 }
            guard end < line.count, line[end] == 0x6D else { return index }
            index = end + 1
        }
        return index
    }
}

/// Dates in logs, read from bytes without allocating.
enum LogTime {
    /// Up to `max` decimal digits from `start`, as a number, and the index after them.
    static func digits(_ bytes: UnsafeRawBufferPointer, from start: Int, max: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        var index = start
        while index < bytes.count, index - start < max, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            value = value * 10 + UInt64(bytes[index] - 0x30)
            index += 1
        }
        return index > start ? (value, index) : nil
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` at `start`, and the index after it.
    static func iso8601(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (date: Date, end: Int)? {
        func number(_ at: Int, _ length: Int) -> Int? {
            guard let (value, end) = digits(bytes, from: at, max: length), end == at + length else { return nil }
            return Int(value)
        }
        func byte(_ at: Int) -> UInt8? { at < bytes.count ? bytes[at] : nil }
        guard bytes.count - start >= 20, let year = number(start, 4), byte(start + 4) == 0x2D, let month = number(start + 5, 2),
              byte(start + 7) == 0x2D, let day = number(start + 8, 2), byte(start + 10) == 0x54 || byte(start + 10) == 0x20,
              let hour = number(start + 11, 2), byte(start + 13) == 0x3A, let minute = number(start + 14, 2),
              byte(start + 16) == 0x3A, let second = number(start + 17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = start + 19
        var fraction = 0.0
        if byte(index) == 0x2E, let (value, end) = digits(bytes, from: index + 1, max: 9) {
            fraction = Double(value) / pow(10, Double(end - index - 1))
            index = end
            while let next = byte(index), next >= 0x30, next <= 0x39 { index += 1 }
        }
        var offset = 0
        switch byte(index) {
        case 0x5A: index += 1
        case 0x2B, 0x2D:
            guard let hours = number(index + 1, 2), byte(index + 3) == 0x3A, let minutes = number(index + 4, 2) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (byte(index) == 0x2D ? -1 : 1)
            index += 6
        default: return nil
        }
        let seconds = days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return (Date(timeIntervalSince1970: Double(seconds) + fraction), index)
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
    static func days(year: Int, month: Int, day: Int) -> Int {
        let shifted = month <= 2 ? year - 1 : year
        let era = (shifted >= 0 ? shifted : shifted - 399) / 400
        let yearOfEra = shifted - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
