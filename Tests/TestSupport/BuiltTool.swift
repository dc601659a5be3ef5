import Foundation
import FleetKitTesting

/// The executables of this package that tests run as a user would (`fleet`, `aztec-fleet`,
/// `aztec-butler`, `gonka-deploy`, `deploy-motd`), found where `swift build` put them. A test
/// target lists the tools it runs among its dependencies in Package.swift, so they are built
/// before it runs.
public enum BuiltTool {
    /// The built executable `name`: next to the running test bundle (the build folder of
    /// `swift test`), else in the repository's `.build/debug`.
    ///
    /// - Throws: ``BuiltToolError`` naming the places looked in when it is not built.
    public static func url(_ name: String) throws -> URL {
        let candidates = folders.map { $0.appendingPathComponent(name) }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw BuiltToolError(description: "\(name) is not built; run swift build first (looked in \(candidates.map(\.path)))")
        }
        return found
    }

    /// The path of the built executable `name`; see ``url(_:)``.
    public static func path(_ name: String) throws -> String { try url(name).path }

    /// Where built executables may be, most likely first, without repeats.
    private static var folders: [URL] {
        let all = [
            Bundle.main.executableURL?.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            SandboxHosts.repositoryRoot.appendingPathComponent(".build/debug"),
        ].compactMap { $0?.standardizedFileURL }
        var seen = Set<String>()
        return all.filter { seen.insert($0.path).inserted }
    }
}

/// A tool a test runs is not built.
public struct BuiltToolError: Error, CustomStringConvertible {
    /// Which tool, where it was looked for, what to do.
    public let description: String
}
