import FleetKit
import Foundation

/// A dotenv file (`NAME=value` lines) parsed as the original Butler's `dotenv` package reads it.
///
/// Accepted: blank lines, `#` comment lines, an `export ` prefix, spaces around `=`, values in
/// double quotes (`\n`, `\t`, `\r`, `\"` and `\\` escapes, may span lines), single quotes or
/// backticks (taken literally, may span lines), and unquoted values, which end at a `#` (the
/// rest of the line is a comment, as in `dotenv`) and are trimmed. A name given twice keeps
/// the last value. Every bad line is reported with the file and line, not only the first.
public struct DotEnvFile: Sendable, Equatable {
    /// One `NAME=value` assignment.
    public struct Entry: Sendable, Equatable {
        /// The variable name.
        public let name: String
        /// The value after quotes and escapes are resolved.
        public let value: String
        /// The 1-based line the assignment starts on.
        public let line: Int
    }

    /// The file's name or path, used in problems and sources.
    public let file: String
    /// Every assignment in file order, repeats included.
    public let entries: [Entry]

    /// The effective assignment of each name: the last one in the file.
    public var lastEntries: [String: Entry] {
        var result: [String: Entry] = [:]
        for entry in entries { result[entry.name] = entry }
        return result
    }

    /// The effective value of each name.
    public var values: [String: String] { lastEntries.mapValues(\.value) }

    /// The largest dotenv file read (1 MiB; real ones hold a few kilobytes).
    public static let maximumFileSize = BoundedFile.mebibyte

    /// Parses `text`; throws every bad line at once. `file` names the file in problems.
    public static func parse(_ text: String, file: String) throws(DotEnvError) -> DotEnvFile {
        var parser = DotEnvParser(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        })
        parser.run()
        if !parser.problems.isEmpty {
            throw DotEnvError(problems: parser.problems.map { DotEnvProblem(file: file, line: $0.line, message: $0.message) })
        }
        return DotEnvFile(file: file, entries: parser.entries)
    }
}

/// A bad line of a dotenv file.
public struct DotEnvProblem: Sendable, Equatable, CustomStringConvertible {
    /// The file's name or path.
    public let file: String
    /// The 1-based line number.
    public let line: Int
    /// What is wrong, e.g. "expected NAME=value".
    public let message: String

    /// "mainnet-base.env:4: expected NAME=value".
    public var description: String { "\(file):\(line): \(message)" }
}

/// A dotenv file with bad lines; every one is listed.
public struct DotEnvError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bad lines in file order.
    public let problems: [DotEnvProblem]

    /// One problem per line.
    public var description: String { CappedList.joined(problems.map(\.description)) }
}

/// Reads assignments line by line; quoted values may continue on following lines.
struct DotEnvParser {
    let lines: [String]
    var entries: [DotEnvFile.Entry] = []
    var problems: [(line: Int, message: String)] = []
    var index = 0

    mutating func run() {
        while index < lines.count {
            let lineNumber = index + 1
            var rest = Substring(lines[index]).drop { $0 == " " || $0 == "\t" }
            index += 1
            if rest.isEmpty || rest.hasPrefix("#") { continue }
            if rest.hasPrefix("export "), rest.dropFirst(7).contains("=") {
                rest = rest.dropFirst(7).drop { $0 == " " || $0 == "\t" }
            }
            guard let equals = rest.firstIndex(of: "=") else {
                problems.append((lineNumber, "expected NAME=value, got a line without '='"))
                continue
            }
            let name = rest[..<equals].trimmingCharacters(in: [" ", "\t"])
            guard Self.isName(name) else {
                problems.append((lineNumber, name.isEmpty
                    ? "expected NAME=value, got nothing before '='"
                    : "'\(name)' is not a variable name (letters, digits and _, not starting with a digit)"))
                continue
            }
            let valueText = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            if let value = value(valueText, startLine: lineNumber) {
                entries.append(DotEnvFile.Entry(name: name, value: value, line: lineNumber))
            }
        }
    }

    /// The value of an assignment, reading further lines for a quoted value; nil after reporting a problem.
    mutating func value(_ text: Substring, startLine: Int) -> String? {
        guard let quote = text.first, quote == "\"" || quote == "'" || quote == "`" else {
            let uncommented = text.firstIndex(of: "#").map { text[..<$0] } ?? text
            return uncommented.trimmingCharacters(in: [" ", "\t"])
        }
        var body = String(text.dropFirst())
        while true {
            if let (value, after) = Self.closeQuote(body, quote: quote) {
                let trailing = after.drop { $0 == " " || $0 == "\t" }
                guard trailing.isEmpty || trailing.hasPrefix("#") else {
                    // The text is not quoted: it may be part of a value (a key, a token) whose
                    // quotes were mistyped.
                    problems.append((index, "unexpected text after the closing \(quote) (not shown, as it may be part of a secret); "
                                     + "end the line after the quote or start a comment with #"))
                    return nil
                }
                return value
            }
            guard index < lines.count else {
                problems.append((startLine, "the \(quote) quote opened here is never closed"))
                return nil
            }
            body += "\n" + lines[index]
            index += 1
        }
    }

    /// Splits `body` at its closing quote: the value (escapes resolved for double quotes) and what follows.
    static func closeQuote(_ body: String, quote: Character) -> (String, Substring)? {
        var value = ""
        var position = body.startIndex
        while position < body.endIndex {
            let character = body[position]
            position = body.index(after: position)
            if character == quote { return (value, body[position...]) }
            if quote == "\"", character == "\\", position < body.endIndex {
                let escaped = body[position]
                position = body.index(after: position)
                switch escaped {
                case "n": value.append("\n")
                case "r": value.append("\r")
                case "t": value.append("\t")
                case "\"", "\\": value.append(escaped)
                default: value += "\\" + String(escaped)
                }
                continue
            }
            value.append(character)
        }
        return nil
    }

    /// Letters, digits and `_`, not starting with a digit.
    static func isName(_ text: String) -> Bool {
        guard let first = text.first, !first.isNumber else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
