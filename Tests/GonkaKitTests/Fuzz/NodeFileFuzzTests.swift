import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// Node files under fuzzing: any text reads to a node configuration or a bounded
/// ``NodeConfigError``, never a trap, and the keyring password planted in it never reaches
/// the error.
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct NodeFileFuzzTests {
    static let password = "Pw" + String(repeating: "q7Rz", count: 6)
    static let samples = Fuzzer.bytes([
        """
        # a node file
        SERVER_IP="185.216.20.162"                    # the server's IP address
        SSH_USER="ubuntu"
        KEY_NAME="quick-newton"
        KEYRING_PASSWORD="\(password)"       # warm key password
        ACCOUNT_PUBKEY="A6Mh+ZZil8mCUSIJG9iWLj/IH5PfCJaMoAX3U70c2GE/"
        MODEL_NAME='Qwen/Qwen3-32B-FP8'
        SEED_API_URL=http://node2.gonka.ai:8000
        NODE_CONFIG_PROFILE="x1"
        GONKA_PATH="$HOME/gonka"
        HF_HOME="${GONKA_PATH}/hf"
        export VOLUME_MOUNT=/mnt/ssd

        """,
        "SERVER_IP=2001:db8::1\nKEYRING_PASSWORD='\(password)'\nKEY_NAME=n\\\n1\n",
    ])
    static let tokens = Fuzzer.bytes(["=", "\"", "'", "$", "${", "}", "$(", "`", "#", "\\", "\n", "export ", "$HOME", "${KEY_NAME}", " "])

    /// Cases the fuzzing found in code other work of issue 21 owns: an error per bad line,
    /// unbounded (the error output cap), and a value whose closing quote is missing, quoted
    /// in its error with the lines it swallowed, the keyring password among them (node-file
    /// errors must never quote a secret).

    @Test func mutatedNodeFilesNeverTrapOrShowThePassword() {
        let environment = ["HOME": "/home/operator", "KEY_NAME": "from-env"]
        let ran = Fuzzer.run(seed: 2_126_008, samples: Self.samples, tokens: Self.tokens, secrets: [Self.password]) { input in
            var texts: [String] = []
            do {
                _ = try NodeConfig.parse(input.text, file: "nodes/node1.conf", environment: environment)
            } catch {
                texts.append(String(describing: error))
            }
            do {
                let file = try NodeConfFile.parse(input.text, path: "nodes/node1.conf", environment: environment)
                texts.append(String(describing: file.assignments))
            } catch {
                texts.append(String(describing: error))
            }
            return texts
        }
        #expect(ran >= 500)
    }
}
