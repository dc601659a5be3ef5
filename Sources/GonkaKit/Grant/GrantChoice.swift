import FleetKit
import Foundation

/// What the caller wants phase 8 to do about the grant, before the node file is read:
/// turned into a ``GrantMode`` once `COLD_KEY_NAME` is known and `inferenced` is found.
public enum GrantChoice: Sendable {
    /// Print the command to run on the machine holding the cold key (the default).
    case printCommand
    /// Run the grant on this machine with `inferenced` at `inferenced`, or, when `nil`, the
    /// first one found in `searchPath` (folders, as in `PATH`); `runner` runs it.
    case runHere(inferenced: String?, searchPath: [String], runner: any GrantRunner = TerminalGrantRunner())

    /// The mode for a node file with `coldKeyName`, checked before anything starts.
    ///
    /// - Throws: ``GrantSetupError`` when the grant cannot run here.
    public func mode(coldKeyName: String?) throws(GrantSetupError) -> GrantMode {
        guard case .runHere(let inferenced, let searchPath, let runner) = self else { return .printCommand }
        guard coldKeyName != nil else { throw .coldKeyNameMissing }
        let candidates = inferenced.map { [$0] } ?? searchPath.map { $0 + "/inferenced" }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw .inferencedNotFound(path: inferenced)
        }
        return .run(inferenced: found, runner: runner)
    }
}

/// The grant cannot run on this machine.
public enum GrantSetupError: Error, Sendable, Equatable, InputError {
    /// The node file has no `COLD_KEY_NAME`.
    case coldKeyNameMissing
    /// No executable `inferenced` at the given path, or on the search path when `nil`.
    case inferencedNotFound(path: String?)

    /// What is missing, in the deployment's words.
    public var description: String {
        switch self {
        case .coldKeyNameMissing:
            "running the grant on this machine needs COLD_KEY_NAME in the node file: the name of the cold key in this machine's inferenced keyring"
        case .inferencedNotFound(let path):
            "running the grant on this machine needs inferenced: not found \(path.map { "at \($0)" } ?? "on the search path"); name the inferenced program to use"
        }
    }
}
