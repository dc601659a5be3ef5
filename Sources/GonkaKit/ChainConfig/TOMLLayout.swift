/// Where the tables and key/value pairs of a TOML text are, as scalar offsets, so single
/// values can be replaced and keys inserted without touching any other byte.
///
/// It reads TOML's structure, not its values: headers (`[a.b]`, `[[a]]`), bare, quoted and
/// dotted keys, and the extent of every value (basic, literal and multi-line strings,
/// arrays and inline tables across lines, comments inside them, and other scalars).
struct TOMLLayout {
    /// A `[table]` or `[[array]]` header line.
    struct Header {
        let path: [String]
        let isArrayOfTables: Bool
        /// Offset of the header line's first scalar.
        let lineStart: Int
        /// Offset just past the header line's line break (or the end of the text).
        let lineEnd: Int
    }

    /// A `key = value` pair.
    struct Entry {
        /// The table the pair is in (the last header before it; empty at the top level).
        let table: [String]
        /// Whether that table is an element of an array of tables.
        let inArrayOfTables: Bool
        /// The key's parts (several for a dotted key).
        let key: [String]
        /// Offset of the line's first scalar (before indentation).
        let lineStart: Int
        /// The value's text.
        let valueStart: Int
        let valueEnd: Int
        /// Offset just past the line break that ends the pair (or the end of the text).
        let lineEnd: Int
    }

    let scalars: [Unicode.Scalar]
    private(set) var headers: [Header] = []
    private(set) var entries: [Entry] = []
    private var position = 0
    private var line = 1

    init(_ scalars: [Unicode.Scalar]) throws(TOMLEditError) {
        self.scalars = scalars
        try scan()
    }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private func peek(_ offset: Int) -> Unicode.Scalar? {
        position + offset < scalars.count ? scalars[position + offset] : nil
    }

    private func startsWith(_ text: String) -> Bool {
        var offset = 0
        for scalar in text.unicodeScalars {
            guard peek(offset) == scalar else { return false }
            offset += 1
        }
        return true
    }

    private mutating func advance(_ count: Int = 1) {
        for _ in 0..<count where position < scalars.count {
            if scalars[position] == "\n" { line += 1 }
            position += 1
        }
    }

    private func fail(_ message: String) -> TOMLEditError {
        TOMLEditError(line: line, message: message)
    }

    // MARK: Lines

