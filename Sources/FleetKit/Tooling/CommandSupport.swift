import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension FleetOptions {
    /// Options of commands that read an inventory the way the original toolkits read
    /// theirs: unnamed rows numbered from `PREFIX1`, and bad rows left out on request.
    public static func inventoryReadingSpecs(defaultPrefix: String = "node") -> [OptionSpec] {
        [
            OptionSpec("skip-invalid-rows", help: "Go on with the valid rows and list the others, instead of stopping at any bad row"),
            OptionSpec("name-prefix", value: "PREFIX", help: "Names of hosts when servers.csv has no name column: PREFIX1, PREFIX2 …", defaultValue: defaultPrefix),
            OptionSpec("start-index", value: "N", help: "Number of the first unnamed host", defaultValue: "1"),
        ]
    }

    /// Reads the command's `INVENTORY` argument with a kit's `schema`, the options of
    /// ``inventoryReadingSpecs(defaultPrefix:)`` and `--limit`; rows left out by
    /// `--skip-invalid-rows` are listed on standard error.
    public func readInventory(_ parsed: ParsedCommand, schema: InventorySchema, allowsRepeatedAddresses: Bool = false,
                              io: ToolIO) throws -> Inventory {
        let naming = HostNaming.numbered(prefix: parsed.value("name-prefix") ?? "node", start: try parsed.int("start-index", range: 1...1_000_000) ?? 1)
        let inventory = try inventorySource(parsed.argument("INVENTORY") ?? "", currentDirectory: io.currentDirectory, schema: schema,
                                            skipInvalidRows: parsed.flag("skip-invalid-rows"), naming: naming,
                                            allowsRepeatedAddresses: allowsRepeatedAddresses).load()
        if !inventory.skippedRows.isEmpty {
            let rows = Set(inventory.skippedRows.compactMap(\.line)).count
            io.writeError("\(parsed.path.first ?? "tool"): left out \(Plural.count(rows, "row")) with problems (--skip-invalid-rows):\n"
                + inventory.skippedRows.map { "  \($0.location)\n" }.joined())
        }
        return inventory
    }
}

extension ToolIO {
    /// Asks `y/N` on the terminal before `action` on `count` servers; true when the answer
    /// is `y`. Without a terminal it refuses with a usage error asking for `--yes`.
    public func confirm(_ action: String, servers count: Int, command parsed: ParsedCommand) throws -> Bool {
        guard isatty(STDIN_FILENO) == 1 else {
            throw UsageError(message: "refusing to \(action) on \(Plural.count(count, "server")) without confirmation: no terminal to ask on; pass --yes", commandPath: parsed.path)
        }
        writeError("This will \(action) on \(Plural.count(count, "server")).\nAre you sure you want to continue? (y/N): ")
        if ["y", "Y"].contains(readLine()?.trimmingCharacters(in: .whitespaces) ?? "") { return true }
        writeError("cancelled by user; nothing was changed\n")
        return false
    }

    /// Ends a run over a fleet: the report as JSON (`json`), or `recap` and the log's path on
    /// standard error, both with the session's secrets masked; returns the exit code.
    /// After a signal the recap is preceded by what was done, stopped in flight and not
    /// started (for a ``ProgressReporting`` report), on standard error in both modes.
    public func finishRun(_ report: some Encodable, succeeded: Bool, recap: [String], json: Bool, session: FleetSession) throws -> Int32 {
        reportInterruption(report, redact: session.redact)
        if json {
            try writeJSON(report, redact: session.redact)
        } else {
            writeError(session.redact(recap.joined(separator: "\n")) + "\nlog: \(session.logFile?.path ?? "")\n")
        }
        return succeeded ? ToolExitCode.success : ToolExitCode.failure
    }
}

extension ToolIO {
    /// After a signal, says so on standard error with what the report tells of the work
    /// done, stopped in flight and not started (for a ``ProgressReporting`` report), masked
    /// by `redact`; does nothing when no signal came.
    public func reportInterruption(_ report: Any, redact: (String) -> String = { $0 }) {
        guard let signal = interruption.receivedSignal else { return }
        let progress = (report as? any ProgressReporting)?.progressLines() ?? []
        writeError(TerminalText.escaped(redact((["interrupted by \(ToolInterruption.name(of: signal)):"] + progress.map { "  \($0)" }).joined(separator: "\n")), keepingLines: true) + "\n")
    }
}

extension Inventory {
    /// The inventory file's name without folders and without `.csv`, safe in a file name
    /// (log names such as `status_servers_…`, as the original toolkit made them).
    public var fileStem: String {
        let name = URL(fileURLWithPath: file).lastPathComponent
        return FileNameComponent.safe(name.hasSuffix(".csv") ? String(name.dropLast(4)) : name)
    }
}

extension ToolIO {
    /// A file named on the command line, or standard input for `-`: its bytes and the name
    /// messages use for it ("stdin", or the path as given).
    ///
    /// - Throws: ``InputFileError`` naming the file and the system's reason.
    public func readInput(_ source: String) throws(InputFileError) -> (data: Data, name: String) {
        if source == "-" { return (FileHandle.standardInput.readDataToEndOfFile(), "stdin") }
        do {
            return (try Data(contentsOf: URL(fileURLWithPath: source, relativeTo: currentDirectory)), source)
        } catch {
            throw InputFileError(file: source, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
        }
    }

    /// An open descriptor for a file named on the command line, or standard input for `-`,
    /// to stream from; the caller closes it unless it is standard input.
    ///
    /// - Throws: ``InputFileError`` naming the file and the system's reason.
    public func openInput(_ source: String) throws(InputFileError) -> Int32 {
        if source == "-" { return STDIN_FILENO }
        let descriptor = open(URL(fileURLWithPath: source, relativeTo: currentDirectory).path, O_RDONLY)
        guard descriptor >= 0 else { throw InputFileError(file: source, reason: String(cString: strerror(errno))) }
        return descriptor
    }
}

/// A file named on the command line cannot be read.
public struct InputFileError: InputError, Sendable, Equatable {
    /// The file as given.
    public var file: String
    /// The system's reason.
    public var reason: String

    /// "cannot read FILE: reason".
    public var description: String { "cannot read \(file): \(reason)" }
}
