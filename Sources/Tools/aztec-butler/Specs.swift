import ButlerKit
import FleetKit

// The command line of aztec-butler: every command, option and help text.
/// `--network`, `--config`, `--data-dir`, and one flag per non-secret setting of `{network}-base.env`.
let globalOptions = [
    OptionSpec("network", value: "NAME", help: "Network (mainnet, testnet …); default: the only configured one, else testnet"),
    OptionSpec("config", value: "FILE", help: "Configuration file instead of $XDG_CONFIG_HOME/aztec-butler/{network}-base.env"),
    OptionSpec("data-dir", value: "DIR", help: "Data folder instead of $XDG_DATA_HOME/aztec-butler (keys files)"),
] + ButlerSetting.allCases.filter { !$0.isSecret }.map { OptionSpec(flagName($0), value: "VALUE", help: "\($0.help) (\($0.variable))") }
let jsonOption = OptionSpec("json", help: "Print JSON instead of text")
let registryOption = OptionSpec("staking-registry", value: "ADDRESS", help: "The StakingRegistry contract; default: the known one of mainnet and Sepolia")
let multicallOption = OptionSpec("multicall3", value: "ADDRESS", help: "Where Multicall3 is deployed, for chains where it is not at its usual address (0xcA11bde05977b3631167028862bE2a173976CA11)")
let spec = CommandSpec(
    name: "aztec-butler",
    summary: "Manage the keys files and configuration of an Aztec node fleet, as the original Aztec Butler does.",
    discussion: "Settings come from flags, then the environment, then {network}-base.env, then defaults; METRICS_BEARER_TOKEN only from the environment or the file. Exit codes: 0 fine, 1 problems found, 2 usage or input error, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (a second signal forces the exit).",
    options: globalOptions,
    subcommands: [
        CommandSpec(name: "keys", summary: "List each server's newest keys file, the merged totals and every problem",
                    discussion: "Looks in the data folder for {network}-keys-{serverId}-v{N}.json and keeps each server's highest version. Bad files, an attester on two servers and a publisher shared by two servers are problems: exit 1.", options: [jsonOption]),
        CommandSpec(name: "get-queue-stats", summary: "The rollup's entry queue and when the provider's attesters arrive in the validator set",
                    discussion: "Asks the Aztec node for the rollup address and checks the L1 chain id against the Ethereum node first. The provider's attesters are those of the keys files found in the entry queue; the next one without a coinbase is named. While the queue is bootstrapping (flush size 0) there is no arrival time. --json has the original Butler's shape. Needs AZTEC_STAKING_PROVIDER_ID.", options: [jsonOption, multicallOption]),
        CommandSpec(name: "attesters", summary: "Every attester of the keys files: on-chain status, queue place and arrival, coinbase, server",
                    discussion: "Reads getAttesterView for every attester in one Multicall3 pass, the rollup's entry queue and the provider's StakingRegistry queue in batches (5,000 attesters cost about ten HTTP requests). Places: PROVIDER_QUEUE (with position), ENTRY_QUEUE (with position and arrival time; none while bootstrapping), VALIDATING, LEAVING (ZOMBIE or EXITING), NOT_ON_CHAIN. The provider queue needs AZTEC_STAKING_PROVIDER_ID and a StakingRegistry (known for mainnet and Sepolia, else --staking-registry). With --csv: the original validator_stats.rb CSV from these reads and the Aztec node's node_getValidatorsStats (address,status,balance_wei,balance_eth,last_proposed,total_attestations_missed,total_blocks_missed,error,place,server). Exit 1 when a keys file cannot be used.", options: [jsonOption, registryOption, multicallOption,
                                   OptionSpec("csv", help: "Print the per-attester CSV of the original validator_stats.rb (stake and missed duties) instead")]),
        CommandSpec(name: "prepare-deployment", summary: "Merge production and new keys into one new keys file per server, publishers assigned round-robin",
                    discussion: "Every server of --available-publishers ({\"serverId\": [\"0xpub…\"]}) gets {network}-keys-{serverId}-v{N+1}.json holding the production validators then the new ones, each publisher[i % n] of that server; coinbases come from the production file, else {dataDir}/{network}-cached-coinbases.json; schemaVersion and remoteSigner are the production file's. Fatal (exit 1, nothing written): an attester in both inputs, a zero-address coinbase, a publisher under two servers, a publisher with 0 ETH (all balances in one batched request to ETHEREUM_NODE_URL). A publisher below MIN_ETH_PER_ATTESTER × its attesters is a warning. N is the highest version of the server in the output and data folders. Bad input files: exit 2, naming the file and JSON path.",
                    options: [OptionSpec("production-keys", value: "FILE", help: "The keys file in production (needs validators and remoteSigner)"),
                              OptionSpec("new-public-keys", value: "FILE", help: "The new validators (public keys; publisher and coinbase may be absent)"),
                              OptionSpec("available-publishers", value: "FILE", help: "JSON object: server id → array of publisher addresses"),
                              OptionSpec("output", short: "o", value: "DIR", help: "Where to write the files; default: the data folder")]),
        CommandSpec(name: "config", summary: "Show the effective configuration and where each value came from (secrets as ***)",
                    discussion: "RPC URLs are shown with their credentials masked: user:password@, path API keys (/v2/KEY, /v3/KEY, token segments) and apikey, key or token query values; --show-secrets shows them. The metrics bearer token is always ***. Exit 2 when a value cannot work (bad URL, port, id, amount), naming the variable and where it came from.",
                    options: [jsonOption, OptionSpec("show-secrets", help: "Show the RPC URLs whole, credentials included")]),
    ] + coinbaseCommandSpecs + providerCommandSpecs + keyCommandSpecs + serveCommandSpecs)
