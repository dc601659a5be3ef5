import FleetTestSupport
import Testing

/// The rule of `.requires(_:)`: sandbox and EVM suites skip with the reason outside CI when
/// something is missing, fail in CI, and run when nothing is.
@Suite(.tags(.unit)) struct PrerequisiteTests {
    static let tools: Set<String> = ["/usr/sbin/sshd", "/usr/bin/ip"]

    func machine(_ environment: [String: String] = [:], user: UInt32, tools: Set<String> = tools) -> TestMachine {
        TestMachine(environment: environment, userID: user, isExecutable: { tools.contains($0) })
    }

    @Test func sandboxSuitesRunAsRootWithTheTools() {
        #expect(Prerequisite.sandbox.decision(on: machine(user: 0)) == .run)
        #expect(Prerequisite.sandbox.decision(on: machine(["CI": "true"], user: 0)) == .run)
    }

    @Test func sandboxSuitesSkipOutsideCIWhenNotRootAndFailInCI() throws {
        guard case .skip(let reason) = Prerequisite.sandbox.decision(on: machine(user: 1000)) else {
            Issue.record("not skipped outside CI")
            return
        }
        #expect(reason.contains("root") && reason.contains("scripts/test.sh"))
        #expect(Prerequisite.sandbox.decision(on: machine(["CI": "true"], user: 1000)) == .fail(reason))
    }

    @Test func missingToolsAreNamed() {
        let decision = Prerequisite.sandbox.decision(on: machine(user: 0, tools: []))
        guard case .skip(let reason) = decision else {
            Issue.record("not skipped: \(decision)")
            return
        }
        #expect(reason.contains("iproute2") && reason.contains("openssh-server") && !reason.contains("root ("))
    }

    @Test func evmSuitesNeedTheVenv() {
        let python = SandboxHosts.repositoryRoot.appendingPathComponent(".venv-evm/bin/python").path
        #expect(Prerequisite.evm.decision(on: machine(user: 1000, tools: [python])) == .run)
        guard case .fail(let reason) = Prerequisite.evm.decision(on: machine(["CI": "true"], user: 0, tools: [])) else {
            Issue.record("not a failure in CI")
            return
        }
        #expect(reason.contains("scripts/install-evm.sh"))
    }

    @Test func onlyATrueishCIMakesACIRun() {
        for value in ["true", "1", "yes", "TRUE"] { #expect(machine(["CI": value], user: 0).isCI, "\(value)") }
        for value in ["", "0", "false", "no"] { #expect(!machine(["CI": value], user: 0).isCI, "\(value)") }
        #expect(!machine(user: 0).isCI)
    }

    @Test func theTraitSkipsRunsOrFails() async throws {
        #expect(try await ConditionTrait.requires(.sandbox, on: machine(user: 0)).evaluate())
        let skipping = ConditionTrait.requires(.sandbox, on: machine(user: 1000))
        #expect(try await !skipping.evaluate())
        #expect(skipping.comments.first?.rawValue.contains("root") == true)
        await #expect(throws: MissingPrerequisite.self) {
            _ = try await ConditionTrait.requires(.sandbox, on: machine(["CI": "true"], user: 1000)).evaluate()
        }
    }
}
