import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

let keyA = "0x" + String(repeating: "ab", count: 32)
let keyB = String(repeating: "cd", count: 32)

func inventoryError(_ text: String, file: String = "servers.csv", schema: InventorySchema = .sshOnly) -> InventoryError? {
    do {
        _ = try InventoryLoader.parse(text, file: file, schema: schema)
        return nil
    } catch {
        return error
    }
}

@Suite(.tags(.unit)) struct InventoryLoaderTests {
    @Test func minimalInventoryUsesAddressAsName() throws {
        let inventory = try InventoryLoader.parse("ip\n10.0.0.1\nnode.example.com\n", file: "servers.csv")
        #expect(inventory.file == "servers.csv")
        #expect(inventory.hosts.map(\.name) == ["10.0.0.1", "node.example.com"])
        #expect(inventory.hosts.map(\.line) == [2, 3])
        let first = try #require(inventory.hosts.first)
        #expect(first == RemoteHost(name: "10.0.0.1", address: "10.0.0.1", line: 2))
        #expect(first.id == "10.0.0.1")
    }

    @Test func sshFieldsAndVariables() throws {
        let text = """
            name,ip,user,port,ssh_key,address,region,api_token,public_key
            val-1, 10.0.0.1 ,ubuntu,2222,~/.ssh/id_ed25519,0x00000000000000000000000000000000000000aB,eu-west,tok123,0xpub

            """
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(host.name == "val-1")
        #expect(host.address == "10.0.0.1")
        #expect(host.user == "ubuntu")
        #expect(host.port == 2222)
        #expect(host.identityFile == "~/.ssh/id_ed25519")
        // `address` is not an SSH field: without a kit's schema it is a plain variable.
        #expect(host.variables == ["address": "0x00000000000000000000000000000000000000aB", "region": "eu-west", "public_key": "0xpub"])
        #expect(host.secretVariables.mapValues(\.revealed) == ["api_token": "tok123"])
        #expect(host.secretValues == ["tok123"])
    }

    @Test(arguments: [
        ("ip", SSHColumn.address), ("ip_address", .address), ("server_ip", .address), ("host", .address),
        ("ansible_host", .address), ("name", .name), ("hostname", .name), ("alias", .name),
        ("user", .user), ("ssh_user", .user), ("username", .user), ("ansible_user", .user), ("port", .port), ("ssh_port", .port),
        ("ssh_key", .identityFile), ("identity_file", .identityFile), ("ssh_private_key_file", .identityFile),
        ("ansible_ssh_private_key_file", .identityFile), ("become", .become),
    ])
    func everySSHColumnNameIsAccepted(alias: String, field: SSHColumn) throws {
        let values: [SSHColumn: String] = [.address: "10.1.2.3", .name: "web1", .user: "deploy", .port: "2200", .identityFile: "/k/id",
                                           .become: "sudo"]
        let variants = [alias, alias.uppercased(), "  \(alias.replacingOccurrences(of: "_", with: "-"))  ",
                        alias.replacingOccurrences(of: "_", with: " ").capitalized, "\u{FEFF}\(alias)", "\u{200B}\(alias.uppercased())"]
        for variant in variants {
            let header = field == .address ? "\"\(variant)\"" : "ip,\"\(variant)\""
            let row = field == .address ? values[.address] ?? "" : "10.9.9.9,\(values[field] ?? "")"
            let host = try #require(try InventoryLoader.parse("\(header)\n\(row)\n", file: "a.csv").hosts.first)
            switch field {
            case .address: #expect(host.address == "10.1.2.3")
            case .name: #expect(host.name == "web1")
            case .user: #expect(host.user == "deploy")
            case .port: #expect(host.port == 2200)
            case .identityFile: #expect(host.identityFile == "/k/id")
            case .become: #expect(host.privilegeEscalation == .sudo)
            }
            #expect(host.variables.isEmpty && host.secretVariables.isEmpty)
        }
    }

    @Test func keyAndAddressAreNeverSSHFields() throws {
        // The original Aztec toolkit's servers.csv: `key` is a validator private key, `address` an Ethereum address.
        let host = try #require(try InventoryLoader.parse("ip,address,key\n10.0.0.1,0xabc,\(keyA)\n", file: "s").hosts.first)
        #expect(host.identityFile == nil)
        #expect(host.variables == ["address": "0xabc"])
        #expect(host.secretVariables["key"]?.revealed == keyA)
    }

    @Test func addressColumnsAreTriedInOrderPerRow() throws {
        let text = "host,ip,ip_address\nfrom-host.example,,\n,10.0.0.2,10.0.0.9\n,,10.0.0.3\n"
        let inventory = try InventoryLoader.parse(text, file: "s.csv")
        #expect(inventory.hosts.map(\.address) == ["from-host.example", "10.0.0.2", "10.0.0.3"])
    }

    @Test func bomCRLFCommentsAndBlankLines() throws {
        let text = "\u{FEFF}# fleet\r\n\r\nHostName,IP\r\n# web tier\r\nweb1,10.0.0.1\r\n\r\n   \r\nweb2,10.0.0.2\r\n"
        let inventory = try InventoryLoader.parse(text, file: "s.csv")
        #expect(inventory.hosts.map(\.name) == ["web1", "web2"])
        #expect(inventory.hosts.map(\.line) == [5, 8])
    }

    @Test func quotedValues() throws {
        let text = "ip,notes,urls\n10.0.0.1,\"a, \"\"b\"\"\nsecond line\",\"http://x,http://y\"\n"
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(host.variables["notes"] == "a, \"b\"\nsecond line")
        #expect(host.variables["urls"] == "http://x,http://y")
    }

    @Test func emptyOptionalCellsAreNil() throws {
        let text = "ip,user,port,ssh_key,key,wallet,rpc,region\n10.0.0.1, , ,,,,,\n"
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(host == RemoteHost(name: "10.0.0.1", address: "10.0.0.1", line: 2))
    }

    @Test func unknownColumnsKeepHeaderAsWrittenLowercased() throws {
        let text = "ip, Data-Dir ,Node Version,Cafe\u{0301}\u{200B}\n10.0.0.1,/srv/data, 1.2 ,x\n"
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(host.variables == ["data-dir": "/srv/data", "node version": "1.2", "caf\u{E9}": "x"])
    }

    @Test func secretLookingColumns() throws {
        let text = """
            ip,keyring_password,MNEMONIC,api-token,seed_phrase,client_secret,bls_key,public_key,pubkey,region
            10.0.0.1,pw,words words,tok,seedy,cs,bk,pub1,pub2,eu

            """
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(Set(host.secretVariables.keys) == ["keyring_password", "mnemonic", "api-token", "seed_phrase", "client_secret", "bls_key"])
        #expect(host.variables == ["public_key": "pub1", "pubkey": "pub2", "region": "eu"])
        #expect(host.secretValues == ["tok", "bk", "cs", "pw", "words words", "seedy"])
    }

    @Test func headerWithInvisibleCharactersIsStillSecret() throws {
        // A hostile run once printed a key whose header was `private_k<U+FEFF>ey`.
        for header in ["private_k\u{FEFF}ey", "priv\u{200B}ate_key", "p\u{200D}assword", "mnemo\u{2060}nic"] {
            let host = try #require(try InventoryLoader.parse("ip,\(header)\n10.0.0.1,hunter2-value\n", file: "s").hosts.first)
            #expect(host.variables.isEmpty, "\(header.unicodeScalars.map { String($0.value, radix: 16) })")
            #expect(host.secretValues == ["hunter2-value"])
        }
    }

    @Test func valuesShapedLikeSecretsAreMaskedWhateverTheColumn() throws {
        let mnemonic = "abandon ability able about above absent absorb abstract absurd abuse access accident"
        let text = "ip,notes,comment,hash\n10.0.0.1,\(keyA),\(mnemonic),\(keyB)\n"
        let host = try #require(try InventoryLoader.parse(text, file: "s").hosts.first)
        #expect(host.variables.isEmpty)
        #expect(Set(host.secretValues) == [keyA, mnemonic, keyB])
        #expect(SecretShape.isMnemonic(mnemonic + " " + mnemonic))
        #expect(!SecretShape.isMnemonic("the quick brown fox"))
        #expect(!SecretShape.isPrivateKey("0x" + String(repeating: "1", count: 40)))
    }

    @Test func sshFieldsShapedLikeSecretsAreRefusedWithoutEchoingThem() throws {
        let error = try #require(inventoryError("ip,name\n10.0.0.1,\(keyA)\n"))
        #expect(error.description == "servers.csv:2:10: column 'name' holds a value shaped like a private key or mnemonic (not shown); expected the host name")
        #expect(!error.description.contains(String(keyA.dropFirst(2).prefix(12))))
    }

    @Test func secretsNeverShowInDescriptionsOrDumps() throws {
        let text = "name,ip,private_key,keyring_password\nv1,10.0.0.1,\(keyA),hunter2secret\n"
        let inventory = try InventoryLoader.parse(text, file: "s.csv")
        let host = try #require(inventory.hosts.first)
        var dumped = ""
        dump(host, to: &dumped)
        var dumpedInventory = ""
        dump(inventory, to: &dumpedInventory)
        for shown in [String(describing: host), String(reflecting: host), "\(host)", dumped, dumpedInventory,
                      String(describing: inventory), String(describing: host.secretVariables["private_key"] as Any)] {
            #expect(!shown.contains(String(keyA.dropFirst(2))), "\(shown)")
            #expect(!shown.contains("hunter2secret"), "\(shown)")
        }
        #expect(dumped.contains("***"))
        #expect(String(describing: Secret("x")) == "***")
        #expect(String(reflecting: Secret("x")) == "***")
        #expect(Secret("x").description == "***" && Secret("x").debugDescription == "***")
        #expect(Set(inventory.secretValues) == [keyA, "hunter2secret"])
    }

    @Test func inventorySecretValuesAreUnique() {
        let a = RemoteHost(name: "a", address: "10.0.0.1", secretVariables: ["k": Secret("k"), "t": Secret("x")])
        let b = RemoteHost(name: "b", address: "10.0.0.2", secretVariables: ["k": Secret("k"), "t": Secret("")])
        #expect(Inventory(file: "f", hosts: [a, b]).secretValues == ["k", "x"])
    }

    @Test func validAddresses() throws {
        let addresses = ["0.0.0.0", "255.255.255.255", "::1", "2001:db8::1", "::ffff:10.0.0.1", "a.example.com",
                         "node-1", "x.y.", "123abc.example", "A-B.C"]
        let text = "ip\n" + addresses.joined(separator: "\n")
        #expect(try InventoryLoader.parse(text, file: "s.csv").hosts.map(\.address) == addresses)
    }

    @Test(arguments: ["256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "-host", "bad host", "a;b", "$(id)", "`id`",
                      "a\"b", "host_name", "-1.2.3.4", "a..b", "-a.b", "a-.b", "::g", "1::2::3", "[::1]",
                      "fe80::1%eth0", "ünïcode.com", String(repeating: "x", count: 64) + ".com"])
    func invalidAddresses(address: String) throws {
        let quoted = "\"" + address.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let error = try #require(inventoryError("name,ip\nn1,\(quoted)\n"))
        #expect(error.line == 2)
        #expect(error.column == 4)
        #expect(error.message == "'\(address)' is not a valid IPv4 address, IPv6 address or hostname")
    }

    @Test func portErrors() {
        let outOfRange = inventoryError("ip,port\n10.0.0.1,22\n10.0.0.2,\n10.0.0.3,70000\n")
        #expect(outOfRange?.description == "servers.csv:4:10: port 70000 is out of range; expected 1–65535")
        #expect(inventoryError("port,ip\n0,10.0.0.1\n")?.description == "servers.csv:2:1: port 0 is out of range; expected 1–65535")
        #expect(inventoryError("port,ip\n99999999999999999999999,10.0.0.1\n")?.message
            == "port 99999999999999999999999 is out of range; expected 1–65535")
        for bad in ["abc", "-1", "+22", "2.5", "0x16"] {
            #expect(inventoryError("port,ip\n\(bad),10.0.0.1\n")?.message == "port '\(bad)' is not a whole number; expected 1–65535")
        }
    }

    @Test func userErrors() throws {
        for good in ["root", "Ubuntu", "_svc", "a.b-c_1"] {
            #expect(try InventoryLoader.parse("ip,user\n10.0.0.1,\(good)\n", file: "s").hosts.first?.user == good)
        }
        for bad in ["-oProxyCommand=x", "1user", "a b", "us$er", "ro;ot", "üser"] {
            let error = inventoryError("ip,user\n10.0.0.1,\(bad)\n")
            #expect(error?.line == 2)
            #expect(error?.column == 10)
            #expect(error?.message.hasPrefix("user '\(bad)' is not a valid user name") == true)
        }
    }

    @Test func hostNamesFromSpreadsheets() throws {
        for good in ["val-1", "eu.node_2", "validator@eu", "ノード1", "a:b+c=d", "Validator 1", "web*", "a/b", "$(id)", "-rm", "Val, EU [2]"] {
            let quoted = "\"" + good + "\""
            let inventory = try InventoryLoader.parse("name,ip\n\(quoted),10.0.0.1\n", file: "s")
            #expect(inventory.hosts.first?.name == good)
            // --limit matches the name as written, glob characters and commas included (escaped).
            let escaped = good.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ",", with: "\\,")
            #expect(inventory.limited(to: try HostPattern(escaped)).hosts.count == 1, "\(good)")
        }
        for bad in ["a\tb", "x\u{202E}y", "a\u{200B}b", "line\nbreak"] {
            let error = inventoryError("ip,name\n10.0.0.1,\"\(bad)\"\n")
            #expect(error?.line == 2 && error?.column == 10)
            #expect(error?.message.hasPrefix("host name '") == true)
            #expect(error?.message.contains("\\u{") == true, "control characters are shown escaped")
        }
    }

    @Test func fileSafeNames() {
        #expect(RemoteHost(name: "Validator 1", address: "1.1.1.1").fileSafeName == "Validator_1")
        #expect(FileNameComponent.safe("../../etc/passwd") == "_._.._etc_passwd")
        #expect(FileNameComponent.safe("ノード") == "_")
        #expect(FileNameComponent.safe("") == "host")
        #expect(FileNameComponent.safe("-rf") == "_rf")
        #expect(FileNameComponent.safe(String(repeating: "a", count: 300)).count == 100)
    }

    @Test func missingAddressColumn() {
        let error = inventoryError("# c\nname,user\nweb1,root\n")
        #expect(error?.description == "servers.csv:2:1: no address column; expected one of: ip, ip_address, server_ip, host, ansible_host")
    }

    @Test func repeatedAndEmptyColumnNames() {
        #expect(inventoryError("ip,region,Region\n1.1.1.1,a,b\n")?.message == "column 'Region' appears twice (first as column 2); expected each column name once")
        #expect(inventoryError("ip,ssh-key,SSH Key\n1.1.1.1,a,b\n")?.column == 12)
        #expect(inventoryError("ip,,port\n1.1.1.1,a,2\n")?.column == 4)
    }

    @Test func everyBadRowIsReportedAtOnce() throws {
        let text = "name,ip,port\na,10.0.0.1,22\nb,10.0.0.300,22\nc,10.0.0.3,70000\nd,10.0.0.4,x\ne,10.0.0.5,23\n"
        let error = try #require(inventoryError(text))
        #expect(error.all.map { $0.line ?? 0 } == [3, 4, 5])
        #expect(error.description.split(separator: "\n").count == 3)
        #expect(error.description.hasPrefix("servers.csv:3:3: '10.0.0.300' is not a valid IPv4 address"))
        let skipping = try InventoryLoader.parse(text, file: "servers.csv", skipInvalidRows: true)
        #expect(skipping.hosts.map(\.name) == ["a", "e"])
        #expect(skipping.skippedRows.map { $0.line ?? 0 } == [3, 4, 5])
    }

    @Test func duplicateHosts() {
        let sameName = inventoryError("name,ip\nweb1,10.0.0.1\nweb2,10.0.0.2\nWEB1,10.0.0.3\n")
        #expect(sameName?.description == "servers.csv:4:1: duplicate host name 'WEB1'; it is already used on line 2")
        let sameEndpoint = inventoryError("name,ip,user,port\na,10.0.0.1,root,22\nb,10.0.0.1,root,22\n")
        #expect(sameEndpoint?.description == "servers.csv:3:3: duplicate host 10.0.0.1 (user root, port 22); the same address, port and user are on line 2")
        #expect(inventoryError("ip\n10.0.0.1\n10.0.0.1\n")?.description
            == "servers.csv:3:1: duplicate host name '10.0.0.1'; it is already used on line 2")
        #expect(inventoryError("name,ip,user\na,10.0.0.1,root\nb,10.0.0.1,ubuntu\n") == nil)
    }

    @Test func wrongFieldCounts() {
        #expect(inventoryError("name,ip,user\nweb1,10.0.0.1\n")?.description
            == "servers.csv:2:6: line 2 has 2 fields; expected 3 like the header")
        #expect(inventoryError("name,ip\nweb1,10.0.0.1,extra\n")?.description
            == "servers.csv:2:15: line 2 has 3 fields; expected 2 like the header")
        #expect(inventoryError("name,ip\nweb1,10.0.0.1,\n")?.description
            == "servers.csv:2:15: line 2 has 3 fields; expected 2 like the header (a trailing comma adds an empty field)")
    }

    @Test func emptyAddress() {
        #expect(inventoryError("name,ip\nweb1,  \n")?.description
            == "servers.csv:2:6: the address is empty; expected an IPv4 address, IPv6 address or hostname in one of: ip, ip_address, server_ip, host, ansible_host")
    }

    @Test func emptyInventories() {
        #expect(inventoryError("name,ip\n# nothing yet\n\n")?.description == "servers.csv:1: no hosts; expected at least one valid row after the header")
        #expect(inventoryError("")?.message.hasPrefix("the inventory is empty") == true)
    }

    @Test func csvErrorsKeepTheirPosition() {
        #expect(inventoryError("name,ip\nweb1,\"10.0.0.1\n")?.description
            == "servers.csv:2:6: unterminated quoted field; expected a closing quote")
    }

    @Test func loadsFixtureFromDisk() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inventory-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("servers.csv")
        let text = "\u{FEFF}# production validators\r\nName,IP,SSH User,Port,Private Key,Region\r\n"
            + "val-1,10.0.0.1,ubuntu,22,\(keyA),eu\r\nval-2,10.0.0.2,ubuntu,2222,,us\r\n"
        try Data(text.utf8).write(to: url)
        let inventory = try InventoryLoader.load(contentsOf: url)
        #expect(inventory.file == url.path)
        #expect(inventory.hosts.map(\.name) == ["val-1", "val-2"])
        #expect(inventory.hosts.map(\.port) == [22, 2222])
        #expect(inventory.hosts.map(\.line) == [3, 4])
        #expect(inventory.hosts.first?.variables == ["region": "eu"])
        #expect(inventory.hosts.first?.secretValues == [keyA])
        #expect(inventory.hosts.last?.secretVariables.isEmpty == true)
    }

    @Test func unreadableFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/servers.csv")
        do {
            _ = try InventoryLoader.load(contentsOf: url)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == url.path)
            #expect(error.description == "\(url.path): cannot read the inventory file: No such file or directory")
        }
    }
}

