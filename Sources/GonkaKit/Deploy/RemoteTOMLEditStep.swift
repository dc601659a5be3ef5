import FleetKit
import Foundation

/// A step that edits keys of a TOML file on the server with ``TOMLKeyEditor``: the file is
/// read over the connection, edited here (every other byte kept) and, only when a key
/// differs, written back atomically as root, as the files belong to the node's container.
enum RemoteTOMLEditStep {
    /// The fact set when any edit step of the run changed a file, so the node is restarted once.
    static let changedFact = "gonka.chainConfigChanged"

    /// The step `name` setting `edits` (built when the step runs) in `path`. In check mode a
    /// file that does not exist yet (the node writes it on its first start) counts as "would
    /// edit"; otherwise it is an error, as the edit needs the node's own file.
    static func make(_ name: String, path: String, checkMode: Bool = false,
                     edits: @escaping @Sendable (HostContext) async throws -> [TOMLKeyEdit]) -> Step {
        @Sendable func edited(_ context: HostContext) async throws -> TOMLEditResult? {
            let read = try await context.run("\(Privilege.asRoot) cat \(ShellQuote.quote(path))")
            guard read.succeeded else {
                if checkMode, try await isAbsent(path, context) {
                    context.log(.info, "\(path) does not exist yet (the node creates it on its first start); its keys would be set then")
                    return nil
                }
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
            check: .swift { context in try await edited(context).map { !$0.changedAnything } ?? false },
            action: .swift { context in
                guard let result = try await edited(context) else {
                    throw StepFailure("cannot read \(path): it does not exist; the node creates it on its first start")
                }
                let upload = "\(Privilege.asRoot) sh -c \(ShellQuote.quote(UploadScript.make(path: path, mode: 0o644)))"
                let written = try await context.run(RemoteCommand(upload, standardInput: Data(result.text.utf8)))
                guard written.succeeded else { throw StepFailure("cannot write \(path) (\(written.summary)): \(written.tail(lines: 2))") }
                for change in result.changes where change.action != .kept { context.log(.info, "\(path): \(change.edit.path) set") }
                context.facts[changedFact] = "yes"
            })
    }

    /// Whether `path` does not exist on the server (asked as root; a refusal to become root is an error, not absence).
    static func isAbsent(_ path: String, _ context: HostContext) async throws -> Bool {
        let test = try await context.run("\(Privilege.asRoot) test -e \(ShellQuote.quote(path))")
        if test.exitStatus == Privilege.refusedStatus { throw StepFailure("cannot read \(path): \(test.tail(lines: 1))") }
        return test.exitStatus == 1
    }
}
