import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct ShellQuoteTests {
    static let hostile: [String] = [
        "", " ", "plain", "it's", "'", "''", "\"double\"", "$(touch /tmp/fleetkit-pwned)", "`id`", "a;b", "a && b", "a | b",
        "line1\nline2", "tab\there", "back\\slash", "$HOME", "${PATH}", "*", "?", "[a]", "~", "-n", "--", "#comment",
        "!", "!!", "<in >out", "ünïcødé ✓ 日本", "\u{1B}[31mred", "a'b\"c$d`e\\f", String(repeating: "'", count: 50),
    ]

    @Test func plainWordsStayReadable() {
        #expect(ShellQuote.quote("abc-1.2/x") == "abc-1.2/x")
        #expect(ShellQuote.quote("") == "''")
        #expect(ShellQuote.quote("it's") == "'it'\\''s'")
    }

    @Test(arguments: hostile)
    func realShellReadsBackEveryValueExactly(_ value: String) async throws {
        let script = "printf '%s' " + ShellQuote.quote(value)
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script]))
        #expect(output.status == 0)
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == value)
    }

    @Test func joinedArgumentsStaySeparate() async throws {
        let script = "for a in " + ShellQuote.join(Self.hostile) + "; do printf '<%s>' \"$a\"; done"
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/bin/sh", arguments: ["-c", script]))
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == Self.hostile.map { "<\($0)>" }.joined())
        #expect(!FileManager.default.fileExists(atPath: "/tmp/fleetkit-pwned"))
    }
}