let coinbaseCommandSpecs = [
    CommandSpec(name: "scrape-coinbases", summary: "Map the keys files' attesters to their coinbases from the StakingRegistry's StakedWithProvider events",
                discussion: "Reads the provider's StakedWithProvider events in block chunks on ETHEREUM_ARCHIVE_NODE_URL (else ETHEREUM_NODE_URL, with a warning), keeps those of attesters in the keys files and merges them into {data dir}/{network}-cached-coinbases.json. Incremental runs start after the cache's lastScrapedBlock; the first run and --full start at the network's start block (mainnet 23786836, testnet 9595580, others 0). Two different non-zero coinbases for one attester are a conflict: exit 1 and the cache is left as it was. Needs AZTEC_STAKING_PROVIDER_ID; checks the Aztec node and the Ethereum node belong together first.",
                options: [OptionSpec("full", help: "Rescan from the network's start block, merging into the cache"),
                    OptionSpec("from-block", value: "N", help: "Start at block N instead"),
                    OptionSpec("output", value: "PATH", help: "Cache file instead of {data dir}/{network}-cached-coinbases.json"),
                    OptionSpec("chunk-size", value: "N", help: "Blocks per eth_getLogs request (default 10000; halved when the node refuses)"),
                    OptionSpec("staking-registry", value: "ADDRESS", help: "The StakingRegistry, for chains other than mainnet and Sepolia"),
                    jsonOption]),
    CommandSpec(name: "fill-coinbases", summary: "Fill a keys file's empty coinbase fields from the coinbase cache",
                discussion: "Only validators without a coinbase are filled. A coinbase that differs from the cache is kept, with a warning; a zero address in the cache is never filled in. Nothing is written when nothing was filled. --increment-version writes {network}-keys-{serverId}-v{N+1}.json next to the file (N the highest version there) instead of overwriting it. Every write is atomic. --json prints the keys file, the file written (null when none), the coinbases filled, the disagreements, the zero coinbases of the cache and the attesters still unmapped; the warnings stay on standard error.",
                options: [OptionSpec("keys-file", value: "FILE", help: "The keys file to fill (a bare name not found here is looked up in the data folder)"),
                    OptionSpec("increment-version", help: "Write the next version of the file instead of overwriting it"),
                    OptionSpec("cache", value: "FILE", help: "Coinbase cache instead of {data dir}/{network}-cached-coinbases.json"),
                    jsonOption]),
]
let publisherEthDiscussion = "Reads every publisher of the keys files, its load (1 per validator naming it alone, 1/n when among n) and its balance (one batched request), and shows the top-up each needs: ⌈load⌉ × MIN_ETH_PER_ATTESTER minus the balance, in the original's format. Exit 1 when any publisher needs a top-up or a keys file cannot be used."
let providerCommandSpecs = [
    CommandSpec(name: "get-provider-id", summary: "Find the staking provider an admin address manages: id, take rate, rewards recipient",
                discussion: "ADMIN defaults to AZTEC_STAKING_PROVIDER_ADMIN_ADDRESS. Scans the StakingRegistry's providers up to nextProviderIdentifier in batched reads (the original looped forever on an unknown admin); addresses compare case-insensitively. Exit 1 when no provider has that admin.",
                arguments: [ArgumentSpec("ADMIN", help: "The provider's admin address", optional: true)],
                options: [jsonOption, registryOption, multicallOption]),
    CommandSpec(name: "check-publisher-eth", summary: "Each publisher's load, ETH balance and the top-up it needs", discussion: publisherEthDiscussion, options: [jsonOption, multicallOption]),
    CommandSpec(name: "get-publisher-eth", summary: "The same as check-publisher-eth (the original's command file name)", discussion: publisherEthDiscussion, options: [jsonOption, multicallOption]),
]
let serveOptions: [OptionSpec] = ButlerScraper.allCases.map { scraper in
    OptionSpec(intervalOption(scraper), value: "SECONDS",
               help: "How often the \(scraper.rawValue.replacingOccurrences(of: "_", with: " ")) scraper runs (default \(Int(scraper.defaultInterval.seconds)))")
} + [registryOption, multicallOption]
let serveDiscussion = """
    Serves /metrics (Prometheus text format, the original Butler's metric names plus scrape health and per-attester duties) and /healthz on METRICS_HOST:METRICS_PORT (default 127.0.0.1:9464). With METRICS_BEARER_TOKEN set, /metrics needs "Authorization: Bearer <token>"; any METRICS_HOST beyond loopback requires the token. Attester states are kept in {dataDir}/{network}-attester-state.json and restored on restart; keys files are reloaded when they change. A failing Ethereum or Aztec node never stops the daemon: the affected metrics keep their last values and aztec_butler_scrape_errors_total grows until it recovers. SIGTERM or SIGINT stops it with the states saved (exit 0); SIGHUP reloads the configuration ({network}-base.env read again; a configuration that does not load is refused and the daemon goes on); SIGPIPE is ignored.
    """
let serveCommandSpecs = [
    CommandSpec(name: "serve", summary: "Run the metrics daemon: attester states, queues, publisher balances and duties for Prometheus", discussion: serveDiscussion, options: serveOptions),
    CommandSpec(name: "start-server", summary: "The same as serve (the name the original's README uses)", discussion: serveDiscussion, options: serveOptions),
    CommandSpec(name: "install-service", summary: "Print a systemd unit that runs serve for this network",
                discussion: "Prints aztec-butler-{network}.service for /etc/systemd/system/: Type=simple, Restart=always, RestartSec=5, sandboxed (NoNewPrivileges, ProtectSystem=strict, writes only to the data folder). The bearer token stays in the configuration file, never in the unit. Install with: aztec-butler --network NAME install-service | sudo tee /etc/systemd/system/aztec-butler-NAME.service && sudo systemctl daemon-reload && sudo systemctl enable --now aztec-butler-NAME",
                options: [OptionSpec("user", value: "NAME", help: "Account the service runs as (default: the current one)"),
                          OptionSpec("executable", value: "PATH", help: "Path of aztec-butler in the unit (default: this program's)")]),
]
