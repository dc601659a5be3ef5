// An example of another Swift tool built on FleetKit: it defines its own playbook and
// applies it to every host of a servers.csv, in parallel, over OpenSSH.
//
//   swift run deploy-motd servers.csv [IDENTITY_FILE]
//
// Each host gets ~/motd/message with a line naming the host and its `role` column.
// Run it twice: the second run finds everything done and changes nothing.
import FleetKit
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: deploy-motd servers.csv [IDENTITY_FILE]\n".utf8))
    exit(2)
}

let inventory: Inventory
do {
    inventory = try InventoryLoader.load(contentsOf: URL(fileURLWithPath: arguments[1]))
} catch {
    FileHandle.standardError.write(Data("deploy-motd: \(error)\n".utf8))
    exit(2)
}

// The message depends on the host; ShellQuote makes any inventory value safe in a command.
enum Motd {
    static func message(for host: RemoteHost) -> String {
        "Welcome to \(host.name) (\(host.variables["role"] ?? "no role")), managed by deploy-motd"
    }
}

let playbook = Playbook("motd", steps: [
    .shell("create ~/motd", check: "test -d ~/motd", run: "mkdir -p ~/motd"),
    Step("write the message",
         check: .hostShell { host in "grep -qxF \(ShellQuote.quote(Motd.message(for: host))) ~/motd/message" },
         action: .hostCommand { host in RemoteCommand("printf '%s\\n' \(ShellQuote.quote(Motd.message(for: host))) > ~/motd/message") },
         verify: .shell("test -s ~/motd/message")),
])

let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
let configuration = OpenSSHConfiguration(
    controlDirectory: OpenSSHConfiguration.defaultControlDirectory,
    knownHostsFile: URL(fileURLWithPath: home).appendingPathComponent(".config/fleetkit/known_hosts"),
    defaultIdentityFile: arguments.count > 2 ? arguments[2] : nil)

let log = RunLog(sinks: [ConsoleLogSink(levels: ConsoleLogSink.defaultLevels(verbose: false), colored: false) { line in
    FileHandle.standardError.write(Data((line + "\n").utf8))
}])

do {
    let transport = try OpenSSHTransport(configuration: configuration)
    let report = await PlaybookRunner(transport: transport, runLog: log, options: RunOptions(forks: 10))
        .run(playbook, on: inventory.hosts)
    print(report.recapLines().joined(separator: "\n"))
    exit(report.succeeded ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("deploy-motd: \(error)\n".utf8))
    exit(1)
}
