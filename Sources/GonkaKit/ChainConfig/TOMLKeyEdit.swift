/// A scalar value to set in a TOML file.
public enum TOMLValue: Sendable, Hashable, CustomStringConvertible {
    /// A string, written as a basic string ("…") with the escapes TOML requires.
    case string(String)
    /// A decimal integer.
    case integer(Int)
    /// `true` or `false`.
    case boolean(Bool)

    /// The value as TOML text.
    public var description: String {
        switch self {
        case .string(let text): Self.basicString(text)
        case .integer(let number): String(number)
        case .boolean(let flag): flag ? "true" : "false"
        }
    }

    /// `text` as a TOML basic string.
    static func basicString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

/// One key to set in a TOML file: its table (empty for the top level), its name and value.
public struct TOMLKeyEdit: Sendable, Hashable, CustomStringConvertible {
    /// The table path, e.g. ["p2p"] for `[p2p]`; empty for keys before the first table.
    public let table: [String]
    /// The key inside the table, e.g. "persistent_peers".
    public let key: String
    /// The value to set.
    public let value: TOMLValue

    /// Describes setting `key` in `table` to `value`.
    public init(table: [String], key: String, value: TOMLValue) {
        self.table = table
        self.key = key
        self.value = value
    }

    /// The dotted path, e.g. "p2p.persistent_peers" or "pruning" at the top level.
    public var path: String { (table + [key]).joined(separator: ".") }

    /// "p2p.persistent_peers = \"…\"".
    public var description: String { "\(path) = \(value)" }
}

/// What setting one key did to the file.
public struct TOMLKeyChange: Sendable, Hashable {
    /// How the file changed for the key.
    public enum Action: Sendable, Hashable {
        /// The key already had the value; its bytes were left alone.
        case kept
        /// The key's value was replaced in place (comments and spacing around it stay).
        case replaced
        /// The key was missing and was added to its table.
        case inserted
    }

    /// The edit applied.
    public let edit: TOMLKeyEdit
    /// What happened.
    public let action: Action
}

/// The edited text and what happened to each key.
public struct TOMLEditResult: Sendable {
    /// The whole file after the edits.
    public let text: String
    /// One change per edit, in the order given.
    public let changes: [TOMLKeyChange]

    /// Whether any byte changed.
    public var changedAnything: Bool { changes.contains { $0.action != .kept } }
}

/// A TOML file the editor does not understand well enough to change safely.
public struct TOMLEditError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line of the problem.
    public let line: Int
    /// What is wrong.
    public let message: String

    /// "line 12: …".
    public var description: String { "line \(line): \(message)" }
}
