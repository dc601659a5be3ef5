import FleetKit
import Foundation
import GonkaKit

let nodeFileArgument = [ArgumentSpec("node-file", help: "The node file, e.g. nodes/node1.conf")]
let renderSpec = CommandSpec(
    name: "render", summary: "Write config.env and node-config.json for a node file, without touching any server",
    discussion: """
        Reads the node file as the original mitch_help.sh would source it, but never runs it: NAME="value" lines, comments, $NAME and ${NAME} from earlier lines or the environment. Every problem is reported at once with its line, then nothing is written (exit 2).
        The files go to nodes/<KEY_NAME>/ next to the node file (the original's layout), or into --output DIR: config.env (mode 0600: it holds the keyring password) with the original's 19 export lines, values shell-quoted; node-config.json for the profile (x1 or x8 as the original writes it, or x8-4090; for auto the first serving MODEL_NAME, since the GPUs are read only when deploying).
        """,
    arguments: nodeFileArgument,
    options: [OptionSpec("output", short: "o", value: "DIR", help: "Write into DIR instead of nodes/<KEY_NAME>/ next to the node file"),
              OptionSpec("json", help: "Print what was written as JSON")])

/// Options every command that reaches the server takes.
let connectionOptions = [
    OptionSpec("output", short: "o", value: "DIR", help: "The node's local folder instead of nodes/<KEY_NAME>/ next to the node file"),
    OptionSpec("log-dir", value: "DIR", help: "Folder for the run logs", defaultValue: "logs"),
    OptionSpec("identity", short: "i", value: "FILE", help: "SSH private key (instead of SSH_KEY of the node file)"),
    OptionSpec("known-hosts", value: "FILE", help: "known_hosts file the tool owns (default: ~/.config/fleetkit/known_hosts)", environment: "FLEET_KNOWN_HOSTS"),
    OptionSpec("timeout", short: "t", value: "SECONDS", help: "Limit of each remote command", environment: "TIMEOUT", defaultValue: "600"),
    OptionSpec("settle", value: "SECONDS", help: "Pause after starting containers before looking at them", defaultValue: "15"),
    OptionSpec("sync-checks", value: "N", help: "Readings of the node's height while waiting for state sync (0: do not wait)", defaultValue: "50"),
    OptionSpec("sync-check-interval", value: "SECONDS", help: "Pause between those readings", defaultValue: "30"),
    OptionSpec("verbose", short: "v", help: "Also show debug lines and command output", environment: "VERBOSE"),
]

let deploySpec = CommandSpec(
    name: "deploy", summary: "Deploy the node of a node file in phases 1-8 over one SSH connection (also: gonka-deploy <node-file>)",
    discussion: """
        Phase 0 checks the node file, connects once (the connection is reused for the whole run; the hosts run fail2ban), reads the GPUs (nvidia-smi) and stops before changing anything when they cannot run the node's configuration (GPU_CHECK=warn or --ignore-gpu-check deploys all the same; NODE_CONFIG_PROFILE=auto picks the official configuration for the GPUs), shows the parameters with the password masked and asks "Do you want to proceed with deployment? (yes/no): " (only "yes" proceeds). AUTO_CONFIRM=yes (node file or environment) or --yes skips the question; without a terminal and without either, the run is refused.
        Each step is CHECK, then SKIP when already so, else EXEC and OK; the first ERROR stops the run (exit 1); warnings (state sync still running, a verification check) do not. Resume with --from-phase N. The log goes to logs/<KEY_NAME>_YYYY-MM-DD_HH-MM-SS.log, with logs/<KEY_NAME>_latest.log pointing at it.
        Phases: 1 admin SSH keys and the data disk (formatted only when it holds no signature and is not mounted); 2 the gonka-ai/gonka checkout and the model; 3 config.env, node-config.json and .env; 4 tmkms and node, the warm key (created only when inferenced keys show does not find it; its mnemonic goes straight into nodes/<KEY_NAME>/warm_key.txt, mode 0600), registration under the cold account; 5 peers, pruning, state sync (set only while the node holds no blocks) and the wait for it; 6 every service of both compose files and the wait for the model; 7 verification.txt; 8 the ML-permissions grant, printed (or run here with --grant).
        Chain data is never deleted, except with --reset-chain-data, which needs --yes or a typed "yes" (AUTO_CONFIRM does not count). A state sync stuck at one chunk is reported; fix it with gonka-deploy fix-sync.
        Several node files (or a folder: its *.conf files) deploy several nodes in one run: every file is checked first, one table and one question for all, then --parallel nodes at a time, each with its own log and nodes/<KEY_NAME>/ folder; a node that fails does not stop the others, and a recap ends the run.
        """,
    arguments: [ArgumentSpec("node-file", help: "The node file, e.g. nodes/node1.conf; several, or a folder of them, for several nodes", variadic: true)],
    options: [
        OptionSpec("yes", short: "y", help: "Deploy without asking, as AUTO_CONFIRM=yes; also confirms --reset-chain-data"),
        OptionSpec("check", help: "Only report what each step would change; change nothing"),
        OptionSpec("phase", value: "N", help: "Run only phase N (1-8)"),
        OptionSpec("from-phase", value: "N", help: "Run phase N and every later one (1-8)"),
        OptionSpec("reset-chain-data", help: "Phase 5 deletes the node's chain data and syncs it anew (asks first)"),
        OptionSpec("grant", help: "Phase 8 runs the grant with this machine's inferenced and COLD_KEY_NAME instead of printing it"),
        OptionSpec("inferenced", value: "FILE", help: "The inferenced binary for --grant (default: found on the PATH)"),
        OptionSpec("model-wait", value: "SECONDS", help: "How long phase 6 waits for the model to load (0: do not wait)", defaultValue: "180"),
        OptionSpec("parallel", value: "N", help: "With several nodes: how many deploy at the same time", defaultValue: "4"),
        OptionSpec("ignore-gpu-check", help: "Deploy even when the server's GPUs cannot run the node's configuration (as GPU_CHECK=warn)"),
    ] + connectionOptions)

