import FleetKit
import Foundation

/// `check-hosts`: for every host of `{network}-hosts.json`, its domain resolves to its IP, its
/// P2P port accepts a TCP connection (with the latency), and its Aztec and Ethereum JSON-RPC
/// answer on IP:port and on their HTTPS subdomains (with the node's version).
public struct HostCheck: Sendable {
    /// Which checks run.
    public enum Checks: String, Sendable, CaseIterable, Codable {
        /// The domain resolves to the expected IP.
        case dns
        /// A TCP connection to the P2P port.
        case p2p
        /// The Aztec and Ethereum JSON-RPC services.
        case rpc
        /// All of them.
        case all
    }

    /// The hosts file.
    public var hostsFile: URL
    /// Only this host; nil: every host.
    public var host: String?
    /// Which checks run.
    public var checks: Checks
    /// How host names are resolved.
    public var resolver: any HostNameResolver
    /// How JSON-RPC requests are sent.
    public var http: any HTTPTransport
    /// How long a TCP connection may take (the original's 5 s).
    public var connectTimeout: Duration
    /// How long an RPC answer may take (the original's 30 s).
    public var rpcTimeout: Duration

    /// Describes the check.
    public init(hostsFile: URL, host: String? = nil, checks: Checks = .all, resolver: any HostNameResolver = SystemHostNameResolver(),
                http: any HTTPTransport = URLSessionHTTPTransport(), connectTimeout: Duration = .seconds(5), rpcTimeout: Duration = .seconds(30)) {
        self.hostsFile = hostsFile
        self.host = host
        self.checks = checks
        self.resolver = resolver
        self.http = http
        self.connectTimeout = connectTimeout
        self.rpcTimeout = rpcTimeout
    }

    /// Runs the checks of every host concurrently.
    /// - Throws: ``KeysFileError`` for a bad hosts file, ``ButlerRequestError`` for an unknown host.
    public func run() async throws -> HostCheckReport {
        let file = try HostsFile.read(from: hostsFile)
        var hosts = file.hosts
        if let host {
            hosts = hosts.filter { $0.name == host }
            guard !hosts.isEmpty else {
                throw ButlerRequestError("host \(TerminalText.quoted(host)) is not in \(hostsFile.lastPathComponent) (hosts: \(TerminalText.escaped(file.hosts.map(\.name).joined(separator: ", "))))")
            }
        }
        let results = await withTaskGroup(of: (String, HostCheckResult).self) { group in
            for host in hosts { group.addTask { (host.name, await check(host)) } }
            var results: [String: HostCheckResult] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        return HostCheckReport(timestamp: Date(), hostsFile: hostsFile.path, order: hosts.map(\.name), results: results)
    }

    private func check(_ host: HostsFile.Host) async -> HostCheckResult {
        var result = HostCheckResult(ip: host.ip, baseDomain: host.baseDomain)
        if checks == .all || checks == .dns, let domain = host.baseDomain {
            do {
                let addresses = try await resolver.ipv4Addresses(of: domain)
                let success = addresses.contains(host.ip)
                result.dns = DNSCheck(success: success, domain: domain, resolvedIps: addresses,
                                      error: success ? nil : "expected IP \(host.ip) not in resolved IPs: \(addresses.isEmpty ? "none" : addresses.joined(separator: ", "))")
            } catch {
                result.dns = DNSCheck(success: false, domain: domain, resolvedIps: nil, error: "\(error)")
            }
        }
        if checks == .all || checks == .p2p, let port = host.p2pPort {
            let endpoint = Self.endpoint(host.ip, port)
            do {
                let latency = try await TCPConnectProbe.connect(address: host.ip, port: port, timeout: connectTimeout)
                result.p2p = EndpointCheck(success: true, endpoint: endpoint, latency: Self.milliseconds(latency), nodeVersion: nil, error: nil)
            } catch {
                result.p2p = EndpointCheck(success: false, endpoint: endpoint, latency: nil, nodeVersion: nil, error: error.description)
            }
        }
        if checks == .all || checks == .rpc {
            if let service = host.aztecRPC { result.aztecRPC = await rpc(service, host: host, method: "node_getNodeInfo") }
            if let service = host.ethereumRPC { result.ethereumRPC = await rpc(service, host: host, method: "web3_clientVersion") }
        }
        return result
    }

    /// The service on its HTTPS subdomain (when it has one) and on IP:port.
    private func rpc(_ service: HostsFile.RPCService, host: HostsFile.Host, method: String) async -> ServiceChecks {
        var checks = ServiceChecks()
        if let subdomain = service.subdomain, let domain = host.baseDomain, let url = URL(string: "https://\(subdomain).\(domain)") {
            checks.https = await call(url, endpoint: url.absoluteString, method: method)
        }
        let endpoint = Self.endpoint(host.ip, service.port)
        if let url = URL(string: "http://\(endpoint)") { checks.ipPort = await call(url, endpoint: endpoint, method: method) }
        return checks
    }

    /// One JSON-RPC call, no retry: its latency and the node's version.
    private func call(_ url: URL, endpoint: String, method: String) async -> EndpointCheck {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let options = try JSONRPCClientOptions(timeout: rpcTimeout, retry: JSONRPCRetryPolicy(maxAttempts: 1))
            let answer = try await JSONRPCClient(endpoint: url, options: options, transport: http).call(method)
            let latency = Self.milliseconds(clock.now - start)
            let version = method == "node_getNodeInfo" ? answer["nodeVersion"]?.stringValue : answer.stringValue
            return EndpointCheck(success: true, endpoint: endpoint, latency: latency, nodeVersion: version, error: nil)
        } catch {
            return EndpointCheck(success: false, endpoint: endpoint, latency: Self.milliseconds(clock.now - start), nodeVersion: nil, error: "\(error)")
        }
    }

    static func endpoint(_ ip: String, _ port: Int) -> String { ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)" }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
