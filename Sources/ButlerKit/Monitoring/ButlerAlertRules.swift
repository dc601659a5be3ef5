import Foundation

/// The alert rules of `aztec-butler serve`, as shipped in `Examples/monitoring/alerts.yml` (a
/// test keeps the two identical), written beside the node rules by the monitoring files.
enum ButlerAlertRules {
    /// The rules file's text.
    static let text = #"""
# Alert rules for `aztec-butler serve` (see README.md in this folder).
# Checked by check.sh: `promtool check rules alerts.yml` and `promtool test rules alerts.test.yml`.
#
# Every series of the daemon carries `network`; Prometheus adds `job` and `instance`.
# Binary operators below use Prometheus' default one-to-one matching (all labels but the
# metric name), which is right because both sides come from the same daemon scrape and have
# exactly the same labels (network, publisher_address/server or scraper, job, instance).
# `on(...)` is not used there on purpose: with one-to-one matching it would drop every other
# label from the alert.
groups:
  - name: aztec-butler
    rules:
      # The provider's earliest-queued attester WITHOUT a coinbase joins the validator set in
      # less than a day (or already did: the difference is then negative). Rewards would go
      # nowhere: set its coinbase now. The series is absent when every queued attester has one.
      - alert: AztecAttesterNearQueueFrontWithoutCoinbase
        expr: aztec_butler_entry_queue_provider_next_missing_coinbase_timestamp - time() < 86400
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: "Attester {{ $labels.attester_address }} reaches the validator set within 24h without a coinbase"
          description: "Attester {{ $labels.attester_address }} of staking provider {{ $labels.staking_provider_id }} ({{ $labels.network }}) is the provider's next queued attester without a coinbase and arrives in {{ $value | humanizeDuration }}. Set its coinbase (aztec-butler fill-coinbases) and redeploy the keys file before it arrives."

      # Balance below the load rounded up x MIN_ETH_PER_ATTESTER. Both series have the same labels
      # (network, publisher_address, server, job, instance), so the default matching pairs each
      # publisher with its own requirement. An empty publisher fires this one and
      # AztecPublisherEmpty; inhibit this one by that one in Alertmanager if wanted.
      - alert: AztecPublisherLowBalance
        expr: aztec_butler_publisher_eth_balance < aztec_butler_publisher_required_eth
        for: 15m
        labels:
          severity: warning
        annotations:
          summary: "Publisher {{ $labels.publisher_address }} on {{ $labels.server }} is below its required ETH"
          description: 'Publisher {{ $labels.publisher_address }} (server {{ $labels.server }}, {{ $labels.network }}) holds {{ $value | printf "%.4f" }} ETH, less than the {{ with printf "aztec_butler_publisher_required_eth{network=%q,server=%q,publisher_address=%q}" $labels.network $labels.server $labels.publisher_address | query }}{{ . | first | value | printf "%.4f" }}{{ end }} ETH its attesters need (load rounded up x MIN_ETH_PER_ATTESTER). Top it up.'

      # No ETH at all while attesters depend on it: they cannot publish.
      - alert: AztecPublisherEmpty
        expr: aztec_butler_publisher_eth_balance == 0 and aztec_butler_publisher_load > 0
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: "Publisher {{ $labels.publisher_address }} on {{ $labels.server }} has no ETH"
          description: 'Publisher {{ $labels.publisher_address }} (server {{ $labels.server }}, {{ $labels.network }}) has 0 ETH but a publishing load of {{ with printf "aztec_butler_publisher_load{network=%q,server=%q,publisher_address=%q}" $labels.network $labels.server $labels.publisher_address | query }}{{ . | first | value | printf "%.1f" }}{{ end }}: its attesters cannot publish. Fund it now.'

      # An attester went from ACTIVE to NO_LONGER_ACTIVE.
      # Primary signal: the daemon's per-attester timestamp, younger than 24h. It names the
      # attester, does not depend on Prometheus' history (restarts, gaps, retention) and lasts
      # a full day. Fallback, only where no per-attester series fires for the same
      # network/job/instance (`or on(...)`): the NO_LONGER_ACTIVE count is above the highest
      # count of the day before the last hour. Comparing with the max, not the min, keeps a
      # daemon restart (counts briefly 0 before the first scrape) from looking like a rise; a
      # fresh Prometheus without that history yields nothing rather than a false alert.
      - alert: AztecAttesterLeftActive
        expr: |
          (time() - aztec_butler_attester_left_active_timestamp < 86400)
          or on(network, job, instance)
          (
              aztec_butler_nbrof_attesters_in_state{attester_state="NO_LONGER_ACTIVE"}
            - max_over_time(aztec_butler_nbrof_attesters_in_state{attester_state="NO_LONGER_ACTIVE"}[24h] offset 1h)
            > 0
          )
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "{{ if $labels.attester_address }}Attester {{ $labels.attester_address }} left the active set{{ else }}An attester of {{ $labels.network }} left the active set{{ end }}"
          description: "{{ if $labels.attester_address }}Attester {{ $labels.attester_address }} ({{ $labels.network }}) went from ACTIVE to NO_LONGER_ACTIVE {{ $value | humanizeDuration }} ago.{{ else }}The NO_LONGER_ACTIVE count of {{ $labels.network }} rose by {{ $value }} within the last hour (no per-attester timestamp available).{{ end }} Check whether it was slashed or exited (aztec-butler attesters) and whether its stake must be withdrawn or re-queued."

