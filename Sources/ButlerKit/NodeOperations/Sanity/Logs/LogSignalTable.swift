import FleetKit
import Foundation

/// The signals a scan looks for, as data: the built-in ``aztec`` table, a CSV file the
/// caller loads, or both merged.
///
/// The CSV file has a header row naming its columns, in any order: `id`, `kind` (marker,
/// failure, catalogue, crash, start) and `text` are required; `roles` (validator, prover,
/// bot, separated by spaces or `|`; empty for every role), `title`, `event`, `grade`
/// (Ignore, Investigate, Urgent), `when_seen` and `when_missing` (Minor, Major, Critical,
/// Blocker) and `action` are optional.
public struct LogSignalTable: Sendable, Equatable {
    /// The signals in scan and report order; each id once.
    public private(set) var signals: [LogSignal]

    /// The column names of the CSV form, in the order ``csv`` writes them.
    public static let columns = ["id", "kind", "roles", "title", "event", "grade", "when_seen", "when_missing", "text", "action"]

    /// Creates a table, checking that ids are unique and texts usable.
    ///
    /// - Throws: ``LogSignalTableError`` naming the first bad signal.
    public init(_ signals: [LogSignal]) throws(LogSignalTableError) {
        var seen = Set<String>()
        for (index, signal) in signals.enumerated() {
            let place = LogSignalTableError.Place(file: "signal \(index + 1)", line: nil)
            if let problem = Self.problem(signal) { throw LogSignalTableError(place: place, message: problem) }
            guard seen.insert(signal.id).inserted else { throw LogSignalTableError(place: place, message: "id '\(signal.id)' appears twice") }
        }
        self.signals = signals
    }

    /// A table known to be valid (the built-in one, whose test checks it).
    init(checked signals: [LogSignal]) {
        self.signals = signals
    }

    /// The signal named `id`.
    public func signal(_ id: String) -> LogSignal? { signals.first { $0.id == id } }

    /// This table with `other`'s signals added: a signal with an id already here replaces
    /// it in place, the others come after.
    public func merging(_ other: LogSignalTable) -> LogSignalTable {
        var merged = signals
        for signal in other.signals {
            if let index = merged.firstIndex(where: { $0.id == signal.id }) { merged[index] = signal } else { merged.append(signal) }
        }
        return LogSignalTable(checked: merged)
    }

    /// Why a signal cannot be used, or `nil`.
    static func problem(_ signal: LogSignal) -> String? {
        if signal.id.isEmpty || signal.id.contains(where: { $0.isWhitespace || $0 == "," }) {
            return "id '\(signal.id)' must be a non-empty name without spaces or commas"
        }
        if signal.text.utf8.count < 3 { return "text '\(TerminalText.quoted(signal.text))' of \(signal.id) is shorter than 3 bytes and would match noise" }
        if signal.text.contains(where: \.isNewline) { return "text of \(signal.id) holds a line break; lines are matched one at a time" }
        return nil
    }

    /// The largest signals file read (4 MiB; real ones hold a few dozen rows).
    public static let maximumFileSize = 4 * BoundedFile.mebibyte

    /// Reads a table from a CSV file.
    ///
    /// - Throws: ``LogSignalTableError`` naming the file, line and column of the first problem.
    public static func load(contentsOf url: URL) throws(LogSignalTableError) -> LogSignalTable {
        let text: String
        do {
            text = try BoundedFile.readText(url, limit: maximumFileSize)
        } catch {
            throw LogSignalTableError(place: .init(file: url.path, line: nil), message: "cannot read the file: \(error.reasonText)")
        }
        return try parse(csv: text, file: url.path)
    }

    /// Reads a table from CSV text; `file` names it in errors.
    public static func parse(csv text: String, file: String) throws(LogSignalTableError) -> LogSignalTable {
        let records: [CSVRecord]
        do {
            records = try CSVReader.parse(text, file: file)
        } catch {
            throw LogSignalTableError(place: .init(file: file, line: error.line, column: error.column), message: error.message)
        }
        guard let header = records.first else { throw LogSignalTableError(place: .init(file: file, line: nil), message: "the file is empty; the first row must name the columns") }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_") }
        for required in ["id", "kind", "text"] where !names.contains(required) {
            throw LogSignalTableError(place: .init(file: file, line: header.line), message: "the header has no '\(required)' column (columns: \(columns.joined(separator: ", ")))")
        }
        if let unknown = names.first(where: { !columns.contains($0) }) {
            throw LogSignalTableError(place: .init(file: file, line: header.line), message: "unknown column '\(unknown)' (columns: \(columns.joined(separator: ", ")))")
        }
        var signals: [LogSignal] = []
        var lines: [String: Int] = [:]
        for record in records.dropFirst() {
            guard record.fields.count == names.count else {
                throw LogSignalTableError(place: .init(file: file, line: record.line),
                                          message: "\(record.fields.count) fields where the header has \(names.count)")
            }
            let signal = try Self.signal(record, names: names, file: file)
            if let first = lines[signal.id] {
                throw LogSignalTableError(place: .init(file: file, line: record.line), message: "id '\(signal.id)' was already given on line \(first)")
            }
            lines[signal.id] = record.line
            signals.append(signal)
        }
        return LogSignalTable(checked: signals)
    }

