import ButlerKit
import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// `kubectl get services` output to the runbook's network connection message.
@Suite(.tags(.unit)) struct NetworkConnectionInfoTests {
    static let services = """
        NAME                 TYPE           CLUSTER-IP     EXTERNAL-IP     PORT(S)                         AGE
        boot-node-lb-tcp     LoadBalancer   10.0.12.34     34.123.45.67    40400:31234/TCP                 5d
        boot-node-lb-udp     LoadBalancer   10.0.12.35     34.123.45.67    40400:31235/UDP                 5d
        ethereum-lb          LoadBalancer   10.0.12.36     35.200.1.2      8551:31551/TCP,8545:30545/TCP   5d
        validator            ClusterIP      None           <none>          40400/TCP,8080/TCP              5d

        """

    func problem(_ text: String) -> String {
        do {
            _ = try NetworkConnectionInfo.parse(kubectlOutput: text, source: "services.txt")
            return "no error"
        } catch {
            return error.description
        }
    }

    @Test func theMessageInTheRunbooksOrder() throws {
        let info = try NetworkConnectionInfo.parse(kubectlOutput: Self.services, source: "services.txt", aztecImage: "aztecprotocol/aztec:2.1.2")
        #expect(info.ethereum.hostPort == "35.200.1.2:8545", "8545 is preferred wherever PORT(S) lists it")
        #expect(info.bootNodeTCP.hostPort == "34.123.45.67:40400" && info.bootNodeUDP.service == "boot-node-lb-udp")
        #expect(info.message == """
            Network connection info
            1. AZTEC_IMAGE: aztecprotocol/aztec:2.1.2
            2. ETHEREUM_HOST: http://35.200.1.2:8545 (ethereum-lb)
            3. BOOT_NODE_URL:
               - boot-node-lb-tcp: 34.123.45.67:40400
               - boot-node-lb-udp: 34.123.45.67:40400

            """)
    }

    @Test func releasePrefixesAndAllNamespacesOutput() throws {
        let text = """
            NAMESPACE   NAME                        TYPE           CLUSTER-IP   EXTERNAL-IP   PORT(S)           AGE
            alpha       alpha-aztec-ethereum-lb     LoadBalancer   10.0.0.1     35.1.1.1      9545:30545/TCP    1d
            alpha       alpha-aztec-boot-node-lb-tcp LoadBalancer  10.0.0.2     35.1.1.2      40400:31234/TCP   1d
            alpha       alpha-aztec-boot-node-lb-udp LoadBalancer  10.0.0.3     35.1.1.3      40400:31235/UDP   1d
            """
        let info = try NetworkConnectionInfo.parse(kubectlOutput: text, source: "-")
        #expect(info.ethereum.service == "alpha-aztec-ethereum-lb" && info.ethereum.hostPort == "35.1.1.1:9545", "the listed port when 8545 is not there")
        #expect(info.bootNodeUDP.hostPort == "35.1.1.3:40400")
    }

    @Test func clearErrorsNameWhatIsMissing() {
        let withoutBoot = Self.services.split(separator: "\n").filter { !$0.contains("boot") }.joined(separator: "\n")
        #expect(problem(withoutBoot) == "services.txt: missing services boot-node-lb-tcp, boot-node-lb-udp (services found: ethereum-lb, validator)")
        #expect(problem(Self.services.replacingOccurrences(of: "35.200.1.2 ", with: "<pending>  "))
            == "services.txt:4: ethereum-lb has no external IP yet (<pending>); wait for its load balancer and run again")
        #expect(problem("No resources found in alpha namespace.\n")
            == "services.txt:1: not the output of kubectl get services: the first line has no NAME and EXTERNAL-IP columns (No resources found in alpha namespace.)")
        #expect(problem("\n\n") == "services.txt: the input is empty; expected the output of kubectl get services")
        #expect(problem("NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S)\n") == "services.txt: missing services ethereum-lb, boot-node-lb-tcp, boot-node-lb-udp (no services at all)")
        let twice = Self.services + "x-ethereum-lb LoadBalancer 10.0.0.9 35.9.9.9 8545:1/TCP 1d\n"
        #expect(problem(twice).hasPrefix("services.txt:6: x-ethereum-lb and ethereum-lb both look like ethereum-lb"))
    }

    @Test func theToolReadsAFileOrStandardInput() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("connection-info-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("services.txt")
        try Self.services.write(to: file, atomically: true, encoding: .utf8)
        let tool = try BuiltTool.path("aztec-fleet")
        let fromFile = try await ProcessRunner.run(ProcessRequest(executable: tool, arguments: ["connection-info", "--kubectl-output", file.path],
                                                                  timeout: .seconds(30), environment: AztecFleetSandbox.toolEnvironment))
        #expect(fromFile.status == 0)
        #expect(String(decoding: fromFile.standardOutput, as: UTF8.self).contains("2. ETHEREUM_HOST: http://35.200.1.2:8545 (ethereum-lb)"))
        let fromInput = try await ProcessRunner.run(ProcessRequest(executable: tool, arguments: ["connection-info", "--json"],
                                                                   standardInput: Data(Self.services.utf8), timeout: .seconds(30),
                                                                   environment: AztecFleetSandbox.toolEnvironment))
        let info = try JSONDecoder().decode(NetworkConnectionInfo.self, from: fromInput.standardOutput)
        #expect(info.aztecImage == "aztecprotocol/aztec:latest" && info.bootNodeTCP.port == 40400)
        let missing = try await ProcessRunner.run(ProcessRequest(executable: tool, arguments: ["connection-info", "--kubectl-output", "-"],
                                                                 standardInput: Data("NAME EXTERNAL-IP\n".utf8), timeout: .seconds(30),
                                                                 environment: AztecFleetSandbox.toolEnvironment))
        #expect(missing.status == 2)
        #expect(String(decoding: missing.standardError, as: UTF8.self) == "aztec-fleet: stdin: missing services ethereum-lb, boot-node-lb-tcp, boot-node-lb-udp (no services at all)\n")
        let absent = try await ProcessRunner.run(ProcessRequest(executable: tool, arguments: ["connection-info", "--kubectl-output", folder.appendingPathComponent("none.txt").path],
                                                                timeout: .seconds(30), environment: AztecFleetSandbox.toolEnvironment))
        #expect(absent.status == 2 && String(decoding: absent.standardError, as: UTF8.self).contains("cannot read"))
    }
}
