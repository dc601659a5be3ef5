import FleetKit
import FleetTestSupport
import Foundation
import Testing

/// Gzip output checked by a real inflater: Python's gzip module (zlib underneath).
@Suite(.tags(.unit)) struct GzipTests {
    /// `bytes` decompressed by `python3 -c 'gzip.decompress'`.
    static func inflate(_ bytes: [UInt8]) async throws -> [UInt8] {
        let output = try await ProcessRunner.run(ProcessRequest(
            executable: "/usr/bin/python3",
            arguments: ["-c", "import gzip, sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"],
            standardInput: Data(bytes), timeout: .seconds(60), outputLimit: 64 << 20))
        #expect(output.status == 0, "\(String(decoding: output.standardError, as: UTF8.self))")
        return Array(output.standardOutput)
    }

    static func metricsPage(lines: Int) -> [UInt8] {
        var text = "# HELP aztec_butler_attester_missed_attestations Attestations missed\n# TYPE aztec_butler_attester_missed_attestations gauge\n"
        for index in 0..<lines {
            text += "aztec_butler_attester_missed_attestations{network=\"mainnet\",attester_address=\"0x\(String(format: "%040x", index * 7919))\"} \(index % 13)\n"
        }
        return Array(text.utf8)
    }

    @Test func theChecksumOfTheStandardCheckInput() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    @Test func everyKindOfInputInflatesBackExactly() async throws {
        var generator = SystemRandomNumberGenerator()
        let inputs: [(String, [UInt8])] = [
            ("empty", []),
            ("one byte", [0x41]),
            ("check string", Array("123456789".utf8)),
            ("every byte value", Array(0...255) + Array((0...255).reversed())),
            ("long runs (matches longer than 258 and overlapping)", [UInt8](repeating: 0, count: 10_000) + [UInt8](repeating: 0x7A, count: 777)),
            ("random", (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &generator) }),
            ("repeats further apart than the window", Array((0..<40_000).map { UInt8(truncatingIfNeeded: $0 % 251) }) + Array((0..<40_000).map { UInt8(truncatingIfNeeded: $0 % 251) })),
            ("a metrics page", Self.metricsPage(lines: 3_000)),
        ]
        for (name, input) in inputs {
            let compressed = Gzip.compress(input)
            #expect(Array(compressed.prefix(3)) == [0x1F, 0x8B, 8], "\(name)")
            #expect(try await Self.inflate(compressed) == input, "\(name) does not inflate back")
        }
    }

    @Test func aMetricsPageShrinksSeveralfold() {
        let page = Self.metricsPage(lines: 5_000)
        let compressed = Gzip.compress(page)
        #expect(compressed.count * 5 < page.count, "\(page.count) → \(compressed.count) bytes")
    }
}