@Suite(.tags(.unit)) struct HostPatternTests {
    let inventory = Inventory(file: "s.csv", hosts: [
        RemoteHost(name: "web1", address: "10.0.0.1"),
        RemoteHost(name: "web2", address: "10.0.0.2"),
        RemoteHost(name: "web10", address: "10.0.1.10"),
        RemoteHost(name: "db1", address: "db1.example.com"),
        RemoteHost(name: "Val-A", address: "2001:db8::1"),
    ])

    func names(_ pattern: String) throws -> [String] {
        try inventory.limited(to: HostPattern(pattern)).hosts.map(\.name)
    }

    @Test func globs() throws {
        #expect(try names("all") == ["web1", "web2", "web10", "db1", "Val-A"])
        #expect(try names("*") == ["web1", "web2", "web10", "db1", "Val-A"])
        #expect(try names("web?") == ["web1", "web2"])
        #expect(try names("web*") == ["web1", "web2", "web10"])
        #expect(try names("web[12]") == ["web1", "web2"])
        #expect(try names("web[!1]") == ["web2"])
        #expect(try names("web[0-9]0") == ["web10"])
        #expect(try names("10.0.0.*") == ["web1", "web2"])
        #expect(try names("*.example.com") == ["db1"])
        #expect(try names("val-a") == ["Val-A"])
        #expect(try names("2001:db8::*") == ["Val-A"])
        #expect(try names("db1, web2") == ["web2", "db1"])
        #expect(try names("nothing") == [])
        #expect(try names("*1*0") == ["web10"])
    }

    @Test func exclusions() throws {
        #expect(try names("!web*") == ["db1", "Val-A"])
        #expect(try names("web*,!web10") == ["web1", "web2"])
        #expect(try names("all,!10.0.0.*,!db1") == ["web10", "Val-A"])
        #expect(try names("!web1,web1") == [])
    }

    @Test func badPatterns() {
        #expect(throws: InventoryError.self) { try HostPattern("") }
        #expect(throws: InventoryError.self) { try HostPattern("web1,,web2") }
        #expect(throws: InventoryError.self) { try HostPattern("!") }
        do {
            _ = try HostPattern("db1,web[1-3")
            Issue.record("expected an error")
        } catch {
            #expect(error.column == 8)
            #expect(error.description == "host pattern 'db1,web[1-3': unclosed '[' at character 8; expected a closing ']'")
        }
    }

    @Test func escapesAndExactNames() throws {
        let hosts = [RemoteHost(name: "node*", address: "10.0.0.1"), RemoteHost(name: "node1", address: "10.0.0.2"),
                     RemoteHost(name: "EU, rack 2", address: "10.0.0.3")]
        let inventory = Inventory(file: "s", hosts: hosts)
        #expect(inventory.limited(to: try HostPattern("node\\*")).hosts.map(\.name) == ["node*"])
        #expect(inventory.limited(to: try HostPattern("node*")).hosts.map(\.name) == ["node*", "node1"])
        #expect(inventory.limited(to: try HostPattern("eu\\, rack 2")).hosts.map(\.name) == ["EU, rack 2"])
        #expect(throws: InventoryError.self) { try HostPattern("web\\") }
    }

    @Test func pathologicalGlobStaysFast() throws {
        let host = RemoteHost(name: String(repeating: "a", count: 200), address: "1.1.1.1")
        let pattern = try HostPattern(String(repeating: "*a", count: 50) + "b")
        #expect(!pattern.matches(host))
    }
}

