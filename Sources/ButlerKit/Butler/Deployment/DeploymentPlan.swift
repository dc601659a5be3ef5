import FleetKit
import Foundation

/// A fatal rule of `prepare-deployment` failed; nothing is written. Each problem is one sentence
/// naming the file and the attester or publisher.
public struct DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every fatal problem found.
    public let problems: [String]

    /// Creates the error.
    public init(problems: [String]) {
        self.problems = problems
    }

    /// One problem per line.
    public var description: String { CappedList.joined(problems) }
}

/// One keys file `prepare-deployment` will write.
public struct DeploymentOutput: Sendable, Equatable {
    /// `{network}-keys-{serverId}-v{N+1}.json`.
    public let name: KeysFileName
    /// Its contents.
    public let file: KeysFile
}

/// One publisher and the attesters round-robin gave it.
public struct PublisherLoad: Sendable, Equatable {
    /// The publisher.
    public let address: KeysFileAddress
    /// The server it publishes for.
    public let serverId: String
    /// How many attesters it publishes for.
    public let attesterCount: Int
}

/// The result of the funding rule: a publisher with 0 ETH is fatal, one below
/// `MIN_ETH_PER_ATTESTER` × its attesters a warning.
public struct FundingCheck: Sendable, Equatable {
    /// Publishers with no ETH at all.
    public let fatal: [String]
    /// Publishers with less than their attesters need.
    public let warnings: [String]
    /// One line per publisher: balance and need.
    public let lines: [String]
}

/// What `prepare-deployment` will write, planned from its inputs with the original Butler's
/// rules; ``plan(network:production:newKeys:publishers:cachedCoinbases:existing:)`` checks
/// every rule that needs no chain, ``fundingCheck(balances:minimumPerAttester:)`` the one that does.
///
/// Each server of the publishers file gets one file holding every validator (the production
/// file's, then the new ones, as the original's high-availability layout), its `publisher`
/// assigned round-robin from that server's publishers (`publishers[i % n]`), its `coinbase`
/// from the production file or else the coinbase cache; `schemaVersion` and `remoteSigner` are
/// the production file's.
public struct DeploymentPlan: Sendable, Equatable {
    /// The files to write, sorted by server id.
    public let outputs: [DeploymentOutput]
    /// Each publisher with its attester count, in server then round-robin order.
    public let publisherLoads: [PublisherLoad]
    /// How many validators took their coinbase from the cache.
    public let coinbasesFromCache: Int
    /// How many validators the production file held.
    public let productionCount: Int
    /// How many validators the new public keys file held.
    public let newCount: Int

    /// `publishers[i % n]` for each of `count` validators.
    public static func roundRobin<Publisher>(_ publishers: [Publisher], count: Int) -> [Publisher] {
        guard !publishers.isEmpty else { return [] }
        return (0..<count).map { publishers[$0 % publishers.count] }
    }

    /// Plans the files; throws every fatal problem at once (an attester in both inputs, a
    /// zero-address coinbase, a server without publishers).
    ///
    /// - Parameter existing: keys file names already in the output and data folders; each
    ///   server's new version is its highest one + 1.
    public static func plan(network: String, production: NamedKeysFile, newKeys: NamedKeysFile, publishers: AvailablePublishers,
                            cachedCoinbases: CachedCoinbases = CachedCoinbases(coinbases: [:]),
                            existing: [KeysFileName] = []) throws(DeploymentError) -> DeploymentPlan {
        var problems: [String] = []
        var seen: [EthereumAddress: String] = [:]
        for (source, named) in [("production", production), ("new", newKeys)] {
            for (index, validator) in named.file.validators.enumerated() {
                let address = validator.attester.eth
                if let first = seen[address.address] {
                    problems.append("\(named.name): validators[\(index)].attester.eth: attester \(address.lowercased) is also in \(first); an attester must be listed once")
                } else {
                    seen[address.address] = "\(named.name) (\(source))"
                }
                if let coinbase = validator.coinbase, coinbase.address.isZero {
                    problems.append("\(named.name): validators[\(index)].coinbase: attester \(address.lowercased) has the zero address as coinbase")
                }
            }
        }
        for server in publishers.servers where server.publishers.isEmpty {
            problems.append("server \(server.serverId) has no publishers")
        }
        if publishers.servers.isEmpty { problems.append("the publishers file names no server") }
        guard problems.isEmpty else { throw DeploymentError(problems: problems) }

        var fromCache = 0
        let merged = (production.file.validators + newKeys.file.validators).map { validator -> KeysFileValidator in
            var copy = validator
            if copy.coinbase == nil, let cached = cachedCoinbases.coinbases[validator.attester.eth.address] {
                copy.coinbase = cached
                fromCache += 1
            }
            return copy
        }
        var outputs: [DeploymentOutput] = []
        var loads: [PublisherLoad] = []
        for server in publishers.servers {
            let assigned = roundRobin(server.publishers, count: merged.count)
            let validators = zip(merged, assigned).map { validator, publisher -> KeysFileValidator in
                var copy = validator
                copy.publisher = .single(publisher)
                return copy
            }
            let highest = existing.filter { $0.network == network && $0.serverId == server.serverId }.map(\.version).max() ?? 0
            let name = KeysFileName(network: network, serverId: server.serverId, version: highest + 1)
            outputs.append(DeploymentOutput(name: name, file: KeysFile(
                schemaVersion: production.file.schemaVersion, remoteSigner: production.file.remoteSigner,
                validators: validators, otherFields: production.file.otherFields)))
            for publisher in server.publishers {
                loads.append(PublisherLoad(address: publisher, serverId: server.serverId,
                                           attesterCount: assigned.filter { $0 == publisher }.count))
            }
        }
        return DeploymentPlan(outputs: outputs, publisherLoads: loads, coinbasesFromCache: fromCache,
                              productionCount: production.file.validators.count, newCount: newKeys.file.validators.count)
    }

