import FleetKit
import Foundation

/// One attester's registration material for the StakingRegistry: the `KeyStore` struct of
/// `addKeysToProvider`, `{address attester; G1Point publicKeyG1; G2Point publicKeyG2;
/// G1Point proofOfPossession}` on BN254.
public struct AttesterKeyStore: Sendable, Equatable {
    /// The attester's address.
    public let attester: EthereumAddress
    /// The BLS public key in G1: x, y.
    public let publicKeyG1: [UInt256]
    /// The BLS public key in G2: x0, x1, y0, y1.
    public let publicKeyG2: [UInt256]
    /// The proof of possession of the BLS key, a G1 point: x, y.
    public let proofOfPossession: [UInt256]

    /// Creates a key store; the arrays hold 2, 4 and 2 coordinates.
    public init(attester: EthereumAddress, publicKeyG1: [UInt256], publicKeyG2: [UInt256], proofOfPossession: [UInt256]) {
        self.attester = attester
        self.publicKeyG1 = publicKeyG1
        self.publicKeyG2 = publicKeyG2
        self.proofOfPossession = proofOfPossession
    }

    /// The struct as an ABI value.
    var abiValue: ABIValue {
        .tuple([.address(attester), .tuple(publicKeyG1.map(ABIValue.uint)), .tuple(publicKeyG2.map(ABIValue.uint)),
                .tuple(proofOfPossession.map(ABIValue.uint))])
    }
}

/// A registration file the `aztec` CLI writes next to new keys (`*_staker_output.json`): a JSON
/// array of `{attester, publicKeyG1: {x, y}, publicKeyG2: {x0, x1, y0, y1}, proofOfPossession:
/// {x, y}}`, coordinates as decimal strings (`0x` hex strings and whole numbers are read too).
public enum RegistrationFile {
    /// The name ending the `aztec` CLI gives these files.
    public static let nameSuffix = "_staker_output.json"

    /// Reads and checks the file at `url` (at most 16 MiB); every problem at once, with its JSON path.
    public static func read(from url: URL) throws(KeysFileError) -> [AttesterKeyStore] {
        try decode(try KeysFile.bytes(of: url), fileName: url.lastPathComponent)
    }

    /// Parses registration JSON.
    public static func decode(_ data: Data, fileName: String) throws(KeysFileError) -> [AttesterKeyStore] {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw KeysFileError(file: fileName, message: "not valid JSON: \(KeysFile.reason(error))")
        }
        guard case .array(let entries) = root else {
            throw KeysFileError(file: fileName, message: "expected an array of attester registrations (attester, publicKeyG1, publicKeyG2, proofOfPossession)")
        }
        var problems: [KeysFileProblem] = []
        func report(_ path: String, _ message: String) { problems.append(KeysFileProblem(file: fileName, jsonPath: path, message: message)) }
        func point(_ value: JSONValue?, _ path: String, _ names: [String]) -> [UInt256]? {
            guard case .object(let fields)? = value else {
                report(path, "expected an object with \(names.joined(separator: ", "))")
                return nil
            }
            let numbers = names.map { name -> UInt256? in
                let number: UInt256?
                switch fields[name] {
                case .string(let text)?: number = text.hasPrefix("0x") ? UInt256(hex: text) : UInt256(decimal: text)
                case .integer(let whole)? where whole >= 0: number = UInt256(UInt64(whole))
                default: number = nil
                }
                if number == nil { report("\(path).\(name)", "expected a whole number below 2^256 (a decimal string)") }
                return number
            }
            let found = numbers.compactMap { $0 }
            return found.count == names.count ? found : nil
        }
        var result: [AttesterKeyStore] = []
        for (index, entry) in entries.enumerated() {
            let path = "[\(index)]"
            guard case .object(let fields) = entry else {
                report(path, "expected an object")
                continue
            }
            var attester: EthereumAddress?
            if case .string(let text)? = fields["attester"], text.count == 42 { attester = EthereumAddress(hex: text) }
            if attester == nil { report(path + ".attester", "expected an address, 0x + 40 hex digits") }
            let g1 = point(fields["publicKeyG1"], path + ".publicKeyG1", ["x", "y"])
            let g2 = point(fields["publicKeyG2"], path + ".publicKeyG2", ["x0", "x1", "y0", "y1"])
            let proof = point(fields["proofOfPossession"], path + ".proofOfPossession", ["x", "y"])
            if let attester, let g1, let g2, let proof {
                result.append(AttesterKeyStore(attester: attester, publicKeyG1: g1, publicKeyG2: g2, proofOfPossession: proof))
            }
        }
        guard problems.isEmpty else { throw KeysFileError(file: fileName, problems: problems) }
        return result
    }
}