@Suite(.tags(.unit)) struct InventorySchemaTests {
    /// A kit that reads a bech32 wallet and a secret keyring password.
    static let schema = InventorySchema([
        InventoryField("wallet", label: "wallet address", columns: ["wallet", "account"], required: true,
                       validate: { $0.hasPrefix("gonka1") && $0.count > 10 ? nil : "a bech32 address starting with gonka1" }),
        InventoryField("keyring_password", label: "keyring password", columns: ["keyring_password"], secret: true,
                       validate: { $0.count >= 8 ? nil : "at least 8 characters" }),
    ])

    @Test func kitFieldsLandUnderTheirKeys() throws {
        let text = "ip,Wallet,Keyring-Password,region\n10.0.0.1,gonka1qqqqqqqqqq,correct horse,eu\n10.0.0.2,,pw-long-enough,us\n"
        let error = try #require(inventoryError(text, schema: Self.schema))
        #expect(error.description == "servers.csv:3:10: the wallet address is empty; expected a value in one of: wallet, account")
        let good = "ip,account,wallet,keyring_password\n10.0.0.1,gonka1aaaaaaaaaa,gonka1bbbbbbbbbb,correct horse\n"
        let host = try #require(try InventoryLoader.parse(good, file: "s", schema: Self.schema).hosts.first)
        #expect(host.variables == ["wallet": "gonka1bbbbbbbbbb"], "the first accepted column in the schema's order wins")
        #expect(host.secretVariables["keyring_password"]?.revealed == "correct horse")
    }

    @Test func invalidKitValuesNameTheColumnAndHideSecrets() throws {
        let text = "ip,wallet,keyring_password\n10.0.0.1,0xabc,short\n"
        let error = try #require(inventoryError(text, schema: Self.schema))
        #expect(error.all.map(\.location) == [
            "servers.csv:2:10: wallet '0xabc' is not a valid wallet address; expected a bech32 address starting with gonka1",
            "servers.csv:2:16: keyring_password is not a valid keyring password (value not shown); expected at least 8 characters",
        ])
        #expect(!error.description.contains("short"))
    }

    @Test func missingRequiredColumnAndClaimedSSHColumns() {
        #expect(inventoryError("ip\n10.0.0.1\n", schema: Self.schema)?.description
            == "servers.csv:1:1: no wallet address column; expected one of: wallet, account")
        let clash = InventorySchema([InventoryField("x", label: "thing", columns: ["host"])])
        #expect(inventoryError("ip\n10.0.0.1\n", schema: clash)?.message
            == "the inventory schema's thing claims column 'host', which is already read as the address")
    }

    @Test func aGonkaWalletIsNotAnEthereumAddressForFleetKit() throws {
        let host = try #require(try InventoryLoader.parse("ip,wallet\n10.0.0.1,gonka1xyz\n", file: "s").hosts.first)
        #expect(host.variables == ["wallet": "gonka1xyz"])
    }
}

