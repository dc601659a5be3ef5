import FleetKit

/// The runbook's network connection message, published after a deployment passed its sanity
/// check: the image to run, the L1 node (`ethereum-lb` on 8545) and the boot node
/// (`boot-node-lb-tcp` and `-udp` on 40400), read from `kubectl get services` output.
public struct NetworkConnectionInfo: Sendable, Codable, Equatable {
    /// One load balancer the message names.
    public struct Endpoint: Sendable, Codable, Equatable {
        /// The Kubernetes service.
        public var service: String
        /// Its external IP (or host name).
        public var externalIP: String
        /// The port given out.
        public var port: Int

        /// `IP:PORT`.
        public var hostPort: String { "\(externalIP):\(port)" }
    }

    /// AZTEC_IMAGE.
    public var aztecImage: String
    /// ETHEREUM_HOST: the `ethereum-lb` service on 8545.
    public var ethereum: Endpoint
    /// BOOT_NODE_URL over TCP: `boot-node-lb-tcp` on 40400.
    public var bootNodeTCP: Endpoint
    /// BOOT_NODE_URL over UDP: `boot-node-lb-udp` on 40400.
    public var bootNodeUDP: Endpoint

    /// The services the message needs, each with the port it gives out.
    public static let services: [(suffix: String, port: Int)] = [("ethereum-lb", 8545), ("boot-node-lb-tcp", 40400), ("boot-node-lb-udp", 40400)]

    /// Reads `kubectl get services [-n NS] [-A]` output. A service counts when its name is
    /// one of the three or ends with `-` and one of them (a Helm release prefix); `source`
    /// names the input in errors. Control characters, escape sequences and bidi controls in
    /// the output and the image are kept as visible `\u{…}` (``TerminalText``), so the
    /// message never carries them to the terminal it is shown on or pasted into.
    ///
    /// - Throws: ``ConnectionInfoError`` naming the line, or every missing service at once.
    public static func parse(kubectlOutput rawText: String, source: String, aztecImage rawImage: String = "aztecprotocol/aztec:latest")
        throws(ConnectionInfoError) -> NetworkConnectionInfo {
        let text = TerminalText.escaped(rawText, keepingLines: true)
        let aztecImage = TerminalText.escaped(rawImage)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        guard let headerIndex = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw ConnectionInfoError(source: source, line: nil, message: "the input is empty; expected the output of kubectl get services")
        }
        let header = lines[headerIndex].split(whereSeparator: \.isWhitespace).map(String.init)
        guard let nameColumn = header.firstIndex(of: "NAME"), let ipColumn = header.firstIndex(of: "EXTERNAL-IP") else {
            throw ConnectionInfoError(source: source, line: headerIndex + 1,
                                      message: "not the output of kubectl get services: the first line has no NAME and EXTERNAL-IP columns (\(lines[headerIndex].trimmingCharacters(in: .whitespaces)))")
        }
        let portColumn = header.firstIndex(of: "PORT(S)")
        var found: [String: Endpoint] = [:]
        var seen: [String] = []
        for (offset, line) in lines.enumerated().dropFirst(headerIndex + 1) {
            let fields = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count > max(nameColumn, ipColumn) else { continue }
            let name = fields[nameColumn]
            seen.append(name)
            guard let wanted = services.first(where: { name == $0.suffix || name.hasSuffix("-" + $0.suffix) }) else { continue }
            if let earlier = found[wanted.suffix] {
                throw ConnectionInfoError(source: source, line: offset + 1,
                                          message: "\(name) and \(earlier.service) both look like \(wanted.suffix); pass the output of one namespace (kubectl get services -n NAMESPACE)")
            }
            let address = fields[ipColumn]
            guard !address.hasPrefix("<"), address != "none", !address.isEmpty else {
                throw ConnectionInfoError(source: source, line: offset + 1,
                                          message: "\(name) has no external IP yet (\(address)); wait for its load balancer and run again")
            }
            let ports = portColumn.flatMap { $0 < fields.count ? fields[$0] : nil } ?? ""
            found[wanted.suffix] = Endpoint(service: name, externalIP: address.split(separator: ",").first.map(String.init) ?? address,
                                            port: Self.port(ports, preferring: wanted.port))
        }
        let missing = services.map(\.suffix).filter { found[$0] == nil }
        guard missing.isEmpty, let ethereum = found["ethereum-lb"], let tcp = found["boot-node-lb-tcp"], let udp = found["boot-node-lb-udp"] else {
            let listed = seen.isEmpty ? "no services at all" : "services found: \(seen.joined(separator: ", "))"
            throw ConnectionInfoError(source: source, line: nil,
                                      message: "missing service\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) (\(listed))")
        }
        return NetworkConnectionInfo(aztecImage: aztecImage, ethereum: ethereum, bootNodeTCP: tcp, bootNodeUDP: udp)
    }

    /// The port to give out: `preferred` when PORT(S) lists it (`8545:31545/TCP`), else the
    /// first port listed, else `preferred`.
    static func port(_ text: String, preferring preferred: Int) -> Int {
        let ports = text.split(separator: ",").compactMap { entry in
            entry.split(separator: ":").first?.split(separator: "/").first.flatMap { Int($0) }
        }
        return ports.contains(preferred) ? preferred : ports.first ?? preferred
    }

    /// The message to post, in the runbook's order.
    public var message: String {
        """
        Network connection info
        1. AZTEC_IMAGE: \(aztecImage)
        2. ETHEREUM_HOST: http://\(ethereum.hostPort) (\(ethereum.service))
        3. BOOT_NODE_URL:
           - \(bootNodeTCP.service): \(bootNodeTCP.hostPort)
           - \(bootNodeUDP.service): \(bootNodeUDP.hostPort)

        """
    }
}

/// `kubectl get services` output that does not give the connection message.
public struct ConnectionInfoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, or `-` for standard input.
    public var source: String
    /// The line, when one line is at fault.
    public var line: Int?
    /// What is wrong, and what to do.
    public var message: String

    /// "source:line: message".
    public var description: String { TerminalText.escaped("\(source)\(line.map { ":\($0)" } ?? ""): \(message)") }
}

extension ConnectionInfoError: InputError {}
