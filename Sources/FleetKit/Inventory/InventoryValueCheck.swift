import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks of the values that end up in SSH command lines, logs and messages.
public enum InventoryValueCheck {
    /// An IPv4 dotted quad, an IPv6 address or an RFC 1123 hostname.
    static func isValidAddress(_ text: String) -> Bool {
        guard !text.hasPrefix("-"), text.utf8.count <= 253 else { return false }
        if text.contains(":") { return isIPv6(text) }
        if text.allSatisfy({ $0 == "." || ($0.isASCII && $0.isNumber) }) { return isIPv4(text) }
        return isHostname(text)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            if part.count > 1 && part.hasPrefix("0") { return false }
            guard let value = Int(part) else { return false }
            return value <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return false }
        if case .v6? = IPAddressLiteral(text)?.family { return true }
        return false
    }

    static func isHostname(_ text: String) -> Bool {
        var name = Substring(text)
        if name.hasSuffix(".") { name = name.dropLast() }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !labels.isEmpty else { return false }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.count), label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                return false
            }
            return !label.hasPrefix("-") && !label.hasSuffix("-")
        }
    }

    /// `^[a-z_][a-z0-9_.-]*$`, any case.
    static func isValidUser(_ text: String) -> Bool {
        guard let first = text.first else { return false }
        guard first.isASCII && (first.isLetter || first == "_") else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
    }

    /// A host name people wrote in a spreadsheet: any printable text, spaces included, at
    /// most 200 characters; control characters (line breaks, escapes) and invisible format
    /// characters (direction overrides, zero-width spaces) are refused: they would forge
    /// log lines or hide what a name says.
    static func isValidName(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 200 else { return false }
        return !text.unicodeScalars.contains { scalar in
            let category = scalar.properties.generalCategory
            return category == .control || category == .format || category == .lineSeparator
                || category == .paragraphSeparator || category == .unassigned || category == .surrogate
        }
    }
}