    private mutating func scan() throws(TOMLEditError) {
        var table: [String] = []
        var inArray = false
        while position < scalars.count {
            let lineStart = position
            skipBlanks()
            guard let scalar = current else { break }
            if scalar == "\n" || scalar == "#" || (scalar == "\r" && peek(1) == "\n") {
                try endOfLine()
                continue
            }
            if scalar == "[" {
                let isArray = peek(1) == "["
                advance(isArray ? 2 : 1)
                let path = try keyPath(until: "]")
                guard current == "]", !isArray || peek(1) == "]" else { throw fail("a table header is not closed with \(isArray ? "]]" : "]")") }
                advance(isArray ? 2 : 1)
                try endOfLine()
                headers.append(Header(path: path, isArrayOfTables: isArray, lineStart: lineStart, lineEnd: position))
                table = path
                inArray = isArray
                continue
            }
            let key = try keyPath(until: "=")
            guard current == "=" else { throw fail("expected '=' after a key") }
            advance()
            skipBlanks()
            let valueStart = position
            try value()
            let valueEnd = position
            try endOfLine()
            entries.append(Entry(table: table, inArrayOfTables: inArray, key: key, lineStart: lineStart,
                                 valueStart: valueStart, valueEnd: valueEnd, lineEnd: position))
        }
    }

    /// Blanks, an optional comment, then a line break or the end of the text.
    private mutating func endOfLine() throws(TOMLEditError) {
        skipBlanks()
        if current == "#" {
            while let scalar = current, scalar != "\n" { advance() }
        }
        if current == "\r" && peek(1) == "\n" { advance() }
        guard let scalar = current else { return }
        guard scalar == "\n" else { throw fail("unexpected text after a value or header") }
        advance()
    }

    private mutating func skipBlanks() {
        while let scalar = current, scalar == " " || scalar == "\t" { advance() }
    }

    // MARK: Keys

    /// Dot-separated bare or quoted keys, up to `terminator` (not consumed).
    private mutating func keyPath(until terminator: Unicode.Scalar) throws(TOMLEditError) -> [String] {
        var parts: [String] = []
        while true {
            skipBlanks()
            parts.append(try keyPart())
            skipBlanks()
            if current == "." {
                advance()
                continue
            }
            guard current == terminator else { throw fail("expected '\(Character(terminator))' after a key") }
            return parts
        }
    }

    private mutating func keyPart() throws(TOMLEditError) -> String {
        guard let scalar = current else { throw fail("expected a key") }
        if scalar == "\"" { return try basicString() }
        if scalar == "'" { return try literalString() }
        var key = ""
        while let scalar = current, Self.isBareKeyScalar(scalar) {
            key.unicodeScalars.append(scalar)
            advance()
        }
        guard !key.isEmpty else { throw fail("expected a key") }
        return key
    }

    static func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "-"
    }

    // MARK: Values

    private mutating func value() throws(TOMLEditError) {
        guard let scalar = current, scalar != "\n", scalar != "#" else { throw fail("a key has no value") }
        switch scalar {
        case "\"", "'":
            _ = try anyString()
        case "[", "{":
            try bracketed()
        default:
            // Numbers, booleans, dates and times: one word, except that a date may be followed
            // by a space and a time (`1979-05-27 07:32:00Z`).
            let word = scalarWord()
            if word.count == 10, word.unicodeScalars.filter({ $0 == "-" }).count == 2, current == " ",
               let digit = peek(1), ("0"..."9").contains(digit) {
                advance()
                _ = scalarWord()
            }
        }
    }

    /// Scalars up to a blank, a comment or the line end.
    private mutating func scalarWord() -> String {
        var word = ""
        while let next = current, next != " ", next != "\t", next != "\n", next != "#", next != "\r" {
            word.unicodeScalars.append(next)
            advance()
        }
        return word
    }

    /// An array or inline table, which may span lines and hold strings and comments.
    private mutating func bracketed() throws(TOMLEditError) {
        let opened = line
        var depth = 0
        repeat {
            guard let scalar = current else {
                throw TOMLEditError(line: opened, message: "an array or inline table opened on this line is never closed")
            }
            switch scalar {
            case "[", "{":
                depth += 1
                advance()
            case "]", "}":
                depth -= 1
                advance()
            case "\"", "'":
                _ = try anyString()
            case "#":
                while let next = current, next != "\n" { advance() }
            default:
                advance()
            }
        } while depth > 0
    }

    /// Any of the four string forms; returns the text (escapes decoded) for keys and comparisons.
    private mutating func anyString() throws(TOMLEditError) -> String {
        if startsWith("\"\"\"") { return try multiLineString(quote: "\"") }
        if startsWith("'''") { return try multiLineString(quote: "'") }
        if current == "\"" { return try basicString() }
        return try literalString()
    }

    private mutating func basicString() throws(TOMLEditError) -> String {
        advance()
        var text = ""
        while let scalar = current, scalar != "\n" {
            advance()
            if scalar == "\"" { return text }
            if scalar == "\\" {
                text += try escape()
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        throw fail("a string is not closed on its line")
    }

    private mutating func literalString() throws(TOMLEditError) -> String {
        advance()
        var text = ""
        while let scalar = current, scalar != "\n" {
            advance()
            if scalar == "'" { return text }
            text.unicodeScalars.append(scalar)
        }
        throw fail("a literal string is not closed on its line")
    }

    /// `"""…"""` or `'''…'''`, where up to two more quotes may precede the closing three.
    private mutating func multiLineString(quote: Unicode.Scalar) throws(TOMLEditError) -> String {
        let opened = line
        advance(3)
        var text = ""
        while let scalar = current {
            if scalar == quote && peek(1) == quote && peek(2) == quote {
                var extra = 0
                while extra < 2 && peek(3 + extra) == quote { extra += 1 }
                for _ in 0..<extra { text.unicodeScalars.append(quote) }
                advance(3 + extra)
                return text
            }
            advance()
            if scalar == "\\" && quote == "\"" {
                if let next = current, next == " " || next == "\t" || next == "\n" || next == "\r" {
                    continue
                }
                text += try escape()
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        throw TOMLEditError(line: opened, message: "a multi-line string opened on this line is never closed")
    }

    /// The escape after a backslash in a basic string.
    private mutating func escape() throws(TOMLEditError) -> String {
        guard let scalar = current else { throw fail("a string ends with a backslash") }
        advance()
        switch scalar {
        case "\"": return "\""
        case "\\": return "\\"
        case "b": return "\u{8}"
        case "t": return "\t"
        case "n": return "\n"
        case "f": return "\u{C}"
        case "r": return "\r"
        case "e": return "\u{1B}"
        case "u", "U":
            let count = scalar == "u" ? 4 : 8
            var hex = ""
            for _ in 0..<count {
                guard let digit = current, digit.properties.isASCIIHexDigit else { throw fail("a \\\(scalar) escape needs \(count) hex digits") }
                hex.unicodeScalars.append(digit)
                advance()
            }
            guard let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) else { throw fail("a \\\(scalar) escape is not a character") }
            return String(decoded)
        default:
            throw fail("unknown escape \\\(Character(scalar)) in a string")
        }
    }

    // MARK: Reading one scalar value back

    /// The value of a single-line scalar's text, for deciding whether it already holds what
    /// an edit sets; nil for anything else (which is then replaced).
    static func scalarValue(_ text: String) -> TOMLValue? {
        if text == "true" { return .boolean(true) }
        if text == "false" { return .boolean(false) }
        if let number = Int(text), !text.hasPrefix("+"), text == String(number) { return .integer(number) }
        guard let first = text.unicodeScalars.first, first == "\"" || first == "'" else { return nil }
        guard let layout = try? TOMLLayout(Array("k = \(text)\n".unicodeScalars)), let entry = layout.entries.first,
              entry.valueEnd - entry.valueStart == text.unicodeScalars.count else { return nil }
        var reader = layout
        reader.position = entry.valueStart
        guard let decoded = try? reader.anyString() else { return nil }
        return .string(decoded)
    }
}
