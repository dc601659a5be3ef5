import Foundation

/// Masks every secret a run knows in every line before any sink sees it.
///
/// Secrets shorter than ``minimumLength`` characters are refused: masking them would
/// garble ordinary text and hide nothing worth hiding. A hex secret with a `0x` prefix is
/// also masked without it. The secret-looking parts of a value (``SecretShape/secretParts(_:)``:
/// a private key inside a sentence or a JSON blob, a mnemonic) and the value without its
/// hidden characters (a BOM, zero-width spaces, NUL, tabs, no-break spaces) are masked too,
/// wherever they show up alone.
public final class Redactor: Sendable {
    /// Secrets shorter than this are not registered.
    public static let minimumLength = 4
    /// What a secret is replaced with.
    public static let mask = "***"

    private let secrets = Locked<[String]>([])

    /// Creates a redactor that knows `secrets`.
    public init(secrets: [String] = []) { add(secrets) }

    /// Registers more secrets; later lines are masked for them too.
    public func add(_ values: [String]) {
        var forms: [String] = []
        for value in values where value.count >= Self.minimumLength {
            let visible = SecretShape.withoutHiddenCharacters(value).trimmingCharacters(in: .whitespaces)
            for form in [value, visible] + SecretShape.secretParts(value) where form.count >= Self.minimumLength {
                forms.append(form)
                if form.hasPrefix("0x") || form.hasPrefix("0X") {
                    let bare = String(form.dropFirst(2))
                    if bare.count >= Self.minimumLength { forms.append(bare) }
                }
            }
        }
        guard !forms.isEmpty else { return }
        secrets.withLock { list in
            for form in forms where !list.contains(form) { list.append(form) }
            // Longest first, so a secret containing another is masked whole.
            list.sort { $0.count > $1.count }
        }
    }

    /// Whether no secret is registered.
    public var isEmpty: Bool { secrets.withLock { $0.isEmpty } }

    /// Returns `text` with every known secret replaced by ``mask``.
    public func redact(_ text: String) -> String {
        let list = secrets.withLock { $0 }
        var result = text
        for secret in list where result.contains(secret) {
            result = result.replacingOccurrences(of: secret, with: Self.mask)
        }
        return result
    }
}
