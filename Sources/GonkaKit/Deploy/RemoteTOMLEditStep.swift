import FleetKit
import Foundation

/// A step that edits keys of a TOML file on the server with ``TOMLKeyEditor``: the file is
/// read over the connection, edited here (every other byte kept) and, only when a key
/// differs, written back atomically as root, as the files belong to the node's container.
enum RemoteTOMLEditStep {
    /// The fact set when any edit step of the run changed a file, so the node is restarted once.
    static let changedFact = "gonka.chainConfigChanged"

    /// The step `name` setting `edits` (built when the step runs) in `path`.
    static func make(_ name: String, path: String, edits: @escaping @Sendable (HostContext) async throws -> [TOMLKeyEdit]) -> Step {
        @Sendable func edited(_ context: HostContext) async throws -> TOMLEditResult {
            let read = try await context.run("\(Privilege.asRoot) cat \(ShellQuote.quote(path))")
            guard read.succeeded else {
                throw StepFailure("cannot read \(path) (\(read.summary)): \(read.tail(lines: 2)); the node creates it on its first start")
            }
            do {
                return try TOMLKeyEditor.apply(try await edits(context), to: read.standardOutput)
            } catch let error as TOMLEditError {
                throw StepFailure("\(path): \(error.description)")
            }
        }
        return Step(
            name,
            check: .swift { context in try await !edited(context).changedAnything },
            action: .swift { context in
                let result = try await edited(context)
                let upload = "\(Privilege.asRoot) sh -c \(ShellQuote.quote(UploadScript.make(path: path, mode: 0o644)))"
                let written = try await context.run(RemoteCommand(upload, standardInput: Data(result.text.utf8)))
                guard written.succeeded else { throw StepFailure("cannot write \(path) (\(written.summary)): \(written.tail(lines: 2))") }
                for change in result.changes where change.action != .kept { context.log(.info, "\(path): \(change.edit.path) set") }
                context.facts[changedFact] = "yes"
            })
    }
}
