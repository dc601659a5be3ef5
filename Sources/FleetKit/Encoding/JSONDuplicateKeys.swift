/// Finds object keys given twice in JSON text, which `JSONDecoder` (and the original tools'
/// `JSON.parse`) accept silently, each keeping one of the values: for files where a silent
/// choice would hide a mistake, such as keys files.
///
/// Works without recursion, so any nesting depth is fine; meant for text already known to be
/// valid JSON (anything else gives no useful answer, but never traps).
public enum JSONDuplicateKeys {
    /// One key given twice in an object.
    public struct Duplicate: Sendable, Equatable {
        /// The path of the key, e.g. `validators[0].coinbase`; a key of the root object alone.
        public let path: String
        /// How many times the key appears in its object.
        public let count: Int
    }

    /// Every key given more than once in its object, in the order of their second appearance
    /// (at most ``maximumReported``).
    public static func find(in bytes: some Collection<UInt8>) -> [Duplicate] {
        var scanner = Scanner(bytes: Array(bytes))
        return scanner.run()
    }

    /// The most duplicates reported; a file with more is plainly broken.
    public static let maximumReported = 100

    /// How a container was reached from its parent.
    private enum Component {
        case key(String)
        case index(Int)
    }

    /// An open object or array. Frames keep only their own step from the parent, so deep
    /// nesting costs memory in proportion to the depth, and a path is built only when reported.
    private enum Frame {
        case object(reachedBy: Component?, keys: [String: Int], key: String?, expectingKey: Bool)
        case array(reachedBy: Component?, index: Int)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        var stack: [Frame] = []
        var duplicates: [Duplicate] = []
        var reported: [String: Int] = [:]

        mutating func run() -> [Duplicate] {
            while position < bytes.count, duplicates.count < JSONDuplicateKeys.maximumReported {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "{"):
                    stack.append(.object(reachedBy: childComponent(), keys: [:], key: nil, expectingKey: true))
                    position += 1
                case UInt8(ascii: "["):
                    stack.append(.array(reachedBy: childComponent(), index: 0))
                    position += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if !stack.isEmpty { stack.removeLast() }
                    position += 1
                case UInt8(ascii: ","):
                    advanceAfterComma()
                    position += 1
                case UInt8(ascii: "\""):
                    let text = readString()
                    noteString(text)
                default:
                    position += 1
                }
            }
            return duplicates
        }

        /// How a value about to start at the current position is reached from its container.
        func childComponent() -> Component? {
            switch stack.last {
            case .none: nil
            case .object(_, _, let key, _): .key(key ?? "")
            case .array(_, let index): .index(index)
            }
        }

        /// The path of `key` in the innermost open object, e.g. `validators[0].coinbase`.
        func path(of key: String) -> String {
            var path = ""
            for frame in stack {
                let step: Component? = switch frame {
                case .object(let reachedBy, _, _, _): reachedBy
                case .array(let reachedBy, _): reachedBy
                }
                switch step {
                case .none: break
                case .key(let name): path = path.isEmpty ? name : path + "." + name
                case .index(let index): path += "[\(index)]"
                }
            }
            return path.isEmpty ? key : path + "." + key
        }

        mutating func advanceAfterComma() {
            guard let top = stack.last else { return }
            switch top {
            case .object(let reachedBy, let keys, _, _):
                stack[stack.count - 1] = .object(reachedBy: reachedBy, keys: keys, key: nil, expectingKey: true)
            case .array(let reachedBy, let index):
                stack[stack.count - 1] = .array(reachedBy: reachedBy, index: index + 1)
            }
        }

        mutating func noteString(_ text: String) {
            guard case .object(let reachedBy, var keys, _, true) = stack.last else { return }
            let count = (keys[text] ?? 0) + 1
            keys[text] = count
            stack[stack.count - 1] = .object(reachedBy: reachedBy, keys: keys, key: text, expectingKey: false)
            guard count > 1 else { return }
            let keyPath = path(of: text)
            if let index = reported[keyPath] {
                duplicates[index] = Duplicate(path: keyPath, count: count)
            } else {
                reported[keyPath] = duplicates.count
                duplicates.append(Duplicate(path: keyPath, count: count))
            }
        }

        /// Reads a string from its opening quote, resolving escapes.
        mutating func readString() -> String {
            position += 1
            var units: [UInt16] = []
            var raw: [UInt8] = []
            func flushRaw() {
                if !raw.isEmpty { units += String(decoding: raw, as: UTF8.self).utf16; raw.removeAll() }
            }
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") { break }
                guard byte == UInt8(ascii: "\\"), position < bytes.count else {
                    raw.append(byte)
                    continue
                }
                flushRaw()
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): units.append(10)
                case UInt8(ascii: "t"): units.append(9)
                case UInt8(ascii: "r"): units.append(13)
                case UInt8(ascii: "b"): units.append(8)
                case UInt8(ascii: "f"): units.append(12)
                case UInt8(ascii: "u"):
                    let end = min(position + 4, bytes.count)
                    let hex = String(decoding: bytes[position..<end], as: UTF8.self)
                    units.append(UInt16(hex, radix: 16) ?? 0xFFFD)
                    position = end
                default: units.append(UInt16(escaped))
                }
            }
            flushRaw()
            return String(decoding: units, as: UTF16.self)
        }
    }
}
