import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Configuration as the original reads it: XDG paths, precedence, and values that cannot work.
@Suite(.tags(.unit)) struct ButlerConfigurationTests {
    let home = "/home/op"

    func load(flags: [ButlerSetting: String] = [:], environment: [String: String] = [:], file: String? = nil,
              network: String = "mainnet") throws -> ButlerConfiguration {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = environment
        environment["XDG_CONFIG_HOME"] = folder.path
        if let file {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("aztec-butler"), withIntermediateDirectories: true)
            try ButlerFixtures.write(file, "aztec-butler/\(network)-base.env", in: folder)
        }
        let given = Dictionary(uniqueKeysWithValues: flags.map { setting, value in
            (setting, ButlerGivenValue(value, name: "--" + setting.rawValue.lowercased().replacingOccurrences(of: "_", with: "-")))
        })
        return try ButlerConfiguration.load(ButlerConfigurationRequest(network: network, flags: given, environment: environment, homeDirectory: home))
    }

    func problems(flags: [ButlerSetting: String] = [:], environment: [String: String] = [:], file: String? = nil) -> [String] {
        do {
            _ = try load(flags: flags, environment: environment, file: file)
            return []
        } catch let error as ButlerConfigError {
            return error.problems
        } catch {
            return ["unexpected: \(error)"]
        }
    }

    @Test func xdgPathsAndTheirDefaults() {
        let plain = ButlerPaths(environment: [:], homeDirectory: home)
        #expect(plain.configDirectory.path == "/home/op/.config/aztec-butler")
        #expect(plain.dataDirectory.path == "/home/op/.local/share/aztec-butler")
        #expect(plain.configFile(network: "mainnet").path == "/home/op/.config/aztec-butler/mainnet-base.env")
        #expect(plain.dataDirectorySource == .defaultValue)
        let xdg = ButlerPaths(environment: ["XDG_CONFIG_HOME": "/etc/xdg-op", "XDG_DATA_HOME": "/srv/data"], homeDirectory: home)
        #expect(xdg.configDirectory.path == "/etc/xdg-op/aztec-butler")
        #expect(xdg.dataDirectory.path == "/srv/data/aztec-butler")
        #expect(xdg.dataDirectorySource == .environment("XDG_DATA_HOME"))
        let ignored = ButlerPaths(environment: ["XDG_CONFIG_HOME": "relative/dir", "XDG_DATA_HOME": ""], homeDirectory: home)
        #expect(ignored.configDirectory.path == "/home/op/.config/aztec-butler", "a relative XDG path is ignored")
        #expect(ignored.dataDirectory.path == "/home/op/.local/share/aztec-butler")
        let flagged = ButlerPaths(environment: ["XDG_DATA_HOME": "/srv/data"], homeDirectory: home, dataDirectory: ButlerGivenValue(URL(fileURLWithPath: "/tmp/keys"), name: "--data-dir"))
        #expect(flagged.dataDirectory.path == "/tmp/keys" && flagged.dataDirectorySource == .flag("--data-dir"))
    }

    @Test func defaultsWithoutAFile() throws {
        let configuration = try load()
        #expect(!configuration.configFileFound)
        #expect(configuration.serverId == "server-01")
        #expect(configuration.ethereumNodeURL.absoluteString == "http://localhost:8545")
        #expect(configuration.aztecNodeURL.absoluteString == "http://localhost:8080")
        #expect(configuration.minEthPerAttester.wei == UInt256(100_000_000_000_000_000))
        #expect(configuration.metricsPort == 9464)
        #expect(configuration.metricsBearerToken == nil, "no public default token")
        #expect(configuration.ethereumChainId == nil && configuration.stakingProviderId == nil)
        #expect(configuration.value(.serverId).source == .defaultValue)
        #expect(configuration.value(.ethereumArchiveNodeURL).source == .unset)
    }

    @Test func flagsBeatTheEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws {
        let file = "SERVER_ID=from-file\nETHEREUM_NODE_URL=http://file:8545\nAZTEC_NODE_URL=http://file:8080\nMETRICS_PORT=9000\n"
        let configuration = try load(flags: [.serverId: "from-flag"],
                                     environment: ["SERVER_ID": "from-env", "ETHEREUM_NODE_URL": "http://env:8545", "AZTEC_NODE_URL": ""],
                                     file: file)
        #expect(configuration.serverId == "from-flag")
        #expect(configuration.value(.serverId).source == .flag("--server-id"))
        #expect(configuration.ethereumNodeURL.absoluteString == "http://env:8545")
        #expect(configuration.value(.ethereumNodeURL).source == .environment("ETHEREUM_NODE_URL"))
        #expect(configuration.aztecNodeURL.absoluteString == "http://file:8080", "an empty environment value counts as not given")
        guard case .file(let path, let line) = configuration.value(.aztecNodeURL).source else {
            Issue.record("AZTEC_NODE_URL should come from the file")
            return
        }
        #expect(path.hasSuffix("aztec-butler/mainnet-base.env") && line == 3)
        #expect(configuration.metricsPort == 9000)
        #expect(configuration.value(.minEthPerAttester).source == .defaultValue)
    }

    @Test func theFixtureFileAndItsSecret() throws {
        let text = try String(contentsOf: ButlerFixtures.folder.appendingPathComponent("config/mainnet-base.env"), encoding: .utf8)
        let configuration = try load(file: text)
        #expect(configuration.ethereumChainId == 1)
        #expect(configuration.ethereumNodeURL.absoluteString == "http://l1.internal:8545")
        #expect(configuration.aztecNodeURL.absoluteString == "http://aztec.internal:8080")
        #expect(configuration.metricsBearerToken?.revealed == "s3cr3t-token-from-file")
        #expect(configuration.value(.metricsBearerToken).shownText == "***")
        #expect(configuration.value(.metricsBearerToken).text == nil, "the secret is only kept as a Secret")
        #expect(configuration.unusedFileVariables == ["SAFE_API_KEY"])
        let report = configuration.report.lines.joined(separator: "\n") + String(decoding: try JSONEncoder().encode(configuration.report), as: UTF8.self)
        #expect(!report.contains("s3cr3t") && report.contains("***"))
    }

    /// Issue 21: `config` printed RPC credentials (user info, path API keys, apikey query values).
    @Test func configMasksRPCCredentialsUnlessAskedToShowThem() throws {
        let alchemy = "https://eth-mainnet.g.alchemy.com/v2/AbCdEf1234567890XyZ"
        let infura = "https://op:hunter2pass@mainnet.infura.io/v3/0123456789abcdef0123456789abcdef"
        let quicknode = "https://yolo-bold-wind.quiknode.pro/9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6/?apikey=QK-k3y-secret&chain=1"
        let file = "ETHEREUM_NODE_URL=\(alchemy)\nETHEREUM_ARCHIVE_NODE_URL=\(infura)\nAZTEC_NODE_URL=\(quicknode)\n"
        let configuration = try load(file: file)
        let secrets = ["AbCdEf1234567890XyZ", "hunter2pass", "op:", "0123456789abcdef0123456789abcdef", "9f8e7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6", "QK-k3y-secret"]
        let masked = configuration.report
        let text = masked.lines.joined(separator: "\n")
        let json = String(decoding: try JSONEncoder().encode(masked), as: UTF8.self)
        for secret in secrets {
            #expect(!text.contains(secret) && !json.contains(secret), "\(secret) shown")
        }
        #expect(text.contains("https://eth-mainnet.g.alchemy.com/v2/***"))
        #expect(text.contains("https://***@mainnet.infura.io/v3/***"))
        #expect(text.contains("https://yolo-bold-wind.quiknode.pro/***/?apikey=***&chain=1"))
        let shown = configuration.report(revealsCredentials: true)
        let shownText = shown.lines.joined(separator: "\n")
        let shownJSON = String(decoding: try JSONEncoder().encode(shown), as: UTF8.self)
        for url in [alchemy, infura, quicknode] {
            #expect(shownText.contains(url), "\(url) not shown")
            #expect(shownJSON.contains(url.replacingOccurrences(of: "/", with: "\\/")) || shownJSON.contains(url))
        }
    }

    @Test func urlCredentialMaskingKeepsWhatIsNotACredential() {
        #expect(URLCredentials.maskingCredentials("http://localhost:8545") == "http://localhost:8545")
        #expect(URLCredentials.maskingCredentials("http://l1.internal:8545/rpc?chain=1") == "http://l1.internal:8545/rpc?chain=1")
        #expect(URLCredentials.maskingCredentials("https://rpc.ankr.com/eth/abcdef0123456789abcdef") == "https://rpc.ankr.com/eth/***")
        #expect(URLCredentials.maskingCredentials("https://x.example/path?token=abc&key=k&x=1") == "https://x.example/path?token=***&key=***&x=1")
        #expect(URLCredentials.maskingCredentials("not a url") == "***")
    }

    @Test func valuesThatCannotWorkAreRejectedNamingTheVariableAndSource() throws {
        let found = problems(
            flags: [.metricsPort: "70000"],
            environment: ["ETHEREUM_NODE_URL": "localhost:8545", "MIN_ETH_PER_ATTESTER": "-0.1"],
            file: "ETHEREUM_CHAIN_ID=mainnet\nAZTEC_STAKING_PROVIDER_ID=1e3\nAZTEC_STAKING_PROVIDER_ADMIN_ADDRESS=0x1234\nAZTEC_NODE_URL=ftp://user:pw@node/key\nSERVER_ID=a/b\nETHEREUM_ARCHIVE_NODE_URL=https://user:pw@\n")
        let shapes = found.map {
            $0.replacingOccurrences(of: #"file /[^:]*/aztec-butler/mainnet-base\.env"#, with: "file F", options: .regularExpression)
        }
        #expect(shapes == [
            "SERVER_ID (file F:5): expected a server id (letters, digits, -, _ and .), got 'a/b'",
            "ETHEREUM_CHAIN_ID (file F:1): expected a whole number above 0, such as 1 for mainnet or 11155111 for Sepolia, got 'mainnet'",
            "ETHEREUM_NODE_URL (environment ETHEREUM_NODE_URL): expected an http(s) or ws(s) URL such as http://localhost:8545, got text that is not a URL (not shown: it may hold a key)",
            "ETHEREUM_ARCHIVE_NODE_URL (file F:6): expected an http(s) or ws(s) URL such as https://archive.example.com, got text that is not a URL (not shown: it may hold a key)",
            "AZTEC_NODE_URL (file F:4): expected an http(s) URL such as http://localhost:8080, got 'ftp://***@node/***'",
            "AZTEC_STAKING_PROVIDER_ID (file F:2): expected a whole number (the provider id in the StakingRegistry), got '1e3'",
            "AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS (file F:3): expected 0x + 40 hex digits, got '0x1234'",
            "MIN_ETH_PER_ATTESTER (environment MIN_ETH_PER_ATTESTER): expected an amount of ETH of 0 or more, such as 0.1, got '-0.1'",
            "METRICS_PORT (flag --metrics-port): expected a port from 1 to 65535, got '70000'",
        ])
        #expect(problems(environment: ["METRICS_BEARER_TOKEN": "default-api-key"]) == [
            "METRICS_BEARER_TOKEN (environment METRICS_BEARER_TOKEN): is the original's public default token; choose a private one (for example: openssl rand -hex 32)",
        ])
        #expect(problems(environment: ["METRICS_PORT": "0"]).count == 1)
    }

    @Test func badFileLinesAndAMissingExplicitFile() throws {
        let found = problems(file: "SERVER_ID=a\nnot a line\n")
        #expect(found.count == 1 && found[0].hasSuffix("mainnet-base.env:2: expected NAME=value, got a line without '='"))
        #expect(throws: ButlerConfigError.self) {
            try ButlerConfiguration.load(ButlerConfigurationRequest(network: "mainnet", environment: [:], homeDirectory: home,
                                                                     configFile: URL(fileURLWithPath: "/nonexistent/mainnet-base.env")))
        }
    }

    @Test func etherAmounts() {
        #expect(EtherAmount(ether: "1")?.wei == UInt256(1_000_000_000_000_000_000))
        #expect(EtherAmount(ether: ".5")?.wei == UInt256(500_000_000_000_000_000))
        #expect(EtherAmount(ether: "0.000000000000000001")?.wei == UInt256(1))
        #expect(EtherAmount(ether: "0")?.wei == .zero)
        for bad in ["", ".", "-1", "+1", "1e3", "0.0000000000000000001", "1.2.3", "abc", " 1"] {
            #expect(EtherAmount(ether: bad) == nil, "\(bad)")
        }
    }

    @Test func networksAreChosenAsTheOriginalDoesAndNeverShareState() throws {
        #expect(try ButlerNetwork.choose(requested: "mainnet", configFile: nil, configured: ["testnet"]) == "mainnet")
        #expect(try ButlerNetwork.choose(requested: nil, configFile: URL(fileURLWithPath: "/x/sepolia-base.env"), configured: []) == "sepolia")
        #expect(try ButlerNetwork.choose(requested: nil, configFile: nil, configured: ["mainnet"]) == "mainnet")
        #expect(try ButlerNetwork.choose(requested: nil, configFile: nil, configured: []) == "testnet")
        #expect(try ButlerNetwork.choose(requested: nil, configFile: nil, configured: ["mainnet", "testnet"]) == "testnet")
        #expect(throws: ButlerConfigError.self) { try ButlerNetwork.choose(requested: nil, configFile: nil, configured: ["a", "b"]) }
        #expect(throws: ButlerConfigError.self) { try ButlerNetwork.choose(requested: "../etc", configFile: nil, configured: []) }
        let mainnet = try load(file: "SERVER_ID=main-1\n", network: "mainnet")
        let testnet = try load(network: "testnet")
        #expect(mainnet.serverId == "main-1" && testnet.serverId == "server-01")
        #expect(mainnet.configFile.lastPathComponent == "mainnet-base.env" && testnet.configFile.lastPathComponent == "testnet-base.env")
    }
}
