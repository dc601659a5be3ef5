import Foundation

/// Somewhere log lines go: a file, the console, memory in tests.
public protocol LogSink: Sendable {
    /// Receives one redacted entry. Called from many tasks; implementations serialise.
    func write(_ entry: LogEntry)
}

/// Appends formatted lines to a file, creating it with mode 0640.
///
/// Each line passes ``TerminalText/escaped(_:keepingLines:keepingColor:)``: a message keeps
/// its newlines and tabs, every other control character, escape sequence and bidi control
/// is written as `\u{…}`; colour sequences stay only when `keepsColor` is asked.
public final class FileLogSink: LogSink {
    /// The file written to.
    public let url: URL
    private let timeZone: TimeZone
    private let levels: Set<LogLevel>
    private let format: LogLineFormat
    private let keepsColor: Bool
    private let handle: Locked<FileHandle>

    /// Opens (or creates) `url` for appending. Lines of a level outside `levels` are dropped;
    /// `format` lays out each line; `keepsColor` keeps the colour (SGR) sequences of remote output.
    public init(url: URL, timeZone: TimeZone = .current, levels: Set<LogLevel> = Set(LogLevel.allCases),
                format: LogLineFormat = .timestampLevelHost, keepsColor: Bool = false) throws {
        let path = url.path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        let handle = try FileHandle(forWritingTo: url)
        _ = try handle.seekToEnd()
        self.url = url
        self.timeZone = timeZone
        self.levels = levels
        self.format = format
        self.keepsColor = keepsColor
        self.handle = Locked(handle)
    }

    /// Appends the entry's formatted line.
    public func write(_ entry: LogEntry) {
        guard levels.contains(entry.level) else { return }
        let text = TerminalText.escaped(format.line(entry, timeZone: timeZone), keepingLines: true, keepingColor: keepsColor)
        let line = Data((text + "\n").utf8)
        handle.withLock { try? $0.write(contentsOf: line) }
    }

    deinit { handle.withLock { try? $0.close() } }
}

/// Hands formatted lines to a closure, coloured when asked; executables pass one that
/// writes to standard output.
///
/// Each line passes ``TerminalText/escaped(_:keepingLines:keepingColor:)`` before the
/// level's colour is added: newlines and tabs stay, every other control character, escape
/// sequence and bidi control is shown as `\u{…}`; colour sequences of remote output stay
/// only when `keepsColor` is asked.
public final class ConsoleLogSink: LogSink {
    private let levels: Set<LogLevel>
    private let colored: Bool
    private let keepsColor: Bool
    private let timeZone: TimeZone
    private let format: LogLineFormat
    private let emit: @Sendable (String) -> Void
    private let serial = Locked(())

    /// Creates a console sink. The executable decides `colored` (a terminal and no `NO_COLOR`);
    /// `format` lays out each line; `keepsColor` keeps the colour (SGR) sequences of remote output.
    public init(levels: Set<LogLevel>, colored: Bool, timeZone: TimeZone = .current, format: LogLineFormat = .timestampLevelHost,
                keepsColor: Bool = false, emit: @escaping @Sendable (String) -> Void) {
        self.levels = levels
        self.colored = colored
        self.keepsColor = keepsColor
        self.format = format
        self.timeZone = timeZone
        self.emit = emit
    }

    /// The levels a console shows by default; verbose adds DEBUG and OUTPUT.
    public static func defaultLevels(verbose: Bool) -> Set<LogLevel> {
        var levels = Set(LogLevel.allCases)
        if !verbose { levels.subtract([.debug, .output]) }
        return levels
    }

    /// Emits the entry's line if its level is shown.
    public func write(_ entry: LogEntry) {
        guard levels.contains(entry.level) else { return }
        var line = TerminalText.escaped(format.line(entry, timeZone: timeZone), keepingLines: true, keepingColor: keepsColor)
        if colored { line = entry.level.ansiColor + line + "\u{1B}[0m" }
        serial.withLock { _ in emit(line) }
    }
}
