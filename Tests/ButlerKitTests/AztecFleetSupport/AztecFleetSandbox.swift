import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation

/// Shims, installers and the fake node placed on sandbox hosts for the aztec-fleet tests.
enum AztecFleetSandbox {
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/aztec-fleet")
    }

    /// Installs the shims in every host's bin folder, an empty state folder owned by the login
    /// user, the fake node and the two installer scripts; returns the installers' file URLs.
    @discardableResult
    static func prepare(_ sandbox: SandboxHosts) throws -> (aztec: String, docker: String) {
        let files = FileManager.default
        let needed = ["/usr/bin/curl": "curl", "/usr/bin/python3": "python3"]
        let missing = needed.filter { !files.isExecutableFile(atPath: $0.key) }.map(\.value).sorted()
        if !missing.isEmpty {
            throw SandboxError("the aztec-fleet integration tests need \(missing.joined(separator: " and ")) on this machine (apt-get install -y \(missing.joined(separator: " ")))")
        }
        let installers = sandbox.directory.appendingPathComponent("installers")
        try? files.removeItem(at: installers)
        try files.createDirectory(at: installers, withIntermediateDirectories: true)
        for name in ["aztec-install.sh", "get-docker.sh"] {
            try files.copyItem(at: fixtures.appendingPathComponent(name), to: installers.appendingPathComponent(name))
        }
        try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: installers.path)
        let shims = try files.contentsOfDirectory(atPath: fixtures.appendingPathComponent("shims").path)
        for index in 1...sandbox.hosts.count {
            let bin = sandbox.hostDirectory(index).appendingPathComponent("bin")
            for shim in shims {
                let target = bin.appendingPathComponent(shim)
                try? files.removeItem(at: target)
                try files.copyItem(at: fixtures.appendingPathComponent("shims/\(shim)"), to: target)
                try files.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
            }
            let state = stateFolder(sandbox, index)
            try? files.removeItem(at: state)
            try files.createDirectory(at: state, withIntermediateDirectories: true)
            try files.copyItem(at: fixtures.appendingPathComponent("fake_node.py"), to: state.appendingPathComponent("fake_node.py"))
            try chownToLoginUser(state)
        }
        return ("file://" + installers.appendingPathComponent("aztec-install.sh").path,
                "file://" + installers.appendingPathComponent("get-docker.sh").path)
    }

    static func chownToLoginUser(_ url: URL) throws { try SandboxHosts.giveToLoginUser(url) }

    static func stateFolder(_ sandbox: SandboxHosts, _ index: Int) -> URL {
        sandbox.hostDirectory(index).appendingPathComponent("state")
    }

    /// Writes a file into host `index`'s state folder (a switch for a shim).
    static func setState(_ sandbox: SandboxHosts, _ index: Int, _ name: String, _ text: String = "") throws {
        try text.write(to: stateFolder(sandbox, index).appendingPathComponent(name), atomically: false, encoding: .utf8)
    }

    /// The shim calls host `index` has seen, one per line.
    static func calls(_ sandbox: SandboxHosts, _ index: Int) -> [String] {
        let text = (try? String(contentsOf: stateFolder(sandbox, index).appendingPathComponent("calls.log"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// Names of the files in host `index`'s state folder.
    static func stateFiles(_ sandbox: SandboxHosts, _ index: Int) -> Set<String> {
        Set((try? FileManager.default.contentsOfDirectory(atPath: stateFolder(sandbox, index).path)) ?? [])
    }

    /// A random test private key (0x + 64 hex digits).
    static func privateKey() -> String {
        "0x" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0 ... .max)) }.joined()
    }

    /// An inventory row per host; `keys[i]` empty leaves that host's key out.
    static func inventoryCSV(_ hosts: [RemoteHost], keys: [String]) -> String {
        var csv = "name,ip,user,port,eth_address,private_key,l1_rpc,consensus\n"
        for (index, host) in hosts.enumerated() {
            let eth = "0x" + String(repeating: String(index + 1), count: 40)
            csv += "\(host.name),\(host.address),fleettest,22,\(eth),\(keys[index]),http://l1-\(host.name).test:8545,http://beacon-\(host.name).test:5052\n"
        }
        return csv
    }

    /// Install settings pointing at the sandbox installers, with short waits.
    static func settings(_ installers: (aztec: String, docker: String), nodeWait: Duration = .seconds(10)) -> InstallSettings {
        InstallSettings(aztecInstallerURL: installers.aztec, dockerInstallerURL: installers.docker, nodeWait: nodeWait,
                        downloadRetries: 1, retryDelay: .milliseconds(100))
    }

    /// Environment for running the tool from tests: no colour, the usual PATH.
    static var toolEnvironment: [String: String] {
        ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": NSTemporaryDirectory(), "NO_COLOR": "1"]
    }

    /// Arguments every tool run in a sandbox needs: key, known_hosts, log folder.
    static func connectionArguments(_ sandbox: SandboxHosts, logs: URL) -> [String] {
        ["--identity", sandbox.identityFile, "--known-hosts", sandbox.directory.appendingPathComponent("known_hosts_tool").path,
         "--log-dir", logs.path, "--persist", "0"]
    }
}