    private static func signal(_ record: CSVRecord, names: [String], file: String) throws(LogSignalTableError) -> LogSignal {
        // Every value but the matched text is shown to people: control characters, escape
        // sequences and bidi controls become visible `\u{…}` (TerminalText).
        func field(_ name: String) -> (value: String, column: Int?) {
            guard let index = names.firstIndex(of: name) else { return ("", nil) }
            return (TerminalText.escaped(record.fields[index].trimmingCharacters(in: .whitespaces)),
                    index < record.columns.count ? record.columns[index] : nil)
        }
        func fail(_ name: String, _ message: String) -> LogSignalTableError {
            LogSignalTableError(place: .init(file: file, line: record.line, column: field(name).column), message: message)
        }
        func parsed<T>(_ name: String, _ make: (String) -> T?, expected: String) throws(LogSignalTableError) -> T? {
            let text = field(name).value
            if text.isEmpty { return nil }
            guard let value = make(text) else { throw fail(name, "\(name) '\(text)' is not one of \(expected)") }
            return value
        }
        guard let kind = try parsed("kind", { LogSignalKind(rawValue: $0.lowercased()) },
                                    expected: LogSignalKind.allCases.map(\.rawValue).joined(separator: ", ")) else {
            throw fail("kind", "kind is empty; expected one of \(LogSignalKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var roles: [NodeRole] = []
        for word in field("roles").value.split(whereSeparator: { $0 == " " || $0 == "|" }) {
            guard let role = NodeRole(rawValue: word.lowercased()) else {
                throw fail("roles", "role '\(word)' is not one of \(NodeRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            roles.append(role)
        }
        let criticalities = Criticality.allCases.map(\.rawValue).joined(separator: ", ")
        let signal = LogSignal(
            id: field("id").value, kind: kind, text: record.fields[names.firstIndex(of: "text") ?? 0], roles: roles,
            title: field("title").value.isEmpty ? field("id").value : field("title").value,
            event: try parsed("event", { RunbookEvent(rawValue: $0.lowercased()) }, expected: RunbookEvent.allCases.map(\.rawValue).joined(separator: ", ")),
            grade: try parsed("grade", CatalogueGrade.init(name:), expected: CatalogueGrade.allCases.map(\.rawValue).joined(separator: ", ")),
            whenSeen: try parsed("when_seen", Criticality.init(name:), expected: criticalities),
            whenMissing: try parsed("when_missing", Criticality.init(name:), expected: criticalities),
            action: field("action").value)
        if let problem = problem(signal) {
            throw fail(signal.text.utf8.count < 3 || signal.text.contains(where: \.isNewline) ? "text" : "id", problem)
        }
        return signal
    }

    /// The table as CSV text, in the form ``parse(csv:file:)`` reads.
    public var csv: String {
        var writer = CSVWriter(header: Self.columns)
        for signal in signals {
            writer.append([signal.id, signal.kind.rawValue, signal.roles.map(\.rawValue).joined(separator: " "), signal.title,
                           signal.event?.rawValue ?? "", signal.grade?.rawValue ?? "", signal.whenSeen?.rawValue ?? "",
                           signal.whenMissing?.rawValue ?? "", signal.text, signal.action])
        }
        return writer.text
    }
}

/// A signal table that cannot be used, with the file, line and column where it applies.
public struct LogSignalTableError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the problem is.
    public struct Place: Sendable, Equatable {
        /// The file (or "signal N" for a table built in code).
        public var file: String
        /// The line, when known.
        public var line: Int?
        /// The column, when known.
        public var column: Int?

        /// Creates a place.
        public init(file: String, line: Int?, column: Int? = nil) {
            self.file = file
            self.line = line
            self.column = column
        }
    }

    /// Where the problem is.
    public var place: Place
    /// What is wrong, as a sentence.
    public var message: String

    /// "file:line:column: message", on one line with control and format characters shown
    /// as `\u{…}` (``TerminalText``).
    public var description: String {
        var location = place.file
        if let line = place.line { location += ":\(line)" }
        if let column = place.column { location += ":\(column)" }
        return TerminalText.escaped("\(location): \(message)")
    }
}

extension LogSignalTableError: InputError {}
