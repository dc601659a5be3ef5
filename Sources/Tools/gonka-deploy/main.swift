import FleetKit
import Foundation
import GonkaKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let renderSpec = CommandSpec(
    name: "render",
    summary: "Write config.env and node-config.json for a node file, without touching any server",
    discussion: """
        Reads the node file as the original mitch_help.sh would source it, but never runs it: NAME="value" lines, comments, $NAME and ${NAME} from earlier lines or the environment. Every problem is reported at once with its line, then nothing is written (exit 2).
        The files go to nodes/<KEY_NAME>/ next to the node file (the original's layout), or into --output DIR: config.env (mode 0600: it holds the keyring password) with the original's 19 export lines, values shell-quoted; node-config.json for the profile (x1 or x8), as the original writes it.
        """,
    arguments: [ArgumentSpec("node-file", help: "The node file, e.g. nodes/node1.conf")],
    options: [
        OptionSpec("output", short: "o", value: "DIR", help: "Write into DIR instead of nodes/<KEY_NAME>/ next to the node file"),
        OptionSpec("json", help: "Print what was written as JSON"),
    ])

let spec = CommandSpec(
    name: "gonka-deploy",
    summary: "Set up Gonka inference nodes from the node files of the original mitch_help.sh.",
    discussion: "Exit codes: 0 fine, 1 the job failed (a file could not be written), 2 usage or node file error.",
    subcommands: [renderSpec])

let io = ToolIO.process()

/// A path from the command line, relative to the working directory.
func localURL(_ path: String) -> URL {
    URL(fileURLWithPath: path, relativeTo: io.currentDirectory).standardizedFileURL
}

func render(_ parsed: ParsedCommand) throws -> Int32 {
    guard let nodeFile = parsed.argument("node-file") else {
        throw UsageError(message: "missing argument <node-file>", commandPath: parsed.path)
    }
    let nodeURL = localURL(nodeFile)
    let config = try NodeConfig.load(contentsOf: nodeURL, path: nodeFile, environment: io.environment)
    let folder = parsed.value("output").map(localURL) ?? NodeFiles.defaultFolder(nodeFile: nodeURL, keyName: config.keyName)
    let written = try NodeFiles.write(config, to: folder)
    let report = NodeFilesReport(config: config, folder: folder, written: written)
    if parsed.flag("json") {
        io.writeOutput(String(decoding: try report.jsonData(), as: UTF8.self) + "\n")
    } else {
        for note in report.notes { io.writeError("gonka-deploy: note: \(note)\n") }
        io.writeOutput(report.textLines.joined(separator: "\n") + "\n")
    }
    return ToolExitCode.success
}

let code = await CommandLineTool.main(spec: spec, version: FleetKitVersion.current, io: io) { parsed in
    switch parsed.path.last {
    case "render": return try render(parsed)
    default: throw UsageError(message: "missing subcommand; expected one of: render", commandPath: parsed.path)
    }
}
exit(code)
