import Foundation

/// A JSON value, as carried in JSON-RPC params and results.
public indirect enum JSONValue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number that is a whole 64-bit integer.
    case integer(Int64)
    /// Any other number.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Int64.self) {
            self = .integer(number)
        } else if let number = try? container.decode(Double.self) {
            self = .double(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let elements = try? container.decode([JSONValue].self) {
            self = .array(elements)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .integer(let number): try container.encode(number)
        case .double(let number): try container.encode(number)
        case .string(let text): try container.encode(text)
        case .array(let elements): try container.encode(elements)
        case .object(let members): try container.encode(members)
        }
    }

    /// The string inside `.string`, else `nil`.
    public var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    /// The flag inside `.bool`, else `nil`.
    public var boolValue: Bool? { if case .bool(let flag) = self { flag } else { nil } }
    /// The number inside `.integer`, else `nil`.
    public var integerValue: Int64? { if case .integer(let number) = self { number } else { nil } }
    /// The elements inside `.array`, else `nil`.
    public var arrayValue: [JSONValue]? { if case .array(let elements) = self { elements } else { nil } }
    /// The members inside `.object`, else `nil`.
    public var objectValue: [String: JSONValue]? { if case .object(let members) = self { members } else { nil } }

    /// The member named `key` of an object, else `nil`.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// Compact JSON text of the value, for messages.
    public var description: String {
        guard let data = try? JSONEncoder().encode(self) else { return "<unencodable JSON>" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Literals for building params: `[1, true, "latest", ["0xab…"]]` is a `JSONValue` array.
extension JSONValue: ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    /// An integer literal as ``integer(_:)``.
    public init(integerLiteral value: Int64) { self = .integer(value) }
    /// A Boolean literal as ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A string literal as ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An array literal as ``array(_:)``.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}
