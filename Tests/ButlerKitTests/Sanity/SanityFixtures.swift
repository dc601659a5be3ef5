import ButlerKit
import Foundation

/// The fixture logs of the sanity tests: healthy validator, prover and bot nodes, one log per
/// failure kind and one per catalogue grade.
enum SanityFixtures {
    static var folder: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures/sanity")
    }

    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }

    /// Scans a fixture (or any bytes) in one piece.
    static func scan(_ name: String, signals: LogSignalTable = .aztec) throws -> LogScanSummary {
        scan(bytes: try data(name), signals: signals)
    }

    static func scan(bytes: Data, signals: LogSignalTable = .aztec, maxLineBytes: Int = 1 << 20) -> LogScanSummary {
        var scanner = LogScanner(signals: signals, maxLineBytes: maxLineBytes)
        scanner.scan(bytes)
        return scanner.finish()
    }

    /// Scans bytes in chunks of the given sizes, cycled.
    static func scan(bytes: Data, chunks: [Int], maxLineBytes: Int = 1 << 20) -> LogScanSummary {
        var scanner = LogScanner(maxLineBytes: maxLineBytes)
        var offset = 0
        var next = 0
        while offset < bytes.count {
            let size = min(max(1, chunks[next % chunks.count]), bytes.count - offset)
            scanner.scan(bytes.subdata(in: offset..<(offset + size)))
            offset += size
            next += 1
        }
        return scanner.finish()
    }

    static let all = ["healthy-validator.jsonl", "healthy-prover.log", "healthy-bot.log", "validator-peer-discovery.jsonl",
                      "prover-proof-failure.jsonl", "validator-crash-loop.log", "validator-silent.jsonl", "catalogue-urgent.jsonl",
                      "catalogue-investigate.jsonl", "catalogue-ignore.jsonl", "validator-bridge-errors.jsonl", "validator-reorgs.jsonl"]

    /// 2026-01-05T12:00:00Z plus `milliseconds`, the fixtures' clock.
    static func time(_ milliseconds: Int) -> Date { Date(timeIntervalSince1970: 1_767_614_400 + Double(milliseconds) / 1000) }
}
