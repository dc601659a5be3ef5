import FleetKit

/// Thrown when a chain read got an answer it cannot use.
public enum ChainReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The node's answer to `method` did not have the expected shape.
    case unexpectedResult(method: String, detail: String)
    /// A contract function reverted where a value was required.
    case reverted(function: String, contract: EthereumAddress, revert: Revert)
    /// A contract function returned data that does not decode as its declared outputs.
    case undecodable(function: String, contract: EthereumAddress, error: ABIDecodingError)
    /// A value to send could not be encoded.
    case unencodable(function: String, error: ABIEncodingError)

    /// A sentence naming the method or function and the problem.
    public var description: String {
        switch self {
        case .unexpectedResult(let method, let detail):
            return "\(method) returned an unexpected answer: \(detail)."
        case .reverted(let function, let contract, let revert):
            return "\(function) on \(contract) \(revert)."
        case .undecodable(let function, let contract, let error):
            return "\(function) on \(contract) returned data that does not decode: \(error)"
        case .unencodable(let function, let error):
            return "The arguments of \(function) could not be encoded: \(error)"
        }
    }
}

extension JSONValue {
    /// Reads a hex quantity such as `0x1a` (or a plain JSON integer) as a `UInt256`.
    func quantity(_ method: String, field: String = "result") throws -> UInt256 {
        switch self {
        case .string(let text):
            if let value = UInt256(hex: text), text.hasPrefix("0x") { return value }
            if let value = UInt256(decimal: text) { return value }
        case .integer(let number) where number >= 0:
            return UInt256(UInt64(number))
        default:
            break
        }
        throw ChainReadError.unexpectedResult(method: method, detail: "\(field) \(self) is not a quantity")
    }

    /// Reads a quantity that must fit in 64 bits.
    func quantity64(_ method: String, field: String = "result") throws -> UInt64 {
        let value = try quantity(method, field: field)
        guard let small = value.uint64Value else {
            throw ChainReadError.unexpectedResult(method: method, detail: "\(field) \(value) does not fit in 64 bits")
        }
        return small
    }

    /// Reads `0x`-prefixed hex data.
    func hexData(_ method: String, field: String = "result") throws -> [UInt8] {
        guard let text = stringValue, text.hasPrefix("0x"), let bytes = Hex.decode(text) else {
            throw ChainReadError.unexpectedResult(method: method, detail: "\(field) \(self) is not 0x-prefixed hex data")
        }
        return bytes
    }
}
