/// One row of a CSV text with the place each field came from.
public struct CSVRecord: Sendable, Equatable {
    /// The field values, unquoted.
    public var fields: [String]
    /// The 1-based physical line where the record starts.
    public var line: Int
    /// The 1-based column (character position) where each field starts.
    public var columns: [Int]

    /// Creates a record from its fields and their positions.
    public init(fields: [String], line: Int, columns: [Int]) {
        self.fields = fields
        self.line = line
        self.columns = columns
    }
}

/// Reads RFC 4180 CSV text.
///
/// Quoted fields may hold commas, doubled quotes and line breaks. CRLF, LF and a lone CR
/// all end a line. A leading UTF-8 byte order mark is dropped. Empty lines, lines of only
/// spaces and tabs, and lines whose first character is `#` are skipped when they appear
/// where a record would start. Columns count Unicode scalars.
public enum CSVReader {
    /// Parses `text` into records; `file` names the source in errors.
    public static func parse(_ text: String, file: String) throws(CSVError) -> [CSVRecord] {
        var scanner = Scanner(text: text, file: file)
        return try scanner.records()
    }

    /// The reading position and the state of the record being read.
    private struct Scanner {
        let scalars: [Unicode.Scalar]
        let file: String
        var index = 0
        var line = 1
        var column = 1

        init(text: String, file: String) {
            var scalars = Array(text.unicodeScalars)
            if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
            self.scalars = scalars
            self.file = file
        }

        var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

        func peek(_ offset: Int) -> Unicode.Scalar? {
            let position = index + offset
            return position < scalars.count ? scalars[position] : nil
        }

        static func isLineEnd(_ scalar: Unicode.Scalar) -> Bool { scalar == "\n" || scalar == "\r" }
        static func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar == " " || scalar == "\t" }

        /// Advances past one scalar that is not a line end.
        mutating func advance() {
            index += 1
            column += 1
        }

        /// Advances past one line end (CRLF counts once) and returns what it was.
        mutating func consumeLineEnd() -> String {
            var ending = ""
            if current == "\r" {
                ending.unicodeScalars.append("\r")
                index += 1
                if current == "\n" {
                    ending.unicodeScalars.append("\n")
                    index += 1
                }
            } else if current == "\n" {
                ending.unicodeScalars.append("\n")
                index += 1
            }
            line += 1
            column = 1
            return ending
        }

        func error(_ message: String, line: Int, column: Int) -> CSVError {
            CSVError(file: file, line: line, column: column, message: message)
        }

        mutating func records() throws(CSVError) -> [CSVRecord] {
            var result: [CSVRecord] = []
            while index < scalars.count {
                if skipIgnoredLine() { continue }
                result.append(try record())
            }
            return result
        }

        /// Skips a blank or comment line at a record start; returns whether one was skipped.
        mutating func skipIgnoredLine() -> Bool {
            if current == "#" {
                while let scalar = current, !Self.isLineEnd(scalar) { advance() }
                _ = consumeLineEnd()
                return true
            }
            var offset = 0
            while let scalar = peek(offset), Self.isBlank(scalar) { offset += 1 }
            guard let end = peek(offset) else {
                index = scalars.count
                return true
            }
            guard Self.isLineEnd(end) else { return false }
            for _ in 0..<offset { advance() }
            _ = consumeLineEnd()
            return true
        }

        mutating func record() throws(CSVError) -> CSVRecord {
            let startLine = line
            var fields: [String] = []
            var columns: [Int] = []
            while true {
                columns.append(column)
                fields.append(try field())
                guard let scalar = current else { break }
                if scalar == "," {
                    advance()
                    continue
                }
                _ = consumeLineEnd()
                break
            }
            return CSVRecord(fields: fields, line: startLine, columns: columns)
        }

        /// Reads one field and stops at the comma, line end or end of text after it.
        mutating func field() throws(CSVError) -> String {
            var value = String.UnicodeScalarView()
            var offset = 0
            while let scalar = peek(offset), Self.isBlank(scalar) { offset += 1 }
            if peek(offset) == "\"" {
                for _ in 0..<offset { advance() }
                return try quotedField()
            }
            while let scalar = current, scalar != ",", !Self.isLineEnd(scalar) {
                if scalar == "\"" {
                    throw error(
                        "stray quote inside an unquoted field; quote the whole field and double the quotes inside",
                        line: line, column: column)
                }
                value.append(scalar)
                advance()
            }
            return String(value)
        }

        /// Reads a quoted field starting at its opening quote.
        mutating func quotedField() throws(CSVError) -> String {
            let openLine = line
            let openColumn = column
            advance()
            var value = ""
            while true {
                guard let scalar = current else {
                    throw error("unterminated quoted field; expected a closing quote", line: openLine, column: openColumn)
                }
                if scalar == "\"" {
                    if peek(1) == "\"" {
                        value.unicodeScalars.append("\"")
                        advance()
                        advance()
                        continue
                    }
                    advance()
                    break
                }
                if Self.isLineEnd(scalar) {
                    value += consumeLineEnd()
                } else {
                    value.unicodeScalars.append(scalar)
                    advance()
                }
            }
            while let scalar = current, Self.isBlank(scalar) { advance() }
            if let scalar = current, scalar != ",", !Self.isLineEnd(scalar) {
                throw error(
                    "text after a closing quote; expected a comma or the end of the line",
                    line: line, column: column)
            }
            return value
        }
    }
}
