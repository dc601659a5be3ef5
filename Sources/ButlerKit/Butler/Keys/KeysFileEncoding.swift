import FleetKit
import Foundation

extension KeysFile {
    /// The file's JSON as the original writes it (two-space indent, a newline at the end), in a
    /// stable key order: `schemaVersion`, `remoteSigner`, `validators`; in each validator
    /// `attester` (`eth`, `bls`), `coinbase`, `feeRecipient`, `publisher`; fields this version does
    /// not know follow the known ones, sorted by name. Hex values are written as they were read,
    /// and `publisher` in the form it was read (a string or an array).
    public func encoded() -> Data {
        var text = ""
        OrderedJSON.object(rootMembers).render(into: &text, indent: 0)
        text += "\n"
        return Data(text.utf8)
    }

    /// Writes the file atomically (temp file, fsync, rename) with mode 0600, since a keys file
    /// may hold private keys.
    public func write(to url: URL) throws(AtomicFileError) {
        try AtomicFile.write(encoded(), to: url, mode: 0o600)
    }

    private var rootMembers: [(String, OrderedJSON)] {
        var members: [(String, OrderedJSON)] = [("schemaVersion", .value(.integer(Int64(schemaVersion))))]
        if let remoteSigner { members.append(("remoteSigner", .value(.string(remoteSigner)))) }
        members.append(("validators", .array(validators.map(\.orderedJSON))))
        return members + OrderedJSON.sorted(otherFields)
    }
}

extension KeysFileValidator {
    fileprivate var orderedJSON: OrderedJSON {
        var members: [(String, OrderedJSON)] = [("attester", attester.orderedJSON)]
        if let coinbase { members.append(("coinbase", .value(.string(coinbase.text)))) }
        members.append(("feeRecipient", .value(.string(feeRecipient.text))))
        switch publisher {
        case .single(let address):
            members.append(("publisher", .value(.string(address.text))))
        case .list(let addresses):
            members.append(("publisher", .array(addresses.map { .value(.string($0.text)) })))
        }
        return .object(members + OrderedJSON.sorted(otherFields))
    }
}

extension KeysFileAttester {
    fileprivate var orderedJSON: OrderedJSON {
        .object([("eth", .value(.string(eth.text))), ("bls", .value(.string(bls.text)))] + OrderedJSON.sorted(otherFields))
    }
}

/// JSON whose object members keep the order they are given in, rendered like
/// `JSON.stringify(value, null, 2)`.
enum OrderedJSON {
    case value(JSONValue)
    case array([OrderedJSON])
    case object([(String, OrderedJSON)])

    /// The members of a dictionary sorted by key.
    static func sorted(_ members: [String: JSONValue]) -> [(String, OrderedJSON)] {
        members.sorted { $0.key < $1.key }.map { ($0.key, OrderedJSON.value($0.value)) }
    }

    func render(into text: inout String, indent: Int) {
        let inner = String(repeating: " ", count: indent + 2)
        let closing = String(repeating: " ", count: indent)
        switch self {
        case .value(let value):
            switch value {
            case .array(let elements): OrderedJSON.array(elements.map(OrderedJSON.value)).render(into: &text, indent: indent)
            case .object(let members): OrderedJSON.object(Self.sorted(members)).render(into: &text, indent: indent)
            case .null: text += "null"
            case .bool(let flag): text += flag ? "true" : "false"
            case .integer(let number): text += String(number)
            case .double(let number): text += number.description
            case .string(let string): text += Self.quoted(string)
            }
        case .array(let elements):
            guard !elements.isEmpty else { text += "[]"; return }
            text += "[\n"
            for (index, element) in elements.enumerated() {
                text += inner
                element.render(into: &text, indent: indent + 2)
                text += index == elements.count - 1 ? "\n" : ",\n"
            }
            text += closing + "]"
        case .object(let members):
            guard !members.isEmpty else { text += "{}"; return }
            text += "{\n"
            for (index, member) in members.enumerated() {
                text += inner + Self.quoted(member.0) + ": "
                member.1.render(into: &text, indent: indent + 2)
                text += index == members.count - 1 ? "\n" : ",\n"
            }
            text += closing + "}"
        }
    }

    /// A JSON string literal: quotes, backslashes and control characters escaped, the rest as is.
    static func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