@Suite(.tags(.unit)) struct HostNamingTests {
    @Test func numberedNamesCountKeptRowsFromTheStart() throws {
        let text = "IP,region\n10.0.0.1,eu\n10.0.0.999,us\n10.0.0.3,us\n"
        let inventory = try InventoryLoader.parse(text, file: "s.csv", skipInvalidRows: true, naming: .numbered(prefix: "node", start: 5))
        #expect(inventory.hosts.map(\.name) == ["node5", "node6"], "a skipped row takes no number, as generate_hosts.sh counted valid rows")
        let named = try InventoryLoader.parse("name,ip\nweb,10.0.0.1\n", file: "s.csv", naming: .numbered(prefix: "node", start: 1))
        #expect(named.hosts.map(\.name) == ["web"], "a name column wins")
        #expect(throws: InventoryError.self) { try InventoryLoader.parse(text, file: "s.csv", naming: .numbered(prefix: "a\u{0}", start: 1)) }
    }

    @Test func repeatedAddressesOnlyWhenAsked() throws {
        let text = "ip,key\n10.0.0.1,a1234\n10.0.0.1,b1234\n"
        #expect(throws: InventoryError.self) { try InventoryLoader.parse(text, file: "s.csv", naming: .numbered(prefix: "node", start: 1)) }
        let rows = try InventoryLoader.parse(text, file: "s.csv", naming: .numbered(prefix: "node", start: 1), allowsRepeatedAddresses: true)
        #expect(rows.hosts.map(\.name) == ["node1", "node2"])
    }
}

/// A label of 64 hex letters is too long for a host name and also shaped like a private key:
/// it is refused without being echoed.
@Suite(.tags(.unit)) struct HexShapedAddressTests {
    @Test func aHexShapedAddressIsRefusedWithoutEchoingIt() throws {
        let address = String(repeating: "a", count: 64) + ".com"
        #expect(throws: InventoryError.self) { try InventoryLoader.parse("name,ip\nn1,\(address)\n", file: "s.csv") }
        do {
            _ = try InventoryLoader.parse("name,ip\nn1,\(address)\n", file: "s.csv")
        } catch {
            #expect(!error.description.contains(String(repeating: "a", count: 30)))
            #expect(error.description.contains("shaped like a private key or mnemonic (not shown)"))
        }
    }
}
