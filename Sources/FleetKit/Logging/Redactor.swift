import Foundation

/// Masks every secret a run knows in every line before any sink sees it.
///
/// Secrets shorter than ``minimumLength`` characters are refused: masking them would
/// garble ordinary text and hide nothing worth hiding. A hex secret with a `0x` prefix is
/// also masked without it.
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
            forms.append(value)
            if value.hasPrefix("0x") || value.hasPrefix("0X") {
                let bare = String(value.dropFirst(2))
                if bare.count >= Self.minimumLength { forms.append(bare) }
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
