import ButlerKit
import FleetKit
import Foundation

// The commands of the operator guide's phases: process-private-keys, add-keys, check-hosts, scrape-attester-status.
let keyCommandSpecs = [
    CommandSpec(name: "process-private-keys", summary: "Derive the public keys file from new private keys, store the private keys, reload the web3signers",
                discussion: "Reads the aztec CLI's private keys file, derives each attester's address (secp256k1) and BLS public key (BN254), refuses a malformed key and an attester already in the provider's queue (one batched read; AZTEC_STAKING_PROVIDER_ID or AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS), then hands the file to --store-file (a new 0600 file) or to the standard input of --store-command (split into words, no shell), writes the public keys file and POSTs /reload to each WEB3SIGNER_URLS entry. Private keys are never printed. Exit 1 when a web3signer could not be reloaded (the rest stays done).",
                arguments: [ArgumentSpec("FILE", help: "The private keys file")],
                options: [OptionSpec("output", short: "o", value: "FILE", help: "The public keys file (default: public-FILE in the working directory)"),
                          OptionSpec("store-file", value: "FILE", help: "Store the private keys in this new file (mode 0600)"),
                          OptionSpec("store-command", value: "COMMAND", help: "Store them through this program's standard input, e.g. \"gcloud secrets create batch-7 --data-file=-\""),
                          registryOption, multicallOption, jsonOption]),
    CommandSpec(name: "add-keys", summary: "Calldata of addKeysToProvider for the new attesters of the aztec CLI's registration files, and a Safe batch",
                discussion: "Reads the registration files (*_staker_output.json: attester, publicKeyG1, publicKeyG2, proofOfPossession; a folder means every such file in it; default: the working directory), leaves out attesters already in the provider's queue, in the rollup's entry queue or in the rollup (batched reads), and prints the StakingRegistry, the function, the attesters and the calldata for the provider admin's multisig. --safe-batch writes a Safe Transaction Builder batch. The provider is AZTEC_STAKING_PROVIDER_ID, else the one AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS administers.",
                arguments: [ArgumentSpec("FILES", help: "Registration files or folders", optional: true, variadic: true)],
                options: [OptionSpec("safe-batch", value: "FILE", help: "Write a Safe Transaction Builder batch file here"), registryOption, multicallOption, jsonOption]),
    CommandSpec(name: "get-add-keys-to-staking-provider-calldata", summary: "The same as add-keys (the original's command file name)",
                arguments: [ArgumentSpec("FILES", help: "Registration files or folders", optional: true, variadic: true)],
                options: [OptionSpec("safe-batch", value: "FILE", help: "Write a Safe Transaction Builder batch file here"), registryOption, multicallOption, jsonOption]),
    CommandSpec(name: "check-hosts", summary: "DNS, P2P and RPC reachability of every host in {network}-hosts.json",
                discussion: "Reads the original's {config folder}/{network}-hosts.json ({\"name\": {\"ip\", \"base_domain\", \"services\": {\"p2p\": {\"port\"}, \"aztec_rpc\": {\"port\", \"subdomain\"}, \"ethereum\": {\"port\", \"subdomain\"}}}}). Checks that base_domain resolves to ip, a TCP connection to the P2P port (latency, 5 s limit), node_getNodeInfo on the Aztec RPC and web3_clientVersion on the Ethereum RPC at ip:port and at https://subdomain.base_domain (version, 30 s limit). Exit 1 when any check fails.",
                options: [OptionSpec("hosts-file", value: "FILE", help: "The hosts file instead of {config folder}/{network}-hosts.json"),
                          OptionSpec("host", value: "NAME", help: "Check this host only"),
                          OptionSpec("check", value: "KIND", help: "dns, p2p, rpc or all (default all)"), jsonOption]),
    CommandSpec(name: "scrape-attester-status", summary: "The original's name for attesters: every attester's place, with its state names and cached attesters file",
                discussion: "The attesters command, shown the original's way: --show-queued (provider and entry queue), --show-active (validating), --show-all (default), --attester ADDR (repeatable) for some only. Each attester's state is IN_STAKING_PROVIDER_QUEUE, ROLLUP_ENTRY_QUEUE, ACTIVE, NO_LONGER_ACTIVE or NEW. --output-file writes the original's cached attesters file (version 2.0) with every attester.",
                options: [OptionSpec("show-queued", help: "Attesters waiting in the provider queue or the entry queue"),
                          OptionSpec("show-active", help: "Attesters in the validator set"), OptionSpec("show-all", help: "Every attester (the default)"),
                          OptionSpec("attester", value: "ADDRESS", help: "Only this attester (repeatable)", repeatable: true),
                          OptionSpec("output-file", value: "FILE", help: "Write the cached attesters file ({network}-cached-attesters.json in the original's data folder)"),
                          registryOption, multicallOption, jsonOption]),
]

