import FleetKit
import Foundation

/// One keys file of the original Aztec Butler: the validators (attesters) one server runs.
///
/// ```json
/// { "schemaVersion": 1, "remoteSigner": "https://signer.example.com:8080",
///   "validators": [ { "attester": { "eth": "0x…", "bls": "0x…" },
///                     "coinbase": "0x…", "feeRecipient": "0x…", "publisher": "0x…" } ] }
/// ```
/// Read it with `KeysFile.decode(_:fileName:)` or `KeysFile.read(from:)`, which report every
/// problem of the file with its JSON path; write it with `write(to:)`. Fields this version
/// does not know are kept in `otherFields` and written back, so a file read and written
/// unchanged stays the same JSON.
public struct KeysFile: Sendable, Equatable {
    /// The schema version; the original treats a file without one as version 1, and so does this type.
    public var schemaVersion: Int
    /// The URL of the web3signer-style service holding the keys; optional, as in the original.
    public var remoteSigner: String?
    /// The validators in file order.
    public var validators: [KeysFileValidator]
    /// Top-level fields other than `schemaVersion`, `remoteSigner` and `validators`, kept as read.
    public var otherFields: [String: JSONValue]

    /// Creates a keys file.
    public init(schemaVersion: Int = 1, remoteSigner: String? = nil, validators: [KeysFileValidator],
                otherFields: [String: JSONValue] = [:]) {
        self.schemaVersion = schemaVersion
        self.remoteSigner = remoteSigner
        self.validators = validators
        self.otherFields = otherFields
    }

    /// The distinct publishers of every validator, in first-seen order, compared by address.
    public var publishers: [KeysFileAddress] {
        var seen = Set<EthereumAddress>()
        var result: [KeysFileAddress] = []
        for publisher in validators.flatMap(\.publisher.addresses) where seen.insert(publisher.address).inserted {
            result.append(publisher)
        }
        return result
    }
}

/// One validator of a keys file: its attester keys, where its rewards and fees go, and who publishes for it.
public struct KeysFileValidator: Sendable, Equatable {
    /// The attester's Ethereum and BLS keys.
    public var attester: KeysFileAttester
    /// Receives the attester's block rewards; absent until known (the original's `fill-coinbases` fills it).
    public var coinbase: KeysFileAddress?
    /// The L2 address for fees (32 bytes; zero today).
    public var feeRecipient: KeysFileBytes32
    /// The account or accounts that pay gas to publish blocks for this attester.
    public var publisher: KeysFilePublisher
    /// Validator fields other than the four known ones, kept as read.
    public var otherFields: [String: JSONValue]

    /// Creates a validator entry.
    public init(attester: KeysFileAttester, coinbase: KeysFileAddress? = nil, feeRecipient: KeysFileBytes32,
                publisher: KeysFilePublisher, otherFields: [String: JSONValue] = [:]) {
        self.attester = attester
        self.coinbase = coinbase
        self.feeRecipient = feeRecipient
        self.publisher = publisher
        self.otherFields = otherFields
    }
}

/// A validator's identity: its Ethereum address and its BLS key.
public struct KeysFileAttester: Sendable, Equatable {
    /// The attester's Ethereum address (20 bytes).
    public var eth: KeysFileAddress
    /// The attester's BLS key (32 bytes); may be secret, so it is never printed.
    public var bls: KeysFileBytes32
    /// Attester fields other than `eth` and `bls`, kept as read.
    public var otherFields: [String: JSONValue]

    /// Creates an attester entry.
    public init(eth: KeysFileAddress, bls: KeysFileBytes32, otherFields: [String: JSONValue] = [:]) {
        self.eth = eth
        self.bls = bls
        self.otherFields = otherFields
    }
}

/// A validator's `publisher`, in the form the file wrote it: one hex string or an array of them.
///
/// Both forms are read, and each is written back in the form it was read.
public enum KeysFilePublisher: Sendable, Equatable {
    /// `"publisher": "0x…"`.
    case single(KeysFileAddress)
    /// `"publisher": ["0x…", …]`.
    case list([KeysFileAddress])

    /// The publisher addresses, in file order.
    public var addresses: [KeysFileAddress] {
        switch self {
        case .single(let address): [address]
        case .list(let addresses): addresses
        }
    }
}
