import Foundation
@testable import FleetKit
import FleetKitTesting

/// Simulated hosts for runner unit tests, behind a ScriptedTransport. Each host holds a
/// set of facts; the commands understood are `is FACT` (exit 0 when present),
/// `make FACT`, `fail`, `fail-until N FACT`, batched check plans and action batches.
final class FakeFleet: Sendable {
    let core: FakeHostsCore
    let transport: ScriptedTransport

    init(delay: Duration = .zero) {
        let core = FakeHostsCore(delay: delay)
        self.core = core
        self.transport = ScriptedTransport { host, command in await core.respond(host, command) }
    }

    var unreachable: Locked<Set<String>> { core.unreachable }
    var concurrent: Locked<(now: Int, max: Int)> { core.concurrent }
    func facts(_ host: String) -> Set<String> { core.facts(host) }
    func set(_ host: String, _ facts: Set<String>) { core.set(host, facts) }
}

final class FakeHostsCore: Sendable {
    let state = Locked<[String: Set<String>]>([:])
    let unreachable = Locked<Set<String>>([])
    let attempts = Locked<[String: Int]>([:])
    let concurrent = Locked<(now: Int, max: Int)>((0, 0))
    let delay: Duration

    init(delay: Duration = .zero) { self.delay = delay }

    func respond(_ host: RemoteHost, _ command: RemoteCommand) async -> ScriptedTransport.Reply {
            concurrent.withLock { $0.now += 1; $0.max = max($0.max, $0.now) }
            defer { concurrent.withLock { $0.now -= 1 } }
            if delay > .zero { try? await Task.sleep(for: delay) }
            if unreachable.withLock({ $0.contains(host.name) }) {
                return .failure(TransportError(host: host.name, kind: .unreachable, message: "cannot connect to \(host.address): Connection refused"))
            }
            return .result(execute(command.script, host: host.name))
    }

    func facts(_ host: String) -> Set<String> { state.withLock { $0[host] ?? [] } }
    func set(_ host: String, _ facts: Set<String>) { state.withLock { $0[host] = facts } }

    private func execute(_ script: String, host: String) -> CommandResult {
        if script.hasPrefix("fk_dir=$PWD\n") {
            // Per check: "{", the check, "} </dev/null … echo "NONCE INDEX $fk_status""
            let lines = script.split(separator: "\n").map(String.init)
            var output = ""
            var body: [String] = []
            for line in lines.dropFirst() {
                if line == "{" { body = []; continue }
                guard line.hasPrefix("} "), let echo = line.range(of: "echo \"") else { body.append(line); continue }
                let words = line[echo.upperBound...].split(separator: " ")
                guard words.count == 3 else { continue }
                let status = execute(body.joined(separator: "\n"), host: host).exitStatus
                output += "\(words[0]) \(words[1]) \(status)\n"
            }
            return CommandResult(exitStatus: 0, standardOutput: output)
        }
        if script.hasPrefix(": fleetkit-batch ") { return executeBatch(script, host: host) }
        let words = script.split(separator: " ").map(String.init)
        switch words.first {
        case "is": return CommandResult(exitStatus: facts(host).contains(words[1]) ? 0 : 1)
        case "make":
            _ = state.withLock { $0[host, default: []].insert(words[1]) }
            return CommandResult(exitStatus: 0, standardOutput: "made \(words[1])\n")
        case "fail": return CommandResult(exitStatus: 3, standardError: "boom on \(host)\n")
        case "fail-until":
            let key = host + words[2]
            let count = attempts.withLock { $0[key, default: 0] += 1; return $0[key, default: 0] }
            if count < Int(words[1]) ?? 0 { return CommandResult(exitStatus: 1, standardError: "not yet\n") }
            _ = state.withLock { $0[host, default: []].insert(words[2]) }
            return CommandResult(exitStatus: 0)
        case "echo": return CommandResult(exitStatus: 0, standardOutput: words.dropFirst().joined(separator: " ") + "\n")
        case "true": return CommandResult(exitStatus: 0)
        default: return CommandResult(exitStatus: 127, standardError: "unknown command \(script)\n")
        }
    }
}

extension FakeHostsCore {
    /// An action batch: each piece is "(", its lines, then ") … echo "NONCE POSITION KIND $fleetkit_s"…";
    /// a passing check skips its action, a failing action or verification ends the batch.
    fileprivate func executeBatch(_ script: String, host: String) -> CommandResult {
        let lines = script.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let nonce = String(lines[0].dropFirst(": fleetkit-batch ".count))
        var output = ""
        var errors = ""
        var body: [String] = []
        var skipped: String?
        for line in lines.dropFirst() {
            if line == "(" { body = []; continue }
            guard line.hasPrefix(") ") else { body.append(line); continue }
            let words = line.split(separator: " ").map(String.init)
            guard let at = words.firstIndex(of: "\"" + nonce), at + 2 < words.count else { continue }
            let position = words[at + 1]
            let kind = words[at + 2]
            if skipped == position { continue }
            let result = execute(body.joined(separator: "\n"), host: host)
            let tag = "\(nonce) \(position) \(kind)"
            switch kind {
            case "a":
                output += "\(tag)\n\(result.standardOutput)\(tag) \(result.exitStatus)\n"
                errors += "\(tag)\n\(result.standardError)\(tag) \(result.exitStatus)\n"
                if result.exitStatus != 0 { return CommandResult(exitStatus: 0, standardOutput: output, standardError: errors) }
            default:
                output += "\(tag)\n\(tag) \(result.exitStatus)\n"
                if kind == "c" && result.exitStatus == 0 { skipped = position }
                if kind == "v" && result.exitStatus != 0 { return CommandResult(exitStatus: 0, standardOutput: output, standardError: errors) }
            }
        }
        return CommandResult(exitStatus: 0, standardOutput: output, standardError: errors)
    }
}

/// A clock that records pauses instead of sleeping.
final class RecordingClock: FleetClock {
    let sleeps = Locked<[Duration]>([])
    func now() -> Date { Date(timeIntervalSince1970: 1_795_030_620) }
    func sleep(for duration: Duration) async throws { sleeps.withLock { $0.append(duration) } }
}

func hosts(_ count: Int) -> [RemoteHost] {
    (1...count).map { RemoteHost(name: "web-\($0)", address: "10.0.0.\($0)") }
}

func step(_ fact: String, retries: Int = 0) -> Step {
    Step.shell("ensure \(fact)", check: "is \(fact)", action: "make \(fact)", retries: retries)
}
