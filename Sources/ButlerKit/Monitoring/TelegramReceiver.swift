import FleetKit
import Foundation

/// Where Alertmanager sends the alerts: a Telegram chat through a bot.
public struct TelegramReceiver: Sendable {
    /// The file holding the bot token (`123456:ABC…`) alone; read when the files are written,
    /// never shown.
    public var tokenFile: URL
    /// The chat (or channel) id the bot posts to; negative for groups and channels.
    public var chatID: Int64
    /// The Bot API's base URL; the default is Telegram's, a test points it at a stand-in.
    public var apiURL: URL?

    /// Creates the receiver.
    public init(tokenFile: URL, chatID: Int64, apiURL: URL? = nil) {
        self.tokenFile = tokenFile
        self.chatID = chatID
        self.apiURL = apiURL
    }

    /// The token from ``tokenFile``, checked to look like a bot token; the error never
    /// repeats the file's content.
    ///
    /// - Throws: ``MonitoringSettingError`` when the file cannot be read or holds no bot token.
    func token() throws(MonitoringSettingError) -> Secret {
        let text: String
        do {
            text = try String(contentsOf: tokenFile, encoding: .utf8)
        } catch {
            throw MonitoringSettingError(.telegramTokenFile, "cannot read the Telegram bot token from \(tokenFile.path): \(error.localizedDescription)")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = token.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, parts[0].allSatisfy(\.isASCIIDigitCharacter),
              parts[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw MonitoringSettingError(.telegramTokenFile, "\(tokenFile.path) does not hold a Telegram bot token alone (digits, a colon, then letters, digits, - and _)")
        }
        return Secret(token)
    }
}

extension Character {
    /// Whether this is one of the ASCII digits 0-9.
    fileprivate var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
