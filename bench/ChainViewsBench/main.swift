// Reads the attester views of many attesters from a node, once per batching strategy, and
// reports HTTP requests and wall time for each. Used by bench/chain-views.sh.
//
// Usage: chain-views-bench --url URL --rollup ADDRESS --multicall ADDRESS [--attesters N] [--modes m1,m2]
// Attesters are the benchmark seed's addresses 0xb0…<index>; status index % 4, balance index ether.
import ButlerKit
import FleetKit
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("chain-views-bench: \(message)\n".utf8))
    exit(2)
}

var options: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let name = arguments.popFirst() {
    guard name.hasPrefix("--"), let value = arguments.popFirst() else { fail("usage: --url URL --rollup ADDRESS --multicall ADDRESS [--attesters N] [--modes multicall3,jsonrpc-batch,one-call-each]") }
    options[String(name.dropFirst(2))] = value
}
guard let url = options["url"].flatMap(URL.init(string:)) else { fail("--url is required") }
guard let rollup = options["rollup"].flatMap(EthereumAddress.init(hex:)) else { fail("--rollup needs an address") }
guard let multicall = options["multicall"].flatMap(EthereumAddress.init(hex:)) else { fail("--multicall needs an address") }
let count = Int(options["attesters"] ?? "5000") ?? 5000
let modes = (options["modes"] ?? "multicall3,jsonrpc-batch,one-call-each").split(separator: ",").map(String.init)

let attesters = (0..<count).map { index -> EthereumAddress in
    var bytes = [UInt8](repeating: 0, count: 20)
    bytes[0] = 0xB0
    var value = UInt64(index)
    for position in stride(from: 19, through: 12, by: -1) {
        bytes[position] = UInt8(truncatingIfNeeded: value)
        value >>= 8
    }
    return EthereumAddress(bytes: bytes) ?? .zero
}
/// Seconds the test server has spent executing JSON-RPC calls (its GET /stats), or 0.
func serverEVMSeconds() async -> Double {
    await withCheckedContinuation { continuation in
        URLSession.shared.dataTask(with: url) { data, _, _ in
            let stats = data.flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            continuation.resume(returning: stats?["evmSeconds"] as? Double ?? 0)
        }.resume()
    }
}

let ether = UInt256(decimal: "1000000000000000000") ?? .zero

print("attesters: \(count)")
print("| strategy | HTTP requests | wall time (s) | of which in the EVM (s) | views/s |")
print("|---|---:|---:|---:|---:|")
var seconds: [String: Double] = [:]
for mode in modes {
    let strategy: BatchReadStrategy
    switch mode {
    case "multicall3": strategy = .multicall3(address: multicall, callsPerAggregate: 500)
    case "jsonrpc-batch": strategy = .jsonRPCBatch
    case "one-call-each": strategy = .oneCallEach
    default: fail("unknown mode \(mode)")
    }
    let transport = CountingHTTPTransport()
    let options: JSONRPCClientOptions
    do {
        options = try JSONRPCClientOptions(timeout: .seconds(300), maxConcurrentRequests: 4, maxBatchSize: 100)
    } catch {
        fail("\(error)")
    }
    let client = EthereumClient(url: url, options: options, transport: transport)
    let reader = RollupReader(client: client, rollup: rollup, strategy: strategy)
    let evmBefore = await serverEVMSeconds()
    let started = ContinuousClock.now
    let views: [AttesterView]
    do {
        views = try await reader.attesterViews(of: attesters)
    } catch {
        fail("\(mode): \(error)")
    }
    let elapsed = (ContinuousClock.now - started).components
    let wall = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    for (index, view) in views.enumerated() {
        guard view.status.rawValue == UInt8(index % 4),
            view.effectiveBalance == ether.multipliedAndAdded(multiplier: UInt64(index), addend: 0)
        else { fail("\(mode): attester \(index) has an unexpected view \(view)") }
    }
    seconds[mode] = wall
    let evmSeconds = await serverEVMSeconds() - evmBefore
    print("| \(mode) | \(transport.requestCount) | \(String(format: "%.2f", wall)) | \(String(format: "%.2f", evmSeconds)) | \(String(format: "%.0f", Double(count) / wall)) |")
}
if let batched = seconds["multicall3"], let single = seconds["one-call-each"] {
    print("speed-up of multicall3 over one-call-each: \(String(format: "%.1f", single / batched))×")
}
