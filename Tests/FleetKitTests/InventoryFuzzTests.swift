import FleetTestSupport
import Foundation
@testable import FleetKit
import Testing

/// Hostile inventories: a seed file mutated 400 times. Parsing never crashes, and a
/// planted private key never appears in a listing, its JSON or an error message.
@Suite(.tags(.unit, .slow)) struct InventoryFuzzTests {
    /// SplitMix64: the same cases on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let key = "0x" + String(repeating: "c0ffee", count: 10) + "1234"
    static let mnemonic = "legal winner thank year wave sausage worth useful legal winner thank yellow"
    static let secretHeaders = ["private_key", "key", "notes", "private_k\u{FEFF}ey", "Validator Private Key", "x", "pk\u{200B}", "comment"]
    static let hostile: [String] = ["\u{FEFF}", "\u{200B}", "\u{202E}", "\"", ",", "\n", "\r", "\r\n", "\0", "\t", "\\", "$(id)", "`", "'",
                                    "🚀", "e\u{0301}", String(repeating: "A", count: 300), "#", " ", "-", "*", "[", "::", "0x"]
    static let schema = InventorySchema([
        InventoryField("wallet", label: "wallet", columns: ["wallet", "address"], validate: { $0.count > 3 ? nil : "more than 3 characters" }),
        InventoryField("token", label: "API token", columns: ["api_token"], secret: true),
    ])

    static func seed(header: String) -> String {
        """
        name,ip,user,port,ssh_key,\(header),wallet,mnemonic_backup,region
        Validator 1,10.0.0.1,ubuntu,22,/k/id,\(key),addr-1,"\(mnemonic)",eu
        node-2,2001:db8::2,root,2222,,\(key),addr-2,,us
        "Val, EU",host.example.com,,,,\(key),,,

        """
    }

    static func mutate(_ text: String, using generator: inout SeededGenerator) -> String {
        var characters = Array(text)
        for _ in 0..<Int.random(in: 1...6, using: &generator) where !characters.isEmpty {
            let position = Int.random(in: 0..<characters.count, using: &generator)
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: characters.insert(contentsOf: hostile.randomElement(using: &generator) ?? "", at: position)
            case 1: characters.remove(at: position)
            case 2: characters.swapAt(position, Int.random(in: 0..<characters.count, using: &generator))
            case 3:
                let lines = String(characters).split(separator: "\n", omittingEmptySubsequences: false)
                let line = lines.randomElement(using: &generator) ?? ""
                characters.insert(contentsOf: "\n" + line, at: position)
            default: characters.insert(contentsOf: ",", at: position)
            }
        }
        return String(characters)
    }

    @Test func fourHundredMutatedInventoriesNeverCrashOrLeak() throws {
        var generator = SeededGenerator(state: 20_261_122)
        var loaded = 0
        var rejected = 0
        let keyBody = String(Self.key.dropFirst(2))
        for round in 0..<400 {
            let header = Self.secretHeaders[round % Self.secretHeaders.count]
            let text = Self.mutate(Self.seed(header: header), using: &generator)
            for schema in [InventorySchema.sshOnly, Self.schema] {
                let inventory: Inventory
                do {
                    inventory = try InventoryLoader.parse(text, file: "fuzz.csv", schema: schema, skipInvalidRows: round % 2 == 0)
                } catch {
                    rejected += 1
                    #expect(!error.description.contains(keyBody), "round \(round): key in error \(error.description)")
                    #expect(!error.description.contains(Self.mnemonic), "round \(round): mnemonic in error")
                    #expect(error.all.allSatisfy { $0.file == "fuzz.csv" })
                    continue
                }
                loaded += 1
                let listing = InventorySummary.text(inventory)
                let json = String(decoding: try JSONEncoder().encode(InventorySummary.rows(inventory)), as: UTF8.self)
                let skipped = inventory.skippedRows.map(\.description).joined(separator: "\n")
                for shown in [listing, json, skipped] {
                    #expect(!shown.contains(keyBody), "round \(round): key shown in \(shown)")
                    #expect(!shown.contains(Self.mnemonic), "round \(round): mnemonic shown in \(shown)")
                }
                #expect(inventory.hosts.allSatisfy { !$0.name.isEmpty && !$0.address.isEmpty })
            }
        }
        // Both paths are exercised: the mutations are neither all harmless nor all fatal.
        #expect(loaded > 40 && rejected > 40, "loaded \(loaded), rejected \(rejected)")
    }
}
