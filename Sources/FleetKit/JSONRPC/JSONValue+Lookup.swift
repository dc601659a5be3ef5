import Foundation

/// Reading values out of JSON answers whose exact shape varies between versions of a
/// service: by path, by the first occurrence of a key anywhere, or by visiting every object.
extension JSONValue {
    /// Parses `data` as one JSON value; `nil` when it is not JSON.
    public init?(parsing data: Data) {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        self = value
    }

    /// The value reached by following object members named `path`, in order; the value
    /// itself for an empty path, `nil` when a member is missing or a step is not an object.
    public func value(at path: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in path { current = current?[key] }
        return current
    }

    /// The first value stored under `key` anywhere inside, depth first: an object's own
    /// member before anything nested in it, nested members in the order of their sorted
    /// names, array elements in order. Matches the first line a `grep` of the pretty-printed
    /// answer would find when the services sort their keys.
    public func firstValue(forKey key: String) -> JSONValue? {
        switch self {
        case .object(let members):
            if let found = members[key] { return found }
            for name in members.keys.sorted() {
                if let found = members[name]?.firstValue(forKey: key) { return found }
            }
            return nil
        case .array(let elements):
            for element in elements {
                if let found = element.firstValue(forKey: key) { return found }
            }
            return nil
        default:
            return nil
        }
    }

    /// Calls `body` with every object inside, this value included, depth first in the
    /// order of ``firstValue(forKey:)``.
    public func forEachObject(_ body: ([String: JSONValue]) -> Void) {
        switch self {
        case .object(let members):
            body(members)
            for name in members.keys.sorted() { members[name]?.forEachObject(body) }
        case .array(let elements):
            for element in elements { element.forEachObject(body) }
        default:
            break
        }
    }

    /// A string as is, a number as decimal text (`12`, `0.5`); `nil` for anything else.
    /// Services send heights and counts either way (`"latest_block_height": "123"` or `123`).
    public var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .integer(let number): return String(number)
        case .double(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        default: return nil
        }
    }

    /// A whole number given as a number or as decimal text; `nil` for anything else.
    public var integerFromNumberOrText: Int? {
        switch self {
        case .integer(let number): return Int(exactly: number)
        case .string(let text): return Int(text)
        case .double(let number): return number.rounded() == number && abs(number) < 1e15 ? Int(number) : nil
        default: return nil
        }
    }
}