let fixSyncSpec = CommandSpec(
    name: "fix-sync", summary: "Unstick a state sync that stays at one snapshot chunk",
    discussion: """
        The original's stuck-sync fix, as its own explicit command: runs a peer filter script only when one is named (--peer-filter-script, e.g. the original's $HOME/prometheus/iptables_disable_peers.sh), stops the containers of both compose files, keeps chain data larger than 1000 MiB (only .node_initialized and cosmovisor go) or removes the partial data of an unfinished sync, lets the node re-initialise, sets a fresh trusted block from the seed node, starts the containers and waits for state sync. Once synced, the DROP rule the filter script added is lifted.
        Asks "Apply the stuck state-sync fix? (yes/no): " unless --yes; without a terminal, --yes is required.
        """,
    arguments: nodeFileArgument,
    options: [OptionSpec("yes", short: "y", help: "Apply the fix without asking"),
              OptionSpec("peer-filter-script", value: "PATH", help: "The peer filter script on the server ($HOME/... expands to the SSH user's home)")]
        + connectionOptions)

let statusSpec = CommandSpec(
    name: "status", summary: "How one or many nodes are doing, read without changing anything",
    discussion: """
        For each node (node files, or folders of them): services of both compose files running, block height against the network (from the seed node) and catching up, state-sync chunk, participant registered and in the current epoch, jailed and missed blocks, ML node health and GPUs seen, free space of the data volume. Each node is read over one SSH connection of its own; no log is written.
        Exit 0 when every node is fine, 1 when any needs attention (the reasons are listed under it), 2 for node file errors.
        --prometheus FILE also writes gonka_node_* gauges labelled node=<KEY_NAME> for node_exporter's textfile collector; run it from a timer to feed the Gonka alerts of the monitoring bundle (docs/monitoring.md).
        """,
    arguments: [ArgumentSpec("node-file", help: "Node files or folders of them", variadic: true)],
    options: [OptionSpec("json", help: "Print the readings as JSON"),
              OptionSpec("parallel", value: "N", help: "How many nodes are read at the same time", defaultValue: "8"),
              OptionSpec("prometheus", value: "FILE", help: "Also write the readings as Prometheus gauges to FILE, atomically (node_exporter's textfile collector)")]
        + connectionOptions.filter { ["identity", "known-hosts", "timeout"].contains($0.long) })

