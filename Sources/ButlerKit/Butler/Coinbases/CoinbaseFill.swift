import FleetKit
import Foundation

/// `fill-coinbases`: the original's rules for putting cached coinbases into a keys file.
///
/// - only validators without a `coinbase` are filled, from the cache's mapping of their attester;
/// - a validator whose coinbase differs from the cache keeps the file's value, with a warning;
/// - a zero coinbase in the cache is never filled in (warned about);
/// - when nothing was filled, nothing is written.
public enum CoinbaseFill {
    /// Fills `file`'s empty coinbases from `cache`; the result says what changed and what to warn about.
    public static func fill(_ file: KeysFile, from cache: CoinbaseCache) -> CoinbaseFillResult {
        var byAttester: [EthereumAddress: CoinbaseMapping] = [:]
        for mapping in cache.mappings { byAttester[mapping.attesterAddress.address] = mapping }
        var result = CoinbaseFillResult(file: file, filled: [], disagreements: [], zeroInCache: [], unmapped: [])
        for (index, validator) in file.validators.enumerated() {
            let attester = validator.attester.eth
            guard let mapping = byAttester[attester.address] else {
                if validator.coinbase == nil { result.unmapped.append(attester) }
                continue
            }
            if mapping.coinbaseAddress.address.isZero {
                result.zeroInCache.append(attester)
                continue
            }
            if let present = validator.coinbase {
                if present != mapping.coinbaseAddress {
                    result.disagreements.append(CoinbaseDisagreement(attester: attester, inFile: present, inCache: mapping.coinbaseAddress,
                                                                     cacheBlock: mapping.blockNumber))
                }
                continue
            }
            result.file.validators[index].coinbase = mapping.coinbaseAddress
            result.filled.append(CoinbaseFilled(attester: attester, coinbase: mapping.coinbaseAddress))
        }
        return result
    }

    /// Where a filled keys file goes: over `source` itself, or with `incrementVersion` to the
    /// next version of its server in the same folder (`{network}-keys-{serverId}-v{N+1}.json`,
    /// N the highest version there; server ids may contain dashes).
    /// - Throws: ``CoinbaseFillError`` when the next version is asked for and `source` is not
    ///   named like a keys file of `network`.
    public static func target(for source: URL, network: String, incrementVersion: Bool) throws -> URL {
        guard incrementVersion else { return source }
        guard let name = KeysFileName(parsing: source.lastPathComponent, network: network) else {
            throw CoinbaseFillError(situation: "\(source.lastPathComponent) is not named {network}-keys-{serverId}-v{N}.json for network \(network), so its next version has no name",
                                    choice: .nextKeysFileVersion)
        }
        let folder = source.deletingLastPathComponent()
        let next = try KeysDirectory(folder: folder, network: network).nextFileName(serverId: name.serverId)
        return folder.appendingPathComponent(next.fileName)
    }
}

/// One coinbase written into a keys file.
public struct CoinbaseFilled: Sendable, Equatable {
    /// The validator's attester.
    public let attester: KeysFileAddress
    /// The coinbase filled in.
    public let coinbase: KeysFileAddress
}

/// A validator whose coinbase in the keys file is not the cache's; the file's value is kept.
public struct CoinbaseDisagreement: Sendable, Equatable, CustomStringConvertible {
    /// The validator's attester.
    public let attester: KeysFileAddress
    /// The coinbase the keys file has (kept).
    public let inFile: KeysFileAddress
    /// The coinbase the cache has.
    public let inCache: KeysFileAddress
    /// The block the cache's coinbase came from.
    public let cacheBlock: UInt64

    /// "attester 0x…: the keys file has 0x… but the cache has 0x… (block N); keeping the file's".
    public var description: String {
        "attester \(attester.text): the keys file has coinbase \(inFile.text) but the cache has \(inCache.text) (block \(cacheBlock)); keeping the file's"
    }
}

/// What filling a keys file changed and found.
public struct CoinbaseFillResult: Sendable, Equatable {
    /// The keys file with the empty coinbases filled.
    public var file: KeysFile
    /// The coinbases filled in, in file order.
    public var filled: [CoinbaseFilled]
    /// Validators whose coinbase differs from the cache (kept as in the file).
    public var disagreements: [CoinbaseDisagreement]
    /// Attesters the cache maps to the zero address (not filled).
    public var zeroInCache: [KeysFileAddress]
    /// Attesters without a coinbase that the cache does not map.
    public var unmapped: [KeysFileAddress]

    /// Whether anything was filled, i.e. whether there is something to write.
    public var changed: Bool { !filled.isEmpty }
}

/// A fill that cannot be done as asked.
public struct CoinbaseFillError: ButlerChoiceProblem, Sendable, InputError {
    /// What is wrong and what to do.
    public let situation: String
    /// The choice that would resolve it, when one does.
    public let choice: ButlerChoice?

    /// Creates the error.
    public init(situation: String, choice: ButlerChoice? = nil) {
        self.situation = situation
        self.choice = choice
    }

    /// The problem with the choice in front.
    public var message: String { description }
}
