import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// Settings, defaults and every check of a node file, all reported at once.
@Suite(.tags(.unit)) struct NodeConfigValidationTests {
    func load(_ text: String, environment: [String: String] = [:]) throws(NodeConfigError) -> NodeConfig {
        try NodeConfig.parse(text, file: "nodes/node1.conf", environment: environment)
    }

    func problems(_ overrides: [String: String], removing: Set<String> = [], environment: [String: String] = [:]) -> [NodeConfigProblem] {
        do throws(NodeConfigError) {
            _ = try load(GonkaFixtures.nodeFile(overrides, removing: removing), environment: environment)
            return []
        } catch {
            return error.problems
        }
    }

    /// The one problem `overrides` cause; fails the test when there is not exactly one.
    func problem(_ overrides: [String: String]) -> String {
        let found = problems(overrides)
        #expect(found.count == 1, "\(found)")
        return found.first?.description ?? ""
    }

    @Test func aValueWhoseQuoteIsLeftOpenIsQuotedByItsFirstLineOnly() {
        // The quote opened on SERVER_IP closes three lines later: its value holds the password line.
        let text = "SERVER_IP=\"185.216.20.162\nSSH_USER=ubuntu\nKEYRING_PASSWORD=sw0rdfish-hidden-pass\nKEY_NAME=quick\"\n"
        do throws(NodeConfigError) {
            _ = try load(text)
            Issue.record("expected problems")
        } catch {
            #expect(!error.description.contains("sw0rdfish-hidden-pass"), "\(error.description)")
            #expect(error.description.contains("SERVER_IP '185.216.20.162' (and 3 more lines: is a closing quote missing?)"), "\(error.description)")
        }
    }

    @Test func theOriginalExampleGetsTheOriginalDefaults() throws {
        let config = try NodeConfig.load(contentsOf: GonkaFixtures.url("original-node1.conf"), path: "nodes/node1.conf", environment: [:])
        #expect(config.serverAddress == ServerAddress("185.216.20.162"))
        #expect(config.sshUser == "ubuntu")
        #expect(config.keyName == "quick-newton")
        #expect(config.keyringPassword.revealed == "kjhjfjfjfbe5rig7hkjnf")
        #expect(config.accountPublicKey.bytes.count == 33)
        #expect(config.profile == .x1)
        #expect(config.modelName == "Qwen/Qwen3-32B-FP8")
        #expect(config.seedAPIURL == "http://node2.gonka.ai:8000")
        #expect(config.volumeDevice == "/dev/vdc")
        #expect(config.volumeMount == "/mnt/ssd")
        #expect(config.hfHome == "/mnt/ssd/hf")
        #expect(config.gonkaPath == "/mnt/ssd/gonka")
        #expect(config.deployDirectory == "/mnt/ssd/gonka/deploy/join")
        #expect(config.persistentPeers.map(\.description).joined(separator: ",") == NodeConfSetting.originalPersistentPeers)
        #expect(config.persistentPeers.map(\.port) == [5000, 5000, 5000])
        #expect(!config.autoConfirm)
        #expect(config.sshPort == 22)
        #expect(config.sshKey == nil)
        #expect(config.adminSSHKeys.isEmpty)
        #expect(config.coldKeyName == nil)
        #expect(config.grantNodeURL == "http://node2.gonka.ai:8000/chain-rpc/")
        #expect(config.pruning == PruningSettings.original)
        #expect(config.notes.isEmpty)
    }

    @Test func emptyOptionalValuesTakeTheDefaultAsInTheOriginal() throws {
        let config = try load(GonkaFixtures.nodeFile(["VOLUME_MOUNT": "\"\"", "PERSISTENT_PEERS": "", "SSH_PORT": "''"]))
        #expect(config.volumeMount == "/mnt/ssd")
        #expect(config.persistentPeers.count == 3)
        #expect(config.sshPort == 22)
    }

    @Test func ourOptionalSettingsAreRead() throws {
        let blob = Data([0, 0, 0, 11] + Array("ssh-ed25519".utf8) + [0, 0, 0, 32] + Array(repeating: UInt8(7), count: 32)).base64EncodedString()
        let config = try load(GonkaFixtures.nodeFile([
            "SSH_PORT": "2222", "SSH_KEY": "/home/op/.ssh/gonka", "COLD_KEY_NAME": "gonka-account-key",
            "ADMIN_SSH_KEYS": "\"ssh-ed25519 \(blob) alice@example.org\nssh-ed25519 \(blob)\"",
            "GRANT_NODE_URL": "https://rpc.example.org/chain-rpc/", "PRUNING_KEEP_RECENT": "20000", "PRUNING_INTERVAL": "512",
            "AUTO_CONFIRM": "yes", "PERSISTENT_PEERS": "\"\(String(repeating: "ab", count: 20))@[2001:db8::1]:26656, \(String(repeating: "CD", count: 20))@peer.example.org:5000\"",
            "SERVER_IP": "2001:db8::10",
        ]))
        #expect(config.sshPort == 2222)
        #expect(config.sshKey == "/home/op/.ssh/gonka")
        #expect(config.coldKeyName == "gonka-account-key")
        #expect(config.adminSSHKeys.map(\.comment) == ["alice@example.org", ""])
        #expect(config.adminSSHKeys.first?.description == "ssh-ed25519 \(blob) alice@example.org")
        #expect(config.grantNodeURL == "https://rpc.example.org/chain-rpc/")
        #expect(config.pruning == PruningSettings(keepRecent: 20000, interval: 512))
        #expect(config.autoConfirm)
        #expect(config.persistentPeers.map(\.host) == ["[2001:db8::1]", "peer.example.org"])
        #expect(config.serverAddress.isIPv6 && config.serverAddress.urlHost == "[2001:db8::10]")
    }

    @Test func everyProblemIsReportedAtOnceWithItsLineOrMissing() {
        let found = problems(["SERVER_IP": "\"10.0.0\"", "KEY_NAME": "\"bad name\"", "SEED_API_URL": "\"ftp://x\"", "SSH_PORT": "0"],
                             removing: ["SSH_USER", "ACCOUNT_PUBKEY"])
        #expect(found.map(\.description) == [
            "nodes/node1.conf:2: SERVER_IP '10.0.0' is not an IPv4 or IPv6 address",
            "nodes/node1.conf:3: KEY_NAME 'bad name' cannot be used: expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the keyring entry, the folder nodes/<KEY_NAME>/ and the log file)",
            "nodes/node1.conf:6: SEED_API_URL 'ftp://x' has the scheme 'ftp'; expected http or https",
            "nodes/node1.conf:8: SSH_PORT '0' is out of range: expected from 1 to 65535",
            "nodes/node1.conf: missing: SSH_USER is required (the SSH login, e.g. ubuntu)",
            "nodes/node1.conf: missing: ACCOUNT_PUBKEY is required (the cold key's public key in base64)",
        ])
    }

    @Test func theErrorListsEveryProblemThenNotes() throws {
        let error = try #require(throws: NodeConfigError.self) {
            try load(GonkaFixtures.nodeFile(["SERVER_PI": "1.2.3.4", "SSH_USER": "\"\""], removing: ["SERVER_IP"]))
        }
        #expect(error.description == """
            2 problems in nodes/node1.conf:
              nodes/node1.conf:2: SSH_USER is empty; it is required (the SSH login, e.g. ubuntu)
              nodes/node1.conf: missing: SERVER_IP is required (the server's IPv4 or IPv6 address)
              note: nodes/node1.conf:9: SERVER_PI is not a setting gonka-deploy reads, and nothing in the file refers to it (did you mean SERVER_IP?)
            """)
    }

    @Test func aSyntaxErrorDoesNotAlsoReportTheSettingAsMissing() {
        let found = problems(["SERVER_IP": "$(curl ifconfig.me)"])
        #expect(found.count == 1)
        #expect(found.first?.message.contains("command substitution") == true)
    }

    static let badValues: [(setting: String, value: String, fragment: String)] = [
        ("SERVER_IP", "256.1.1.1", "is not an IPv4 or IPv6 address"),
        ("SERVER_IP", "\"[2001:db8::1]\"", "has brackets"),
        ("SERVER_IP", "node.example.org", "is a host name"),
        ("SSH_USER", "\"-oProxyCommand=x\"", "is not a login name"),
        ("KEY_NAME", "\"../../etc\"", "cannot be used"),
        ("KEY_NAME", "\"a;b\"", "cannot be used"),
        ("KEY_NAME", String(repeating: "k", count: 65), "cannot be used"),
        ("KEYRING_PASSWORD", "\"short\"", "too short: 5 characters"),
        ("KEYRING_PASSWORD", "\"long enough\nbut two lines\"", "contains a line break"),
        ("ACCOUNT_PUBKEY", "\"not base64!\"", "is not base64"),
        ("ACCOUNT_PUBKEY", "\"AAAA\"", "decodes to 3 bytes, not 33"),
        ("ACCOUNT_PUBKEY", "\"BHm+Zn753LusVaBilc6HCwcCm/zbLc4o2VnygVsW+BeY\"", "starts with the byte 0x04"),
        ("ACCOUNT_PUBKEY", "gonka1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq", "is an address"),
        ("ACCOUNT_PUBKEY", "'{\"key\":\"x\"}'", "looks like JSON"),
        ("MODEL_NAME", "\"meta-llama/Llama-3\"", "must start with 'Qwen/'"),
        ("MODEL_NAME", "\"Qwen/Qwen3-235B-A22B-Instruct-2507-FP8\"", "goes with NODE_CONFIG_PROFILE x8 (8 GPUs), but the profile is x1"),
        ("MODEL_NAME", "\"Qwen/Qwen2.5-7B\"", "is not served by NODE_CONFIG_PROFILE x1"),
        ("NODE_CONFIG_PROFILE", "x4", "is not supported; expected x1 (1 GPU, Qwen/Qwen3-32B-FP8), x8 (8 GPUs, Qwen/Qwen3-235B-A22B-Instruct-2507-FP8), x8-4090 (8 RTX 4090, Qwen/Qwen3-32B-FP8) or auto (picked from the server's GPUs)"),
        ("GPU_CHECK", "\"maybe\"", "GPU_CHECK 'maybe' is not supported; expected refuse"),
        ("SEED_API_URL", "\"http://node2.gonka.ai:8000/\"", "ends with '/'"),
        ("SEED_API_URL", "\"node2.gonka.ai:8000\"", "expected http"),
        ("SEED_API_URL", "\"http://user:pw@node2.gonka.ai:8000\"", "contains credentials"),
        ("SEED_API_URL", "\"http://:8000\"", "has no host"),
        ("SEED_API_URL", "\"http://node2.gonka.ai:8000?x=1\"", "has a query"),
        ("GRANT_NODE_URL", "\"gopher://x\"", "expected http or https"),
        ("PERSISTENT_PEERS", "\"abc@1.2.3.4:5000\"", "entry 1 'abc@1.2.3.4:5000' has a node id that is not 40 hex digits"),
        ("PERSISTENT_PEERS", "\"\(String(repeating: "a", count: 40))@1.2.3.4\"", "has no ':' before the port"),
        ("PERSISTENT_PEERS", "\"\(String(repeating: "a", count: 40))@1.2.3.4:0\"", "has a port that is not"),
        ("PERSISTENT_PEERS", "\"\(String(repeating: "a", count: 40))1.2.3.4:5000\"", "has no '@'"),
        ("PERSISTENT_PEERS", "\"\(String(repeating: "a", count: 40))@999.2.3.4:5000\"", "has a host that is neither"),
        ("PERSISTENT_PEERS", "\"\(String(repeating: "a", count: 40))@[1.2.3.4]:5000\"", "bracketed host"),
        ("PERSISTENT_PEERS", "\"\(String(repeating: "a", count: 40))@a.b:1,\(String(repeating: "A", count: 40))@c.d:2\"", "repeats the node id"),
        ("VOLUME_DEVICE", "/mnt/vdc", "is not a device under /dev/"),
        ("VOLUME_MOUNT", "mnt/ssd", "is not an absolute path"),
        ("HF_HOME", "/mnt/ssd/../hf", "contains '..'"),
        ("GONKA_PATH", "/", "is the root folder"),
        ("SSH_PORT", "22a", "is not a whole number"),
        ("SSH_PORT", "70000", "out of range: expected from 1 to 65535"),
        ("SSH_KEY", "\"-oProxyCommand=x\"", "is not a usable key file path"),
        ("ADMIN_SSH_KEYS", "\"ssh-ed25519 AAAA alice\"", "key 1 has a key blob that is not a base64 ssh-ed25519 key"),
        ("ADMIN_SSH_KEYS", "\"ssh-dss AAAA\"", "key 1 has the key type 'ssh-dss'"),
        ("ADMIN_SSH_KEYS", "onlyoneword", "key 1 is not '<type> <base64 key> [comment]'"),
        ("COLD_KEY_NAME", "\"my key\"", "cannot be used"),
        ("PRUNING_KEEP_RECENT", "1", "expected at least 2 (the Cosmos SDK refuses fewer than 2)"),
        ("PRUNING_INTERVAL", "5", "expected at least 10 (the Cosmos SDK refuses intervals below 10)"),
        ("PRUNING_INTERVAL", "-10", "is not a whole number"),
    ]

    @Test(arguments: badValues)
    func eachRuleNamesTheSettingAndLine(_ example: (setting: String, value: String, fragment: String)) {
        let description = problem([example.setting: example.value])
        #expect(description.contains(example.fragment), "\(description)")
        #expect(description.hasPrefix("nodes/node1.conf:"))
        #expect(description.contains(example.setting))
    }

    static let goodValues: [(setting: String, value: String)] = [
        ("SERVER_IP", "10.0.0.1"), ("SERVER_IP", "2001:db8::10"), ("SERVER_IP", "::1"),
        ("KEY_NAME", "node-702105"), ("KEY_NAME", "A.b_c-9"),
        ("ACCOUNT_PUBKEY", "Au+a3CpMj6nqFV6d0tUlVajCTkOP3cxKnps+1/lMv5zY"),
        ("SEED_API_URL", "https://node1.gonka.ai"), ("SEED_API_URL", "http://[2001:db8::1]:8000"), ("SEED_API_URL", "http://10.1.2.3:8000/api"),
        ("PERSISTENT_PEERS", "\"\""), ("PERSISTENT_PEERS", "\" , \""),
        ("NODE_CONFIG_PROFILE", "x1"), ("NODE_CONFIG_PROFILE", "x8-4090"), ("NODE_CONFIG_PROFILE", "auto"),
        ("GPU_CHECK", "warn"), ("GPU_CHECK", "refuse"), ("SSH_PORT", "65535"), ("PRUNING_INTERVAL", "10"), ("PRUNING_KEEP_RECENT", "2"),
    ]

    @Test(arguments: goodValues)
    func acceptedValues(_ example: (setting: String, value: String)) {
        #expect(problems([example.setting: example.value]).isEmpty)
    }

    @Test func x8GoesWithItsModel() throws {
        let config = try load(GonkaFixtures.nodeFile(["NODE_CONFIG_PROFILE": "x8", "MODEL_NAME": "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"]))
        #expect(config.profile == .x8)
    }

    @Test func settingsComeFromTheEnvironmentWhenTheFileDoesNotSetThem() throws {
        let environment = ["KEYRING_PASSWORD": "from-the-environment", "AUTO_CONFIRM": "yes", "HF_HOME": "/srv/hf", "VOLUME_MOUNT": ""]
        let config = try load(GonkaFixtures.nodeFile(removing: ["KEYRING_PASSWORD"]), environment: environment)
        #expect(config.keyringPassword.revealed == "from-the-environment")
        #expect(config.autoConfirm)
        #expect(config.hfHome == "/srv/hf")
        #expect(config.volumeMount == "/mnt/ssd", "an empty value takes the default")
        #expect(config.notes.map(\.description) == [
            "nodes/node1.conf: KEYRING_PASSWORD (from the environment): KEYRING_PASSWORD is taken from the environment: the node file does not set it",
            "nodes/node1.conf: HF_HOME (from the environment): HF_HOME is taken from the environment: the node file does not set it",
            "nodes/node1.conf: AUTO_CONFIRM (from the environment): AUTO_CONFIRM is taken from the environment: the node file does not set it",
        ])
        let fromFile = try load(GonkaFixtures.nodeFile(["HF_HOME": "/file/hf"]), environment: environment)
        #expect(fromFile.hfHome == "/file/hf", "the file wins over the environment")
        let badFromEnvironment = problems([:], removing: ["SERVER_IP"], environment: ["SERVER_IP": "bad"])
        #expect(badFromEnvironment.map(\.description) == ["nodes/node1.conf: SERVER_IP (from the environment): SERVER_IP 'bad' is a host name; expected an IPv4 or IPv6 address, as the original does"])
    }

    @Test func onlyTheWordYesConfirms() throws {
        let config = try load(GonkaFixtures.nodeFile(["AUTO_CONFIRM": "true"]))
        #expect(!config.autoConfirm)
        #expect(config.notes.first?.message == "AUTO_CONFIRM=true does not skip the confirmation prompt: only 'yes' does, as in the original")
    }

    @Test func helperVariablesThatAreUsedAreNotNoted() throws {
        let text = "BASE=/srv\n" + GonkaFixtures.nodeFile(["HF_HOME": "$BASE/hf", "STRAY": "1"])
        let config = try load(text)
        #expect(config.hfHome == "/srv/hf")
        #expect(config.notes.map(\.message) == ["STRAY is not a setting gonka-deploy reads, and nothing in the file refers to it"])
    }

    @Test func thePasswordIsNeverShown() throws {
        let password = "Very$ecret pass'word"
        let text = GonkaFixtures.nodeFile(["KEYRING_PASSWORD": ShellQuote.quote(password)])
        let config = try load(text)
        #expect(config.keyringPassword.revealed == password)
        var dumped = ""
        dump(config, to: &dumped)
        for shown in [String(describing: config), String(reflecting: config), dumped, "\(config.keyringPassword)"] {
            #expect(!shown.contains("Very$ecret"), "\(shown)")
        }
        // Copied into another setting by mistake, it is masked in that setting's message too.
        let copied = text + "KEY_NAME=\"$KEYRING_PASSWORD\"\nSERVER_IP=\"x$KEYRING_PASSWORD\"\n"
        let leaked = try #require(throws: NodeConfigError.self) { try load(copied) }.problems
        #expect(leaked.count == 2)
        for problem in leaked {
            #expect(!problem.description.contains("Very$ecret"))
            #expect(problem.description.contains("***"))
        }
        let short = problems(["KEYRING_PASSWORD": "\"abc1234\""])
        #expect(short.map(\.description) == ["nodes/node1.conf:5: KEYRING_PASSWORD is too short: 7 characters, at least 8 are needed"])
    }

    @Test func aMissingOrUnreadableFileIsOneProblem() throws {
        let error = try #require(throws: NodeConfigError.self) {
            try NodeConfig.load(contentsOf: URL(fileURLWithPath: "/nonexistent/node.conf"), path: "nodes/none.conf", environment: [:])
        }
        #expect(error.description == "nodes/none.conf: the node file does not exist")
    }
}
