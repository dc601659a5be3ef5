import FleetKit
import Foundation

/// A check of one endpoint: TCP for P2P, JSON-RPC for the nodes (the original's field names).
public struct EndpointCheck: Sendable, Codable, Equatable {
    /// Whether it answered.
    public var success: Bool
    /// `IP:port` or the HTTPS URL.
    public var endpoint: String
    /// Milliseconds until the connection or the answer.
    public var latency: Int?
    /// The node's version (`node_getNodeInfo` or `web3_clientVersion`).
    public var nodeVersion: String?
    /// What went wrong.
    public var error: String?
}

/// The domain check.
public struct DNSCheck: Sendable, Codable, Equatable {
    /// Whether the domain resolves to the host's IP.
    public var success: Bool
    /// The domain.
    public var domain: String
    /// What it resolves to.
    public var resolvedIps: [String]?
    /// What went wrong.
    public var error: String?
}

/// An RPC service on its HTTPS subdomain and on IP:port.
public struct ServiceChecks: Sendable, Codable, Equatable {
    /// On `https://{subdomain}.{base_domain}`, when configured.
    public var https: EndpointCheck?
    /// On `http://IP:port`.
    public var ipPort: EndpointCheck?

    enum CodingKeys: String, CodingKey {
        case https
        case ipPort = "ip_port"
    }

    var all: [EndpointCheck] { [https, ipPort].compactMap { $0 } }
}

/// One host's checks (the original's JSON shape).
public struct HostCheckResult: Sendable, Codable, Equatable {
    /// The host's IP.
    public var ip: String
    /// Its domain.
    public var baseDomain: String?
    /// The domain check.
    public var dns: DNSCheck?
    /// The P2P connection.
    public var p2p: EndpointCheck?
    /// The Aztec node's RPC.
    public var aztecRPC: ServiceChecks?
    /// The Ethereum node's RPC.
    public var ethereumRPC: ServiceChecks?

    init(ip: String, baseDomain: String?) {
        self.ip = ip
        self.baseDomain = baseDomain
    }

    enum CodingKeys: String, CodingKey {
        case ip, dns, p2p
        case baseDomain = "base_domain"
        case aztecRPC = "aztec_rpc"
        case ethereumRPC = "ethereum"
    }

    /// Every check's success, in display order.
    var outcomes: [Bool] {
        [dns?.success, p2p?.success].compactMap { $0 } + (aztecRPC?.all ?? []).map(\.success) + (ethereumRPC?.all ?? []).map(\.success)
    }
}

/// What ``HostCheck`` found: `{timestamp, results: {host: …}, summary: {total_checks, passed, failed}}`.
public struct HostCheckReport: Sendable, Codable, Equatable {
    /// Totals.
    public struct Summary: Sendable, Codable, Equatable {
        /// Checks run.
        public var totalChecks: Int
        /// Checks passed.
        public var passed: Int
        /// Checks failed.
        public var failed: Int

        enum CodingKeys: String, CodingKey {
            case passed, failed
            case totalChecks = "total_checks"
        }
    }

    /// When the checks ran (ISO 8601).
    public var timestamp: String
    /// Every host's checks, by name.
    public var results: [String: HostCheckResult]
    /// Totals.
    public var summary: Summary
    /// The hosts file read.
    let hostsFile: String
    /// The hosts in file-name order.
    let order: [String]

    enum CodingKeys: String, CodingKey { case timestamp, results, summary }

    init(timestamp: Date, hostsFile: String, order: [String], results: [String: HostCheckResult]) {
        self.timestamp = ISO8601DateFormatter().string(from: timestamp)
        self.hostsFile = hostsFile
        self.order = order
        self.results = results
        let outcomes = results.values.flatMap(\.outcomes)
        summary = Summary(totalChecks: outcomes.count, passed: outcomes.filter { $0 }.count, failed: outcomes.filter { !$0 }.count)
    }

    /// Decodes a report written as JSON (the hosts file and order are not in it).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        timestamp = try container.decode(String.self, forKey: .timestamp)
        results = try container.decode([String: HostCheckResult].self, forKey: .results)
        summary = try container.decode(Summary.self, forKey: .summary)
        hostsFile = ""
        order = results.keys.sorted()
    }

    /// Whether any check failed.
    public var hasFailures: Bool { summary.failed > 0 }

    /// The report as the original prints it, text from outside escaped for the terminal.
    public var lines: [String] {
        func line(_ check: EndpointCheck) -> String {
            check.success ? "    ✓ \(check.endpoint) - OK (\(check.latency ?? 0)ms)\(check.nodeVersion.map { " [\($0)]" } ?? "")"
                : "    ✗ \(check.endpoint) - FAILED: \(check.error ?? "")"
        }
        var lines = ["Checking hosts from \(hostsFile)...", ""]
        for name in order {
            guard let result = results[name] else { continue }
            lines.append("\(name) (\(result.ip))")
            if let dns = result.dns {
                lines += ["  DNS Resolution", dns.success ? "    ✓ \(dns.domain) → \(result.ip) - OK" : "    ✗ \(dns.domain) - FAILED: \(dns.error ?? "")", ""]
            }
            if let p2p = result.p2p { lines += ["  P2P Connection", line(p2p), ""] }
            if let aztec = result.aztecRPC { lines += ["  Aztec RPC"] + aztec.all.map(line) + [""] }
            if let ethereum = result.ethereumRPC { lines += ["  Ethereum RPC"] + ethereum.all.map(line) + [""] }
        }
        lines.append("Summary: \(summary.passed)/\(summary.totalChecks) checks passed")
        return lines.map(TerminalText.escaped)
    }
}
