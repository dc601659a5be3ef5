import Foundation

/// What `fill-coinbases` did, in the JSON shape tools print: addresses as the files write them.
public struct CoinbaseFillReport: Sendable, Equatable, Codable {
    /// One coinbase written into the keys file.
    public struct Filled: Sendable, Equatable, Codable {
        /// The validator's attester.
        public let attester: String
        /// The coinbase filled in.
        public let coinbase: String
    }

    /// A validator whose coinbase differs from the cache; the file's value was kept.
    public struct Disagreement: Sendable, Equatable, Codable {
        /// The validator's attester.
        public let attester: String
        /// The coinbase the keys file has (kept).
        public let inFile: String
        /// The coinbase the cache has.
        public let inCache: String
        /// The block the cache's coinbase came from.
        public let cacheBlock: UInt64
    }

    /// The keys file that was read.
    public let keysFile: String
    /// The file written (the keys file itself, or its next version), `nil` when nothing was filled.
    public let written: String?
    /// The coinbases filled in, in file order.
    public let filled: [Filled]
    /// Validators whose coinbase differs from the cache.
    public let disagreements: [Disagreement]
    /// Attesters the cache maps to the zero address (not filled).
    public let zeroInCache: [String]
    /// Attesters still without a coinbase: the cache does not map them.
    public let unmapped: [String]

    private enum CodingKeys: String, CodingKey {
        case keysFile, written, filled, disagreements, zeroInCache, unmapped
    }

    /// Encodes every field; `written` is `null` when nothing was written, never left out.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(keysFile, forKey: .keysFile)
        try container.encode(written, forKey: .written)
        try container.encode(filled, forKey: .filled)
        try container.encode(disagreements, forKey: .disagreements)
        try container.encode(zeroInCache, forKey: .zeroInCache)
        try container.encode(unmapped, forKey: .unmapped)
    }

    /// The report of `result`, read from `keysFile` and written to `written` (`nil`: not written).
    public init(_ result: CoinbaseFillResult, keysFile: URL, written: URL?) {
        self.keysFile = keysFile.path
        self.written = written?.path
        filled = result.filled.map { Filled(attester: $0.attester.text, coinbase: $0.coinbase.text) }
        disagreements = result.disagreements.map {
            Disagreement(attester: $0.attester.text, inFile: $0.inFile.text, inCache: $0.inCache.text, cacheBlock: $0.cacheBlock)
        }
        zeroInCache = result.zeroInCache.map(\.text)
        unmapped = result.unmapped.map(\.text)
    }
}
