import FleetKit
import Foundation

/// The Alertmanager configuration: alerts grouped by node, paging alerts to a loud Telegram
/// receiver and the rest to a silent one, resolved messages sent too.
enum AlertmanagerConfiguration {
    /// The receiver of paging alerts.
    static let pageReceiver = "telegram-page"
    /// The receiver of every other alert.
    static let warnReceiver = "telegram-warn"

    /// The message of one notification: every firing and resolved alert with its node.
    static func message(prefix: String) -> String {
        let line = "{{ .Labels.alertname }}{{ with .Labels.node }} on {{ . }}{{ end }}: {{ .Annotations.summary }}"
        return "{{ range .Alerts.Firing }}\(prefix) FIRING \(line)\n{{ end }}{{ range .Alerts.Resolved }}RESOLVED \(line)\n{{ end }}"
    }

    /// The file's text. It holds the bot token (Alertmanager 0.25 has no token file), so it
    /// is written with mode 0600.
    static func text(telegram: TelegramReceiver, token: Secret, policy: PagingPolicy, timings: AlertmanagerTimings) -> String {
        let paging = policy.pagingAlerts.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|")
        func receiver(_ name: String, prefix: String, silent: Bool) -> [String] {
            var lines = [
                "  - name: \(name)",
                "    telegram_configs:",
                "      - bot_token: \(YAMLText.quoted(token.revealed))",
                "        chat_id: \(telegram.chatID)",
            ]
            if let api = telegram.apiURL { lines.append("        api_url: \(YAMLText.quoted(api.absoluteString))") }
            lines += [
                "        parse_mode: \"\"",
                "        send_resolved: true",
                "        disable_notifications: \(silent)",
                "        message: \(YAMLText.quoted(message(prefix: prefix)))",
            ]
            return lines
        }
        let lines = [
            "# Written by aztec-fleet monitoring-config; changes are overwritten by the next run.",
            "# Holds the Telegram bot token: keep it mode 0600, readable by Alertmanager only.",
            "route:",
            "  receiver: \(warnReceiver)",
            "  group_by: [node, alertname]",
            "  group_wait: \(timings.groupWaitSeconds)s",
            "  group_interval: \(timings.groupIntervalSeconds)s",
            "  repeat_interval: \(timings.warnRepeatSeconds)s",
            "  routes:",
            "    - receiver: \(pageReceiver)",
            "      matchers: [\(YAMLText.quoted("alertname=~\"\(paging)\""))]",
            "      repeat_interval: \(timings.pageRepeatSeconds)s",
            "inhibit_rules:",
            "  # A node that is down or unreachable says all there is to say about it.",
            "  - source_matchers: ['alertname=~\"AztecNodeDown|AztecNodeUnreachable\"']",
            "    target_matchers: ['alertname=~\"AztecNode.*\"', 'alertname!~\"AztecNodeDown|AztecNodeUnreachable\"']",
            "    equal: [node]",
            "  - source_matchers: ['alertname=\"GonkaNodeDown\"']",
            "    target_matchers: ['alertname=~\"Gonka.*\"', 'alertname!=\"GonkaNodeDown\"']",
            "    equal: [node]",
            "receivers:",
        ] + receiver(pageReceiver, prefix: "PAGE", silent: false) + receiver(warnReceiver, prefix: "WARN", silent: true)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// How Alertmanager batches and repeats notifications.
public struct AlertmanagerTimings: Sendable, Equatable {
    /// Wait before the first notification of a new group, gathering its alerts (seconds).
    public var groupWaitSeconds: Int
    /// Wait before notifying a group's changes (seconds).
    public var groupIntervalSeconds: Int
    /// Repeat of a still-firing page (seconds).
    public var pageRepeatSeconds: Int
    /// Repeat of a still-firing warning (seconds).
    public var warnRepeatSeconds: Int

    /// The defaults: 30 s, 5 minutes, pages every hour, warnings every 12 hours.
    public init(groupWaitSeconds: Int = 30, groupIntervalSeconds: Int = 300, pageRepeatSeconds: Int = 3600, warnRepeatSeconds: Int = 43_200) {
        self.groupWaitSeconds = groupWaitSeconds
        self.groupIntervalSeconds = groupIntervalSeconds
        self.pageRepeatSeconds = pageRepeatSeconds
        self.warnRepeatSeconds = warnRepeatSeconds
    }
}
