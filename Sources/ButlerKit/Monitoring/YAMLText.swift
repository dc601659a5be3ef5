import Foundation

/// Scalars for the YAML files the monitoring server reads.
enum YAMLText {
    /// `text` as a double-quoted scalar: a JSON string is valid YAML, with every special
    /// character escaped.
    static func quoted(_ text: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(text) else { return "\"\"" }
        return String(decoding: data, as: UTF8.self)
    }
}
