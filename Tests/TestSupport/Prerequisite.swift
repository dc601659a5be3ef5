import Foundation
import FleetKitTesting
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the machine running the tests offers them: the environment, the user, the
/// programs installed. ``current`` reads this machine; tests of the skip rules make their own.
public struct TestMachine: Sendable {
    /// The environment variables (`CI` says whether this is a CI run).
    public var environment: [String: String]
    /// The user id the tests run as (0: root).
    public var userID: UInt32
    /// Whether a path names an executable file.
    public var isExecutable: @Sendable (String) -> Bool

    /// A machine with these facts.
    public init(environment: [String: String], userID: UInt32, isExecutable: @escaping @Sendable (String) -> Bool) {
        self.environment = environment
        self.userID = userID
        self.isExecutable = isExecutable
    }

    /// This machine and this process.
    public static var current: TestMachine {
        TestMachine(environment: ProcessInfo.processInfo.environment, userID: UInt32(getuid()),
                    isExecutable: { FileManager.default.isExecutableFile(atPath: $0) })
    }

    /// Whether this is a CI run: `CI` is set to anything but empty, `0` or `false` (CI sets
    /// `CI=true`). In a CI run a missing prerequisite is a failure, never a skip.
    public var isCI: Bool {
        guard let value = environment["CI"]?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return !["", "0", "false", "no"].contains(value)
    }
}

/// Something a suite needs from the machine beyond the build, with the check that finds
/// what is missing. Apply it with `.requires(_:)`.
public struct Prerequisite: Sendable {
    /// What to do about a suite on a machine.
    public enum Decision: Equatable, Sendable {
        /// Everything is there: run the suite.
        case run
        /// Something is missing outside CI: skip the suite, saying what is missing.
        case skip(String)
        /// Something is missing in CI: fail the suite, saying what is missing.
        case fail(String)
    }

    /// A short name (`sandbox`, `evm`).
    public let name: String
    /// What is missing on a machine, with what to do about it; `nil` when nothing is.
    public let missing: @Sendable (TestMachine) -> String?

    /// A prerequisite named `name`, missing on a machine when `missing` returns a reason.
    public init(name: String, missing: @escaping @Sendable (TestMachine) -> String?) {
        self.name = name
        self.missing = missing
    }

    /// Runs when nothing is missing; otherwise fails in CI and skips elsewhere, with the reason.
    public func decision(on machine: TestMachine) -> Decision {
        guard let reason = missing(machine) else { return .run }
        return machine.isCI ? .fail(reason) : .skip(reason)
    }

    /// Real OpenSSH hosts: root (network namespaces, sshd's privilege separation), iproute2
    /// and openssh-server, as `scripts/sandbox-hosts.sh up` checks them.
    public static let sandbox = Prerequisite(name: "sandbox") { machine in
        var lacking: [String] = []
        if machine.userID != 0 { lacking.append("root (network namespaces and sshd)") }
        if !["/usr/sbin/ip", "/usr/bin/ip", "/sbin/ip", "/bin/ip"].contains(where: machine.isExecutable) {
            lacking.append("iproute2 (ip)")
        }
        if !machine.isExecutable("/usr/sbin/sshd") { lacking.append("openssh-server (/usr/sbin/sshd)") }
        guard !lacking.isEmpty else { return nil }
        return "sandbox hosts need " + lacking.joined(separator: ", ") + "; run scripts/test.sh as root, which installs them"
    }

    /// The Python environment of the EVM on loopback, `.venv-evm` in the repository.
    public static let evm = Prerequisite(name: "evm") { machine in
        let python = SandboxHosts.repositoryRoot.appendingPathComponent(".venv-evm/bin/python").path
        guard !machine.isExecutable(python) else { return nil }
        return "the EVM needs \(python); run scripts/install-evm.sh (scripts/test.sh runs it)"
    }
}

/// A prerequisite missing in a CI run, recorded as the suite's failure.
public struct MissingPrerequisite: Error, CustomStringConvertible {
    /// What is missing and what to do.
    public let description: String
}

extension Trait where Self == ConditionTrait {
    /// Runs the suite when `prerequisite` is met on `machine`. When it is not, the suite is
    /// skipped with the reason, except in a CI run (`CI=true`), where it fails with the
    /// reason instead: CI must never pass by skipping.
    public static func requires(_ prerequisite: Prerequisite, on machine: TestMachine = .current,
                                sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        let decision = prerequisite.decision(on: machine)
        let comment: Comment? = switch decision {
        case .run: nil
        case .skip(let reason), .fail(let reason): Comment(rawValue: reason)
        }
        return .enabled(comment, sourceLocation: sourceLocation) {
            switch decision {
            case .run: return true
            case .skip: return false
            case .fail(let reason): throw MissingPrerequisite(description: "\(prerequisite.name): \(reason) (CI=true: a missing prerequisite fails)")
            }
        }
    }
}
