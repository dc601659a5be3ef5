import FleetKit
import Foundation

/// Phase 2 (Gonka and models installation): the Gonka checkout at `GONKA_PATH`, the model
/// cache `HF_HOME`, the Hugging Face CLI and the model of `MODEL_NAME`. A checkout is never
/// pulled or replaced; one of another repository stops the run.
public enum GonkaAndModelsPhase {
    /// The repository cloned, branch `main`, as in the original.
    public static let repositoryURL = "https://github.com/gonka-ai/gonka.git"

    /// The phase's playbook.
    public static func playbook(_ config: NodeConfig) -> Playbook {
        Playbook(DeployPhase.gonkaAndModels.title, steps: [repository(config), modelFolder(config), huggingFaceCLI(), model(config)])
    }

    /// The folder under `HF_HOME` holding a downloaded model: `hub/models--<org>--<name>`.
    public static func modelCacheFolder(hfHome: String, modelName: String) -> String {
        hfHome + "/hub/models--" + modelName.replacingOccurrences(of: "/", with: "--")
    }

    /// The checkout: cloned when `GONKA_PATH` does not exist; its origin must be gonka-ai/gonka.
    static func repository(_ config: NodeConfig) -> Step {
        let path = ShellQuote.quote(config.gonkaPath)
        return Step(
            "gonka repository",
            check: .swift { context in
                let result = try await context.run("if [ -e \(path) ]; then git -C \(path) remote get-url origin 2>&1; else echo '<absent>'; fi")
                let origin = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
                if origin == "<absent>" { return false }
                guard result.succeeded, origin.contains("gonka-ai/gonka") else {
                    throw StepFailure("Wrong git remote of \(config.gonkaPath): \(origin.isEmpty ? result.summary : origin). Please remove \(config.gonkaPath) manually and restart")
                }
                return true
            },
            action: .shell("git clone -b main \(ShellQuote.quote(repositoryURL)) \(path)"),
            timeout: .seconds(1800))
    }

    /// `HF_HOME`, owned by the SSH user.
    static func modelFolder(_ config: NodeConfig) -> Step {
        let path = ShellQuote.quote(config.hfHome)
        return .shell("model cache folder", check: "[ -d \(path) ]",
                      action: "\(Privilege.asRoot) mkdir -p \(path) && \(Privilege.asRoot) chown \(ShellQuote.quote(config.sshUser + ":")) \(path)")
    }

    /// `~/.local/bin/hf`, installed with pipx (pipx itself from apt when missing).
    static func huggingFaceCLI() -> Step {
        let installed = "[ -x \"$HOME/.local/bin/hf\" ]"
        return .shell(
            "huggingface CLI", check: installed,
            action: "if ! command -v pipx >/dev/null 2>&1; then \(Privilege.asRoot) apt-get update -qq && \(Privilege.asRoot) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q pipx; fi && pipx install huggingface_hub",
            verify: installed, timeout: .seconds(1800))
    }

    /// The model, downloaded when no snapshot with a `config.json` is in the cache.
    static func model(_ config: NodeConfig) -> Step {
        let snapshots = ShellQuote.quote(modelCacheFolder(hfHome: config.hfHome, modelName: config.modelName) + "/snapshots")
        let present = "ls \(snapshots)/*/config.json >/dev/null 2>&1"
        return .shell(
            "model \(config.modelName)", check: present,
            action: "HF_HOME=\(ShellQuote.quote(config.hfHome)) \"$HOME/.local/bin/hf\" download \(ShellQuote.quote(config.modelName))",
            verify: present, timeout: .seconds(12 * 3600))
    }
}
