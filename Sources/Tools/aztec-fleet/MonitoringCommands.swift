import ButlerKit
import FleetKit
import Foundation

/// `aztec-fleet monitoring-config`: the monitoring server's files from servers.csv.
let monitoringConfigSpec = CommandSpec(
    name: "monitoring-config",
    summary: "Write the monitoring server's files from servers.csv: Prometheus config, node and Butler targets (file_sd), alert rules, Alertmanager with Telegram",
    discussion: "Writes prometheus.yml, targets/aztec-nodes.json (one entry per node, label node=<name>), targets/aztec-butler.json, targets/gonka-status.json (--gonka-status), rules/aztec-nodes.yml, rules/aztec-butler.yml, rules/gonka-nodes.yml and alertmanager.yml (mode 0600: Alertmanager 0.25 takes the bot token only inside its configuration) into --out, each atomically; without INVENTORY, --gonka-status alone makes a bundle of Gonka alerts only. Pages: a node down or unreachable, stalled blocks, an attester missing duties, a publisher short of ETH, a disk past --disk-threshold, a Gonka node down or jailed; everything else warns silently. Exit codes: 0 written, 2 usage or input error.",
    arguments: [ArgumentSpec("INVENTORY", help: "servers.csv: one server per row; leave it out for a bundle of Gonka alerts only (--gonka-status)", optional: true)],
    options: FleetOptions.specs(defaultUser: "ubuntu") + inventoryOptions + [
        OptionSpec("out", short: "o", value: "DIR", help: "Folder for the files (created when missing)", defaultValue: "monitoring"),
        OptionSpec("telegram-token-file", value: "FILE", help: "File holding the Telegram bot token alone (required; never pass the token itself)", environment: "TELEGRAM_BOT_TOKEN_FILE"),
        OptionSpec("telegram-chat", value: "ID", help: "Telegram chat or channel id the alerts go to (required)", environment: "TELEGRAM_CHAT_ID"),
        OptionSpec("telegram-api-url", value: "URL", help: "Telegram Bot API base URL (default: Telegram's)"),
        OptionSpec("exporter-port", value: "PORT", help: "node_exporter port on each node", defaultValue: "9100"),
        OptionSpec("butler", value: "HOST:PORT", help: "aztec-butler serve targets, comma-separated", defaultValue: "127.0.0.1:9464"),
        OptionSpec("gonka-status", value: "HOST:PORT", help: "node_exporter(s) serving gonka-deploy status --prometheus gauges, comma-separated (Gonka alerts)"),
        OptionSpec("butler-token-file", value: "PATH", help: "Path on the monitoring server of the Butler's bearer token file"),
        OptionSpec("alertmanager", value: "HOST:PORT", help: "Alertmanager that Prometheus sends alerts to", defaultValue: "127.0.0.1:9093"),
        OptionSpec("scrape-interval", value: "SECONDS", help: "Prometheus scrape interval", defaultValue: "30"),
        OptionSpec("evaluation-interval", value: "SECONDS", help: "Prometheus rule evaluation interval", defaultValue: "30"),
        OptionSpec("disk-threshold", value: "PERCENT", help: "Disk use of the data folder that pages", defaultValue: "90"),
        OptionSpec("stall-window", value: "SECONDS", help: "Time without a new block that counts as stalled", defaultValue: "600"),
        OptionSpec("blocks-behind", value: "N", help: "Proven blocks a node may trail the fleet's best", defaultValue: "10"),
        OptionSpec("min-peers", value: "N", help: "Peers below which a node warns", defaultValue: "3"),
        OptionSpec("hold", value: "SECONDS", help: "Use this for: on every rule instead of each rule's own (tests, drills)"),
        OptionSpec("group-wait", value: "SECONDS", help: "Alertmanager's wait before a new group's first message", defaultValue: "30"),
        OptionSpec("group-interval", value: "SECONDS", help: "Alertmanager's wait before a group's next message (resolved ones included)", defaultValue: "300"),
    ])

let monitoringSettingOptions = ["telegramTokenFile": "telegram-token-file", "telegramChat": "telegram-chat", "telegramAPI": "telegram-api-url",
                                "butlerTarget": "butler", "gonkaStatusTarget": "gonka-status", "butlerTokenFile": "butler-token-file", "alertmanagerTarget": "alertmanager",
                                "exporterPort": "exporter-port", "exporterAddress": "exporter-address", "monitoringServer": "monitoring-server",
                                "remotePath": "textfile-dir", "outputFolder": "out", "timing": "interval"]

