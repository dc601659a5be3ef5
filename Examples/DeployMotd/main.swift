// An example of another Swift tool built on FleetKit: it defines its own playbook and
// applies it to every host of a servers.csv, in parallel, over OpenSSH.
//
//   swift run deploy-motd servers.csv [IDENTITY_FILE]
//
// Each host gets ~/motd/message with a line naming the host and its `role` column.
// Run it twice: the second run finds everything done and changes nothing.
import FleetKit
import Foundation

let usage = "usage: deploy-motd servers.csv [IDENTITY_FILE]\n"
let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
    print(usage + "Writes ~/motd/message on every host of servers.csv; a second run changes nothing.")
    exit(0)
}
guard (1...2).contains(arguments.count), let inventoryPath = arguments.first, !inventoryPath.hasPrefix("-") else {
    FileHandle.standardError.write(Data(usage.utf8))
    exit(2)
}

// The message depends on the host; ShellQuote makes any inventory value safe in a command.
@Sendable func motd(for host: RemoteHost) -> String {
    "Welcome to \(host.name) (\(host.variables["role"] ?? "no role")), managed by deploy-motd"
}

let playbook = Playbook("motd", steps: [
    .shell("create ~/motd", check: "test -d ~/motd", action: "mkdir -p ~/motd"),
    Step("write the message",
         check: .hostShell { host in "grep -qxF \(ShellQuote.quote(motd(for: host))) ~/motd/message" },
         action: .hostCommand { host in RemoteCommand("printf '%s\\n' \(ShellQuote.quote(motd(for: host))) > ~/motd/message") },
         verify: .shell("test -s ~/motd/message")),
])

do {
    let inventory = try InventoryLoader.load(contentsOf: URL(fileURLWithPath: inventoryPath))
    let transport = try OpenSSHTransport(configuration: OpenSSHConfiguration(
        defaultIdentityFile: arguments.count > 1 ? arguments[1] : nil))
    let report = await PlaybookRunner(transport: transport, runLog: .console(), options: try RunOptions(forks: 10))
        .run(playbook, on: inventory.hosts)
    print(report.recapLines().joined(separator: "\n"))
    exit(report.succeeded ? 0 : 1)
} catch let error as InventoryError {
    FileHandle.standardError.write(Data("deploy-motd: \(error)\n".utf8))
    exit(2)
} catch {
    FileHandle.standardError.write(Data("deploy-motd: \(error)\n".utf8))
    exit(1)
}
