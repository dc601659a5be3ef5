import Foundation

extension Step {
    /// A file on the host holding exactly `contents` with `mode`. The check compares with
    /// `cmp` against the contents sent on standard input; the action writes them atomically
    /// through ``UploadScript``. The contents never appear in argv, so files holding secrets
    /// (a password in an env file) can go this way.
    public static func remoteFile(_ name: String, path: String, mode: UInt16,
                                  contents: @escaping @Sendable () throws -> Data) -> Step {
        remoteFile(name, path: path, mode: mode, contentsFor: { _ in try contents() })
    }

    /// The same for contents that differ per host (built from its inventory row); a host
    /// whose contents cannot be built fails the step with the thrown error.
    public static func remoteFile(_ name: String, path: String, mode: UInt16,
                                  contentsFor contents: @escaping @Sendable (RemoteHost) throws -> Data) -> Step {
        let quoted = ShellQuote.quote(path)
        let same: StepCheck = .swift { context in
            try await context.run("cmp -s - \(quoted) && test \"$(stat -c %a \(quoted))\" = \(String(mode, radix: 8))",
                                  standardInput: try contents(context.host)).succeeded
        }
        return Step(name, check: same,
                    action: .swift { context in
                        let result = try await context.run(RemoteCommand(UploadScript.make(path: path, mode: mode),
                                                                         standardInput: try contents(context.host)))
                        guard result.succeeded else { throw StepFailure("cannot write \(path) (\(result.summary)): \(result.tail(lines: 2))") }
                    },
                    verify: same)
    }
}