      # The duty metrics are gauges: the node's counts over its sliding history window, so they
      # also go DOWN when old misses leave the window. increase() is for counters: it would read
      # every such drop as a counter reset and add the whole post-"reset" value, firing on an
      # attester that missed nothing new. delta() is the gauge function: last minus first sample
      # of the hour (extrapolated to the window's edges, which only scales a true change of 3 up,
      # never down). It is a net change, so misses that age out during the hour can hide as many
      # new ones; that errs on the quiet side.
      - alert: AztecMissedAttestationsRising
        expr: delta(aztec_butler_attester_missed_attestations[1h]) >= 3
        for: 10m
        labels:
          severity: warning
        annotations:
          summary: "Attester {{ $labels.attester_address }} keeps missing attestations"
          description: 'Attester {{ $labels.attester_address }} ({{ $labels.network }}) missed {{ $value | printf "%.0f" }} more attestations over the last hour. Check its node (sync, peers, L1 connection) and its remote signer.'

      # A scraper of the daemon has not succeeded for 3 of its own intervals (each scraper
      # exports its interval; both series are matched on all their labels, scraper included).
      # A last-success of 0 (never succeeded since the daemon started) also fires.
      - alert: AztecButlerScrapeStale
        expr: time() - aztec_butler_scrape_last_success_timestamp > 3 * aztec_butler_scrape_interval_seconds
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "aztec-butler scraper {{ $labels.scraper }} is stale on {{ $labels.instance }}"
          description: "The {{ $labels.scraper }} scraper of aztec-butler ({{ $labels.network }}, {{ $labels.instance }}) last succeeded {{ $value | humanizeDuration }} ago, more than 3 of its intervals: its metrics are out of date. Check the daemon's log (journalctl -u the aztec-butler unit) and the Ethereum / Aztec nodes it reads."

      # Errors kept coming for 15 minutes: a single failed scrape stays pending (its increase
      # leaves the 15m window before `for` is reached), repeated ones fire.
      - alert: AztecButlerScrapeErrors
        expr: increase(aztec_butler_scrape_errors_total[15m]) > 0
        for: 15m
        labels:
          severity: warning
        annotations:
          summary: "aztec-butler scraper {{ $labels.scraper }} keeps failing on {{ $labels.instance }}"
          description: 'The {{ $labels.scraper }} scraper of aztec-butler ({{ $labels.network }}, {{ $labels.instance }}) failed {{ $value | printf "%.0f" }} time(s) in the last 15 minutes, and has kept failing for 15 minutes. Check the daemon log and the nodes it reads.'

      - alert: AztecButlerDown
        expr: up{job="aztec-butler"} == 0
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: "aztec-butler on {{ $labels.instance }} is down"
          description: "Prometheus could not scrape aztec-butler at {{ $labels.instance }} for 5 minutes: none of its metrics or alerts are current. Check the service (systemctl status, journalctl -u the aztec-butler unit), its port and, for a remote butler, the bearer token."

      # The daemon keeps the last good view of a keys file that fails to load.
      - alert: AztecButlerInvalidKeysFile
        expr: aztec_butler_keys_files_invalid > 0
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "{{ $value }} keys file(s) of {{ $labels.network }} fail to load on {{ $labels.instance }}"
          description: "aztec-butler ({{ $labels.network }}, {{ $labels.instance }}) cannot load {{ $value }} keys file(s) and keeps using their last good version. Run `aztec-butler --network {{ $labels.network }} keys` to see the file and the JSON path of the problem, then fix or replace the file."
"""# + "\n"
}

extension ButlerAlertRules {
    /// The names of the rules' alerts, in file order.
    static var alertNames: [String] {
        text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- alert: ") ? String(trimmed.dropFirst("- alert: ".count)) : nil
        }
    }
}
