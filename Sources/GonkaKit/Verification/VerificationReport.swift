import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `verification.txt` in the original's layout: the header, one `✓`/`✗`/`⚠`/`⏳` line per
/// check, the sections `API NODE CONFIGURATION:`, `CONTAINER LOGS:`, `SERVICE STATE:`,
/// `VLLM MODEL:`, `SETUP REPORT:`, and the footer.
public enum VerificationReport {
    /// The whole file.
    public static func text(_ findings: VerificationFindings, generatedAt: Date, completedAt: Date) -> String {
        let header = ["GONKA NODE VERIFICATION REPORT", "Generated at: \(dateText(generatedAt))", String(repeating: "=", count: 38), ""]
        let footer = ["", "Verification completed at: \(dateText(completedAt))"]
        return (header + lines(findings) + footer).joined(separator: "\n") + "\n"
    }

    /// A date as `date` prints it in this machine's time zone, e.g. `Mon Nov 23 04:09:56 UTC 2026`
    /// or `Tue Nov  3 …` (the C library's `strftime`, as `date` itself uses).
    public static func dateText(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return date.description }
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%a %b %e %H:%M:%S %Z %Y", &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The check lines between header and footer.
    public static func lines(_ findings: VerificationFindings) -> [String] {
        var lines: [String] = []
        lines.append(findings.participantRegistered ? "✓ Participant registered: \(findings.participantURL)" : "✗ Participant not found")
        lines.append(findings.nodeRPCAnswers ? "✓ Node RPC: \(findings.nodeRPCURL)" : "✗ Node RPC not responding")
        lines.append(findings.dashboardAnswers ? "✓ Dashboard: \(findings.dashboardURL)" : "✗ Dashboard not responding")
        lines += mlNodeLines(findings)
        lines += ["", "API NODE CONFIGURATION:"] + adminLines(findings)
        lines += ["", "CONTAINER LOGS:"] + findings.containerErrors.map { entry in
            if !entry.exists { return "✗ \(entry.container): container not found" }
            return entry.count == 0 ? "✓ \(entry.container): no errors" : "⚠ \(entry.container): \(entry.count) error lines"
        }
        lines += ["", "SERVICE STATE:", serviceStateLine(findings.serviceState)]
        lines += ["", "VLLM MODEL:"] + vLLMLines(findings)
        lines += ["", "SETUP REPORT:"] + setupLines(findings.setupReport)
        return lines
    }

    static func mlNodeLines(_ findings: VerificationFindings) -> [String] {
        guard findings.mlNodeContainer != nil else { return ["✗ MLNode container not found"] }
        var lines = [findings.containerSeesGPU ? "✓ CUDA GPU detected" : "✗ CUDA GPU not detected"]
        lines.append(findings.pyTorchLine.contains("CUDA:True") ? "✓ PyTorch: \(findings.pyTorchLine)" : "✗ PyTorch CUDA issue: \(findings.pyTorchLine)")
        lines.append(findings.mlNodeHealthy ? "✓ MLNode health: OK" : "✗ MLNode health: not responding")
        switch findings.gpuDevices {
        case .some(let body) where body.contains("name") || body.contains("device"): lines.append("✓ GPU devices: available")
        case .some(let body): lines.append("  GPU devices: \(body)")
        case .none: lines.append("⚠ GPU devices: not responding")
        }
        return lines
    }

    static func adminLines(_ findings: VerificationFindings) -> [String] {
        var lines: [String] = []
        if let nodes = findings.adminNodes, nodes.count > 0 {
            lines.append("✓ nodes: \(nodes.count) node(s) configured")
            switch nodes.firstCurrentStatus {
            case "INFERENCE": lines.append("✓ current_status: INFERENCE")
            case "LOADING": lines.append("⏳ current_status: LOADING (model loading...)")
            case let status: lines.append("⚠ current_status: \(status ?? "unknown") (expected: INFERENCE)")
            }
            lines.append("  intended_status: \(nodes.firstIntendedStatus ?? "unknown")")
        } else {
            lines.append("✗ nodes: EMPTY (check node-config.json format!)")
        }
        lines.append(findings.mergedNodeConfig ? "✓ merged_node_config: true" : "⚠ merged_node_config: false")
        if let gpu = findings.gpuMemory {
            let figures = "\(gpu.usedMiB / 1024)GB / \(gpu.totalMiB / 1024)GB"
            if gpu.modelLoaded {
                lines.append("✓ GPU memory: \(figures) (model loaded)")
            } else if gpu.usedMiB > 1000 {
                lines.append("⏳ GPU memory: \(figures) (loading)")
            } else {
                lines.append("⚠ GPU memory: \(figures) (model not loaded)")
            }
        } else {
            lines.append("⚠ GPU info: not available")
        }
        return lines
    }

    static func serviceStateLine(_ state: String?) -> String {
        switch state {
        case "INFERENCE": "✓ service_state: INFERENCE"
        case "LOADING": "⏳ service_state: LOADING"
        case .some(let state): "⚠ service_state: \(state)"
        case .none: "⚠ service_state: not responding"
        }
    }

    static func vLLMLines(_ findings: VerificationFindings) -> [String] {
        guard findings.vLLMAnswers else { return ["⚠ vLLM model: not responding (loading...)"] }
        guard let model = findings.vLLMModel else { return ["⚠ vLLM model: no model loaded"] }
        return ["✓ vLLM model: \(model)", "  max_model_len: \(findings.vLLMMaxModelLength.map(String.init) ?? "unknown")"]
    }

    /// The setup report's lines, then one line per passing check the original names.
    static func setupLines(_ report: SetupReport?) -> [String] {
        guard let report else { return ["⚠ setup_report: not responding"] }
        let passed = report.passed.map(String.init) ?? "?", total = report.total.map(String.init) ?? "?"
        var lines: [String]
        if report.overallStatus == "PASS" {
            lines = ["✓ setup_report: PASS (\(passed)/\(total))"]
        } else {
            lines = ["⚠ setup_report: \(report.overallStatus ?? "unknown") (\(passed)/\(total) passed)"]
            if !report.issues.isEmpty { lines += ["  Issues:"] + report.issues.map { "    - \($0)" } }
        }
        let named = [("permissions_granted", "✓ permissions: granted"), ("block_sync", "✓ block_sync: synced"), ("mlnode_node1", "✓ mlnode: healthy")]
        for (id, line) in named where report.checkStatus[id] == "PASS" { lines.append(line) }
        return lines
    }
}
