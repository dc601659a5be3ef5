import FleetKit

/// How node health is set up on each node: node_exporter from Debian, where it listens and
/// who may reach it, and the collector writing the Aztec gauges to its textfile folder.
public struct NodeMonitoringSettings: Sendable {
    /// Where node_exporter listens on each node.
    public enum ListenAddress: Sendable, Equatable {
        /// The node's inventory address (the one the monitoring server's targets use).
        case inventoryAddress
        /// The same address on every node (`127.0.0.1` behind an SSH tunnel, for example).
        case fixed(String)
    }

    /// Where each layout keeps its node.
    public var layouts: NodeLayouts
    /// Where node_exporter listens; never every address.
    public var listenAddress: ListenAddress
    /// The port node_exporter listens on.
    public var exporterPort: Int
    /// The monitoring server's address: the firewall lets only it reach node_exporter.
    /// `nil` adds no firewall rule, which only a private or loopback listen address allows.
    public var monitoringServer: String?
    /// node_exporter's textfile folder (Debian's default).
    public var textfileDirectory: String
    /// Where the collector script goes.
    public var collectorPath: String
    /// Where systemd units and drop-ins go.
    public var unitDirectory: String
    /// How often the collector runs, in seconds.
    public var collectorIntervalSeconds: Int
    /// The node's P2P port, whose established connections count as peers.
    public var p2pPort: Int
    /// The Debian package.
    public var exporterPackage: String
    /// node_exporter's program, as the package installs it.
    public var exporterProgram: String

    /// The names of the collector's systemd units.
    public static let collectorUnit = "aztec-node-metrics"
    /// node_exporter's service, as Debian names it.
    public static let exporterService = "prometheus-node-exporter.service"
    /// The gauges file in the textfile folder.
    public static let gaugesFile = "aztec_node.prom"

    /// Creates the settings; the defaults are Debian's paths, port 9100, a run every 30 s.
    public init(layouts: NodeLayouts = NodeLayouts(), listenAddress: ListenAddress = .inventoryAddress, exporterPort: Int = 9100,
                monitoringServer: String? = nil, textfileDirectory: String = "/var/lib/prometheus/node-exporter",
                collectorPath: String = "/usr/local/lib/aztec-fleet/aztec-node-metrics.sh", unitDirectory: String = "/etc/systemd/system",
                collectorIntervalSeconds: Int = 30, p2pPort: Int = 40400, exporterPackage: String = "prometheus-node-exporter",
                exporterProgram: String = "/usr/bin/prometheus-node-exporter") {
        self.layouts = layouts
        self.listenAddress = listenAddress
        self.exporterPort = exporterPort
        self.monitoringServer = monitoringServer
        self.textfileDirectory = textfileDirectory
        self.collectorPath = collectorPath
        self.unitDirectory = unitDirectory
        self.collectorIntervalSeconds = collectorIntervalSeconds
        self.p2pPort = p2pPort
        self.exporterPackage = exporterPackage
        self.exporterProgram = exporterProgram
    }

    /// The timer unit's path.
    public var timerUnitPath: String { unitDirectory + "/\(Self.collectorUnit).timer" }
    /// The collector's service unit path.
    public var serviceUnitPath: String { unitDirectory + "/\(Self.collectorUnit).service" }
    /// The drop-in that sets node_exporter's listen address and textfile folder.
    public var exporterDropInPath: String { unitDirectory + "/\(Self.exporterService).d/aztec-fleet.conf" }
    /// The gauges file.
    public var gaugesPath: String { textfileDirectory + "/" + Self.gaugesFile }
    /// Where the digest of the applied files is kept, to know when to restart.
    var appliedPath: String { collectorPath + ".applied" }

    /// The settings after checking every value can work.
    ///
    /// - Throws: ``MonitoringSettingError`` naming the first that cannot.
    public func checked() throws(MonitoringSettingError) -> NodeMonitoringSettings {
        do {
            _ = try layouts.checked()
        } catch {
            throw MonitoringSettingError(.remotePath, error.message)
        }
        guard (1...65_535).contains(exporterPort) else { throw MonitoringSettingError(.exporterPort, "\(exporterPort) is not a TCP port (1-65535)") }
        if case .fixed(let address) = listenAddress {
            guard ConfigValueText.isIPv4(address) || ConfigValueText.isIPv6(address) else {
                throw MonitoringSettingError(.exporterAddress, "'\(TerminalText.quoted(address))' is not an IP address")
            }
            guard !Self.isEveryAddress(address) else {
                throw MonitoringSettingError(.exporterAddress, "node_exporter never listens on every address (\(address)): give the address the monitoring server reaches")
            }
        }
        if let server = monitoringServer, !(ConfigValueText.isIPv4(server) || ConfigValueText.isIPv6(server)) || Self.isEveryAddress(server) {
            throw MonitoringSettingError(.monitoringServer, "'\(TerminalText.quoted(server))' is not the monitoring server's IP address")
        }
        for path in [textfileDirectory, collectorPath, unitDirectory, exporterProgram]
        where !path.hasPrefix("/") || path.contains(where: { $0.isNewline || "$`\\\"'%".contains($0) || $0 == " " }) {
            throw MonitoringSettingError(.remotePath, "'\(TerminalText.quoted(path))' is not an absolute path without spaces, quotes, % or $")
        }
        guard collectorIntervalSeconds >= 1 else { throw MonitoringSettingError(.timing, "the collector runs at least every second, not every \(collectorIntervalSeconds)") }
        return self
    }

    /// Whether `address` means every address of the host.
    static func isEveryAddress(_ address: String) -> Bool {
        ["0.0.0.0", "::", "[::]", "0:0:0:0:0:0:0:0"].contains(address)
    }

    /// Whether `address` is loopback or in a private range (RFC 1918, CGNAT/WireGuard-style 100.64/10, IPv6 ULA).
    static func isPrivate(_ address: String) -> Bool {
        let parts = address.split(separator: ".").compactMap { Int($0) }
        if parts.count == 4 {
            return parts[0] == 10 || parts[0] == 127 || (parts[0] == 172 && (16...31).contains(parts[1]))
                || (parts[0] == 192 && parts[1] == 168) || (parts[0] == 100 && (64...127).contains(parts[1]))
        }
        let lower = address.lowercased()
        return lower == "::1" || lower.hasPrefix("fd") || lower.hasPrefix("fc")
    }
}
