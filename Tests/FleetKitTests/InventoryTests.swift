import Foundation
import Testing
@testable import FleetKit

let keyA = "0x" + String(repeating: "ab", count: 32)
let keyB = String(repeating: "cd", count: 32)

func inventoryError(_ text: String, file: String = "servers.csv") -> InventoryError? {
    do {
        _ = try InventoryLoader.parse(text, file: file)
        return nil
    } catch {
        return error
    }
}

@Suite struct InventoryLoaderTests {
    @Test func minimalInventoryUsesAddressAsName() throws {
        let inventory = try InventoryLoader.parse("ip\n10.0.0.1\nnode.example.com\n", file: "servers.csv")
        #expect(inventory.file == "servers.csv")
        #expect(inventory.hosts.map(\.name) == ["10.0.0.1", "node.example.com"])
        #expect(inventory.hosts.map(\.line) == [2, 3])
        let first = try #require(inventory.hosts.first)
        #expect(first == RemoteHost(name: "10.0.0.1", address: "10.0.0.1", line: 2))
        #expect(first.id == "10.0.0.1")
    }

    @Test func fullRowMapsEveryField() throws {
        let text = """
            name,ip,user,port,ssh_key,eth_address,private_key,l1_rpc,beacon,region,api_token,public_key
            val-1, 10.0.0.1 ,ubuntu,2222,~/.ssh/id_ed25519,0x00000000000000000000000000000000000000aB,\(keyA),"https://a, https://b  https://c",https://beacon,eu-west,tok123,0xpub

            """
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(host.name == "val-1")
        #expect(host.address == "10.0.0.1")
        #expect(host.user == "ubuntu")
        #expect(host.port == 2222)
        #expect(host.identityFile == "~/.ssh/id_ed25519")
        #expect(host.ethAddress == "0x00000000000000000000000000000000000000aB")
        #expect(host.privateKey?.revealed == keyA)
        #expect(host.l1RPCURLs == ["https://a", "https://b", "https://c"])
        #expect(host.consensusURLs == ["https://beacon"])
        #expect(host.variables == ["region": "eu-west", "public_key": "0xpub"])
        #expect(host.secretVariables.mapValues(\.revealed) == ["api_token": "tok123"])
        #expect(host.secretValues == [keyA, "tok123"])
    }

