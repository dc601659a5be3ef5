import Foundation

/// What `inferenced keys show` and `keys add` print, read without ever echoing it: the
/// output of `keys add` holds the mnemonic.
public enum WarmKeyOutput {
    /// The address `keys show <name> -a` printed: its last `gonka1…` line.
    public static func address(inShowOutput output: String) -> String? {
        output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .last { isAddress($0) }
    }

    /// The address in the key listing `keys add` prints (`- address: gonka1…`).
    public static func address(inAddOutput output: String) -> String? {
        for line in output.split(whereSeparator: \.isNewline) {
            guard let range = line.range(of: "address:") else { continue }
            let value = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
            if isAddress(value) { return value }
        }
        return nil
    }

    /// Whether `keys show` failed because the key does not exist (and not for another
    /// reason, such as a wrong keyring password, which must never lead to a new key).
    public static func saysKeyIsMissing(_ output: String) -> Bool {
        ["not a valid name or address", "key not found", "no such key"].contains { output.lowercased().contains($0) }
    }

    /// The mnemonic `keys add` prints after its `**Important**` notice: the last line of
    /// 12 or more lowercase words.
    public static func mnemonic(in output: String) -> String? {
        guard let notice = output.range(of: "**Important**") else { return nil }
        return output[notice.upperBound...].split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .last { line in
                let words = line.split(separator: " ")
                return words.count >= 12 && words.allSatisfy { $0.allSatisfy { $0.isLetter && $0.isLowercase } }
            }
    }

    private static func isAddress(_ text: String) -> Bool {
        text.hasPrefix("gonka1") && text.count > 10 && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) }
    }
}
