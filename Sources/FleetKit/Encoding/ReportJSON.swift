import Foundation

extension JSONEncoder {
    /// The encoder of every report and state file the SDK writes as JSON: pretty-printed with
    /// sorted keys (stable diffs), dates as ISO 8601, and `/` escaped unless
    /// `escapingSlashes` is false (paths and URLs then read as they are).
    public static func report(escapingSlashes: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = escapingSlashes ? [.prettyPrinted, .sortedKeys] : [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
