import FleetKit

/// The original's rules for merging newly scraped coinbases into the cache, applied event by
/// event in chain order:
///
/// - an attester not yet mapped is added;
/// - the same coinbase again keeps the mapping of the newer block;
/// - a cached zero address is overwritten by a non-zero one;
/// - a newly scraped zero address is ignored (it never replaces anything, nor is it added);
/// - two different non-zero coinbases for one attester are a ``CoinbaseConflict``: coinbases
///   should never change, so nothing is merged and the caller must leave the cache as it was.
public enum CoinbaseMerge {
    /// Merges `scraped` (in chain order) into `cached` (in cache order).
    ///
    /// Mappings keep the cache's order; new attesters follow in the order they were scraped.
    /// - Throws: ``CoinbaseConflict`` at the first attester with two different non-zero coinbases.
    public static func merge(cached: [CoinbaseMapping], scraped: [CoinbaseMapping]) throws(CoinbaseConflict) -> CoinbaseMergeResult {
        var merged = cached
        var position: [EthereumAddress: Int] = [:]
        for (index, mapping) in cached.enumerated() { position[mapping.attesterAddress.address] = index }
        var result = CoinbaseMergeResult(mappings: [], added: [], updated: [], ignoredZero: [])
        // Attesters already listed in `added` or `updated`, so each is listed once in linear time.
        var listed = Set<KeysFileAddress>()
        func noteUpdated(_ attester: KeysFileAddress) {
            if listed.insert(attester).inserted { result.updated.append(attester) }
        }
        for mapping in scraped {
            let attester = mapping.attesterAddress.address
            if mapping.coinbaseAddress.address.isZero {
                result.ignoredZero.append(mapping.attesterAddress)
                continue
            }
            guard let index = position[attester] else {
                position[attester] = merged.count
                merged.append(mapping)
                result.added.append(mapping.attesterAddress)
                listed.insert(mapping.attesterAddress)
                continue
            }
            let existing = merged[index]
            if existing.coinbaseAddress == mapping.coinbaseAddress {
                if mapping.blockNumber > existing.blockNumber {
                    merged[index] = mapping
                    noteUpdated(mapping.attesterAddress)
                }
            } else if existing.coinbaseAddress.address.isZero {
                merged[index] = mapping
                noteUpdated(mapping.attesterAddress)
            } else {
                throw CoinbaseConflict(existing: existing, scraped: mapping)
            }
        }
        result.mappings = merged
        return result
    }
}

/// What a merge produced and changed.
public struct CoinbaseMergeResult: Sendable, Equatable {
    /// Every mapping after the merge.
    public var mappings: [CoinbaseMapping]
    /// Attesters that had no mapping before, in the order they were added.
    public var added: [KeysFileAddress]
    /// Attesters whose mapping moved to a newer block or replaced a zero address (each once).
    public var updated: [KeysFileAddress]
    /// Attesters of scraped events whose coinbase was the zero address (ignored).
    public var ignoredZero: [KeysFileAddress]
}

/// One attester with two different non-zero coinbases: the cached one (or the one an earlier
/// event of the same scrape gave) and a newly scraped one.
public struct CoinbaseConflict: Error, Sendable, Equatable, CustomStringConvertible {
    /// The mapping that was there first.
    public let existing: CoinbaseMapping
    /// The scraped mapping that disagrees with it.
    public let scraped: CoinbaseMapping

    /// Names the attester, both coinbases and both blocks.
    public var description: String {
        "coinbase conflict for attester \(scraped.attesterAddress.text): cached \(existing.coinbaseAddress.text) (block \(existing.blockNumber)) but block \(scraped.blockNumber) gives \(scraped.coinbaseAddress.text); a coinbase should never change, so investigate before scraping again"
    }
}
