import Foundation

/// One public key line for `~/.ssh/authorized_keys` from `ADMIN_SSH_KEYS`: `<type> <base64> [comment]`,
/// the base64 blob starting with the same key type, as OpenSSH writes it.
public struct AdminSSHKey: Sendable, Hashable, CustomStringConvertible {
    /// Key types OpenSSH accepts in authorized_keys.
    public static let knownTypes: Set<String> = [
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    ]

    /// The key type, e.g. "ssh-ed25519".
    public let type: String
    /// The base64 key blob.
    public let blob: String
    /// The comment after the blob, possibly empty.
    public let comment: String

    /// The line as it goes into authorized_keys.
    public var description: String { comment.isEmpty ? "\(type) \(blob)" : "\(type) \(blob) \(comment)" }

    /// Reads one key line; throws a phrase saying what is wrong.
    public init(parsing line: String) throws(AdminSSHKeyError) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 2 else {
            throw AdminSSHKeyError("is not '<type> <base64 key> [comment]'")
        }
        let type = String(fields[0])
        guard Self.knownTypes.contains(type) else {
            throw AdminSSHKeyError("has the key type '\(type.prefix(40))'; expected one of \(Self.knownTypes.sorted().joined(separator: ", "))")
        }
        let blob = String(fields[1])
        guard let data = Data(base64Encoded: blob), let embedded = Self.embeddedType(data), embedded == type else {
            throw AdminSSHKeyError("has a key blob that is not a base64 \(type) key")
        }
        self.type = type
        self.blob = blob
        comment = fields.dropFirst(2).joined(separator: " ")
    }

    /// Reads `ADMIN_SSH_KEYS`: keys separated by line breaks or ';', blank entries skipped.
    /// Returns the keys and, for each bad entry, its 1-based position with the reason.
    public static func parseList(_ text: String) -> (keys: [AdminSSHKey], problems: [String]) {
        var keys: [AdminSSHKey] = []
        var problems: [String] = []
        let entries = text.split(whereSeparator: { $0 == "\n" || $0 == ";" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        for (index, entry) in entries.enumerated() {
            do {
                keys.append(try AdminSSHKey(parsing: entry))
            } catch {
                problems.append("key \(index + 1) \(error.reason)")
            }
        }
        return (keys, problems)
    }

    /// The type string at the start of an OpenSSH key blob (a 4-byte big-endian length, then the name).
    static func embeddedType(_ data: Data) -> String? {
        let bytes = Array(data)
        guard bytes.count > 4 else { return nil }
        let length = bytes[0..<4].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= 64, bytes.count >= 4 + length else { return nil }
        return String(bytes: bytes[4..<(4 + length)], encoding: .utf8)
    }
}

/// Why a line is not a usable public key.
public struct AdminSSHKeyError: Error, Sendable, CustomStringConvertible {
    /// A phrase following "key N", e.g. "is not '<type> <base64 key> [comment]'".
    public let reason: String

    init(_ reason: String) { self.reason = reason }

    /// The reason.
    public var description: String { reason }
}
