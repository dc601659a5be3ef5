import FleetKit

/// A bad spot found while reading one statement; reading resumes on the next line.
struct NodeConfReadFailure: Error {
    let line: Int
    let message: String
}

/// Reads a node file statement by statement over Unicode scalars (so CR LF is never one
/// character), collecting assignments and every problem.
struct NodeConfReader {
    /// The longest value, after `$NAME` references are expanded (64 KiB; real values are short).
    static let maximumValueBytes = 64 * 1024
    /// The most bytes all `$NAME` expansions of one file may add together (1 MiB), so a file of
    /// nested references ("billion laughs") cannot grow without bound.
    static let maximumExpandedBytes = 1024 * 1024

    let scalars: [Unicode.Scalar]
    let path: String
    let environment: [String: String]
    var position = 0
    var line = 1
    var assignments: [NodeConfAssignment] = []
    var problems: [NodeConfigProblem] = []
    var referenced: Set<String> = []
    /// Names whose assignment could not be read, so "missing" is not reported for them too.
    var unreadable: Set<String> = []
    /// The name of the assignment being read, if known yet.
    var statementName: String?
    /// Values assigned so far, for `$NAME` references.
    var assigned: [String: String] = [:]
    /// Bytes added by `$NAME` expansions so far in this file.
    var expandedBytes = 0

