// Another Swift tool over GonkaKit: renders a node's config.env and node-config.json from its
// node file, then previews the whole deployment in check mode (nothing changes on the server):
//
//   swift run gonka-render-and-check nodes/node1.conf
import FleetKit
import Foundation
import GonkaKit

guard let path = CommandLine.arguments.dropFirst().first else {
    FileHandle.standardError.write(Data("usage: gonka-render-and-check nodes/NODE.conf\n".utf8))
    exit(2)
}
let environment = ProcessInfo.processInfo.environment
let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
let print: @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data($0.utf8)) }
do {
    let files = try NodeFilesRendering(nodeFile: URL(fileURLWithPath: path), nodeFileName: path, environment: environment).run()
    print(files.textLines.joined(separator: "\n") + "\n")
    let settings = NodeRunSettings(nodeFile: URL(fileURLWithPath: path), nodeFileName: path, environment: environment, workingDirectory: here,
                                   logFolder: here.appendingPathComponent("logs"),
                                   knownHostsFile: OpenSSHConfiguration.defaultKnownHostsFile,
                                   console: OperatorConsole(writeOutput: print, writeError: print, readAnswer: nil))
    let preview = try await DeployRun(settings: settings, checkMode: true, confirmedInAdvance: true).run()
    print("log: \(preview.logFile.path)\n")
    exit(preview.failed ? 1 : 0)
} catch {
    FileHandle.standardError.write(Data("gonka-render-and-check: \(error)\n".utf8))
    exit(2)
}
