@_exported import FleetKitTesting
import Testing

/// Starts sandbox hosts around a suite and removes them after it.
public struct WithSandboxHosts: SuiteTrait, TestScoping {
    /// How many hosts.
    public let count: Int
    /// Only the suite itself starts hosts.
    public var isRecursive: Bool { false }

    /// Starts the hosts, runs the suite, removes the hosts.
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let sandbox = try await SandboxHosts.start(count: count)
        do {
            try await SandboxHosts.$current.withValue(sandbox) { try await function() }
        } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }
}

extension Trait where Self == WithSandboxHosts {
    /// Real SSH hosts for the suite.
    public static func sandboxHosts(_ count: Int) -> WithSandboxHosts { WithSandboxHosts(count: count) }
}

/// The sandbox of the running suite; fails when the suite has no `.sandboxHosts(N)` trait.
public func currentSandbox() throws -> SandboxHosts {
    guard let sandbox = SandboxHosts.current else { throw SandboxError("no sandbox: the suite needs .sandboxHosts(N)") }
    return sandbox
}
