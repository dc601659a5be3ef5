/// Chooses hosts by name or address, like Ansible's `--limit`.
///
/// The text is a comma-separated list of globs (`*`, `?`, `[abc]`, `[a-z]`, `[!abc]`)
/// matched case-insensitively against a host's name or address. A glob starting with `!`
/// excludes the hosts it matches; `all` matches every host. A host is chosen when it matches
/// any including glob (or there are none) and no excluding glob.
///
/// Names come from spreadsheets and may hold spaces, brackets or commas: a term equal to a
/// host's whole name matches it even when it contains glob characters, and `\` makes the
/// next character literal (`Validator\, EU` is one term; `node\*` matches only `node*`).
public struct HostPattern: Sendable {
    /// One glob and whether it excludes.
    struct Term: Sendable {
        let excludes: Bool
        let glob: [GlobToken]
        /// The term as written (escapes removed, lowercased), compared whole with names.
        let literal: String
    }

    /// A compiled glob element.
    enum GlobToken: Sendable, Equatable {
        case literal(Character)
        case anyOne
        case anyRun
        case set(ranges: [ClosedRange<Character>], negated: Bool)
    }

    let terms: [Term]
    /// The pattern as written.
    public let text: String

    /// Parses `text`; an empty pattern, an unclosed `[` or a trailing `\` is an error.
    public init(_ text: String) throws(InventoryError) {
        var terms: [Term] = []
        let source = "host pattern '\(text)'"
        for (part, start) in try Self.splitTerms(text, source: source) {
            var word = Substring(part)
            var offset = start
            while let first = word.first, first.isWhitespace {
                word.removeFirst()
                offset += 1
            }
            while let last = word.last, last.isWhitespace, !word.hasSuffix("\\ ") { word.removeLast() }
            var excludes = false
            if word.first == "!" {
                excludes = true
                word.removeFirst()
                offset += 1
            }
            if word.isEmpty {
                throw InventoryError(
                    file: source, column: offset,
                    message: "empty pattern at character \(offset); expected a name, address or glob such as 'web*'")
            }
            let lowered = word.lowercased()
            let glob = try Self.compile(lowered, source: source, offset: offset)
            terms.append(Term(excludes: excludes, glob: lowered == "all" ? [.anyRun] : glob,
                              literal: Self.unescaped(lowered)))
        }
        self.terms = terms
        self.text = text
    }

    /// Splits on commas not preceded by `\`, keeping escapes for ``compile``; each part
    /// comes with its 1-based starting character.
    static func splitTerms(_ text: String, source: String) throws(InventoryError) -> [(String, Int)] {
        var parts: [(String, Int)] = []
        var current = ""
        var start = 1
        var position = 1
        var escaped = false
        for character in text {
            defer { position += 1 }
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "," {
                parts.append((current, start))
                current = ""
                start = position + 1
            } else {
                current.append(character)
            }
        }
        if escaped {
            throw InventoryError(file: source, column: position - 1,
                                 message: "the pattern ends with '\\'; expected a character after it")
        }
        parts.append((current, start))
        return parts
    }

    /// `text` with each `\x` turned into `x`.
    static func unescaped(_ text: String) -> String {
        var result = ""
        var escaped = false
        for character in text {
            if !escaped && character == "\\" {
                escaped = true
            } else {
                result.append(character)
                escaped = false
            }
        }
        return result
    }

    /// Whether `host` is chosen by this pattern.
    public func matches(_ host: RemoteHost) -> Bool {
        let name = Array(host.name.lowercased())
        let address = Array(host.address.lowercased())
        var included = !terms.contains { !$0.excludes }
        for term in terms {
            let hit = term.literal == host.name.lowercased() || Self.match(term.glob, name) || Self.match(term.glob, address)
            guard hit else { continue }
            if term.excludes { return false }
            included = true
        }
        return included
    }

    static func compile(_ text: String, source: String, offset: Int) throws(InventoryError) -> [GlobToken] {
        let characters = Array(text)
        var tokens: [GlobToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            switch character {
            case "\\" where index + 1 < characters.count:
                tokens.append(.literal(characters[index + 1]))
                index += 2
            case "*":
                if tokens.last != .anyRun { tokens.append(.anyRun) }
                index += 1
            case "?":
                tokens.append(.anyOne)
                index += 1
            case "[":
                let open = index
                index += 1
                var negated = false
                if index < characters.count, characters[index] == "!" || characters[index] == "^" {
                    negated = true
                    index += 1
                }
                var ranges: [ClosedRange<Character>] = []
                var closed = false
                var first = true
                while index < characters.count {
                    let member = characters[index]
                    if member == "]" && !first {
                        closed = true
                        index += 1
                        break
                    }
                    first = false
                    if index + 2 < characters.count, characters[index + 1] == "-", characters[index + 2] != "]" {
                        let upper = characters[index + 2]
                        ranges.append(member <= upper ? member...upper : upper...member)
                        index += 3
                    } else {
                        ranges.append(member...member)
                        index += 1
                    }
                }
                if !closed {
                    throw InventoryError(
                        file: source, column: offset + open,
                        message: "unclosed '[' at character \(offset + open); expected a closing ']'")
                }
                tokens.append(.set(ranges: ranges, negated: negated))
            default:
                tokens.append(.literal(character))
                index += 1
            }
        }
        return tokens
    }

    /// Glob matching with single-star backtracking; linear in practice, never exponential.
    static func match(_ glob: [GlobToken], _ text: [Character]) -> Bool {
        var g = 0
        var t = 0
        var starGlob: Int?
        var starText = 0
        while t < text.count {
            if g < glob.count {
                switch glob[g] {
                case .anyRun:
                    starGlob = g
                    starText = t
                    g += 1
                    continue
                case .anyOne:
                    g += 1
                    t += 1
                    continue
                case .literal(let character) where character == text[t]:
                    g += 1
                    t += 1
                    continue
                case .set(let ranges, let negated) where ranges.contains { $0.contains(text[t]) } != negated:
                    g += 1
                    t += 1
                    continue
                default:
                    break
                }
            }
            guard let star = starGlob else { return false }
            g = star + 1
            starText += 1
            t = starText
        }
        while g < glob.count, glob[g] == .anyRun { g += 1 }
        return g == glob.count
    }
}
