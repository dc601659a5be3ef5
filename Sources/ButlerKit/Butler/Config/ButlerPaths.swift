import Foundation

/// Where the Butler keeps its files, as the original does on Linux (XDG base directories):
/// configuration in `$XDG_CONFIG_HOME/aztec-butler` (default `~/.config/aztec-butler`), one
/// `{network}-base.env` per network; keys files, caches and state in `$XDG_DATA_HOME/aztec-butler`
/// (default `~/.local/share/aztec-butler`).
///
/// An empty or relative `XDG_*` value is ignored, as the XDG specification asks. The
/// environment is passed in; nothing here reads the process environment.
public struct ButlerPaths: Sendable, Equatable {
    /// The folder name under the XDG base folders.
    public static let folderName = "aztec-butler"

    /// The configuration folder, e.g. `~/.config/aztec-butler`.
    public let configDirectory: URL
    /// The data folder, e.g. `~/.local/share/aztec-butler`.
    public let dataDirectory: URL
    /// Where `dataDirectory` came from.
    public let dataDirectorySource: ButlerSettingSource

    /// Resolves both folders from `environment` and the home folder; `dataDirectory`, when
    /// given directly for the run, wins over the environment.
    public init(environment: [String: String], homeDirectory: String, dataDirectory: ButlerGivenValue<URL>? = nil) {
        let home = URL(fileURLWithPath: homeDirectory, isDirectory: true)
        configDirectory = Self.base(environment["XDG_CONFIG_HOME"], fallback: home.appendingPathComponent(".config"))
            .appendingPathComponent(Self.folderName, isDirectory: true)
        if let dataDirectory {
            self.dataDirectory = dataDirectory.value
            dataDirectorySource = .flag(dataDirectory.name)
        } else if let xdg = Self.usable(environment["XDG_DATA_HOME"]) {
            self.dataDirectory = URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent(Self.folderName, isDirectory: true)
            dataDirectorySource = .environment("XDG_DATA_HOME")
        } else {
            self.dataDirectory = home.appendingPathComponent(".local/share/\(Self.folderName)", isDirectory: true)
            dataDirectorySource = .defaultValue
        }
    }

    /// The network's configuration file, `{config dir}/{network}-base.env`.
    public func configFile(network: String) -> URL {
        configDirectory.appendingPathComponent("\(network)-base.env")
    }

    /// The networks that have a `{network}-base.env` in the configuration folder, sorted.
    public func configuredNetworks() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: configDirectory.path)) ?? []
        return entries.compactMap { ButlerNetwork.name(ofConfigFile: $0) }.sorted()
    }

    static func base(_ value: String?, fallback: URL) -> URL {
        usable(value).map { URL(fileURLWithPath: $0, isDirectory: true) } ?? fallback
    }

    /// The value when it is an absolute path.
    static func usable(_ value: String?) -> String? {
        guard let value, value.hasPrefix("/") else { return nil }
        return value
    }
}

/// Network names and how a command picks one, as the original does.
public enum ButlerNetwork {
    /// Checks a network name: letters, digits, `-`, `_` and `.`, not starting with `.` or `-`
    /// (it becomes part of file names); nil when fine, else what is wrong.
    public static func problem(with name: String) -> String? {
        guard let first = name.first else { return "the network name is empty" }
        guard first != ".", first != "-",
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            return "'\(name)' is not a network name (letters, digits, -, _ and ., such as mainnet or testnet)"
        }
        return nil
    }

    /// The network of a `{network}-base.env` file name, else nil.
    public static func name(ofConfigFile fileName: String) -> String? {
        let suffix = "-base.env"
        guard fileName.hasSuffix(suffix), fileName.count > suffix.count else { return nil }
        return String(fileName.dropLast(suffix.count))
    }

    /// Picks the network as the original does: the one asked for; else the one a
    /// chosen configuration file's name says; else the only configured network; else `testnet` when it is
    /// configured or nothing is. Throws when several are configured and none is `testnet`.
    public static func choose(requested: String?, configFile: URL?, configured: [String]) throws(ButlerConfigError) -> String {
        let chosen: String
        if let requested {
            chosen = requested
        } else if let configFile, let named = name(ofConfigFile: configFile.lastPathComponent) {
            chosen = named
        } else if configured.count == 1, let only = configured.first {
            chosen = only
        } else if configured.isEmpty || configured.contains("testnet") {
            chosen = "testnet"
        } else {
            throw ButlerConfigError(situation: "several networks are configured (\(configured.joined(separator: ", "))); choose one", choice: .network)
        }
        if let problem = problem(with: chosen) { throw ButlerConfigError(situation: problem, choice: .network) }
        return chosen
    }
}