func monitoringConfig(_ parsed: ParsedCommand) async throws -> Int32 {
    guard parsed.argument("INVENTORY") != nil || parsed.value("gonka-status") != nil else {
        throw UsageError(message: "missing INVENTORY: servers.csv, or --gonka-status alone for a bundle of Gonka alerts only", commandPath: parsed.path)
    }
    let json = try FleetOptions(parsed, environment: io.environment, currentDirectory: io.currentDirectory).json
    let nodes = parsed.argument("INVENTORY") == nil ? [] : try session(parsed, "monitoring_config").2.hosts
    guard let tokenFile = parsed.value("telegram-token-file"), let chatText = parsed.value("telegram-chat") else {
        throw UsageError(message: "--telegram-token-file FILE and --telegram-chat ID are required: where the alerts go", commandPath: parsed.path)
    }
    guard let chat = Int64(chatText) else { throw UsageError(message: "--telegram-chat: '\(TerminalText.quoted(chatText))' is not a chat id (an integer)", commandPath: parsed.path) }
    let api = try parsed.value("telegram-api-url").map { text in
        guard let url = URL(string: text) else { throw UsageError(message: "--telegram-api-url: '\(URLCredentials.masked(text))' is not a URL", commandPath: parsed.path) }
        return url
    }
    let thresholds = AlertThresholds(diskUsedRatio: Double(try parsed.int("disk-threshold", range: 1...99) ?? 90) / 100,
                                     stallSeconds: try parsed.int("stall-window", range: 1...86_400) ?? 600, blocksBehind: try parsed.int("blocks-behind", range: 0...1_000_000) ?? 10,
                                     minimumPeers: try parsed.int("min-peers", range: 0...10_000) ?? 3, holdOverrideSeconds: try parsed.int("hold", range: 0...86_400))
    let settings = MonitoringServerSettings(
        telegram: TelegramReceiver(tokenFile: URL(fileURLWithPath: tokenFile, relativeTo: io.currentDirectory), chatID: chat, apiURL: api),
        exporterPort: try parsed.int("exporter-port", range: 1...65_535) ?? 9100, butlerTargets: list(parsed.value("butler") ?? "127.0.0.1:9464"),
        gonkaStatusTargets: list(parsed.value("gonka-status")),
        butlerTokenFile: parsed.value("butler-token-file"), alertmanagerTarget: parsed.value("alertmanager") ?? "127.0.0.1:9093",
        scrapeIntervalSeconds: try parsed.int("scrape-interval", range: 1...3600) ?? 30, evaluationIntervalSeconds: try parsed.int("evaluation-interval", range: 1...3600) ?? 30,
        thresholds: thresholds, alertmanagerTimings: AlertmanagerTimings(groupWaitSeconds: try parsed.int("group-wait", range: 0...3600) ?? 30,
                                                                                                     groupIntervalSeconds: try parsed.int("group-interval", range: 1...86_400) ?? 300))
    let report = try MonitoringServerFiles(nodes: nodes, settings: settings,
                                           outputDirectory: URL(fileURLWithPath: parsed.value("out") ?? "monitoring", relativeTo: io.currentDirectory).standardizedFileURL).run()
    if json { try io.writeJSON(report) } else { io.writeOutput(report.lines.joined(separator: "\n") + "\n") }
    return ToolExitCode.success
}

/// `aztec-fleet monitoring`: node health on every node, or its removal.
let monitoringSpec = CommandSpec(
    name: "monitoring",
    summary: "Node health on every node: Debian's prometheus-node-exporter where only the monitoring server reaches it, and a collector timer writing the node's Aztec gauges",
    discussion: stageDiscussion + " node_exporter listens on each node's inventory address (or --exporter-address), never on every address; --monitoring-server adds the only firewall rule that opens its port, and is required unless that address is private or loopback. The collector (a shell script run by a systemd timer) writes aztec_node_* gauges for either layout to the textfile folder, atomically. --remove takes everything away again (timer, collector, gauges, drop-in, firewall rule, package).",
    arguments: [inventoryArgument],
    options: FleetOptions.specs(runOptions: true, defaultTimeout: 600, defaultUser: "ubuntu") + inventoryOptions + layoutOptions + [
        OptionSpec("monitoring-server", value: "IP", help: "The monitoring server's address: the firewall lets only it reach node_exporter"),
        OptionSpec("exporter-address", value: "IP", help: "Address node_exporter listens on, on every node (default: each node's inventory address)"),
        OptionSpec("exporter-port", value: "PORT", help: "node_exporter port", defaultValue: "9100"),
        OptionSpec("rpc-port", value: "PORT", help: "Node RPC port on each server", defaultValue: "8080"),
        OptionSpec("interval", value: "SECONDS", help: "How often the collector runs", defaultValue: "30"),
        OptionSpec("textfile-dir", value: "DIR", help: "node_exporter's textfile folder", defaultValue: "/var/lib/prometheus/node-exporter"),
        OptionSpec("collector-path", value: "FILE", help: "Where the collector script goes", defaultValue: "/usr/local/lib/aztec-fleet/aztec-node-metrics.sh"),
        OptionSpec("unit-dir", value: "DIR", help: "Where the systemd units go", defaultValue: "/etc/systemd/system"),
        OptionSpec("remove", help: "Stop and remove node_exporter, the collector, its gauges and the firewall rule"),
    ])

func monitoring(_ parsed: ParsedCommand) async throws -> Int32 {
    let remove = parsed.flag("remove")
    let (options, configuration, _) = try session(parsed, remove ? "monitoring_remove_{stem}" : "monitoring_{stem}")
    let settings = NodeMonitoringSettings(
        layouts: try nodeLayouts(parsed, rpcPort: try parsed.int("rpc-port", range: 1...65_535) ?? 8080),
        listenAddress: parsed.value("exporter-address").map { .fixed($0) } ?? .inventoryAddress,
        exporterPort: try parsed.int("exporter-port", range: 1...65_535) ?? 9100, monitoringServer: parsed.value("monitoring-server"),
        textfileDirectory: parsed.value("textfile-dir") ?? "/var/lib/prometheus/node-exporter",
        collectorPath: parsed.value("collector-path") ?? "/usr/local/lib/aztec-fleet/aztec-node-metrics.sh",
        unitDirectory: parsed.value("unit-dir") ?? "/etc/systemd/system", collectorIntervalSeconds: try parsed.int("interval", range: 1...86_400) ?? 30)
    let job = try NodeMonitoring(remove ? .remove : .install, settings: settings)
    return try await FleetSession.with(configuration) { session in
        let report = try await session.run(job)
        return try io.finishRun(report, succeeded: report.succeeded, recap: report.recapLines(), json: options.json, session: session)
    }
}
