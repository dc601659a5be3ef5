import FleetKit
import Foundation

/// A test's own failure, with what went wrong.
struct GonkaTestError: Error, CustomStringConvertible {
    let description: String
}

/// The fixture files and a few helpers shared by GonkaKit's tests.
enum GonkaFixtures {
    /// `Tests/GonkaKitTests/Fixtures`.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// A fixture's URL.
    static func url(_ name: String) -> URL {
        folder.appendingPathComponent(name)
    }

    /// A fixture's text.
    static func text(_ name: String) throws -> String {
        try String(contentsOf: url(name), encoding: .utf8)
    }

    /// A new empty folder in the temporary directory; the caller removes it.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gonka-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A valid node file in the original's format, with `overrides` replacing or adding `NAME=value` lines.
    static func nodeFile(_ overrides: [String: String] = [:], removing: Set<String> = []) -> String {
        var lines: [(String, String)] = [
            ("SERVER_IP", "\"185.216.20.162\""),
            ("SSH_USER", "\"ubuntu\""),
            ("KEY_NAME", "\"quick-newton\""),
            ("KEYRING_PASSWORD", "\"kjhjfjfjfbe5rig7hkjnf\""),
            ("ACCOUNT_PUBKEY", "\"A6Mh+ZZil8mCUSIJG9iWLj/IH5PfCJaMoAX3U70c2GE/\""),
            ("MODEL_NAME", "\"Qwen/Qwen3-32B-FP8\""),
            ("SEED_API_URL", "\"http://node2.gonka.ai:8000\""),
            ("NODE_CONFIG_PROFILE", "\"x1\""),
        ]
        lines = lines.filter { !removing.contains($0.0) }
        for (name, value) in overrides.sorted(by: { $0.key < $1.key }) {
            if let index = lines.firstIndex(where: { $0.0 == name }) {
                lines[index].1 = value
            } else {
                lines.append((name, value))
            }
        }
        return "# test node\n" + lines.map { "\($0.0)=\($0.1)\n" }.joined()
    }

    /// Runs `script` with bash (`arguments` as $1…) and returns its status and outputs.
    static func bash(_ script: String, arguments: [String] = [], environment: [String: String] = ["PATH": "/usr/bin:/bin"])
        async throws -> (status: Int32, output: String, error: String)
    {
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/bash", arguments: ["-c", script, "bash"] + arguments,
                                                                timeout: .seconds(30), environment: environment))
        return (output.status, String(decoding: output.standardOutput, as: UTF8.self), String(decoding: output.standardError, as: UTF8.self))
    }
}
