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

    /// Every key given more than once in its object, in the order of their second appearance.
    public static func find(in bytes: some Collection<UInt8>) -> [Duplicate] {
        var scanner = Scanner(bytes: Array(bytes))
        return scanner.run()
    }

    private enum Frame {
        case object(path: String, keys: [String: Int], key: String?, expectingKey: Bool)
        case array(path: String, index: Int)
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0
        var stack: [Frame] = []
        var duplicates: [Duplicate] = []
        var reported: [String: Int] = [:]

        mutating func run() -> [Duplicate] {
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "{"):
                    stack.append(.object(path: childPath(), keys: [:], key: nil, expectingKey: true))
                    position += 1
                case UInt8(ascii: "["):
                    stack.append(.array(path: childPath(), index: 0))
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

        /// The path of a value about to start at the current position.
        func childPath() -> String {
            switch stack.last {
            case .none: return ""
            case .object(let path, _, let key, _): return Self.join(path, key ?? "")
            case .array(let path, let index): return "\(path)[\(index)]"
            }
        }

        static func join(_ path: String, _ key: String) -> String {
            path.isEmpty ? key : path + "." + key
        }

        mutating func advanceAfterComma() {
            guard let top = stack.last else { return }
            switch top {
            case .object(let path, let keys, _, _):
                stack[stack.count - 1] = .object(path: path, keys: keys, key: nil, expectingKey: true)
            case .array(let path, let index):
                stack[stack.count - 1] = .array(path: path, index: index + 1)
            }
        }

        mutating func noteString(_ text: String) {
            guard case .object(let path, var keys, _, true) = stack.last else { return }
            let count = (keys[text] ?? 0) + 1
            keys[text] = count
            stack[stack.count - 1] = .object(path: path, keys: keys, key: text, expectingKey: false)
            guard count > 1 else { return }
            let keyPath = Self.join(path, text)
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
