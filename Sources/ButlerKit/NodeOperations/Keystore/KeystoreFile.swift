import FleetKit
import Foundation

/// One keystore file to put on a node: the bytes of a Butler keys file and its name.
public struct KeystoreFile: Sendable, Equatable {
    /// The keys file's name (`mainnet-keys-server-1-v3.json`), recorded beside the keystore.
    public var name: String
    /// The file's bytes, uploaded as they are.
    public var contents: Data

    /// Creates the file.
    public init(name: String, contents: Data) {
        self.name = name
        self.contents = contents
    }

    /// The version in the name (`3` for `…-v3.json`); `nil` when the name carries none.
    public var version: Int? { Self.version(of: name) }

    /// The version in a keys file's name: the digits after its last `-v`, before `.json`.
    public static func version(of name: String) -> Int? {
        guard name.hasSuffix(".json"), let marker = name.range(of: "-v", options: .backwards) else { return nil }
        let digits = name[marker.upperBound...].dropLast(".json".count)
        return digits.isEmpty || !digits.allSatisfy(\.isASCII) ? nil : Int(digits)
    }

    /// The SHA-256 of the bytes, hex: what a node's file is compared with.
    public var digest: String { Hex.encode(SHA256Digest.hash(Array(contents)), prefix: false) }
}

/// Which Butler server a host is: its inventory's `server_id` column, else its name.
public enum KeystoreServerID {
    /// The host's Butler server id.
    public static func of(_ host: RemoteHost) -> String {
        host.variables[AztecInventory.Key.serverId] ?? host.name
    }
}

/// A keystore holding one validator, built from an inventory row as the original's env form
/// ran it: the validator private key as the attester, the row's address as its coinbase.
enum InventoryKeystore {
    /// The keystore's JSON; `nil` when the row has no validator key.
    static func text(for host: RemoteHost) -> String? {
        let keys = host.validatorPrivateKeys
        guard !keys.isEmpty else { return nil }
        let coinbase = host.ethAddress
        let validators = keys.map { key -> String in
            let hex = key.hasPrefix("0x") ? key : "0x" + key
            var lines = ["    {", "      \"attester\": {", "        \"eth\": \"\(hex)\"", "      },"]
            if let coinbase { lines.append("      \"coinbase\": \"\(coinbase)\",") }
            lines.append("      \"feeRecipient\": \"0x\(String(repeating: "0", count: 64))\"")
            lines.append("    }")
            return lines.joined(separator: "\n")
        }
        return "{\n  \"schemaVersion\": 1,\n  \"validators\": [\n" + validators.joined(separator: ",\n") + "\n  ]\n}\n"
    }
}