/// Runs one of the guide's commands; nil when `parsed` is another command.
func runKeyCommand(_ parsed: ParsedCommand) async throws -> Int32? {
    switch parsed.path.last {
    case "process-private-keys":
        let file = URL(fileURLWithPath: parsed.argument("FILE") ?? "", relativeTo: io.currentDirectory).standardizedFileURL
        try parsed.exclusive("store-file", "store-command")
        guard let storage = try parsed.value("store-command").map(PrivateKeysProcessing.Storage.command(line:)) ?? path(parsed, "store-file").map({ .file($0) }) else {
            throw UsageError(message: "say where the private keys go: --store-file FILE or --store-command COMMAND", commandPath: parsed.path)
        }
        let configuration = try configuration(parsed)
        let output = path(parsed, "output") ?? io.currentDirectory.appendingPathComponent(PrivateKeysProcessing.defaultPublicKeysFileName(for: file))
        let report = try await PrivateKeysProcessing(configuration: configuration, privateKeysFile: file, publicKeysFile: output, storage: storage,
                                                     web3signerURLs: configuration.web3signerURLs, stakingRegistry: try address(parsed, "staking-registry"),
                                                     multicall3: try address(parsed, "multicall3") ?? Multicall3.canonicalAddress,
                                                     searchPath: (io.environment["PATH"] ?? "").split(separator: ":").map(String.init)).run()
        return try render(report.notes, report, report.lines, parsed, slashes: false, failed: report.hasFailedReloads)
    case "add-keys", "get-add-keys-to-staking-provider-calldata":
        let given = parsed.argumentValues("FILES").isEmpty ? ["."] : parsed.argumentValues("FILES")
        let files = try AddKeysCalldata.registrationFiles(in: given.map { URL(fileURLWithPath: $0, relativeTo: io.currentDirectory).standardizedFileURL })
        let report = try await AddKeysCalldata(configuration: try configuration(parsed), registrationFiles: files, safeBatchFile: path(parsed, "safe-batch"),
                                               stakingRegistry: try address(parsed, "staking-registry"),
                                               multicall3: try address(parsed, "multicall3") ?? Multicall3.canonicalAddress).run()
        return try render([], report, report.lines, parsed, slashes: false, failed: false)
    case "check-hosts":
        let request = try request(parsed)
        let file = path(parsed, "hosts-file") ?? request.paths.configDirectory.appendingPathComponent(HostsFile.fileName(network: request.network))
        let report = try await HostCheck(hostsFile: file, host: parsed.value("host"), checks: try parsed.choice("check") ?? .all).run()
        return try render([], report, report.lines, parsed, slashes: false, failed: report.hasFailures)
    case "scrape-attester-status":
        let selections: [(String, AttesterStatusScrape.Selection)] = [("show-queued", .queued), ("show-active", .active), ("show-all", .all)]
        let attesters = try parsed.values("attester").map { try address(text: $0, "attester", parsed) }
        let query = AttestersQuery(configuration: try configuration(parsed), stakingRegistry: try address(parsed, "staking-registry"),
                                   multicall3: try address(parsed, "multicall3") ?? Multicall3.canonicalAddress)
        let report = try await AttesterStatusScrape(query: query, selections: Set(selections.filter { parsed.flag($0.0) }.map(\.1)), attesters: attesters,
                                                    cacheFile: path(parsed, "output-file")).run()
        return try render(report.notes, report.placements, report.placements.textLines, parsed, failed: report.notes.hasProblems)
    default: return nil
    }
}
