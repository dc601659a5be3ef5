/// The Multicall3 contract: many read calls in one `eth_call`.
public enum Multicall3 {
    /// The address Multicall3 is deployed at on every major chain.
    public static let canonicalAddress = EthereumAddress(hex: "0xcA11bde05977b3631167028862bE2a173976CA11") ?? .zero

    /// `aggregate3((address,bool,bytes)[])` returning `(bool,bytes)[]`; selector `0x82ad56cb`.
    public static let aggregate3 = ContractFunction(
        "aggregate3",
        inputs: [.array(.tuple([.address, .bool, .bytes]))],
        outputs: [.array(.tuple([.bool, .bytes]))])

    /// The call data of an `aggregate3` over `calls`, each allowed to fail.
    static func aggregate3CallData(_ calls: [EthereumCall]) throws(ChainReadError) -> [UInt8] {
        let entries = calls.map { ABIValue.tuple([.address($0.to), .bool(true), .bytes($0.data)]) }
        return try aggregate3.callData([.array(entries)])
    }

    /// Splits the `aggregate3` return data into one outcome per call.
    static func decodeAggregate3(
        _ data: [UInt8], expecting count: Int, multicall: EthereumAddress
    ) throws(ChainReadError) -> [CallOutcome] {
        if data.isEmpty {
            throw .unexpectedResult(
                method: "eth_call \(aggregate3.signature)",
                detail: "empty return data; is there a Multicall3 contract at \(multicall)?")
        }
        let values = try aggregate3.decodeOutput(data, from: multicall)
        guard let results = values.first?.elements, results.count == count else {
            throw .unexpectedResult(
                method: "eth_call \(aggregate3.signature)",
                detail: "expected \(count) results but got \(values.first?.elements?.count ?? 0)")
        }
        var outcomes: [CallOutcome] = []
        outcomes.reserveCapacity(count)
        for result in results {
            guard let pair = result.elements, pair.count == 2, let success = pair[0].boolValue,
                let returned = pair[1].bytesValue
            else {
                throw .unexpectedResult(method: "eth_call \(aggregate3.signature)", detail: "a result is not (bool,bytes)")
            }
            outcomes.append(success ? .success(returned) : .reverted(Revert(data: returned)))
        }
        return outcomes
    }
}
