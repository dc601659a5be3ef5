import FleetKit
import Foundation

/// Phase 7 (verification and report): the original's checks, none of them fatal, written to
/// `nodes/<KEY_NAME>/verification.txt` (rewritten each run; not written in check mode) and
/// shown line by line. The participant is looked up under the cold account, where Gonka
/// registers it; the ML node's container is looked for in both compose files.
public enum VerificationPhase {
    /// The PyTorch probe run inside the ML node container, printing `CUDA:<bool>,GPUs:<n>,Version:<v>`.
    static let pyTorchProbe = "import torch; print(f'CUDA:{torch.cuda.is_available()},GPUs:{torch.cuda.device_count()},Version:{torch.version.cuda}')"

    /// The phase's playbook; `localFolder` is `nodes/<KEY_NAME>/`.
    public static func playbook(_ config: NodeConfig, localFolder: URL, seedAPI: SeedAPI, checkMode: Bool) -> Playbook {
        Playbook(DeployPhase.verification.title, steps: [
            Step.observe("verification", timeout: .seconds(900)) { context in
                let started = Date()
                let findings = try await gather(config, seedAPI: seedAPI, context)
                for line in VerificationReport.lines(findings) where !line.isEmpty { context.log(.info, line) }
                let failed = VerificationReport.lines(findings).filter { $0.hasPrefix("✗") || $0.hasPrefix("⚠") }.count
                let file = localFolder.appendingPathComponent("verification.txt")
                if !checkMode {
                    try AtomicFile.createDirectory(localFolder, mode: 0o700)
                    try AtomicFile.write(VerificationReport.text(findings, generatedAt: started, completedAt: Date()), to: file, mode: 0o644)
                }
                let saved = checkMode ? "" : "; report saved to \(file.path)"
                return failed == 0 ? .fine("Every check passed\(saved)") : .warning("\(Plural.count(failed, "check")) did not pass\(saved)")
            },
        ])
    }

    /// Runs every check.
    static func gather(_ config: NodeConfig, seedAPI: SeedAPI, _ context: HostContext) async throws -> VerificationFindings {
        var findings = VerificationFindings()
        let cold = try ParticipantRegistration.coldAddress(config)
        findings.participantURL = seedAPI.participantURL(cold)
        findings.participantRegistered = (try? await seedAPI.isParticipant(cold)) ?? false
        let host = config.serverAddress.urlHost
        findings.nodeRPCURL = "http://\(host):26657/status"
        findings.nodeRPCAnswers = await localBody(findings.nodeRPCURL, seedAPI.client)?.contains("result") ?? false
        findings.dashboardURL = "http://\(host):8000/"
        findings.dashboardAnswers = !(await localBody(findings.dashboardURL, seedAPI.client) ?? "").isEmpty

        let names = try await context.run("\(FinalLaunchPhase.composeBoth(config)) ps --format '{{.Name}}'")
        findings.mlNodeContainer = names.standardOutput.split(separator: "\n").map(String.init).first { $0.contains("mlnode") }
        if let container = findings.mlNodeContainer.map(ShellQuote.quote) {
            let smi = try await context.run("\(Privilege.asRoot) docker exec \(container) nvidia-smi 2>&1")
            findings.containerSeesGPU = smi.succeeded && !smi.standardOutput.contains("Failed to initialize") && !smi.standardOutput.contains("ERROR")
            let torch = try await context.run("\(Privilege.asRoot) docker exec \(container) /app/packages/api/.venv/bin/python3 -c \(ShellQuote.quote(pyTorchProbe)) 2>&1")
            findings.pyTorchLine = torch.standardOutput.split(separator: "\n").last.map(String.init) ?? ""
            findings.mlNodeHealthy = try await NodeServerProbe.get("http://localhost:8080/health", context) != nil
            findings.gpuDevices = try await NodeServerProbe.get("http://localhost:8080/api/v1/gpu/devices", context)
        }
        findings.adminNodes = try await NodeServerProbe.get("http://localhost:9200/admin/v1/nodes", context).map(AdminNodes.init(json:))
        let dump = try await context.run("\(Privilege.asRoot) cat \(ShellQuote.quote(config.deployDirectory + "/.dapi/config-dump.json"))")
        findings.mergedNodeConfig = dump.standardOutput.contains("\"merged_node_config\":true") || dump.standardOutput.contains("\"merged_node_config\": true")
        findings.gpuMemory = try await NodeServerProbe.gpuMemory(context)
        for container in ["node", "api"] {
            let errors = try await context.run(ContainerErrorCount.probe(container, asRoot: Privilege.asRoot))
            findings.containerErrors.append(ContainerErrorCount(container: container, probeOutput: errors.standardOutput))
        }
        if let state = try await NodeServerProbe.get("http://localhost:8080/api/v1/state", context) {
            findings.serviceState = JSONValue(parsing: Data(state.utf8))?["state"]?.scalarText
        }
        if let models = try await NodeServerProbe.get("http://localhost:5050/v1/models", context), !models.contains("error"), !models.contains("Connection refused") {
            findings.vLLMAnswers = true
            let first = JSONValue(parsing: Data(models.utf8))?["data"]?.arrayValue?.first
            findings.vLLMModel = first?["id"]?.stringValue
            findings.vLLMMaxModelLength = first?["max_model_len"]?.integerFromNumberOrText
        }
        if let report = try await NodeServerProbe.get("http://localhost:9200/admin/v1/setup/report", context), !report.contains("\"error\"") {
            findings.setupReport = SetupReport(json: report)
        }
        return findings
    }

    /// The body of a GET from this machine, or `nil` without an answer.
    static func localBody(_ url: String, _ client: any HTTPTransport) async -> String? {
        guard let target = URL(string: url), let response = try? await client.get(target, timeout: .seconds(10)) else { return nil }
        return String(decoding: response.body, as: UTF8.self)
    }
}