let backupSpec = CommandSpec(
    name: "backup", summary: "Fetch the keys that cannot be recreated into nodes/<KEY_NAME>/backup-<time>/",
    discussion: """
        The FAQ's backup set: .tmkms (the consensus key's secrets), .inference/keyring-file (the warm key), .inference/config/node_key.json, and the keyring password, into a new folder (mode 0700, files 0600) with SHA256SUMS; an existing folder is never overwritten. The cold key stays on your machine. Nothing of it is printed or logged.
        Restore with the containers stopped: sha256sum -c SHA256SUMS, then tar -xzf server-secrets.tar.gz -C <GONKA_PATH>/deploy/join as root.
        """,
    arguments: nodeFileArgument,
    options: [OptionSpec("json", help: "Print what was written as JSON")]
        + connectionOptions.filter { ["output", "identity", "known-hosts", "timeout"].contains($0.long) })

let upgradeSpec = CommandSpec(
    name: "upgrade", summary: "Move one or many nodes to a release tag of gonka-ai/gonka, one node at a time behind a health gate",
    discussion: """
        Every node is read first and nothing changes until all of them can be upgraded: the tag must exist on the checkout's origin (git ls-remote) and the checkout must have no local changes but the deploy folder's config.env, .env and node-config.json. Then per node: git fetch and checkout of the tag, config.env and .env rendered from the node file as the deploy does (and nodes/<KEY_NAME>/), docker compose pull and up -d --force-recreate of both compose files, the ML node settings of node-config.json sent through the admin API (the API reads the file on its first launch only), then the health gate: the node's RPC gives an advancing height and says it is not catching up, and the validator is not jailed and its missed blocks do not rise.
        --check shows the tag from and to, each config.env variable that changes (secrets masked), the images to pull, the ML node changes and the batches, and changes nothing. A node failing its gate stops the rollout: later nodes stay as they were and the recap says which. The log goes to logs/upgrade_YYYY-MM-DD_HH-MM-SS.log.
        Exit 0 when every node is upgraded (or, with --check, could be), 1 when one failed or none can be upgraded (nothing is changed then), 2 for usage or node file errors.
        """,
    arguments: [ArgumentSpec("node-file", help: "Node files or folders of them", variadic: true)],
    options: [OptionSpec("tag", value: "TAG", help: "The release tag to upgrade to, e.g. v0.2.6"),
              OptionSpec("check", help: "Show every change and the batches; change nothing"),
              OptionSpec("json", help: "Print the report as JSON (progress lines go to standard error)"),
              OptionSpec("batch-size", value: "N|P%", help: "Nodes upgraded at a time", defaultValue: "1"),
              OptionSpec("gate-timeout", value: "SECONDS", help: "How long a restarted node may take to pass the health gate", defaultValue: "900"),
              OptionSpec("gate-interval", value: "SECONDS", help: "Pause between two looks of the health gate", defaultValue: "10")]
        + connectionOptions.filter { ["log-dir", "identity", "known-hosts", "timeout", "verbose"].contains($0.long) })

let spec = CommandSpec(
    name: "gonka-deploy", summary: "Set up Gonka inference nodes from the node files of the original mitch_help.sh.",
    discussion: "Usage as the original's: gonka-deploy nodes/node1.conf (the same as gonka-deploy deploy nodes/node1.conf). Exit codes: 0 fine, 1 the job failed, 2 usage or node file error, 130/143/129 interrupted by SIGINT/SIGTERM/SIGHUP (a second signal forces the exit).",
    subcommands: [deploySpec, fixSyncSpec, statusSpec, backupSpec, upgradeSpec, renderSpec], defaultSubcommand: "deploy")   // the original's call: gonka-deploy nodes/node1.conf
let io = ToolIO.process()

let optionNames = ["syncChecks × syncCheckInterval": "sync-checks × --sync-check-interval"]
let code = await CommandLineTool.main(spec: spec, version: FleetKitVersion.current, io: io, optionName: { optionNames[$1] }) { parsed in
    switch parsed.path.last {
    case "render": return try render(parsed)
    case "deploy": return try await deploy(parsed)
    case "fix-sync": return try await fixSync(parsed)
    case "status": return try await status(parsed)
    case "upgrade": return try await upgrade(parsed)
    case "backup":
        let report = try await NodeBackupRun(settings: try settings(parsed)).run()
        io.writeOutput(parsed.flag("json") ? String(decoding: try report.jsonData(), as: UTF8.self) + "\n" : report.textLines.joined(separator: "\n") + "\n")
        return ToolExitCode.success
    default: throw UsageError(message: "missing node file; usage: gonka-deploy <node-file> (example: gonka-deploy nodes/node1.conf)", commandPath: parsed.path)
    }
}
exit(code)
