import FleetTestSupport
import Foundation
@testable import FleetKit
import Testing

/// Issue 21: `fleet check` printed secrets the masking missed. Each case is a row whose
/// value hides a private key, a password or a mnemonic; none may reach the text listing,
/// the JSON or an error.
@Suite(.tags(.unit)) struct SecretValueDetectionTests {
    static let keyBody = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
    static let key = "0x" + keyBody
    static let password = "Tr0ub4dor&3-horse"
    static let words = ["abandon", "ability", "able", "about", "above", "absent", "absorb", "abstract", "absurd", "abuse", "access", "accident"]
    static let mnemonic = words.joined(separator: " ")

    /// The 19 cases of the issue: (label, column, value, what must never be shown).
    static let cases: [(label: String, column: String, value: String, secret: String)] = [
        ("BOM before the key", "notes", "\u{FEFF}" + key, keyBody),
        ("BOM inside the key", "notes", String(key.prefix(20)) + "\u{FEFF}" + String(key.dropFirst(20)), String(keyBody.suffix(30))),
        ("zero-width space before the key", "notes", "\u{200B}" + key, keyBody),
        ("zero-width space inside the key", "notes", String(key.prefix(30)) + "\u{200B}" + String(key.dropFirst(30)), String(keyBody.suffix(30))),
        ("NUL inside the key", "notes", String(key.prefix(10)) + "\u{0}" + String(key.dropFirst(10)), String(keyBody.suffix(30))),
        ("tab before the key", "notes", "\t" + key, keyBody),
        ("tab inside the key", "notes", String(key.prefix(40)) + "\t" + String(key.dropFirst(40)), String(keyBody.prefix(30))),
        ("NBSP before the key", "notes", "\u{00A0}" + key, keyBody),
        ("NBSP inside the key", "notes", String(key.prefix(33)) + "\u{00A0}" + String(key.dropFirst(33)), String(keyBody.suffix(30))),
        ("key inside a sentence", "notes", "the validator key is \(key) do not share", keyBody),
        ("key inside a JSON blob", "config", "{\"privateKey\": \"\(key)\", \"port\": 8080}", keyBody),
        ("key=<hex>", "extra", "key=\(keyBody)", keyBody),
        ("two keys joined by ;", "keys_list", "\(key);0x\(String(keyBody.reversed()))", String(keyBody.reversed())),
        ("63 hex digits", "hash", String(keyBody.dropLast()), String(keyBody.dropLast())),
        ("65 hex digits", "hash", keyBody + "a", keyBody),
        ("password under ssh_pasword", "ssh_pasword", password, password),
        ("capitalised mnemonic", "backup", words.map(\.capitalized).joined(separator: " "), words.map(\.capitalized).joined(separator: " ")),
        ("comma-separated mnemonic", "backup", words.joined(separator: ","), words.joined(separator: ",")),
        ("mnemonic with commas and spaces", "backup", words.joined(separator: ", "), words.joined(separator: ", ")),
    ]

    static func csvField(_ value: String) -> String {
        "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func inventoryText(_ cases: [(label: String, column: String, value: String, secret: String)]) -> String {
        cases.enumerated().map { index, item in
            "ip,name,\(item.column)\n10.0.0.\(index + 1),host-\(index + 1),\(csvField(item.value))\n"
        }.joined()
    }

    /// Where a secret could show: the listing, the JSON rows, and what was the secret with
    /// its hidden characters taken out.
    static func leaks(_ secret: String, in shown: String) -> Bool {
        shown.contains(secret) || shown.contains(SecretShape.withoutHiddenCharacters(secret))
            || shown.contains(String(SecretShape.withoutHiddenCharacters(secret).prefix(24)))
    }

    @Test(arguments: 0..<19) func issueCaseIsMaskedInTextAndJSON(index: Int) throws {
        let item = Self.cases[index]
        let text = "ip,name,\(item.column)\n10.0.0.1,h,\(Self.csvField(item.value))\n"
        let inventory = try InventoryLoader.parse(text, file: "servers.csv")
        let listing = InventorySummary.text(inventory)
        let json = String(decoding: try JSONEncoder().encode(InventorySummary.rows(inventory)), as: UTF8.self)
        #expect(!Self.leaks(item.secret, in: listing), "\(item.label): \(listing)")
        #expect(!Self.leaks(item.secret, in: json), "\(item.label): \(json)")
        #expect(listing.contains("\(item.column)=***"), "\(item.label): \(listing)")
    }

    @Test func nineteenCases() { #expect(Self.cases.count == 19) }

    @Test func fleetCheckPrintsNoneOfTheNineteenSecrets() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("secret-values-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (index, item) in Self.cases.enumerated() {
            let text = "ip,name,\(item.column)\n10.0.0.1,h,\(Self.csvField(item.value))\n"
            try Data(text.utf8).write(to: folder.appendingPathComponent("case\(index).csv"))
            for arguments in [["check", "case\(index).csv"], ["check", "case\(index).csv", "--json"]] {
                let output = try await FleetTool.run(arguments, in: folder)
                #expect(output.status == 0, "\(item.label): \(output.stderr)")
                #expect(!Self.leaks(item.secret, in: output.stdout + output.stderr), "\(item.label) \(arguments): \(output.stdout)")
            }
        }
    }

    @Test func misspelledAndShortSecretHeadersAreSecretColumns() {
        for header in ["ssh_pasword", "passwd", "pwd", "ssh_pwd", "secret", "token", "mnemonic", "seed", "priv", "private_key", "privkey",
                       "api_key", "apikey", "Pasword", "passphrse", "secert", "mnemonc", "root_pass", "auth_token"] {
            #expect(InventoryColumnName.looksSecret(InventoryColumnName.normalize(header)), "\(header)")
        }
        for header in ["region", "role", "public_key", "pubkey", "private_ip", "ssh_key_file", "passenger", "comment", "notes"] {
            #expect(!InventoryColumnName.looksSecret(InventoryColumnName.normalize(header)), "\(header)")
        }
    }

    @Test func ordinaryValuesStayVisible() throws {
        let text = "ip,name,notes,tx,address\n10.0.0.1,h,backup node in the eu region,0x1234abcd,0x52908400098527886E0F7030069857D2E4169EE7\n"
        let listing = InventorySummary.text(try InventoryLoader.parse(text, file: "s"))
        #expect(listing.contains("notes=backup node in the eu region"))
        #expect(listing.contains("tx=0x1234abcd"))
        #expect(listing.contains("column.address=0x52908400098527886E0F7030069857D2E4169EE7"))
    }

    /// Issue 21: `fleet check` printed `address=` twice when the file had an `address` column.
    @Test func anAddressColumnIsNotPrintedAsASecondAddress() throws {
        let inventory = try InventoryLoader.parse("ip,name,address\n10.0.0.1,h,0xabc\n", file: "s")
        let listing = InventorySummary.text(inventory)
        #expect(listing.components(separatedBy: "address=").count == 3)
        #expect(listing.contains(" address=10.0.0.1 column.address=0xabc\n"))
        #expect(listing.components(separatedBy: " address=").count == 2)
    }

    @Test func redactorMasksTheSecretPartsOfARegisteredValue() {
        let redactor = Redactor(secrets: ["the validator key is \(Self.key) do not share", "\u{FEFF}" + Self.password, Self.words.joined(separator: ",")])
        #expect(redactor.redact("echo \(Self.keyBody)") == "echo ***")
        #expect(redactor.redact("login \(Self.password) ok") == "login *** ok")
        #expect(!redactor.redact("seed: \(Self.words.joined(separator: ","))").contains("abandon"))
    }

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

    static let hidden = ["\u{FEFF}", "\u{200B}", "\u{200C}", "\u{200D}", "\u{00A0}", "\u{0}", "\t", "\u{202E}", "\u{2066}", "\u{200E}"]
    static let wrappers = ["%@", "note: %@", "{\"k\":\"%@\"}", "key=%@", "%@;%@", "[%@]", "pk %@ end", "'%@'", "%@\n", "x%@"]
    static let headers = ["notes", "key", "ssh_pasword", "comment", "data", "Private Key", "pwd", "misc", "hash", "extra"]

    /// A random key, hidden characters sprinkled before and inside it, in a random wrapper.
    static func hostileValue(using generator: inout SeededGenerator) -> (value: String, key: String) {
        let digits = Array("0123456789abcdefABCDEF")
        let count = Int.random(in: 62...66, using: &generator)
        let body = String((0..<count).map { _ in digits.randomElement(using: &generator) ?? "a" })
        var scalars = Array((Bool.random(using: &generator) ? "0x" : "") + body)
        for _ in 0..<Int.random(in: 0...3, using: &generator) {
            scalars.insert(contentsOf: hidden.randomElement(using: &generator) ?? "", at: Int.random(in: 0...scalars.count, using: &generator))
        }
        let wrapper = wrappers.randomElement(using: &generator) ?? "%@"
        return (wrapper.replacingOccurrences(of: "%@", with: String(scalars)), body)
    }

    @Test func fiveHundredRandomInventoriesPrintNoSecret() throws {
        var generator = SeededGenerator(state: 21_2026)
        var loaded = 0
        for round in 0..<500 {
            let (value, key) = Self.hostileValue(using: &generator)
            let phrase = Self.words.shuffled(using: &generator)
                .map { Bool.random(using: &generator) ? $0.capitalized : $0 }
                .joined(separator: [" ", ",", ", ", ";", "\u{00A0}", "\t", " - "].randomElement(using: &generator) ?? " ")
            let header = Self.headers.randomElement(using: &generator) ?? "notes"
            let text = "ip,name,\(header),words\n10.0.0.1,h\(round),\(Self.csvField(value)),\(Self.csvField(phrase))\n"
            let shown: [String]
            do {
                let inventory = try InventoryLoader.parse(text, file: "fuzz.csv")
                shown = [InventorySummary.text(inventory), String(decoding: try JSONEncoder().encode(InventorySummary.rows(inventory)), as: UTF8.self)]
                loaded += 1
            } catch {
                shown = [String(describing: error)]
            }
            for output in shown {
                #expect(!output.lowercased().contains(String(key.lowercased().suffix(40))), "round \(round): \(output)")
                #expect(!output.lowercased().contains(String(key.lowercased().prefix(40))), "round \(round): \(output)")
                #expect(!output.lowercased().contains("absurd"), "round \(round): mnemonic shown in \(output)")
            }
        }
        #expect(loaded > 400)
    }
}
