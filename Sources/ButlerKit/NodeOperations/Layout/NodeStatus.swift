import FleetKit
import Foundation

/// What `aztec-fleet status` reports for one server.
public struct NodeStatus: Sendable, Codable, Equatable {
    /// The host's name.
    public var host: String
    /// The host's address.
    public var address: String
    /// How the node is installed; `nil` when the server could not be inspected.
    public var layout: NodeLayoutKind?
    /// The Aztec version (image tag) the node runs, or `unknown`.
    public var version: String?
    /// `active`, `inactive`, `failed` … for the systemd layout; `running` or `stopped` for compose.
    public var service: String?
    /// L1 RPC URLs, with credentials in them masked.
    public var l1RPCURLs: [String]
    /// L1 consensus URLs, with credentials in them masked.
    public var consensusURLs: [String]
    /// The node's proven block, when it answered.
    public var provenBlock: UInt64?
    /// Why something could not be read.
    public var error: String?
    /// How a compose node takes its keys; `nil` for the original layout (its start script's flags).
    public var keyForm: NodeKeyForm?
    /// The keystore by address (attesters, coinbases, publishers) and its source file's
    /// version, for a node of the keystore form.
    public var keystore: KeystoreSummary?

    /// Creates a status.
    public init(host: String, address: String, layout: NodeLayoutKind? = nil, version: String? = nil, service: String? = nil,
                l1RPCURLs: [String] = [], consensusURLs: [String] = [], provenBlock: UInt64? = nil, error: String? = nil) {
        self.host = host
        self.address = address
        self.layout = layout
        self.version = version
        self.service = service
        self.l1RPCURLs = l1RPCURLs
        self.consensusURLs = consensusURLs
        self.provenBlock = provenBlock
        self.error = error
    }
}

/// Finds each server's layout and reads its state, in one SSH round trip per server.
public struct NodeInspector: Sendable {
    /// How commands reach hosts.
    public var transport: any Transport
    /// Where each layout keeps its files.
    public var layouts: NodeLayouts
    /// Limit of the inspection on each server.
    public var timeout: Duration

    /// Creates an inspector.
    public init(transport: any Transport, layouts: NodeLayouts = NodeLayouts(), timeout: Duration = .seconds(60)) {
        self.transport = transport
        self.layouts = layouts
        self.timeout = timeout
    }

    /// The script: `key=value` lines naming the layout, version, service state, L1 URLs and
    /// the node's `node_getL2Tips` answer. Only the flag lines of the start script and the
    /// URL lines of `.env` are printed: the validator key never leaves the server, but for a
    /// keystore's attester keys, read over SSH to derive their addresses and dropped at once
    /// (see ``KeystoreInspection``), and never in an error message.
    public var script: String {
        let original = layouts.original
        let compose = layouts.compose
        let q = RemoteShell.q
        let start = q(original.startScript)
        return """
            r=$(\(Privilege.canBecomeRoot) 2>&1) || { printf 'error=%s\\n' "$r" | head -n 1; exit 0; }
            if \(Privilege.asRoot) test -e \(start) || \(Privilege.asRoot) test -e \(q(original.unitFile)); then
              echo layout=original
              v=$(\(Privilege.asRoot) sed -n 's/.*aztecprotocol\\/aztec:\\([^" ]*\\).*/\\1/p' \(q(original.aztecRun)) 2>/dev/null | head -n 1)
              echo "version=${v:-unknown}"
              echo "service=$(systemctl is-active \(q(original.service)) 2>/dev/null || true)"
              \(Privilege.asRoot) sed -n 's/.*--l1-rpc-urls[ =]"\\{0,1\\}\\([^" \\\\]*\\).*/l1_rpc=\\1/p; s/.*--l1-consensus-host-urls[ =]"\\{0,1\\}\\([^" \\\\]*\\).*/consensus=\\1/p' \(start) 2>/dev/null
            elif test -f \(q(compose.composeFile)); then
              echo layout=compose
              v=$(sed -n 's/.*aztecprotocol\\/aztec:\\([^" ]*\\).*/\\1/p' \(q(compose.composeFile)) | head -n 1)
              echo "version=${v:-unknown}"
              if (cd \(q(compose.nodeDirectory)) && \(Privilege.asRoot) docker compose ps --status running --quiet 2>/dev/null | grep -q .); then echo service=running; else echo service=stopped; fi
              sed -n 's/^ETHEREUM_HOSTS=/l1_rpc=/p; s/^L1_CONSENSUS_HOST_URLS=/consensus=/p' \(q(compose.environmentFile)) 2>/dev/null
            \(KeystoreInspection.script(compose))
            else
              echo layout=none
            fi
            printf 'tips='; \(RemoteShell.nodeRPC(port: layouts.rpcPort, body: q(RemoteShell.l2TipsRequest), maxSeconds: 5)) 2>/dev/null | tr -d '\\n'; echo
            """
    }

    /// Inspects every host, `forks` at a time; results in host order.
    public func inspect(_ hosts: [RemoteHost], forks: Int) async -> [NodeStatus] {
        await Concurrently.map(hosts, limit: forks) { host in await inspect(host) }
    }

