import FleetKit
import Foundation

/// Phase 4 (basic services launch): tmkms and the chain node started, the warm key created
/// only when `inferenced keys show` does not find it, `warm_address.txt`, and the
/// participant registration under the cold account (``ParticipantRegistration``). The keyring password reaches the container on standard input only;
/// the output of `keys add` (with the mnemonic) goes straight into `warm_key.txt` (0600)
/// and is never logged or printed.
public enum BasicServicesPhase {
    /// Where steps leave the warm address for later steps of the run.
    static let warmAddressFact = "gonka.warmAddress"

    /// The phase's playbook; `localFolder` is `nodes/<KEY_NAME>/`. In check mode, a server
    /// that has no deploy folder, `config.env` or Docker yet gets a preview of what the phase
    /// would do there instead of an error.
    public static func playbook(_ config: NodeConfig, localFolder: URL, seedAPI: SeedAPI, checkMode: Bool = false) -> Playbook {
        Playbook(DeployPhase.basicServices.title, steps: [
            chainContainers(config), warmKey(config, localFolder: localFolder, checkMode: checkMode), warmAddressFile(localFolder: localFolder),
            ParticipantRegistration.step(config, localFolder: localFolder, seedAPI: seedAPI),
        ])
    }

    /// `docker compose` in the deploy folder, as root without a password prompt, with
    /// config.env exported first as the original does: the compose files read its values,
    /// and exported values take precedence over `.env`, which Compose reads on every call.
    /// ``Privilege/asRootKeepingEnvironment`` keeps those exported values on the way to root
    /// (a root login runs Compose directly, otherwise sudo keeps the caller's environment).
    static func compose(_ config: NodeConfig) -> String {
        "cd \(ShellQuote.quote(config.deployDirectory)) && set -a && . ./config.env && set +a && \(Privilege.asRootKeepingEnvironment) docker compose"
    }

    /// tmkms and node running; started with config.env sourced, as the original does (never stopped first).
    static func chainContainers(_ config: NodeConfig) -> Step {
        let running = "s=$(\(compose(config)) ps --status running --services) && echo \"$s\" | grep -qx tmkms && echo \"$s\" | grep -qx node"
        return .shell(
            "tmkms and node containers", check: running,
            action: "\(compose(config)) up tmkms node -d --no-deps",
            verify: running, timeout: .seconds(1800))
    }

    /// `inferenced keys <arguments>` in a throwaway api container.
    static func keysCommand(_ config: NodeConfig, _ arguments: String) -> String {
        "\(compose(config)) run --rm --no-deps -T api inferenced keys \(arguments) --keyring-backend file"
    }

    /// Looks the warm key up (password on stdin); `true` and the address kept when it exists.
    static func warmKeyExists(_ config: NodeConfig, _ context: HostContext) async throws -> Bool {
        let password = Data((config.keyringPassword.revealed + "\n").utf8)
        let result = try await context.run(RemoteCommand(keysCommand(config, "show \(ShellQuote.quote(config.keyName)) -a"), standardInput: password))
        if result.succeeded, let address = WarmKeyOutput.address(inShowOutput: result.standardOutput) {
            context.facts[warmAddressFact] = address
            return true
        }
        if WarmKeyOutput.saysKeyIsMissing(result.standardOutput + result.standardError) { return false }
        throw StepFailure("inferenced keys show \(config.keyName) failed (\(result.summary)): \(result.tail(lines: 2)); no key is created while the keyring cannot be read")
    }

    /// Whether the api container can be run to look the key up: Docker is there and the
    /// deploy folder holds `config.env` (phase 3 writes it). Absent on a fresh server.
    static func keyringReachable(_ config: NodeConfig, _ context: HostContext) async throws -> Bool {
        let folder = ShellQuote.quote(config.deployDirectory)
        return try await context.run("test -f \(folder)/config.env && command -v docker >/dev/null 2>&1").succeeded
    }

    /// The warm key: created only when missing, so a re-run never replaces it. In check mode
    /// a server where the api container cannot run yet counts as "would create".
    static func warmKey(_ config: NodeConfig, localFolder: URL, checkMode: Bool = false) -> Step {
        Step(
            "warm key \(config.keyName)",
            check: .swift { context in
                if checkMode, try await !keyringReachable(config, context) {
                    context.log(.info, "The deploy folder has no config.env or the server has no Docker yet; the warm key \(config.keyName) would be looked up and created once they are there")
                    return false
                }
                return try await warmKeyExists(config, context)
            },
            action: .swift { context in
                let password = config.keyringPassword.revealed
                let result = try await context.run(RemoteCommand(keysCommand(config, "add \(ShellQuote.quote(config.keyName))"),
                                                                 standardInput: Data((password + "\n" + password + "\n").utf8)))
                let output = result.standardOutput + result.standardError
                if let mnemonic = WarmKeyOutput.mnemonic(in: output) { context.runLog.addSecrets([mnemonic]) }
                try keepKeyOutput(output, folder: localFolder)
                guard result.succeeded else {
                    throw StepFailure("inferenced keys add \(config.keyName) failed (\(result.summary)); its output is in \(localFolder.path)/warm_key.txt")
                }
                guard let address = WarmKeyOutput.address(inAddOutput: output) else {
                    throw StepFailure("Failed to extract the address from the key creation output; see \(localFolder.path)/warm_key.txt")
                }
                context.facts[warmAddressFact] = address
                context.log(.ok, "Warm wallet address: \(address)")
            },
            verify: .swift { context in try await warmKeyExists(config, context) },
            timeout: .seconds(600))
    }

    /// Writes the creation output to `warm_key.txt` (0600, atomically); an earlier file is
    /// kept as `warm_key.txt.previous-<unix time>`, never overwritten, since it may hold
    /// the only copy of another key's mnemonic.
    static func keepKeyOutput(_ output: String, folder: URL) throws {
        try AtomicFile.createDirectory(folder, mode: 0o700)
        let file = folder.appendingPathComponent("warm_key.txt")
        if FileManager.default.fileExists(atPath: file.path) {
            let kept = folder.appendingPathComponent("warm_key.txt.previous-\(Int(Date().timeIntervalSince1970))")
            try FileManager.default.moveItem(at: file, to: kept)
        }
        try AtomicFile.write(output, to: file, mode: 0o600)
    }

    /// `warm_address.txt`: the address and a newline, rewritten when it differs.
    static func warmAddressFile(localFolder: URL) -> Step {
        let file = localFolder.appendingPathComponent("warm_address.txt")
        return Step(
            "warm_address.txt",
            check: .swift { context in
                guard let address = context.facts[warmAddressFact] else { return false }
                return (try? String(contentsOf: file, encoding: .utf8)) == address + "\n"
            },
            action: .swift { context in
                guard let address = context.facts[warmAddressFact] else { throw StepFailure("the warm address is not known") }
                try AtomicFile.createDirectory(localFolder, mode: 0o700)
                try AtomicFile.write(address + "\n", to: file, mode: 0o644)
            })
    }
}
