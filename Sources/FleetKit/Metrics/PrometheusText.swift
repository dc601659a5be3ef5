import Foundation

/// How Prometheus treats a metric family (the `# TYPE` line).
public enum MetricKind: String, Sendable {
    /// A value that can go up and down.
    case gauge
    /// A value that only grows, reset only when the process restarts.
    case counter
}

/// One sample of a family: its labels, in the order written, and its value.
public struct MetricSample: Sendable, Equatable {
    /// Label names and values; names must match `[a-zA-Z_][a-zA-Z0-9_]*`, values are any text.
    public var labels: [(name: String, value: String)]
    /// The value; NaN and infinities are written as Prometheus spells them.
    public var value: Double

    /// Creates a sample.
    public init(_ labels: [(name: String, value: String)] = [], value: Double) {
        self.labels = labels
        self.value = value
    }

    /// Equal when labels (in order) and value are equal; NaN equals NaN, so a page can be compared.
    public static func == (left: MetricSample, right: MetricSample) -> Bool {
        left.labels.elementsEqual(right.labels) { $0.name == $1.name && $0.value == $1.value }
            && (left.value == right.value || (left.value.isNaN && right.value.isNaN))
    }
}

/// One metric family: a name, its help text, its kind and its samples.
public struct MetricFamily: Sendable, Equatable {
    /// The metric name; must match `[a-zA-Z_:][a-zA-Z0-9_:]*` (checked by ``PrometheusText/problems(in:)``).
    public var name: String
    /// One line saying what the value means.
    public var help: String
    /// Gauge or counter.
    public var kind: MetricKind
    /// The samples; a family without samples is still written with its HELP and TYPE lines.
    public var samples: [MetricSample]

    /// Creates a family.
    public init(name: String, help: String, kind: MetricKind = .gauge, samples: [MetricSample]) {
        self.name = name
        self.help = help
        self.kind = kind
        self.samples = samples
    }
}

/// The Prometheus text exposition format (version 0.0.4), written from ``MetricFamily`` values.
public enum PrometheusText {
    /// The `Content-Type` a scrape answer in this format carries.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// The page: for each family `# HELP`, `# TYPE`, then one line per sample, with label
    /// values and help text escaped as the format requires.
    public static func render(_ families: [MetricFamily]) -> String {
        var text = ""
        text.reserveCapacity(families.reduce(0) { $0 + 80 + $1.samples.count * (64 + $1.name.utf8.count) })
        for family in families {
            text += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            text += "# TYPE \(family.name) \(family.kind.rawValue)\n"
            for sample in family.samples {
                text += family.name
                if !sample.labels.isEmpty {
                    text += "{"
                    for (index, label) in sample.labels.enumerated() {
                        if index > 0 { text += "," }
                        text += label.name + "=\"" + escapeLabelValue(label.value) + "\""
                    }
                    text += "}"
                }
                text += " " + format(sample.value) + "\n"
            }
        }
        return text
    }

    /// What is wrong with the families' names and labels: bad metric or label names, a
    /// family named twice, two samples of one family with the same labels. Empty when the
    /// page is valid. Tests run it over every page a program can produce.
    public static func problems(in families: [MetricFamily]) -> [String] {
        var problems: [String] = []
        var names = Set<String>()
        for family in families {
            if !isMetricName(family.name) { problems.append("'\(family.name)' is not a valid metric name") }
            if !names.insert(family.name).inserted { problems.append("\(family.name) is written twice") }
            var seen = Set<[String]>()
            for sample in family.samples {
                for label in sample.labels where !isLabelName(label.name) {
                    problems.append("\(family.name): '\(label.name)' is not a valid label name")
                }
                let key = sample.labels.flatMap { [$0.name, $0.value] }
                if !seen.insert(key).inserted {
                    problems.append("\(family.name) has two samples with the labels \(sample.labels.map { "\($0.name)=\($0.value)" })")
                }
            }
        }
        return problems
    }

    /// A value as the format spells it: whole numbers without a fraction, `NaN`, `+Inf`, `-Inf`.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escapeLabelValue(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func isMetricName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first == "_" || first == ":" || first.properties.isAlphabetic
        else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0 == ":" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }

    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first == "_" || first.properties.isAlphabetic else { return false }
        return !name.hasPrefix("__") && name.unicodeScalars.allSatisfy { $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0)) }
    }
}
