/// A contract function's signature: name, argument types and return types.
///
/// Builds call data and decodes return data, with errors that name the function.
public struct ContractFunction: Sendable, Hashable, CustomStringConvertible {
    /// The function name.
    public let name: String
    /// Argument types.
    public let inputs: [ABIType]
    /// Return types.
    public let outputs: [ABIType]

    /// Creates a function description.
    public init(_ name: String, inputs: [ABIType] = [], outputs: [ABIType]) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The canonical signature, e.g. `getAttesterView(address)`.
    public var signature: String { name + "(" + inputs.map(\.description).joined(separator: ",") + ")" }

    /// The 4-byte selector of ``signature``.
    public var selector: FunctionSelector { FunctionSelector(signature: signature) }

    /// Same as ``signature``.
    public var description: String { signature }

    /// The call data for `arguments`: selector followed by the encoded arguments.
    public func callData(_ arguments: [ABIValue] = []) throws(ChainReadError) -> [UInt8] {
        do {
            return try ABIEncoder.encodeCall(selector, arguments: arguments, types: inputs)
        } catch {
            throw .unencodable(function: signature, error: error)
        }
    }

    /// A call of this function on `contract`.
    public func call(on contract: EthereumAddress, _ arguments: [ABIValue] = []) throws(ChainReadError) -> EthereumCall {
        EthereumCall(to: contract, data: try callData(arguments))
    }

    /// Decodes the return data of a call on `contract`.
    public func decodeOutput(_ data: [UInt8], from contract: EthereumAddress) throws(ChainReadError) -> [ABIValue] {
        do {
            return try ABIDecoder.decode(data, as: outputs, context: "\(signature) return data")
        } catch {
            throw .undecodable(function: signature, contract: contract, error: error)
        }
    }

    /// Decodes a call outcome, throwing ``ChainReadError/reverted(function:contract:revert:)`` on a revert.
    public func decodeOutcome(_ outcome: CallOutcome, from contract: EthereumAddress) throws(ChainReadError) -> [ABIValue] {
        switch outcome {
        case .success(let data): return try decodeOutput(data, from: contract)
        case .reverted(let revert): throw .reverted(function: signature, contract: contract, revert: revert)
        }
    }
}