    init(text: String, path: String, environment: [String: String]) {
        var scalars = Array(text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        self.scalars = scalars
        self.path = path
        self.environment = environment
    }

    var atEnd: Bool { position >= scalars.count }
    var current: Unicode.Scalar? { atEnd ? nil : scalars[position] }
    var next: Unicode.Scalar? { position + 1 < scalars.count ? scalars[position + 1] : nil }

    mutating func advance() {
        if scalars[position] == "\n" { line += 1 }
        position += 1
    }

    mutating func run() {
        while !atEnd {
            statementName = nil
            do {
                try statement()
            } catch {
                if let statementName { unreadable.insert(statementName) }
                problems.append(NodeConfigProblem(file: path, location: .line(error.line), setting: nil, message: error.message))
                skipToNextLine()
            }
        }
    }

    // MARK: Statements

    mutating func statement() throws(NodeConfReadFailure) {
        skipBlanks()
        guard let scalar = current else { return }
        if scalar == "\n" {
            advance()
            return
        }
        if scalar == "#" {
            skipToNextLine()
            return
        }
        let start = line
        guard Self.isNameStart(scalar) else {
            throw fail(start, "expected NAME=value: node files are read, never run, so only assignments, comments and blank lines are allowed")
        }
        var name = readName()
        statementName = name
        if name == "export", current == " " || current == "\t" {
            skipBlanks()
            guard let first = current, Self.isNameStart(first) else {
                throw fail(start, "expected a variable name after 'export'")
            }
            name = readName()
            statementName = name
            if current != "=" {
                // `export NAME` only marks NAME for export: nothing to read.
                try endOfStatement(after: name, start: start)
                return
            }
        }
        if current == "+" && next == "=" {
            throw fail(start, "\(name)+=… appends in bash; write the whole value as \(name)=…")
        }
        if current == " " || current == "\t" {
            skipBlanks()
            if current == "=" {
                throw fail(start, "no spaces are allowed around '=' (bash would run \(name) as a command); write \(name)=value")
            }
        }
        guard current == "=" else {
            throw fail(start, "'\(name)' is a command, not an assignment: node files are read, never run")
        }
        advance()
        if current == "(" {
            throw fail(start, "\(name)=(…) is a bash array; node files hold one value per name")
        }
        let value = try readWord(name: name)
        if value.utf8.count > Self.maximumValueBytes {
            throw fail(start, "the value of \(name) is longer than \(BoundedFile.sizeText(Self.maximumValueBytes)) (after $NAME references are expanded); node files hold short values")
        }
        if value.unicodeScalars.contains("\0") {
            throw fail(start, "the value of \(name) holds a NUL character, which bash drops when it reads the file; remove it")
        }
        try endOfStatement(after: name, start: start)
        assignments.append(NodeConfAssignment(name: name, value: value, line: start))
        assigned[name] = value
    }

    /// After a value: blanks, then a comment, a line end or the end of the file.
    mutating func endOfStatement(after name: String, start: Int) throws(NodeConfReadFailure) {
        skipBlanks()
        guard let scalar = current else { return }
        switch scalar {
        case "\n":
            advance()
        case "#":
            skipToNextLine()
        case ";", "&", "|", "<", ">", "(", ")":
            throw fail(line, "shell operator '\(Character(scalar))' after \(name)=…: put one assignment on each line, and no shell code")
        default:
            throw fail(line, "unexpected text after the value of \(name): quote a value that contains spaces (\(name)=\"…\"), one assignment per line")
        }
    }

    // MARK: Values

    /// One shell word: unquoted, quoted and escaped parts joined, up to an unquoted blank or line end.
    mutating func readWord(name: String) throws(NodeConfReadFailure) -> String {
        var value = ""
        var tildePossible = true
        while let scalar = current {
            switch scalar {
            case " ", "\t", "\n":
                return value
            case ";", "&", "|", "<", ">", "(", ")":
                throw fail(line, "shell operator '\(Character(scalar))' in the value of \(name): quote the value (\(name)='…'), and put no shell code in a node file")
            case "\\":
                advance()
                if current == "\n" {
                    advance()
                } else if let escaped = current {
                    value.unicodeScalars.append(escaped)
                    advance()
                }
                tildePossible = false
            case "'":
                value += try readSingleQuoted()
                tildePossible = false
            case "\"":
                value += try readDoubleQuoted(name: name)
                tildePossible = false
            case "$":
                value += try readExpansion(name: name, quoted: false)
                tildePossible = false
            case "`":
                throw commandSubstitution(name: name)
            case "~" where tildePossible:
                value += try readTilde(name: name)
                tildePossible = false
            default:
                value.unicodeScalars.append(scalar)
                advance()
                tildePossible = scalar == ":"
            }
        }
        return value
    }

    mutating func readSingleQuoted() throws(NodeConfReadFailure) -> String {
        let opened = line
        advance()
        var text = ""
        while let scalar = current {
            advance()
            if scalar == "'" { return text }
            text.unicodeScalars.append(scalar)
        }
        throw fail(opened, "a single quote opened on this line is never closed")
    }

    mutating func readDoubleQuoted(name: String) throws(NodeConfReadFailure) -> String {
        let opened = line
        advance()
        var text = ""
        while let scalar = current {
            switch scalar {
            case "\"":
                advance()
                return text
            case "\\":
                advance()
                guard let escaped = current else { continue }
                if escaped == "\n" {
                    advance()
                } else if escaped == "$" || escaped == "`" || escaped == "\"" || escaped == "\\" {
                    text.unicodeScalars.append(escaped)
                    advance()
                } else {
                    text += "\\"
                }
            case "$":
                text += try readExpansion(name: name, quoted: true)
            case "`":
                throw commandSubstitution(name: name)
            default:
                text.unicodeScalars.append(scalar)
                advance()
            }
        }
        throw fail(opened, "a double quote opened on this line is never closed")
    }

    /// `$NAME`, `${NAME}`, or a `$` that stays literal; everything else is refused.
    mutating func readExpansion(name: String, quoted: Bool) throws(NodeConfReadFailure) -> String {
        let start = line
        advance()
        guard let scalar = current else { return "$" }
        switch scalar {
        case "(":
            if next == "(" {
                throw fail(start, "arithmetic $((…)) in the value of \(name) is not evaluated: node files are read, never run; write the result")
            }
            throw commandSubstitution(name: name)
        case "{":
            advance()
            guard let first = current, Self.isNameStart(first) else {
                throw fail(start, "${…} in the value of \(name) must hold a variable name; only $NAME and ${NAME} are read")
            }
            let reference = readName()
            guard current == "}" else {
                throw fail(start, "\(shown("${\(reference)…}", in: name)) with an operator in the value of \(name) is not supported; only $NAME and ${NAME} are read")
            }
            advance()
            return try resolve(reference, at: start, in: name)
        case "'" where !quoted, "\"" where !quoted:
            throw fail(start, "$\(Character(scalar))…\(Character(scalar)) quoting in the value of \(name) is not supported; use plain single or double quotes")
        default:
            if Self.isNameStart(scalar) {
                return try resolve(readName(), at: start, in: name)
            }
            if Self.isDigit(scalar) || "@*#?$!-".unicodeScalars.contains(scalar) {
                throw fail(start, "the special parameter \(shown("$\(Character(scalar))", in: name)) in the value of \(name) has no meaning in a node file, which is read, never run")
            }
            return "$"
        }
    }

    /// `~` or `~/…` as HOME; `~user` and the like are refused.
    mutating func readTilde(name: String) throws(NodeConfReadFailure) -> String {
        let start = line
        let after = next
        guard after == nil || after == "/" || after == ":" || after == " " || after == "\t" || after == "\n" else {
            throw fail(start, "only ~ and ~/… are expanded in the value of \(name) (to HOME); write the full path")
        }
        advance()
        guard let home = environment["HOME"], !home.isEmpty else {
            throw fail(start, "~ in the value of \(name) needs HOME, which is not set; write the full path")
        }
        return home
    }

    mutating func resolve(_ reference: String, at start: Int, in name: String) throws(NodeConfReadFailure) -> String {
        referenced.insert(reference)
        if let value = assigned[reference] ?? environment[reference] {
            expandedBytes += value.utf8.count
            if expandedBytes > Self.maximumExpandedBytes {
                throw fail(start, "$NAME references in this file expand to more than \(BoundedFile.sizeText(Self.maximumExpandedBytes)) in all (here in the value of \(name)); write the values themselves")
            }
            return value
        }
        if unreadable.contains(reference) && !Self.isSecret(name) {
            throw fail(start, "\(name) refers to $\(reference), whose value could not be read (see its line)")
        }
        if Self.isSecret(name) {
            throw fail(start, "\(name) holds a $ followed by a name that is set neither above in this file nor in the environment; put a password with $ in single quotes ('…')")
        }
        throw fail(start, "\(name) refers to $\(reference), which is set neither above in this file nor in the environment (the original stops with 'unbound variable')")
    }

    /// `text` when it may be quoted in a message about `name`, else a neutral phrase: text read
    /// from a secret's value never reaches a message.
    func shown(_ text: String, in name: String) -> String {
        Self.isSecret(name) ? "a $ form" : text
    }

    /// Whether `name` is a setting whose value is secret, such as KEYRING_PASSWORD.
    static func isSecret(_ name: String) -> Bool {
        NodeConfSetting(rawValue: name)?.isSecret ?? false
    }

    func commandSubstitution(name: String) -> NodeConfReadFailure {
        fail(line, "command substitution in the value of \(name) is not run: node files are read, never run; write the value itself")
    }

    // MARK: Scanning helpers

    func fail(_ line: Int, _ message: String) -> NodeConfReadFailure {
        NodeConfReadFailure(line: line, message: message)
    }

    mutating func readName() -> String {
        var name = ""
        while let scalar = current, Self.isNameStart(scalar) || Self.isDigit(scalar) {
            name.unicodeScalars.append(scalar)
            advance()
        }
        return name
    }

    mutating func skipBlanks() {
        while let scalar = current, scalar == " " || scalar == "\t" { advance() }
    }

    mutating func skipToNextLine() {
        while let scalar = current {
            advance()
            if scalar == "\n" { return }
        }
    }

    static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("0"..."9").contains(scalar)
    }
}
