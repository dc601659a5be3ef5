import FleetKit

/// The deploy folder's `.env`, which `docker compose` reads on every call: config.env's
/// variables without `export`, written the way Compose's env-file reader takes them back.
///
/// That reader ends a quoted value at the first quote not preceded by a backslash, never
/// unescapes inside single quotes, and interpolates `$` inside double quotes. So a plain
/// value stays bare (the original's bytes); a value without `'` that does not end in `\`
/// is single-quoted (taken literally); any other value is left out, with a comment line,
/// because no quoting reads back reliably and a broken `.env` would stop every compose
/// command in the folder. The deployment's own commands export config.env first, and
/// exported values take precedence over `.env`, so nothing they run depends on it.
public enum ComposeEnvFile {
    /// The file's text: one `NAME=value` line per variable of ``ConfigEnvFile``, or a
    /// comment naming a variable whose value cannot be written.
    public static func render(_ config: NodeConfig) -> String {
        ConfigEnvFile.variables(for: config).map { variable in
            if let quoted = quote(variable.value) { return "\(variable.name)=\(quoted)\n" }
            return "# \(variable.name) is in config.env only: Compose's env files cannot hold its value; run compose after `set -a; . ./config.env; set +a`\n"
        }.joined()
    }

    /// `value` as Compose's env-file reader takes it back, or `nil` when no form does.
    public static func quote(_ value: String) -> String? {
        if ShellQuote.isPlainWord(value) { return value }
        if value.contains("'") || value.hasSuffix("\\") || value.contains("\n") { return nil }
        return "'" + value + "'"
    }
}
