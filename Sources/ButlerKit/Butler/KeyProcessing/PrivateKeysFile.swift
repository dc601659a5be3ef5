import FleetKit
import Foundation

/// The new validators' private keys as the `aztec` CLI writes them (phase 1 of the operator
/// guide): the keys-file shape, with private keys where a keys file has addresses.
///
/// ```json
/// { "schemaVersion": 1, "validators": [ { "attester": { "eth": "0x…64", "bls": "0x…64" },
///   "publisher": "0x…64" | ["0x…64"], "feeRecipient": "0x…64", "coinbase": "0x…40" } ] }
/// ```
/// Parsing derives every validator's public keys; problems name the entry and never show a key.
public struct PrivateKeysFile: Sendable {
    /// One validator: its derived public keys and where its fees go.
    public struct Validator: Sendable, Equatable {
        /// The attester's Ethereum address, derived from `attester.eth`.
        public let attester: EthereumAddress
        /// The compressed BN254 G1 public key derived from `attester.bls` (32 bytes).
        public let blsPublicKey: [UInt8]
        /// `feeRecipient` as the file spells it (0x + 64 hex digits).
        public let feeRecipient: String
    }

    /// The schema version; 1 when the file has none.
    public let schemaVersion: Int
    /// The validators in file order.
    public let validators: [Validator]
    /// The file's bytes unchanged, for secure storage; never printed.
    public let contents: Data

    /// Reads and checks the file at `url` (at most 16 MiB); every problem is reported at once,
    /// each with its JSON path (`validators[2].attester.eth`).
    public static func read(from url: URL) throws(KeysFileError) -> PrivateKeysFile {
        try decode(try KeysFile.bytes(of: url), fileName: url.lastPathComponent)
    }

    /// Parses `data`, derives the public keys and reports every problem with its JSON path.
    public static func decode(_ data: Data, fileName: String) throws(KeysFileError) -> PrivateKeysFile {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw KeysFileError(file: fileName, message: "not valid JSON: \(KeysFile.reason(error))")
        }
        var problems: [KeysFileProblem] = []
        func report(_ path: String, _ message: String) { problems.append(KeysFileProblem(file: fileName, jsonPath: path, message: message)) }
        for duplicate in JSONDuplicateKeys.find(in: data) {
            report(duplicate.path, "the key is given \(duplicate.count) times in one object; keep one")
        }
        guard case .object(let top) = root else { throw KeysFileError(file: fileName, message: "expected an object with a validators array") }
        var schemaVersion = 1
        if let version = top["schemaVersion"] {
            if case .integer(let number) = version, let value = Int(exactly: number), value >= 1 { schemaVersion = value } else {
                report("schemaVersion", "expected a whole number from 1")
            }
        }
        guard case .array(let entries)? = top["validators"] else {
            throw KeysFileError(file: fileName, problems: problems + [KeysFileProblem(file: fileName, jsonPath: "validators", message: "expected an array of validators")])
        }
        if entries.isEmpty { report("validators", "expected at least one validator, got an empty array") }
        var validators: [Validator] = []
        var firstIndex: [EthereumAddress: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let path = "validators[\(index)]"
            guard case .object(let fields) = entry, case .object(let attester)? = fields["attester"] else {
                report(path + ".attester", "expected an object with the eth and bls private keys")
                continue
            }
            let eth = privateKey(attester["eth"], path: path + ".attester.eth", report: report)
            let bls = privateKey(attester["bls"], path: path + ".attester.bls", report: report)
            let address = eth.flatMap { key -> EthereumAddress? in
                guard let address = PublicKeyDerivation.ethereumAddress(privateKey: key) else {
                    report(path + ".attester.eth", "not a secp256k1 private key: it must be above 0 and below the curve order")
                    return nil
                }
                return address
            }
            let blsPublic = bls.flatMap { key -> [UInt8]? in
                guard let publicKey = PublicKeyDerivation.blsPublicKey(privateKey: key) else {
                    report(path + ".attester.bls", "not a BLS private key: it is a multiple of the BN254 group order")
                    return nil
                }
                return publicKey
            }
            var feeRecipient: String?
            if case .string(let text)? = fields["feeRecipient"], text.count == 66, Hex.decode(text)?.count == 32 {
                feeRecipient = text
            } else {
                report(path + ".feeRecipient", "expected 0x + 64 hex digits")
            }
            if let address {
                if let earlier = firstIndex[address] {
                    report(path + ".attester.eth", "the same attester \(address.checksummed) as validators[\(earlier)]")
                } else {
                    firstIndex[address] = index
                }
            }
            if let address, let blsPublic, let feeRecipient {
                validators.append(Validator(attester: address, blsPublicKey: blsPublic, feeRecipient: feeRecipient))
            }
        }
        guard problems.isEmpty else { throw KeysFileError(file: fileName, problems: problems) }
        return PrivateKeysFile(schemaVersion: schemaVersion, validators: validators, contents: data)
    }

    /// The 32 bytes of a `0x` + 64 hex digits private key, or a problem that never shows the text.
    private static func privateKey(_ value: JSONValue?, path: String, report: (String, String) -> Void) -> [UInt8]? {
        guard case .string(let text)? = value else {
            report(path, value == nil ? "missing (a private key, 0x + 64 hex digits)" : "expected a private key, 0x + 64 hex digits")
            return nil
        }
        guard text.count == 66, text.hasPrefix("0x") || text.hasPrefix("0X"), let bytes = Hex.decode(text), bytes.count == 32 else {
            report(path, "expected a private key, 0x + 64 hex digits (got \(text.count) characters)")
            return nil
        }
        return bytes
    }

    /// The public keys file of the original Butler's `process-private-keys`: `schemaVersion`,
    /// then per validator `attester.eth` (checksummed), `attester.bls` (public key) and
    /// `feeRecipient`; two-space indentation, final newline. No publisher or coinbase:
    /// `prepare-deployment` assigns them.
    public var publicKeysJSON: String {
        let entries = validators.map { validator in
            """
                {
                  "attester": {
                    "eth": "\(validator.attester.checksummed)",
                    "bls": "\(Hex.encode(validator.blsPublicKey))"
                  },
                  "feeRecipient": "\(validator.feeRecipient)"
                }
            """
        }
        return "{\n  \"schemaVersion\": \(schemaVersion),\n  \"validators\": [\n" + entries.joined(separator: ",\n") + "\n  ]\n}\n"
    }
}
