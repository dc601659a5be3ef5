// Another Swift tool installing Aztec on the servers of a servers.csv and then collecting
// each node's proof, through ButlerKit's entry points:
//
//   L1_RPC_URLS=https://rpc.example L1_CONSENSUS_URLS=https://beacon.example \
//     swift run aztec-install-with-proof servers.csv [--check]
import ButlerKit
import FleetKit
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard let inventory = arguments.first, !inventory.hasPrefix("-") else {
    FileHandle.standardError.write(Data("usage: aztec-install-with-proof servers.csv [--check]\n".utf8))
    exit(2)
}
let environment = ProcessInfo.processInfo.environment
var run = RunOptions()
run.checkMode = arguments.contains("--check")
let settings = InstallSettings(l1RPCURLs: (environment["L1_RPC_URLS"] ?? "").split(separator: ",").map(String.init),
                               consensusURLs: (environment["L1_CONSENSUS_URLS"] ?? "").split(separator: ",").map(String.init))
let session = FleetSession.Configuration(
    inventory: .file(URL(fileURLWithPath: inventory), schema: AztecInventory.schema, naming: .numbered(prefix: "node", start: 1)),
    ssh: OpenSSHConfiguration(defaultUser: "ubuntu"), run: run, log: .log(.console()))
let (install, proofs) = try await FleetSession.with(session) { session in
    let install = try await session.run(AztecInstall(settings: settings, existingNodes: .refuse))
    let proofs = try await session.run(ProofCollection(resultsFile: URL(fileURLWithPath: "proof_results.csv")))
    return (install, proofs)
}
print(install.recapLines().joined(separator: "\n"))
print(proofs.text, terminator: "")
exit(install.succeeded && proofs.succeeded ? 0 : 1)
