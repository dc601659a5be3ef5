import FleetKit
import Foundation

/// A transport for unit tests: answers each command from a closure and records every call.
public final class ScriptedTransport: Transport {
    /// What the script answers for one command.
    public enum Reply: Sendable {
        /// The command ran and ended like this.
        case result(CommandResult)
        /// The host could not be used.
        case failure(TransportError)

        /// A command that exited with `status` and printed `output`.
        public static func exit(_ status: Int32, _ output: String = "", stderr: String = "") -> Reply {
            .result(CommandResult(exitStatus: status, standardOutput: output, standardError: stderr))
        }
    }

    /// One recorded call.
    public struct Call: Sendable {
        /// The host's name.
        public var host: String
        /// The command as given to the transport: its script as the caller wrote it, with
        /// ``Privilege`` words such as `as_root` left as they are.
        public var command: RemoteCommand
    }

    private let respond: @Sendable (RemoteHost, RemoteCommand) async -> Reply
    private let recorded = Locked<[Call]>([])
    private let closes = Locked(0)

    /// Creates a transport that answers with `respond`.
    public init(_ respond: @escaping @Sendable (RemoteHost, RemoteCommand) async -> Reply) {
        self.respond = respond
    }

    /// Records the call and returns the scripted reply; a command with a standard output
    /// handler gets the reply's standard output through it instead of in the result.
    public func run(_ command: RemoteCommand, on host: RemoteHost) async throws(TransportError) -> CommandResult {
        recorded.withLock { $0.append(Call(host: host.name, command: command)) }
        switch await respond(host, command) {
        case .result(var result):
            // A streaming command gets the scripted output through its handler, as a real transport hands it over.
            if let handler = command.standardOutputHandler {
                Data(result.standardOutput.utf8).withUnsafeBytes { handler($0) }
                result.standardOutput = ""
            }
            return result
        case .failure(let error): throw error
        }
    }

    /// Every call so far, in order.
    public var calls: [Call] { recorded.withLock { $0 } }

    /// The calls made to one host.
    public func calls(to host: String) -> [Call] { calls.filter { $0.host == host } }

    /// Counts the call; a scripted transport holds no connections.
    public func close() async { closes.withLock { $0 += 1 } }

    /// How many times ``close()`` was called, to test code that must reconnect.
    public var closeCount: Int { closes.withLock { $0 } }
}
