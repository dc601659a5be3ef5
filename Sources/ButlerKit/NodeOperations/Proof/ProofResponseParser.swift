import Foundation

/// Reads the node's JSON-RPC answers: the proven block of `node_getL2Tips` and the sibling
/// path of `node_getArchiveSiblingPath`. Malformed answers become errors with a clear reason.
public enum ProofResponseParser {
    /// What an answer meant when it holds no usable value.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The answer is not the JSON-RPC shape expected.
        case malformed(String)
        /// The node answered a JSON-RPC error.
        case rpcError(code: Int?, message: String)
        /// The node has no proven block yet.
        case notSynced(String)

        /// The reason, as a sentence.
        public var description: String {
            switch self {
            case .malformed(let reason): "the node's answer is not valid JSON-RPC: \(reason)"
            case .rpcError(let code, let message): "the node answered JSON-RPC error\(code.map { " \($0)" } ?? ""): \(message)"
            case .notSynced(let reason): "the node is not synced: \(reason)"
            }
        }
    }

    /// The proven block number from a `node_getL2Tips` answer; missing tips mean not synced,
    /// and so does 0 unless `acceptsZero` (a sync check compares 0 like any other block).
    public static func provenBlock(fromTips body: Data, acceptsZero: Bool = false) throws(Failure) -> UInt64 {
        let result = try resultValue(body, method: "node_getL2Tips")
        if result is NSNull { throw .notSynced("node_getL2Tips returned no tips") }
        guard let tips = result as? [String: Any] else {
            throw .malformed("node_getL2Tips result is not an object")
        }
        guard let proven = tips["proven"] as? [String: Any] else {
            throw .notSynced("node_getL2Tips has no proven tip")
        }
        guard let number = integer(proven["number"]) else {
            throw .malformed("the proven tip has no block number")
        }
        if number == 0 && !acceptsZero { throw .notSynced("proven block is 0") }
        return number
    }

    /// The sibling path (a base64 string) from a `node_getArchiveSiblingPath` answer.
    public static func siblingPath(from body: Data) throws(Failure) -> String {
        let result = try resultValue(body, method: "node_getArchiveSiblingPath")
        guard let path = result as? String, !path.isEmpty else {
            throw .malformed("node_getArchiveSiblingPath result is not a non-empty string")
        }
        return path
    }

    /// The JSON-RPC 2.0 request body for `method` with `params`.
    public static func request(_ method: String, params: [String], id: Int) -> Data {
        let object: [String: Any] = ["jsonrpc": "2.0", "id": id, "method": method, "params": params]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
    }

    private static func resultValue(_ body: Data, method: String) throws(Failure) -> Any {
        let trimmed = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { throw .malformed("\(method) returned an empty body") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(trimmed.utf8), options: [.fragmentsAllowed])
        } catch {
            throw .malformed("\(method) returned text that is not JSON: \(excerpt(trimmed))")
        }
        guard let object = parsed as? [String: Any] else {
            throw .malformed("\(method) returned JSON that is not an object: \(excerpt(trimmed))")
        }
        if let error = object["error"], !(error is NSNull) {
            let details = error as? [String: Any]
            let message = (details?["message"] as? String) ?? excerpt(String(describing: error))
            throw .rpcError(code: (details?["code"] as? NSNumber)?.intValue, message: message)
        }
        guard let result = object["result"] else {
            throw .malformed("\(method) answer has neither result nor error")
        }
        return result
    }

    /// A block number given as a JSON number, a decimal string or a 0x hex string.
    static func integer(_ value: Any?) -> UInt64? {
        switch value {
        case let number as NSNumber:
            let double = number.doubleValue
            guard double >= 0, double.rounded() == double, double < 1.8e19 else { return nil }
            return number.uint64Value
        case let text as String:
            if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) }
            return UInt64(text)
        default:
            return nil
        }
    }

    private static func excerpt(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 120 ? String(flat.prefix(120)) + "…" : flat
    }
}
