import Foundation

/// Every server's keys file of a network seen as one: attesters keyed by lowercase address,
/// publishers with the servers they publish for and how many attesters they serve.
///
/// As in the original, each attester counts once per publisher entry it lists. Unlike the
/// original, which let the last file win silently, an attester on two servers is reported as
/// an operator error naming both files (two nodes signing for one attester risks slashing),
/// and so is a publisher used by two servers (two nodes sending from one account clash on
/// nonces), as the original's `prepare-deployment` refuses it. The exception is the
/// original's high-availability layout, which `prepare-deployment` writes: the same attester
/// on several servers whose files all name the same remote signer, which keeps the keys and
/// refuses to sign twice. Those attesters are listed apart, not as errors.
public struct MergedKeys: Sendable, Equatable {
    /// The attesters of every server, by lowercase address, the first file's entry kept when duplicated.
    public let attesters: [MergedAttester]
    /// The publishers of every server, sorted by lowercase address.
    public let publishers: [MergedPublisher]
    /// Attesters found on more than one server without one remote signer shared by all of them.
    public let duplicateAttesters: [DuplicateAttester]
    /// Attesters on several servers whose files all name the same remote signer (high availability).
    public let highAvailabilityAttesters: [DuplicateAttester]
    /// Publishers listed by more than one server.
    public let sharedPublishers: [MergedPublisher]

    /// Merges `files` in the order given.
    public init(_ files: [LoadedKeysFile]) {
        var attesters: [MergedAttester] = []
        var attesterIndex: [String: Int] = [:]
        var duplicateFiles: [String: [String]] = [:]
        var signers: [String: Set<String>] = [:]
        var unsigned: Set<String> = []
        var publishers: [String: MergedPublisher] = [:]
        for file in files {
            for validator in file.contents.validators {
                let key = validator.attester.eth.lowercased
                if let signer = file.contents.remoteSigner { signers[key, default: []].insert(signer) } else { unsigned.insert(key) }
                if let index = attesterIndex[key] {
                    let first = attesters[index].fileName
                    duplicateFiles[key, default: [first]].append(file.url.lastPathComponent)
                } else {
                    attesterIndex[key] = attesters.count
                    attesters.append(MergedAttester(address: validator.attester.eth, coinbase: validator.coinbase,
                                                    serverId: file.serverId, fileName: file.url.lastPathComponent))
                }
                let shared = validator.publisher.addresses
                for publisher in shared {
                    var entry = publishers[publisher.lowercased]
                        ?? MergedPublisher(address: publisher, serverIds: [], attesterCount: 0, load: 0)
                    if !entry.serverIds.contains(file.serverId) { entry.serverIds.append(file.serverId) }
                    entry.attesterCount += 1
                    entry.load += 1 / Double(shared.count)
                    publishers[publisher.lowercased] = entry
                }
            }
        }
        self.attesters = attesters
        self.publishers = publishers.values.sorted { $0.address.lowercased < $1.address.lowercased }
        let repeated = attesters.compactMap { attester in
            duplicateFiles[attester.address.lowercased].map { DuplicateAttester(address: attester.address, fileNames: $0) }
        }
        func sharesOneSigner(_ duplicate: DuplicateAttester) -> Bool {
            let key = duplicate.address.lowercased
            return !unsigned.contains(key) && signers[key]?.count == 1
        }
        self.duplicateAttesters = repeated.filter { !sharesOneSigner($0) }
        self.highAvailabilityAttesters = repeated.filter(sharesOneSigner)
        self.sharedPublishers = self.publishers.filter { $0.serverIds.count > 1 }
    }

    /// Attesters without a coinbase yet, in merge order.
    public var attestersWithoutCoinbase: [MergedAttester] { attesters.filter { $0.coinbase == nil } }

    /// One sentence per operator error: duplicate attesters, then shared publishers.
    public var problems: [String] {
        duplicateAttesters.map(\.description) + sharedPublishers.map {
            "publisher \($0.address) is used by \($0.serverIds.count) servers: \($0.serverIds.joined(separator: ", ")); each server needs its own publishers"
        }
    }
}

/// One attester of the merged view.
public struct MergedAttester: Sendable, Equatable {
    /// The attester's address as its file spells it.
    public let address: KeysFileAddress
    /// Its coinbase, when known.
    public let coinbase: KeysFileAddress?
    /// The server whose keys file lists it.
    public let serverId: String
    /// That keys file's name.
    public let fileName: String
}

/// One publisher of the merged view.
public struct MergedPublisher: Sendable, Equatable {
    /// The publisher's address as first spelled.
    public let address: KeysFileAddress
    /// The servers whose keys files list it, in discovery order; more than one is an operator error.
    public internal(set) var serverIds: [String]
    /// How many validator entries name it.
    public internal(set) var attesterCount: Int
    /// Its share of the publishing work, as the original counts it: 1 for each validator
    /// naming it alone, 1/n for each validator naming it among n publishers.
    public internal(set) var load: Double

    /// The first server that lists it, as the original reports it.
    public var serverId: String { serverIds.first ?? "" }
}

/// An attester listed by more than one server's keys file.
public struct DuplicateAttester: Sendable, Equatable, CustomStringConvertible {
    /// The attester's address.
    public let address: KeysFileAddress
    /// Every file that lists it, in discovery order.
    public let fileNames: [String]

    /// "attester 0x… is on 2 servers: a.json and b.json; an attester must run on one server only".
    public var description: String {
        "attester \(address.lowercased) is in \(fileNames.count) keys files: \(fileNames.joined(separator: " and ")); an attester must run on one server only"
    }
}
