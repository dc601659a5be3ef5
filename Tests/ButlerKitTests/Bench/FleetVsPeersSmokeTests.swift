import FleetKit
import FleetKitTesting
import Foundation
import Testing

/// The peer benchmark at CI size (3 hosts, one round): proves the script still runs and
/// every tool converges every host. It checks correctness only, never timings.
@Suite struct FleetVsPeersSmokeTests {
    @Test func theBenchmarkRunsAndEveryToolConvergesEveryHost() async throws {
        let root = SandboxHosts.repositoryRoot
        let venv = root.appendingPathComponent(".venv-bench")
        guard FileManager.default.isExecutableFile(atPath: venv.appendingPathComponent("bin/ansible-playbook").path),
              FileManager.default.isExecutableFile(atPath: venv.appendingPathComponent("bin/pyinfra").path) else {
            throw SandboxError("\(venv.path) has no ansible-playbook or pyinfra: run scripts/install-bench-peers.sh (scripts/test.sh does) and test again")
        }
        let binaries = try AztecFleetSandbox.executable().deletingLastPathComponent()
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: "/bin/bash",
            arguments: [root.appendingPathComponent("bench/fleet-vs-peers.sh").path, "--hosts", "3", "--rounds", "1",
                        "--bin", binaries.path, "--venv", venv.path, "--no-install"],
            timeout: .seconds(900), environment: ProcessInfo.processInfo.environment.merging(["NO_COLOR": "1"]) { $1 }))
        let text = String(decoding: output.standardOutput, as: UTF8.self)
        let errors = String(decoding: output.standardError, as: UTF8.self)
        #expect(output.status == 0, "fleet-vs-peers failed:\n\(text)\n\(errors.suffix(4000))")
        #expect(text.contains("converged: all 3 hosts done by every tool in every case"), "\(text)")
        #expect(text.contains("SSH handshakes of FleetKit in the last round of a): 3 cold for 3 hosts, 0 warm"), "one master per host: \(text)")
        for row in ["**FleetKit** (cold)", "pyinfra --parallel 3", "Ansible, pipelining", "**FleetKit** fleet run", "Ansible (second run)"] {
            #expect(text.contains(row), "missing the row \(row)")
        }
    }
}
