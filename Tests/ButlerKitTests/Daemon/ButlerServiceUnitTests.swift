import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

@Suite(.tags(.unit)) struct ButlerServiceUnitTests {
    @Test func theUnitRunsServeForItsNetworkSandboxed() {
        let unit = ButlerServiceUnit(network: "mainnet", executable: "/usr/local/bin/aztec-butler", user: "butler",
                                     configFile: "/etc/aztec-butler/mainnet-base.env", dataDirectory: "/var/lib/aztec butler")
        #expect(unit.fileName == "aztec-butler-mainnet.service")
        let lines = unit.text.split(separator: "\n").map(String.init)
        for expected in ["Type=simple", "Restart=always", "RestartSec=5", "User=butler", "NoNewPrivileges=yes", "ProtectSystem=strict",
                         "PrivateTmp=yes", #"ReadWritePaths="/var/lib/aztec butler""#, "WantedBy=multi-user.target",
                         #"ExecStart=/usr/local/bin/aztec-butler --network mainnet --config /etc/aztec-butler/mainnet-base.env --data-dir "/var/lib/aztec butler" serve"#] {
            #expect(lines.contains(expected), "missing: \(expected)")
        }
        #expect(!unit.text.contains("TOKEN"), "the token stays in the configuration file")
    }

    @Test func systemdAcceptsTheUnit() async throws {
        let folder = try ButlerFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("data $dir%")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let unit = ButlerServiceUnit(network: "testnet", executable: try BuiltTool.path("aztec-butler"), user: "root",
                                     configFile: nil, dataDirectory: data.path)
        let file = folder.appendingPathComponent(unit.fileName)
        try unit.text.write(to: file, atomically: true, encoding: .utf8)
        let analyzer = "/usr/bin/systemd-analyze"
        #expect(FileManager.default.isExecutableFile(atPath: analyzer), "systemd-analyze is missing: run scripts/setup.sh tests")
        let output = try await ProcessRunner.run(ProcessRequest(executable: analyzer, arguments: ["verify", file.path], timeout: .seconds(60)))
        let said = String(decoding: output.standardOutput + output.standardError, as: UTF8.self)
        // systemd-analyze exits 0 even for lines it ignores; any word from it is a defect.
        #expect(output.status == 0 && said.isEmpty, "\(said)")
        // A value systemd would ignore is caught by the same check.
        try unit.text.replacingOccurrences(of: "RestartSec=5", with: "RestartSec=five").write(to: file, atomically: true, encoding: .utf8)
        let broken = try await ProcessRunner.run(ProcessRequest(executable: analyzer, arguments: ["verify", file.path], timeout: .seconds(60)))
        #expect(!String(decoding: broken.standardOutput + broken.standardError, as: UTF8.self).isEmpty)
    }
}
