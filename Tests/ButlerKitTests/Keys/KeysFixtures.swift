import ButlerKit
import Foundation

/// Fixture files and small builders for the keys and configuration tests.
enum ButlerFixtures {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/butler")
    }

    static var data: URL { folder.appendingPathComponent("data") }

    /// 0x + 40 hex digits for `number`.
    static func address(_ number: Int) -> String { "0x" + hex(number, digits: 40) }

    /// 0x + 64 hex digits for `number`.
    static func word(_ number: Int) -> String { "0x" + hex(number, digits: 64) }

    static func hex(_ number: Int, digits: Int) -> String {
        let text = String(number, radix: 16)
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// A validator object as JSON text.
    static func validator(attester: Int, publisher: String? = nil, coinbase: Int? = nil) -> String {
        let coinbaseField = coinbase.map { "\"coinbase\": \"\(address($0))\", " } ?? ""
        return """
        {"attester": {"eth": "\(address(attester))", "bls": "\(word(attester))"}, \(coinbaseField)"feeRecipient": "\(word(0))", "publisher": \(publisher ?? "\"\(address(0xb0b))\"")}
        """
    }

    /// A keys file as JSON text.
    static func keysFile(_ validators: [String]) -> String {
        "{\"schemaVersion\": 1, \"remoteSigner\": \"https://signer.example.com\", \"validators\": [\(validators.joined(separator: ", "))]}"
    }

    /// A new empty temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("butler-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Writes `text` to `name` in `folder`.
    static func write(_ text: String, _ name: String, in folder: URL) throws {
        try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }
}
