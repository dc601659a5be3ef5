extension EthereumClient {
    /// Resolves `latest` to the current block number so several reads see the same state.
    func pinned(_ block: BlockTag) async throws -> BlockTag {
        block == .latest ? .number(try await blockNumber()) : block
    }
}

/// The single unsigned number a getter returned, when it fits in 64 bits.
func smallNumber(_ value: ABIValue?, function: ContractFunction) throws -> UInt64 {
    guard let number = value?.uintValue else {
        throw ChainReadError.unexpectedResult(method: function.signature, detail: "no number returned")
    }
    guard let small = number.uint64Value else {
        throw ChainReadError.unexpectedResult(method: function.signature, detail: "\(number) does not fit in 64 bits")
    }
    return small
}

/// The most entries a reader fetches in one go (providers scanned, queue entries read). A node
/// reporting more is answered with an error rather than an attempt to allocate for all of them.
let maximumEntriesPerRead: UInt64 = 1_000_000

/// Throws when a count read from the chain is beyond ``maximumEntriesPerRead``.
func checkEntryCount(_ count: UInt64, what: String, function: ContractFunction) throws {
    guard count <= maximumEntriesPerRead else {
        throw ChainReadError.unexpectedResult(
            method: function.signature, detail: "\(count) \(what) is more than the \(maximumEntriesPerRead) this reader reads at once")
    }
}
