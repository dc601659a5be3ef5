/// "1 host", "3 hosts".
public enum Plural {
    /// `count` and `noun`, with an `s` unless the count is 1.
    public static func count(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }
}
