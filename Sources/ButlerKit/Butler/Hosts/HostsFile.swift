import FleetKit
import Foundation

/// The original Butler's `{network}-hosts.json` (in the configuration folder), read unchanged:
///
/// ```json
/// { "beast-3": { "ip": "146.59.108.112", "base_domain": "beast-3.example.xyz",
///   "services": { "p2p": { "port": 40404 },
///                 "aztec_rpc": { "port": 8085, "subdomain": "rpc.mainnet.aztec" },
///                 "ethereum": { "port": 8545, "subdomain": "eth" } } } }
/// ```
/// Every service is optional; other fields are ignored.
public struct HostsFile: Sendable, Equatable {
    /// An RPC service: its port on the host's IP and, optionally, the subdomain of `base_domain` that serves it over HTTPS.
    public struct RPCService: Sendable, Equatable {
        /// The port on the host's IP.
        public let port: Int
        /// `https://{subdomain}.{base_domain}` serves it, when both are given.
        public let subdomain: String?
    }

    /// One host.
    public struct Host: Sendable, Equatable {
        /// The host's name (the key in the file).
        public let name: String
        /// The IP address the host is reached at and its domain must resolve to.
        public let ip: String
        /// The host's domain, when it has one.
        public let baseDomain: String?
        /// The P2P port.
        public let p2pPort: Int?
        /// The Aztec node's JSON-RPC.
        public let aztecRPC: RPCService?
        /// The Ethereum node's JSON-RPC.
        public let ethereumRPC: RPCService?
    }

    /// The hosts, sorted by name.
    public let hosts: [Host]

    /// The file's name for `network` in the configuration folder.
    public static func fileName(network: String) -> String { "\(network)-hosts.json" }

    /// Reads and checks the file at `url` (at most 1 MiB); every problem at once, with its JSON path.
    public static func read(from url: URL) throws(KeysFileError) -> HostsFile {
        try decode(try KeysFile.bytes(of: url, limit: BoundedFile.mebibyte), fileName: url.lastPathComponent)
    }

    /// Parses hosts JSON.
    public static func decode(_ data: Data, fileName: String) throws(KeysFileError) -> HostsFile {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw KeysFileError(file: fileName, message: "not valid JSON: \(KeysFile.reason(error))")
        }
        guard case .object(let members) = root else { throw KeysFileError(file: fileName, message: "expected an object of host names") }
        var problems: [KeysFileProblem] = []
        func report(_ path: String, _ message: String) { problems.append(KeysFileProblem(file: fileName, jsonPath: path, message: message)) }
        func port(_ value: JSONValue?, _ path: String) -> Int? {
            guard case .object(let fields)? = value else {
                report(path, "expected an object with a port")
                return nil
            }
            guard case .integer(let number)? = fields["port"], (1...65535).contains(number) else {
                report(path + ".port", "expected a port from 1 to 65535")
                return nil
            }
            return Int(number)
        }
        func rpc(_ value: JSONValue?, _ path: String) -> RPCService? {
            guard let value, let number = port(value, path) else { return nil }
            guard case .object(let fields) = value, let subdomain = fields["subdomain"] else { return RPCService(port: number, subdomain: nil) }
            guard case .string(let text) = subdomain, Self.isDomain(text) else {
                report(path + ".subdomain", "expected a domain name (letters, digits, - and .)")
                return nil
            }
            return RPCService(port: number, subdomain: text)
        }
        var hosts: [Host] = []
        for name in members.keys.sorted() {
            let path = "[\"\(name)\"]"
            guard case .object(let fields)? = members[name] else {
                report(path, "expected an object with ip and services")
                continue
            }
            var ip: String?
            if case .string(let text)? = fields["ip"], Self.isIPAddress(text) { ip = text } else { report(path + ".ip", "expected an IPv4 or IPv6 address") }
            var baseDomain: String?
            if let value = fields["base_domain"] {
                if case .string(let text) = value, Self.isDomain(text) { baseDomain = text } else { report(path + ".base_domain", "expected a domain name") }
            }
            guard case .object(let services)? = fields["services"] else {
                report(path + ".services", "expected an object of services (p2p, aztec_rpc, ethereum)")
                continue
            }
            let p2p = services["p2p"].flatMap { port($0, path + ".services.p2p") }
            let aztec = rpc(services["aztec_rpc"], path + ".services.aztec_rpc")
            let ethereum = rpc(services["ethereum"], path + ".services.ethereum")
            if let ip { hosts.append(Host(name: name, ip: ip, baseDomain: baseDomain, p2pPort: p2p, aztecRPC: aztec, ethereumRPC: ethereum)) }
        }
        guard problems.isEmpty else { throw KeysFileError(file: fileName, problems: problems) }
        return HostsFile(hosts: hosts)
    }

    static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }

    static func isDomain(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 253 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
            && !text.hasPrefix("-") && !text.hasPrefix(".")
    }
}
