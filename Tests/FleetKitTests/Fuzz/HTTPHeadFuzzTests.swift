import FleetTestSupport
import Foundation
@testable import FleetKit
import Testing

/// Request heads under fuzzing: the framer and the parser take any bytes, split anywhere,
/// without trapping, and agree with each other on where a head ends.
@Suite(.tags(.unit, .slow), .timeLimit(.minutes(10))) struct HTTPHeadFuzzTests {
    static let token = "fz-" + String(repeating: "T0k3n", count: 6)
    static let samples = Fuzzer.bytes([
        "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9464\r\nAuthorization: Bearer \(token)\r\nAccept-Encoding: gzip\r\n\r\n",
        "HEAD /healthz?x=1 HTTP/1.0\r\nHost: a\r\nConnection: close\r\n\r\n",
        "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n",
    ])
    static let tokens = Fuzzer.bytes(["\r\n", "\r", "\n", ": ", " ", "\t", "HTTP/1.1", "HTTP/2.0", "Content-Length: ", "Host: ", "%00", "?", "\r\n\r\n"])

    @Test func mutatedHeadsNeverTrapTheFramerOrTheParser() {
        let ran = Fuzzer.run(seed: 2_126_002, samples: Self.samples, tokens: Self.tokens, secrets: [Self.token], maxBytes: 20_000) { input in
            var texts: [String] = []
            // Fed whole, then in chunks of a size the case picks: the framer must find the same end.
            var whole = HTTPHeadFramer()
            let wholeOutcome = whole.scan(input.bytes)
            var chunked = HTTPHeadFramer()
            var buffer: [UInt8] = []
            var chunkedOutcome = HTTPHeadFramer.Outcome.incomplete
            let step = 1 + input.number % 7
            for start in stride(from: 0, to: input.bytes.count, by: step) {
                buffer.append(contentsOf: input.bytes[start..<min(input.bytes.count, start + step)])
                chunkedOutcome = chunked.scan(buffer)
                if chunkedOutcome != .incomplete { break }
            }
            #expect(wholeOutcome == chunkedOutcome, "\(input.label)")
            if case .complete(let requestStart, let end) = wholeOutcome {
                #expect(requestStart <= end - 2 && end <= input.bytes.count, "\(input.label)")
                do {
                    let head = try HTTPRequestHeadParser.parse(input.bytes[requestStart..<(end - 2)])
                    #expect(head.path.utf8.count <= input.bytes.count, "\(input.label)")
                } catch {
                    texts.append(String(describing: error))
                }
            }
            // The parser alone, on the raw bytes without their final CRLF.
            do {
                _ = try HTTPRequestHeadParser.parse(input.bytes[...])
            } catch {
                texts.append(String(describing: error))
            }
            return texts
        }
        #expect(ran >= 500)
    }
}