    /// Every publisher, once, in plan order: the addresses whose balances the funding rule needs.
    public var publishers: [EthereumAddress] { publisherLoads.map(\.address.address) }

    /// Applies the funding rule to balances in wei (a missing balance counts as 0).
    public func fundingCheck(balances: [EthereumAddress: UInt256], minimumPerAttester: EtherAmount) -> FundingCheck {
        var fatal: [String] = []
        var warnings: [String] = []
        var lines: [String] = []
        for load in publisherLoads {
            let balance = balances[load.address.address] ?? .zero
            let need = minimumPerAttester.wei.multiplied(by: UInt64(load.attesterCount))
            let shown = "publisher \(load.address.lowercased) (server \(load.serverId), \(load.attesterCount) attesters) has \(Self.ether(balance)) ETH"
            lines.append("\(shown), needs \(need.map(Self.ether) ?? "more than 2^256 wei") ETH")
            if balance == .zero {
                fatal.append("\(shown): it cannot publish; fund it first")
            } else if let need, balance < need {
                warnings.append("\(shown), below \(minimumPerAttester) ETH × \(load.attesterCount) = \(Self.ether(need)) ETH (MIN_ETH_PER_ATTESTER)")
            } else if need == nil {
                warnings.append("\(shown), below MIN_ETH_PER_ATTESTER × \(load.attesterCount)")
            }
        }
        return FundingCheck(fatal: fatal, warnings: warnings, lines: lines)
    }

    /// Writes every output into `folder` (created when missing) all or nothing, with mode
    /// 0600: every file goes to a temporary file first, and they are renamed into place only
    /// when all are written. Refuses before writing anything when a target already exists;
    /// when a rename fails, removes the files this call had already put in place (they are
    /// new), so the folder is left as it was.
    public func write(to folder: URL) throws -> [URL] {
        let targets = outputs.map { folder.appendingPathComponent($0.name.fileName) }
        if let taken = targets.first(where: { FileManager.default.fileExists(atPath: $0.path) }) {
            throw DeploymentError(problems: ["\(taken.path) already exists; nothing was written"])
        }
        try AtomicFile.createDirectory(folder, mode: 0o755)
        do {
            try AtomicFile.writeGroup(zip(outputs, targets).map { output, target in
                AtomicFileContent(url: target, data: output.file.encoded(), mode: 0o600)
            })
        } catch {
            for path in error.replaced { _ = unlink(path) }
            throw AtomicFileGroupError(failure: error.failure, replaced: [])
        }
        return targets
    }

    /// Wei as decimal ETH without trailing zeros: `1.5`, `0`, `0.000000000000000001`.
    public static func ether(_ wei: UInt256) -> String {
        var digits = wei.description
        if digits.count <= 18 { digits = String(repeating: "0", count: 19 - digits.count) + digits }
        let whole = digits.dropLast(18)
        var fraction = String(digits.suffix(18))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}

extension UInt256 {
    /// `self × factor`, or nil on overflow.
    func multiplied(by factor: UInt64) -> UInt256? {
        multipliedAndAdded(multiplier: factor, addend: 0)
    }
}
