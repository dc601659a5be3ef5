import Foundation

/// Durations as people type them on command lines: `120`, `120s`, `2m`, `1h30m`, `500ms`, `1d`.
public enum DurationText {
    /// The duration `text` names: numbers each followed by a unit (`ms`, `s`, `m`, `h`, `d`),
    /// or one bare number of seconds; `nil` for anything else.
    public static func parse(_ text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        var total: Duration = .zero
        var rest = Substring(trimmed)
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int(digits), value < 1_000_000_000 else { return nil }
            rest = rest.dropFirst(digits.count)
            let unit = rest.prefix { $0.isASCII && $0.isLetter }
            rest = rest.dropFirst(unit.count)
            switch unit {
            case "ms": total += .milliseconds(value)
            case "s": total += .seconds(value)
            case "m": total += .seconds(value * 60)
            case "h": total += .seconds(value * 3600)
            case "d": total += .seconds(value * 86_400)
            default: return nil
            }
        }
        return total
    }
}