    /// Inspects one host; an unreachable one has an `error` and no layout.
    public func inspect(_ host: RemoteHost) async -> NodeStatus {
        do {
            let result = try await transport.run(RemoteCommand(script, timeout: timeout), on: host)
            guard result.succeeded else {
                var shown = result
                shown.standardOutput = result.standardOutput.split(separator: "\n").filter { !$0.hasPrefix("ks=") }.joined(separator: "\n")
                return NodeStatus(host: host.name, address: host.address, error: "inspection failed: \(shown.summary): \(shown.tail())")
            }
            return Self.parse(result.standardOutput, host: host)
        } catch {
            return NodeStatus(host: host.name, address: host.address, error: error.message)
        }
    }

    /// Reads the script's `key=value` lines.
    static func parse(_ output: String, host: RemoteHost) -> NodeStatus {
        var status = NodeStatus(host: host.name, address: host.address)
        var keystoreLines: [(key: String, value: String)] = []
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            switch key {
            case "keys": status.keyForm = NodeKeyForm(rawValue: value)
            case "ks", "keystore_digest", "keystore_not_object", "keystore_source", "keystore_other", "ha_signing", "ha_node_id", "ha_database":
                keystoreLines.append((key, value))
            case "layout": status.layout = NodeLayoutKind(rawValue: value)
            case "version": status.version = value
            case "service": status.service = value.isEmpty ? "unknown" : value
            case "l1_rpc": status.l1RPCURLs += AztecInventory.splitList(value).map(URLCredentials.masked)
            case "consensus": status.consensusURLs += AztecInventory.splitList(value).map(URLCredentials.masked)
            case "error": status.error = value
            case "tips": status.provenBlock = try? ProofResponseParser.provenBlock(fromTips: Data(value.utf8), acceptsZero: true)
            default: continue
            }
        }
        if status.keyForm == .keystore { status.keystore = KeystoreInspection.parse(keystoreLines) }
        if status.layout == nil && status.error == nil { status.error = "the inspection printed no layout" }
        return status
    }

    /// A table for people: name, address, layout, version, service, proven block, L1 URLs.
    /// A server that could not be inspected shows `error` as its layout and `-` elsewhere,
    /// and its reason on a line of its own under the table (`host: reason`), never in a
    /// column meant for something else.
    public static func table(_ statuses: [NodeStatus]) -> String {
        let headers = ["HOST", "ADDRESS", "LAYOUT", "KEYS", "VERSION", "SERVICE", "PROVEN", "L1 RPC", "CONSENSUS"]
        let rows = statuses.map { s -> [String] in
            if s.error != nil { return [s.host, s.address, "error", "-", "-", "-", "-", "-", "-"] }
            return [s.host, s.address, s.layout?.rawValue ?? "-", keysCell(s), s.version ?? "-", s.service ?? "-",
                    s.provenBlock.map(String.init) ?? "-", s.l1RPCURLs.joined(separator: ","), s.consensusURLs.joined(separator: ",")]
        }
        var text = TextTable.render(headers: headers, rows: rows)
        if !text.hasSuffix("\n") { text += "\n" }
        let keystores = statuses.filter { $0.error == nil }.flatMap(keystoreLines)
        if !keystores.isEmpty { text += "\nKeystores (addresses only):\n" + keystores.map { "  " + $0 + "\n" }.joined() }
        let errors = statuses.compactMap { s in s.error.map { "\(s.host): \($0)" } }
        guard !errors.isEmpty else { return text }
        return text + "\nErrors:\n" + errors.map { "  " + $0 }.joined(separator: "\n") + "\n"
    }

    /// `env`, `keystore v3`, `keystore` (no source file) or `-` (the original's start script).
    static func keysCell(_ status: NodeStatus) -> String {
        switch status.keyForm {
        case .environment: "env"
        case .keystore: "keystore" + (status.keystore?.version.map { " v\($0)" } ?? "")
        case nil: status.layout == .original ? "flags" : "-"
        }
    }

    /// One line per validator of a keystore node: attester, coinbase, publishers; then its warnings.
    static func keystoreLines(_ status: NodeStatus) -> [String] {
        guard let keystore = status.keystore else { return [] }
        var lines = [TerminalText.escaped("\(status.host): \(keystore.source ?? "keystore written from the inventory row or moved from the .env")\(keystore.remoteSigner ? ", remote signer" : "")")]
        for validator in keystore.validators {
            let publishers = validator.publishers + (validator.privatePublishers > 0 ? ["\(validator.privatePublishers) by private key"] : [])
            // Coinbases and publishers are read from the server's file: escaped like any remote text.
            lines.append(TerminalText.escaped("  attester \(validator.attester ?? "(address not readable)") coinbase \(validator.coinbase ?? "(none)")"
                         + (publishers.isEmpty ? "" : " publishers \(publishers.joined(separator: ","))")))
        }
        if keystore.isNotAnObject { lines.append("  keystore.json is not a keystore object: the node will not start") }
        for other in keystore.otherFiles { lines.append(TerminalText.escaped("  other file in the keystore folder: \(other) (the node loads it too)")) }
        return lines
    }
}
