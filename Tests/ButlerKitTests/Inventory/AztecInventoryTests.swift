import ButlerKit
import FleetKit
import FleetTestSupport
import Testing

@Suite(.tags(.unit)) struct AztecInventoryTests {
    static let key = "0x" + String(repeating: "ab", count: 32)
    static let eth = "0x" + String(repeating: "12", count: 20)

    func load(_ text: String) throws(InventoryError) -> [RemoteHost] {
        try InventoryLoader.parse(text, file: "servers.csv", schema: AztecInventory.schema).hosts
    }

    @Test(arguments: ["ip,address,private_key", "IP,ADDRESS,PRIVATE_KEY", "ip_address,eth_address,key", "HOST,Wallet Address,PRIVATEKEY",
                      "server_ip,ethereum_address,priv_key"])
    func theOriginalToolkitsHeaders(header: String) throws {
        let host = try #require(try load("\(header)\n203.0.113.10,\(Self.eth),\(Self.key)\n").first)
        #expect(host.address == "203.0.113.10")
        #expect(host.ethAddress == Self.eth)
        #expect(host.validatorPrivateKey?.revealed == Self.key)
        #expect(host.identityFile == nil, "KEY is the validator key, never an SSH key file")
        #expect(host.variables[AztecInventory.Key.ethAddress] == Self.eth)
        #expect(host.secretValues == [Self.key])
    }

    @Test func urlListsAndOurExtraColumns() throws {
        let text = "name,ip,user,port,ssh_key,address,key,l1_rpc,beacon\n"
            + "Validator 1,10.0.0.1,ubuntu,2222,/k/id,\(Self.eth),\(Self.key),\"http://a:8545, http://b:8545\",http://c:5052\n"
        let host = try #require(try load(text).first)
        #expect(host.name == "Validator 1" && host.user == "ubuntu" && host.port == 2222 && host.identityFile == "/k/id")
        #expect(host.l1RPCURLs == ["http://a:8545", "http://b:8545"])
        #expect(host.consensusURLs == ["http://c:5052"])
    }

    @Test func badValuesNameTheCellAndNeverEchoTheKey() throws {
        let almost = "0x" + String(repeating: "9f", count: 31) + "zz"
        let text = "ip,address,private_key,l1_rpc\n10.0.0.1,0x1234,\(almost),ftp://x\n"
        do {
            _ = try load(text)
            Issue.record("expected an error")
        } catch {
            #expect(error.all.map(\.location) == [
                "servers.csv:2:10: address '0x1234' is not a valid Ethereum address; expected 0x followed by 40 hex digits",
                "servers.csv:2:17: private_key is not a valid validator private key (value not shown); expected 64 hex digits, optionally after 0x",
                "servers.csv:2:84: l1_rpc 'ftp://x' is not a valid L1 RPC URL list; expected http(s) or ws(s) URLs separated by commas, without $, ` or quotes",
            ])
            #expect(!error.description.contains("9f9f9f"))
        }
    }
}

extension AztecInventoryTests {
    @Test func eachRowTakesTheFirstNonEmptyColumnInTheOriginalsOrder() throws {
        let other = "0x" + String(repeating: "cd", count: 32)
        let text = "IP,HOST,ADDRESS,ETH_ADDRESS,KEY,PRIVATE_KEY\n"
            + ",10.0.0.1,,\(Self.eth),\(other),\(Self.key)\n"
            + "10.0.0.2,10.0.0.9,\(Self.eth),0x\(String(repeating: "9", count: 40)),\(other),\n"
        let hosts = try load(text)
        #expect(hosts.map(\.address) == ["10.0.0.1", "10.0.0.2"], "IP first, then HOST when IP is empty")
        #expect(hosts.map(\.ethAddress) == [Self.eth, Self.eth])
        #expect(hosts.map { $0.validatorPrivateKey?.revealed } == [Self.key, other], "PRIVATE_KEY before KEY, per row")
    }
}
