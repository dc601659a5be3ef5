import FleetKit

/// The deploy folder's `.env`, which `docker compose` reads when the variables are not in
/// its environment (someone running compose by hand): config.env's variables without
/// `export`, quoted the way Compose reads env files, not the way a shell does. A plain value
/// stays bare, as the original writes it; any other is single-quoted, which Compose takes
/// literally (no `$` interpolation), with `\'` for a quote inside.
public enum ComposeEnvFile {
    /// The file's text: one `NAME=value` line per variable of ``ConfigEnvFile``.
    public static func render(_ config: NodeConfig) -> String {
        ConfigEnvFile.variables(for: config).map { "\($0.name)=\(quote($0.value))\n" }.joined()
    }

    /// `value` as Compose's env-file reader gets it back.
    public static func quote(_ value: String) -> String {
        if ShellQuote.isPlainWord(value) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
