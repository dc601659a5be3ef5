import FleetKit
import Foundation

/// Phase 3 (configuration): `config.env` and `node-config.json` kept locally in
/// `nodes/<KEY_NAME>/` and put into the deploy folder, and the server's `.env`. Each file is
/// written only when its content or mode differs; the ones holding the keyring password
/// have mode 0600 and travel on standard input, never in argv.
public enum ConfigurationPhase {
    /// The phase's playbook.
    public static func playbook(_ config: NodeConfig, localFolder: URL) -> Playbook {
        let files = NodeFiles.render(config)
        var steps = [localFiles(config, files: files, folder: localFolder)]
        for file in files {
            let contents = Data(file.contents.utf8)
            steps.append(.remoteFile("server \(file.name)", path: config.deployDirectory + "/" + file.name, mode: file.mode) { contents })
        }
        steps.append(dotEnvStep(config))
        return Playbook(DeployPhase.configuration.title, steps: steps)
    }

    /// The server's `.env` (mode 0600), written when it differs; phase 6 checks it again, as the original regenerates it there.
    static func dotEnvStep(_ config: NodeConfig) -> Step {
        let dotEnv = Data(ComposeEnvFile.render(config).utf8)
        return .remoteFile("server .env", path: config.deployDirectory + "/.env", mode: 0o600) { dotEnv }
    }

    /// The local copies, rewritten when their content differs.
    static func localFiles(_ config: NodeConfig, files: [RenderedNodeFile], folder: URL) -> Step {
        Step(
            "local node files",
            check: .swift { _ in
                files.allSatisfy { file in
                    (try? Data(contentsOf: folder.appendingPathComponent(file.name))) == Data(file.contents.utf8)
                }
            },
            action: .swift { _ in _ = try NodeFiles.write(config, to: folder) })
    }
}