    @Test(arguments: [
        ("ip", InventoryColumn.address), ("host", .address), ("address", .address), ("server", .address),
        ("server_ip", .address), ("name", .name), ("hostname", .name), ("alias", .name),
        ("user", .user), ("ssh_user", .user), ("username", .user), ("port", .port), ("ssh_port", .port),
        ("key", .identityFile), ("ssh_key", .identityFile), ("identity_file", .identityFile),
        ("eth_address", .ethAddress), ("address_eth", .ethAddress), ("wallet", .ethAddress), ("coinbase", .ethAddress),
        ("private_key", .privateKey), ("pk", .privateKey), ("validator_private_key", .privateKey),
        ("l1_rpc", .l1RPCURLs), ("rpc", .l1RPCURLs), ("rpc_urls", .l1RPCURLs), ("ethereum_hosts", .l1RPCURLs),
        ("beacon", .consensusURLs), ("consensus", .consensusURLs), ("l1_consensus_host_urls", .consensusURLs),
    ])
    func everyAliasIsAccepted(alias: String, field: InventoryColumn) throws {
        let values: [InventoryColumn: String] = [
            .address: "10.1.2.3", .name: "web1", .user: "deploy", .port: "2200", .identityFile: "/k/id",
            .ethAddress: "0x" + String(repeating: "1", count: 40), .privateKey: keyB,
            .l1RPCURLs: "http://rpc", .consensusURLs: "http://cl",
        ]
        let variants = [alias, alias.uppercased(), "  \(alias.replacingOccurrences(of: "_", with: "-"))  ",
                        alias.replacingOccurrences(of: "_", with: " ").capitalized]
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
            case .ethAddress: #expect(host.ethAddress == values[.ethAddress])
            case .privateKey: #expect(host.privateKey?.revealed == keyB)
            case .l1RPCURLs: #expect(host.l1RPCURLs == ["http://rpc"])
            case .consensusURLs: #expect(host.consensusURLs == ["http://cl"])
            }
            #expect(host.variables.isEmpty, "\(variant) should not become a variable")
        }
    }

    @Test func bomCRLFCommentsAndBlankLines() throws {
        let text = "\u{FEFF}# fleet\r\n\r\nHostName,IP\r\n# web tier\r\nweb1,10.0.0.1\r\n\r\n   \r\nweb2,10.0.0.2\r\n"
        let inventory = try InventoryLoader.parse(text, file: "s.csv")
        #expect(inventory.hosts.map(\.name) == ["web1", "web2"])
        #expect(inventory.hosts.map(\.line) == [5, 8])
    }

    @Test func quotedValues() throws {
        let text = "ip,notes,ethereum_hosts\n10.0.0.1,\"a, \"\"b\"\"\nsecond line\",\"http://x,http://y\"\n"
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(host.variables["notes"] == "a, \"b\"\nsecond line")
        #expect(host.l1RPCURLs == ["http://x", "http://y"])
    }

    @Test func emptyOptionalCellsAreNil() throws {
        let text = "ip,user,port,key,pk,wallet,rpc,region\n10.0.0.1, , ,,,,,\n"
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(host == RemoteHost(name: "10.0.0.1", address: "10.0.0.1", line: 2))
    }

    @Test func unknownColumnsKeepHeaderAsWrittenLowercased() throws {
        let text = "ip, Data-Dir ,Node Version\n10.0.0.1,/srv/data, 1.2 \n"
        let host = try #require(try InventoryLoader.parse(text, file: "s.csv").hosts.first)
        #expect(host.variables == ["data-dir": "/srv/data", "node version": "1.2"])
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

    @Test func secretsNeverShowInDescriptionsOrDumps() throws {
        let text = "name,ip,private_key,keyring_password\nv1,10.0.0.1,\(keyA),hunter2secret\n"
        let inventory = try InventoryLoader.parse(text, file: "s.csv")
        let host = try #require(inventory.hosts.first)
        var dumped = ""
        dump(host, to: &dumped)
        var dumpedInventory = ""
        dump(inventory, to: &dumpedInventory)
        for shown in [String(describing: host), String(reflecting: host), "\(host)", dumped, dumpedInventory,
                      String(describing: inventory), String(describing: host.privateKey as Any)] {
            #expect(!shown.contains(String(keyA.dropFirst(2))), "\(shown)")
            #expect(!shown.contains("hunter2secret"), "\(shown)")
        }
        #expect(dumped.contains("***"))
        #expect(String(describing: Secret("x")) == "***")
        #expect(String(reflecting: Secret("x")) == "***")
        #expect(Secret("x").description == "***" && Secret("x").debugDescription == "***")
        #expect(inventory.secretValues == [keyA, "hunter2secret"])
    }

    @Test func inventorySecretValuesAreUnique() {
        let a = RemoteHost(name: "a", address: "10.0.0.1", privateKey: Secret("k"), secretVariables: ["t": Secret("x")])
        let b = RemoteHost(name: "b", address: "10.0.0.2", privateKey: Secret("k"), secretVariables: ["t": Secret("")])
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
                      "fe80::1%eth0", "ünïcode.com", String(repeating: "a", count: 64) + ".com"])
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

    @Test func hostNames() throws {
        for good in ["val-1", "eu.node_2", "validator@eu", "ノード1", "a:b+c=d"] {
            #expect(try InventoryLoader.parse("name,ip\n\(good),10.0.0.1\n", file: "s").hosts.first?.name == good)
        }
        for bad in ["-rm", "a b", "a/b", "x;y", "$(id)", "web*", "a\tb"] {
            let error = inventoryError("ip,name\n10.0.0.1,\"\(bad)\"\n")
            #expect(error?.description == "servers.csv:2:10: host name '\(bad)' is not usable; expected no spaces, quotes, slashes, glob or shell characters, and no leading '-'")
        }
    }

    @Test func missingAddressColumn() {
        let error = inventoryError("# c\nname,user\nweb1,root\n")
        #expect(error?.description == "servers.csv:2:1: no address column; expected one of: ip, host, address, server, server_ip")
    }

    @Test func twoColumnsForOneField() {
        let error = inventoryError("ip,name,Host\n10.0.0.1,a,b\n")
        #expect(error?.description == "servers.csv:1:9: columns 'ip' and 'Host' both give the address; keep only one of: ip, host, address, server, server_ip")
        #expect(inventoryError("ip,ssh-key,identity file\n1.1.1.1,a,b\n")?.column == 12)
        #expect(inventoryError("ip,region,Region\n1.1.1.1,a,b\n")?.message == "column 'Region' appears twice (first as column 2); expected each column name once")
        #expect(inventoryError("ip,,port\n1.1.1.1,a,2\n")?.column == 4)
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
            == "servers.csv:2:6: the address is empty; expected an IPv4 address, IPv6 address or hostname")
    }

    @Test func emptyInventories() {
        #expect(inventoryError("name,ip\n# nothing yet\n\n")?.description == "servers.csv:1: no hosts; expected at least one row after the header")
        #expect(inventoryError("")?.message.hasPrefix("the inventory is empty") == true)
    }

    @Test func csvErrorsKeepTheirPosition() {
        #expect(inventoryError("name,ip\nweb1,\"10.0.0.1\n")?.description
            == "servers.csv:2:6: unterminated quoted field; expected a closing quote")
    }

    @Test func ethAddressErrors() {
        let error = inventoryError("ip,Wallet\n10.0.0.1,0x1234\n")
        #expect(error?.description == "servers.csv:2:10: Wallet '0x1234' on line 2 is not an Ethereum address; expected 0x followed by 40 hex digits")
        #expect(inventoryError("ip,wallet\n10.0.0.1,\(String(repeating: "a", count: 40))\n") != nil)
        #expect(inventoryError("ip,wallet\n10.0.0.1,0x\(String(repeating: "g", count: 40))\n") != nil)
    }

    @Test func privateKeyErrorsNeverEchoTheKey() throws {
        let almost = "0x" + String(repeating: "9f", count: 31) + "zz"
        let short = String(repeating: "7e", count: 31)
        let long = "0x" + String(repeating: "5a", count: 33)
        for bad in [almost, short, long, "not-a-key-at-all-secret"] {
            let error = try #require(inventoryError("ip,Validator Private Key\n10.0.0.1,\(bad)\n"))
            #expect(error.description == "servers.csv:2:10: Validator Private Key on line 2 is not 32 bytes of hex; expected 64 hex digits, optionally after 0x")
            #expect(!error.description.contains(bad))
            #expect(!error.description.contains(String(bad.dropFirst(2).prefix(16))))
        }
        #expect(try InventoryLoader.parse("ip,pk\n10.0.0.1,\(keyB)\n", file: "s").hosts.first?.privateKey?.revealed == keyB)
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
        #expect(inventory.hosts.last?.privateKey == nil)
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

@Suite struct HostPatternTests {
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

    @Test func pathologicalGlobStaysFast() throws {
        let host = RemoteHost(name: String(repeating: "a", count: 200), address: "1.1.1.1")
        let pattern = try HostPattern(String(repeating: "*a", count: 50) + "b")
        #expect(!pattern.matches(host))
    }
}
