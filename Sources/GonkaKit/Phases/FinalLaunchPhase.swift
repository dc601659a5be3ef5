import FleetKit
import Foundation

/// Phase 6 (final launch): every service of both compose files (`docker-compose.yml` and
/// `docker-compose.mlnode.yml`) running, then the wait for the model. The service check asks
/// both files (the original lists the first only, so it never sees `mlnode`) and the launch
/// is skipped when every service already runs.
public enum FinalLaunchPhase {
    /// The two compose files of the deploy folder, in the order the original passes them.
    public static let composeFiles = ["docker-compose.yml", "docker-compose.mlnode.yml"]

    /// `docker compose` over both files, config.env exported first (the files use its values).
    static func composeBoth(_ config: NodeConfig) -> String {
        BasicServicesPhase.compose(config) + " "
            + composeFiles.map { "-f \($0)" }.joined(separator: " ")
    }

    /// The phase's playbook.
    public static func playbook(_ config: NodeConfig, waits: DeployWaits, checkMode: Bool) -> Playbook {
        Playbook(DeployPhase.finalLaunch.title, steps: [
            ConfigurationPhase.dotEnvStep(config),
            launch(config, waits: waits),
            services(config),
            ModelLoadWait.step(waits: waits, checkMode: checkMode),
        ])
    }

    /// Shell lines that print the services of both files that are not running (none: all run).
    static func missingServicesScript(_ config: NodeConfig) -> String {
        let compose = composeBoth(config)
        return "want=$(\(compose) config --services) && have=$(\(compose) ps --status running --services) && "
            + "for s in $want; do printf '%s\\n' \"$have\" | grep -qx \"$s\" || echo \"$s\"; done"
    }

    /// Every service up; skipped when none is missing.
    static func launch(_ config: NodeConfig, waits: DeployWaits) -> Step {
        let missing = missingServicesScript(config)
        return .shell(
            "all services",
            check: "m=$(\(missing)) && [ -z \"$m\" ]",
            action: "\(composeBoth(config)) up -d && sleep \(Int(waits.settle.components.seconds))",
            timeout: .seconds(3600))
    }

    /// Which services run, as a finding: a missing one is a warning, as in the original.
    static func services(_ config: NodeConfig) -> Step {
        Step.observe("running services") { context in
            let result = try await context.run(RemoteCommand(missingServicesScript(config), timeout: .seconds(120)))
            guard result.succeeded else { return .warning("cannot list the services (\(result.summary)): \(result.tail(lines: 2))") }
            let missing = result.standardOutput.split(separator: "\n").map(String.init)
            if missing.isEmpty { return .fine("All expected containers are running") }
            return .warning("Some expected containers are not running: \(missing.joined(separator: ", "))")
        }
    }
}

/// Phase 6's wait for the model: loaded when the first GPU uses more than 30000 MiB or the
/// admin API reports `INFERENCE`, as the original judges it. Never fatal.
public enum ModelLoadWait {
    /// What one look found.
    struct Reading: Sendable {
        var gpu: GPUMemory?
        var status: String?

        /// The line when the model is loaded, else `nil`.
        var loadedLine: String? {
            if let gpu, gpu.modelLoaded { return "Model loaded! GPU memory: \(gpu.usedMiB / 1024)GB" }
            if status == "INFERENCE" { return "Node status: INFERENCE" }
            return nil
        }
    }

    static func read(_ context: HostContext) async throws -> Reading {
        Reading(gpu: try await NodeServerProbe.gpuMemory(context), status: try await NodeServerProbe.adminNodeStatus(context))
    }

    /// The step: fine at once when loaded; otherwise, unless in check mode, look every
    /// ``DeployWaits/modelCheckInterval`` until ``DeployWaits/modelWait`` has passed, both
    /// measured on the run's clock.
    static func step(waits: DeployWaits, checkMode: Bool) -> Step {
        Step.observe("model loaded", timeout: waits.modelWaitLimit) { context in
            var reading = try await read(context)
            if let line = reading.loadedLine { return .fine(line) }
            if checkMode || waits.modelWait == .zero { return .warning("The model is not loaded yet") }
            let start = context.clock.now()
            while context.clock.now().timeIntervalSince(start) < waits.modelWait.seconds {
                let elapsed = Int(context.clock.now().timeIntervalSince(start))
                context.log(.info, "Still loading... (\(elapsed)s elapsed, GPU: \(reading.gpu.map { "\($0.usedMiB)MB" } ?? "unknown"), status: \(reading.status ?? "unknown"))")
                try await context.sleep(for: waits.modelCheckInterval)
                reading = try await read(context)
                if let line = reading.loadedLine { return .fine(line) }
            }
            return .warning("Model loading timeout after \(Int(waits.modelWait.components.seconds))s. Will continue, but model may still be loading.")
        }
    }
}
