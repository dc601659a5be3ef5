// Benchmark driver: applies a 20-step playbook (one marker file per step) to every host
// of an inventory with FleetKit and prints the wall time. bench/converge.sh runs it next
// to plain-ssh floors; see docs/BENCHMARKS.md.
//
//   converge-bench INVENTORY IDENTITY KNOWN_HOSTS CONTROL_DIR [--steps N] [--per-step-checks] [--per-step-actions] [--persist S]
//
// --per-step-checks and --per-step-actions turn off the check plan and the action batches,
// for comparison.
import FleetKit
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.count >= 4 else {
    FileHandle.standardError.write(Data("usage: converge-bench INVENTORY IDENTITY KNOWN_HOSTS CONTROL_DIR [--steps N] [--per-step-checks] [--per-step-actions] [--persist S]\n".utf8))
    exit(2)
}
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let stepCount = Int(option("--steps") ?? "20") ?? 20
let persist = Int(option("--persist") ?? "60") ?? 60

do {
    let inventory = try InventoryLoader.load(contentsOf: URL(fileURLWithPath: arguments[0]))
    let configuration = OpenSSHConfiguration(
        controlDirectory: URL(fileURLWithPath: arguments[3]), knownHostsFile: URL(fileURLWithPath: arguments[2]),
        controlPersist: .seconds(persist), defaultIdentityFile: arguments[1], readsUserConfig: false)
    let transport = try OpenSSHTransport(configuration: configuration)
    let steps = (1...stepCount).map { index in
        Step.shell("step \(index)", check: "test -f ~/bench/step\(index)", action: "mkdir -p ~/bench && touch ~/bench/step\(index)")
    }
    let options = try RunOptions(forks: 50, batchesChecks: !arguments.contains("--per-step-checks"),
                                 batchesActions: !arguments.contains("--per-step-actions"))
    let started = ContinuousClock.now
    let report = await PlaybookRunner(transport: transport, runLog: .discarding, options: options)
        .run(Playbook("bench", steps: steps), on: inventory.hosts)
    let wall = (ContinuousClock.now - started).seconds
    let ok = report.hosts.map(\.counts.ok).reduce(0, +)
    let changed = report.hosts.map(\.counts.changed).reduce(0, +)
    print(String(format: "wall_seconds=%.3f ok=%d changed=%d succeeded=%@", wall, ok, changed, report.succeeded ? "yes" : "no"))
    for host in report.hosts where host.status != .succeeded {
        FileHandle.standardError.write(Data("converge-bench: \(host.host): \(host.status.rawValue): \(host.message ?? "")\n".utf8))
    }
    exit(report.succeeded ? 0 : 1)
} catch {
    FileHandle.standardError.write(Data("converge-bench: \(error)\n".utf8))
    exit(1)
}
