import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// What a newcomer reads first: each stage's help lists that stage's options only.
@Suite(.tags(.unit)) struct AztecFleetHelpTests {
    func help(_ stage: String) async throws -> String {
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: try BuiltTool.path("aztec-fleet"), arguments: [stage, "--help"],
            timeout: .seconds(30), environment: AztecFleetSandbox.toolEnvironment))
        #expect(output.status == 0)
        return String(decoding: output.standardOutput, as: UTF8.self)
    }

    @Test func eachStageListsItsOwnOptions() async throws {
        let prepare = try await help("prepare")
        let docker = try await help("docker")
        let aztec = try await help("aztec")
        let install = try await help("install")
        for text in [prepare, docker, aztec, install] {
            #expect(text.contains("--forks") && text.contains("--check") && text.contains("--retries"))
            #expect(text.components(separatedBy: "USAGE:").count == 2, "one usage line")
            // A stage's --timeout limits the whole stage on one server, not each command.
            let timeoutLine = text.split(separator: "\n").first { $0.contains("--timeout") }.map(String.init) ?? ""
            #expect(timeoutLine.contains("each stage on one server"), "\(timeoutLine)")
            #expect(!timeoutLine.contains("each command"), "\(timeoutLine)")
        }
        #expect(prepare.contains("--open-rpc-port") && !prepare.contains("--aztec-version") && !prepare.contains("--docker-installer-url"))
        #expect(docker.contains("--docker-installer-url") && !docker.contains("--aztec-version") && !docker.contains("--open-rpc-port"))
        #expect(aztec.contains("--aztec-version") && aztec.contains("--l1-rpc") && !aztec.contains("--docker-installer-url"))
        for option in ["--open-rpc-port", "--docker-installer-url", "--aztec-version", "--node-wait"] {
            #expect(install.contains(option))
        }
    }

    @Test func everyOperationThatRestartsNodesGoesOneServerAtATimeByDefault() async throws {
        for command in ["restart", "update", "set-l1", "update-keys", "remove-data", "keystores"] {
            let text = try await help(command)
            // The option's help, unwrapped, up to its notes: "--serial N|P% … (default: 1)".
            let flat = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let after = flat.range(of: "--serial N|P% ").map { flat[$0.upperBound...] } ?? ""
            let notes = after.range(of: "(default: ").flatMap { start in after[start.lowerBound...].firstIndex(of: ")").map { after[..<after.index(after: $0)] } } ?? ""
            #expect(notes.hasSuffix("(default: 1)") && notes.contains("100% restarts all at once"), "\(command): \(notes)")
            #expect(text.contains("--gate-timeout") && text.contains("--max-fail"), "\(command)")
        }
    }
}
