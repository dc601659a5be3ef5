/// A node file (`nodes/<name>.conf`) read as the original's `source` would read it, without
/// running anything.
///
/// Accepted, as bash reads them: blank lines; `#` comments (also after a value);
/// `NAME=value` and `export NAME=value`; `export NAME` alone (no effect); values unquoted,
/// in single quotes (literal, may span lines) or double quotes (`\$ \` \" \\` escapes, may
/// span lines), or several of these joined; a backslash escaping one character; a backslash
/// at the end of a line continuing it; `$NAME` and `${NAME}` taken from an earlier assignment
/// of the file, else from the environment given; `~` and `~/…` at the start of a value or
/// after an unquoted `:` as the environment's `HOME`. CRLF line ends are read as LF.
///
/// Refused, each with its line, because reading them would mean running shell code:
/// command substitution (`$(…)`, backticks), arithmetic (`$((…))`), parameter operators
/// (`${NAME:-x}`, `${#NAME}`), special parameters (`$1`, `$$`), `$'…'` and `$"…"` quoting,
/// arrays, `+=`, shell operators (`;`, `&`, `|`, `<`, `>`), commands, and a reference to a
/// name set nowhere (the original runs under `set -u`). Messages never quote values.
public struct NodeConfFile: Sendable {
    /// The file's path as the user gave it.
    public let path: String
    /// Every assignment in file order, repeats included.
    public let assignments: [NodeConfAssignment]
    /// Every name a `$NAME` or `${NAME}` of the file referred to.
    public let referencedNames: Set<String>

    /// The last assignment of `name` in the file, if any.
    public func lastAssignment(of name: String) -> NodeConfAssignment? {
        assignments.last { $0.name == name }
    }

    /// Reads `text`; `environment` supplies `$NAME` references the file does not assign and `HOME` for `~`.
    /// Throws every bad line at once.
    public static func parse(_ text: String, path: String, environment: [String: String]) throws(NodeConfigError) -> NodeConfFile {
        let read = read(text, path: path, environment: environment)
        if !read.problems.isEmpty {
            throw NodeConfigError(file: path, problems: read.problems)
        }
        return read.file
    }

    /// Reads what can be read, and reports the bad lines beside it, so the settings check
    /// can add its own problems to the same report. `unreadable` names assignments that failed.
    static func read(_ text: String, path: String, environment: [String: String])
        -> (file: NodeConfFile, problems: [NodeConfigProblem], unreadable: Set<String>)
    {
        var reader = NodeConfReader(text: text, path: path, environment: environment)
        reader.run()
        let file = NodeConfFile(path: path, assignments: reader.assignments, referencedNames: reader.referenced)
        return (file, reader.problems, reader.unreadable)
    }
}

/// One `NAME=value` of a node file. Its description shows the name and line, never the value.
public struct NodeConfAssignment: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The variable name.
    public let name: String
    /// The value after quotes, escapes and references are resolved.
    public let value: String
    /// The 1-based line the assignment starts on.
    public let line: Int

    /// Creates an assignment.
    public init(name: String, value: String, line: Int) {
        self.name = name
        self.value = value
        self.line = line
    }

    /// "NAME (line N)": values may be secrets.
    public var description: String { "\(name) (line \(line))" }

    /// Same as `description`.
    public var debugDescription: String { description }
}
