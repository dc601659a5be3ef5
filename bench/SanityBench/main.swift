// Generates a realistic Aztec node log in JSON lines and lists the scanner's signal texts,
// for bench/sanity-scan.sh, which times `aztec-fleet sanity --log` on it beside grep.
//
// Usage: sanity-bench generate FILE MEGABYTES   a log of about MEGABYTES MiB (deterministic)
//        sanity-bench markers                   the built-in signal texts, one per line (grep -F -f)
//        sanity-bench scan FILE                 the library alone: LogScanner over FILE, lines with a signal
import ButlerKit
import FleetKit
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("sanity-bench: \(message)\n".utf8))
    exit(2)
}

/// SplitMix64: the same log on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// One kind of line: its level, module, weight in the mix, and how its message and fields read.
struct LineKind {
    var level: Int
    var module: String
    var weight: Int
    var render: (_ block: Int, _ slot: Int, _ hash: String) -> (fields: String, message: String)
}

let kinds: [LineKind] = [
    LineKind(level: 20, module: "p2p:libp2p_service", weight: 30) { _, _, hash in
        (#""peerId":"16Uiu2HAmQ8fZ3kTn","#, "Received tx \(hash) from peer 16Uiu2HAmQ8fZ3kTn") },
    LineKind(level: 20, module: "world-state:block_stream", weight: 10) { block, _, hash in
        (#""l2BlockSourceHash":"\#(hash)","blockNumber":\#(block),"#, "Handling block stream event blocks-added") },
    LineKind(level: 20, module: "validator", weight: 15) { _, slot, hash in
        (#""slot":\#(slot),"archive":"\#(hash)","#, "Attested to checkpoint proposal for slot \(slot)") },
    LineKind(level: 20, module: "p2p:libp2p_service", weight: 14) { _, slot, _ in
        (#""peers":42,"#, "Gossiping checkpoint proposal for slot \(slot)") },
    LineKind(level: 25, module: "world-state", weight: 10) { block, _, _ in
        (#""durationMs":12.5,"#, "Synced world state to block \(block)") },
    LineKind(level: 25, module: "p2p:reqresp", weight: 10) { _, _, _ in
        (#""protocol":"/aztec/req/tx/1.0.0","#, "Req/resp stream closed by peer") },
    LineKind(level: 30, module: "archiver", weight: 3) { block, _, _ in
        (#""blockNumber":\#(block),"#, "Processed 1 new L2 blocks") },
    LineKind(level: 30, module: "sequencer", weight: 2) { block, slot, _ in
        (#""slot":\#(slot),"#, "Can propose block \(block) at slot \(slot)") },
    LineKind(level: 20, module: "discv5:service", weight: 2) { _, _, _ in
        (#""peer":"enr:-Iu4QF","#, "Failed FINDNODE request: request timed out") },
    LineKind(level: 40, module: "sequencer", weight: 3) { _, slot, _ in
        ("", "Slot \(slot) not ready: waiting for attestations") },
    LineKind(level: 30, module: "bot", weight: 1) { _, _, hash in
        ("", "Generated IVC proof for tx \(hash) in 4137 ms") },
    LineKind(level: 30, module: "prover-node", weight: 1) { _, _, _ in
        (#""epochNumber":311,"#, "Submitted proof for epoch 311 (checkpoints 1 to 32)") },
    LineKind(level: 50, module: "sequencer", weight: 1) { _, slot, _ in
        ("", "Error building checkpoint: AttestationTimeoutError: Timeout collecting attestations for slot \(slot): 21/33") },
]

@MainActor func generate(to path: String, megabytes: Int) {
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
        fail("cannot create \(path)")
    }
    defer { try? handle.close() }
    let picks = kinds.enumerated().flatMap { index, kind in Array(repeating: index, count: kind.weight) }
    var random = SeededGenerator(state: 7)
    let target = megabytes << 20
    var written = 0
    var time: UInt64 = 1_767_614_400_000
    var block = 5670
    var slot = 10230
    var buffer = ""
    buffer.reserveCapacity(1 << 21)
    while written < target {
        let kind = kinds[picks[Int(random.next() % UInt64(picks.count))]]
        time += random.next() % 400 + 1
        if random.next() % 50 == 0 { block += 1 }
        if random.next() % 50 == 0 { slot += 1 }
        let hash = "0x" + (0..<4).map { _ in
            let text = String(random.next(), radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
        let (fields, message) = kind.render(block, slot, hash)
        buffer += #"{"level":\#(kind.level),"time":\#(time),"pid":7,"hostname":"aztec-node-1","module":"\#(kind.module)",\#(fields)"msg":"\#(message)"}"#
        buffer += "\n"
        if buffer.utf8.count >= 1 << 20 {
            written += buffer.utf8.count
            handle.write(Data(buffer.utf8))
            buffer.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(buffer.utf8))
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "generate":
    guard arguments.count == 3, let megabytes = Int(arguments[2]), megabytes > 0 else { fail("usage: sanity-bench generate FILE MEGABYTES") }
    generate(to: arguments[1], megabytes: megabytes)
case "markers":
    print(LogSignalTable.aztec.signals.map(\.text).joined(separator: "\n"))
case "scan":
    guard arguments.count == 2, let handle = FileHandle(forReadingAtPath: arguments[1]) else { fail("usage: sanity-bench scan FILE") }
    let summary: LogScanSummary
    do {
        summary = try LogScanner.scan(fileDescriptor: handle.fileDescriptor, name: arguments[1])
    } catch {
        fail(error.description)
    }
    // grep -c counts lines with any marker; no generated line holds two, so the sums compare.
    print("lines=\(summary.lines) signal-lines=\(summary.signals.values.reduce(0) { $0 + $1.count })")
default:
    fail("usage: sanity-bench generate FILE MEGABYTES | sanity-bench markers | sanity-bench scan FILE")
}
