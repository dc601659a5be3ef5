import FleetTestSupport
import Foundation
@testable import FleetKit
import Testing

/// Issue 21: raw control sequences reached terminals and logs from inventory values,
/// header names, errors, remote output and files.
@Suite(.tags(.unit)) struct TerminalTextTests {
    static let osc = "\u{1B}]0;pwned\u{07}"
    static let csi = "\u{1B}[2J"

    @Test func controlEscapeAndBidiCharactersAreShownVisibly() {
        #expect(TerminalText.escaped("a\(Self.osc)b") == "a\\u{1B}]0;pwned\\u{7}b")
        #expect(TerminalText.escaped("x\u{202E}y\u{2066}z\u{200F}\u{200E}\u{7F}\u{9B}") == "x\\u{202E}y\\u{2066}z\\u{200F}\\u{200E}\\u{7F}\\u{9B}")
        #expect(TerminalText.escaped("line\nnext\tcol") == "line\\u{A}next\\u{9}col")
        #expect(TerminalText.escaped("line\nnext\tcol\r", keepingLines: true) == "line\nnext\tcol\\u{D}")
        #expect(TerminalText.quoted(String(repeating: "a", count: 500)).count == 200)
        #expect(TerminalText.isClean("plain text é 🚀") && !TerminalText.isClean("a\u{202A}"))
    }

    @Test func colourStaysOnlyWhenAsked() {
        let output = "\u{1B}[31mred\u{1B}[0m \(Self.csi)\(Self.osc)"
        #expect(TerminalText.escaped(output, keepingLines: true) == "\\u{1B}[31mred\\u{1B}[0m \\u{1B}[2J\\u{1B}]0;pwned\\u{7}")
        #expect(TerminalText.escaped(output, keepingLines: true, keepingColor: true) == "\u{1B}[31mred\u{1B}[0m \\u{1B}[2J\\u{1B}]0;pwned\\u{7}")
    }

    @Test func logSinksWriteEscapesVisibly() throws {
        let lines = Locked<[String]>([])
        let console = ConsoleLogSink(levels: Set(LogLevel.allCases), colored: false, format: .level) { line in lines.withLock { $0.append(line) } }
        let entry = LogEntry(date: Date(), level: .output, host: "h\u{202E}x", message: "out\(Self.osc)\nnext\u{1B}[1mbold")
        console.write(entry)
        #expect(lines.withLock { $0 } == ["[OUTPUT] out\\u{1B}]0;pwned\\u{7}\nnext\\u{1B}[1mbold"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("terminal-text-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("run.log")
        let file = try FileLogSink(url: url, format: .timestampLevelHost)
        file.write(entry)
        let written = try String(contentsOf: url, encoding: .utf8)
        #expect(!written.contains("\u{1B}") && !written.contains("\u{202E}"))
        #expect(written.contains("[h\\u{202E}x] out\\u{1B}]0;pwned\\u{7}\nnext"))
        let colored = Locked<[String]>([])
        ConsoleLogSink(levels: Set(LogLevel.allCases), colored: false, format: .level, keepsColor: true) { line in colored.withLock { $0.append(line) } }
            .write(entry)
        #expect(colored.withLock { $0 } == ["[OUTPUT] out\\u{1B}]0;pwned\\u{7}\nnext\u{1B}[1mbold"])
    }

    @Test func inventoryErrorsShowHostileValuesVisibly() {
        #expect(throws: InventoryError.self) { try InventoryLoader.parse("ip\n10.0.0.1\(Self.osc)\n", file: "s\u{202E}.csv") }
        do {
            _ = try InventoryLoader.parse("ip,name,x\u{1B}[2J,x\u{1B}[2J\n10.0.0.\u{202E}1,h,a,b\n", file: "s\u{202E}.csv")
        } catch {
            #expect(!error.description.contains("\u{1B}") && !error.description.contains("\u{202E}"), "\(error.description)")
            #expect(error.description.contains("\\u{202E}"))
        }
    }

    @Test func jsonRPCErrorsShowNodeTextVisibly() {
        let error = JSONRPCError(method: "eth_call", endpoint: "http://n", kind: .server(code: -32000, message: "bad\(Self.osc)\u{202E}\nforged", data: nil))
        #expect(error.description == "eth_call to http://n failed: the node answered with error -32000: bad\\u{1B}]0;pwned\\u{7}\\u{202E}\\u{A}forged.")
    }

    @Test func fleetRunOutputKeepsLinesAndColourOnlyWhenAsked() {
        let result = CommandResult(exitStatus: 0, standardOutput: "one\n\u{1B}[32mtwo\u{1B}[0m \(Self.osc)\n", standardError: "warn\u{202E}\n")
        let step = StepReport(name: "command", outcome: .changed, message: nil, result: result, duration: 0.05)
        let report = RunReport(playbook: "run", checkMode: false, hosts: [HostReport(host: "h\u{1B}[2J", address: "10.0.0.1", status: .succeeded, steps: [step])])
        let plain = AdHocCommand.groupedOutput(report)
        #expect(!plain.contains("\u{1B}") && !plain.contains("\u{202E}") && !plain.contains("\u{07}"), "\(plain)")
        #expect(plain.contains("== h\\u{1B}[2J (10.0.0.1): "))
        #expect(plain.hasSuffix("one\n\\u{1B}[32mtwo\\u{1B}[0m \\u{1B}]0;pwned\\u{7}\nwarn\\u{202E}\n"), "\(plain)")
        let colored = AdHocCommand.groupedOutput(report, keepingColor: true)
        #expect(colored.contains("one\n\u{1B}[32mtwo\u{1B}[0m \\u{1B}]0;pwned\\u{7}\n"), "\(colored)")
    }
}
