import FleetKit
import Foundation

/// The metrics page of `aztec-butler serve`: every metric name and label of the original
/// Butler (prefix `aztec_butler_`, label `network` on every series), plus scrape health,
/// the publisher's required balance, attesters that left the validator set and per-attester
/// duties from the node's sentinel.
public enum ButlerMetrics {
    /// The prefix of every metric name.
    public static let prefix = "aztec_butler_"

    /// The families for `state` at `now`; `version` goes into `aztec_butler_build_info`.
    public static func families(_ state: ButlerMonitorState, now: Date, version: String) -> [MetricFamily] {
        let network = ("network", state.network)
        func family(_ name: String, _ help: String, _ samples: [MetricSample], kind: MetricKind = .gauge) -> MetricFamily {
            MetricFamily(name: prefix + name, help: help, kind: kind, samples: samples)
        }
        func single(_ value: Double?) -> [MetricSample] {
            value.map { [MetricSample([network], value: $0)] } ?? []
        }
        func seconds(_ date: Date?) -> Double? { date.map { $0.timeIntervalSince1970.rounded(.down) } }
        let attesters = state.keys.attesters
        var families: [MetricFamily] = []

        families.append(family("build_info", "The daemon's version; always 1", [MetricSample([network, ("version", version)], value: 1)]))

        // Attester states over the attesters of the keys files; an attester not evaluated yet is NEW.
        var stateCounts: [AttesterState: Int] = [:]
        for attester in attesters { stateCounts[state.book.state(of: attester.address.address) ?? .new, default: 0] += 1 }
        families.append(family("nbrof_attesters_in_state", "Attesters of the keys files in each state of the attester state machine",
                               AttesterState.allCases.map { MetricSample([network, ("attester_state", $0.rawValue)], value: Double(stateCounts[$0] ?? 0)) }))
        var statusCounts: [AttesterView.Status: Int] = [:]
        if let statuses = state.statuses {
            for attester in attesters { statusCounts[statuses[attester.address.address] ?? .none, default: 0] += 1 }
        }
        families.append(family("attester_on_chain_status_count", "Attesters of the keys files by getAttesterView status",
                               state.statuses == nil ? [] : AttesterView.Status.allCases.map {
                                   MetricSample([network, ("status", $0.description)], value: Double(statusCounts[$0] ?? 0))
                               }))
        families.append(family("attesters_missing_coinbase", "1 for each attester of the keys files without a coinbase",
                               uniqueAddresses(state.keys.attestersWithoutCoinbase.map(\.address.address)).map {
                                   MetricSample([network, ("attester_address", $0.checksummed)], value: 1)
                               }))
        families.append(family("attester_states_last_updated_timestamp", "When the attester states were last evaluated (Unix seconds)",
                               single(seconds(state.statesUpdatedAt))))
        let left = attesters.compactMap { attester -> MetricSample? in
            guard let record = state.book.records[attester.address.address], record.state == .noLongerActive else { return nil }
            return MetricSample([network, ("attester_address", attester.address.address.checksummed)], value: seconds(record.lastUpdated) ?? 0)
        }
        families.append(family("attester_left_active_timestamp", "When an attester of the keys files was seen leaving the validator set (Unix seconds)",
                               uniqueSamples(left)))

        // Publishers.
        let minimumWei = state.minEthPerAttester.wei.doubleValue
        var load: [MetricSample] = []
        var balances: [MetricSample] = []
        var required: [MetricSample] = []
        for publisher in state.keys.publishers {
            let labels = [network, ("publisher_address", publisher.address.address.checksummed), ("server", publisher.serverId)]
            load.append(MetricSample(labels, value: publisher.load))
            required.append(MetricSample(labels, value: minimumWei * publisher.load.rounded(.up) / 1e18))
            if let balance = state.publisherBalances[publisher.address.address] {
                balances.append(MetricSample(labels, value: balance.doubleValue / 1e18))
            }
        }
        families.append(family("publisher_load", "A publisher's share of the work: 1 per attester naming it alone, 1/n when among n publishers", uniqueSamples(load)))
        families.append(family("publisher_eth_balance", "A publisher's balance in ETH", uniqueSamples(balances)))
        families.append(family("publisher_required_eth", "ETH a publisher should hold: its load rounded up × MIN_ETH_PER_ATTESTER", uniqueSamples(required)))

        // Queues.
        let providerLabel = ("staking_provider_id", state.providerId.map(String.init) ?? "")
        families.append(family("staking_provider_queue_length", "Attesters waiting in the staking provider's queue on the StakingRegistry",
                               state.providerQueue.map { [MetricSample([network, providerLabel], value: Double($0.count))] } ?? []))
        let stats = state.entryQueueStats
        families.append(family("entry_queue_length", "Attesters waiting in the rollup's entry queue",
                               single(stats.map { Double($0.global.totalQueueLength) })))
        families.append(family("entry_queue_time_per_attester_seconds", "Seconds between two arrivals in the validator set (epoch duration / flush size)",
                               single(stats?.global.timePerAttester)))
        families.append(family("entry_queue_last_attester_timestamp", "When the last attester of the entry queue arrives (Unix seconds)",
                               single(stats?.global.lastAttesterTimestamp.map(Double.init))))
        families.append(family("entry_queue_provider_count", "The provider's attesters in the entry queue",
                               single(stats.map { Double($0.provider.queueCount) })))
        families.append(family("entry_queue_provider_next_arrival_timestamp", "When the provider's next attester arrives (Unix seconds)",
                               single(stats?.provider.nextArrivalTimestamp.map(Double.init))))
        families.append(family("entry_queue_provider_last_arrival_timestamp", "When the provider's last queued attester arrives (Unix seconds)",
                               single(stats?.provider.lastArrivalTimestamp.map(Double.init))))
        var nextMissing: [MetricSample] = []
        if let missing = stats?.provider.nextMissingCoinbase, let timestamp = missing.timestamp {
            nextMissing.append(MetricSample([network, providerLabel, ("attester_address", missing.address)], value: Double(timestamp)))
        }
        families.append(family("entry_queue_provider_next_missing_coinbase_timestamp",
                               "When the provider's first queued attester without a coinbase arrives (Unix seconds)", nextMissing))
        families.append(family("entry_queue_last_scraped_timestamp", "When the entry queue was last read (Unix seconds)",
                               single(seconds(state.entryQueueScrapedAt))))

        // Duties from the node's sentinel, for the attesters of the keys files it reports.
        var missedAttestations: [MetricSample] = []
        var missedProposals: [MetricSample] = []
        var lastAttestation: [MetricSample] = []
        var lastProposal: [MetricSample] = []
        var totalSlots: [MetricSample] = []
        for address in uniqueAddresses(attesters.map(\.address.address)) {
            guard let duty = state.duties[address] else { continue }
            let labels = [network, ("attester_address", address.checksummed)]
            missedAttestations.append(MetricSample(labels, value: Double(duty.missedAttestations)))
            missedProposals.append(MetricSample(labels, value: Double(duty.missedProposals)))
            totalSlots.append(MetricSample(labels, value: Double(duty.totalSlots)))
            if let slot = duty.lastAttestationSlot { lastAttestation.append(MetricSample(labels, value: Double(slot))) }
            if let slot = duty.lastProposalSlot { lastProposal.append(MetricSample(labels, value: Double(slot))) }
        }
        families.append(family("attester_missed_attestations", "Attestations the attester missed within the node's sentinel window", missedAttestations))
        families.append(family("attester_missed_proposals", "Block proposals the attester missed within the node's sentinel window", missedProposals))
        families.append(family("attester_last_attestation_slot", "The slot of the attester's newest attestation", lastAttestation))
        families.append(family("attester_last_proposal_slot", "The slot of the attester's newest block proposal", lastProposal))
        families.append(family("attester_total_slots", "Slots with a duty for the attester within the node's sentinel window", totalSlots))

        // The daemon's own health.
        let scrapers = ButlerScraper.allCases.filter { state.health[$0]?.enabled ?? false }
        families.append(family("scrape_errors_total", "Failed runs of each scraper since the daemon started",
                               scrapers.map { MetricSample([network, ("scraper", $0.rawValue)], value: Double(state.health[$0]?.errors ?? 0)) },
                               kind: .counter))
        families.append(family("scrape_last_success_timestamp", "When each scraper last succeeded (Unix seconds; 0 before its first success)",
                               scrapers.map { MetricSample([network, ("scraper", $0.rawValue)], value: seconds(state.health[$0]?.lastSuccess) ?? 0) }))
        families.append(family("scrape_interval_seconds", "How often each scraper runs",
                               scrapers.map { MetricSample([network, ("scraper", $0.rawValue)], value: state.health[$0]?.interval.seconds ?? 0) }))
        families.append(family("keys_files_invalid", "Keys files that failed to load; each server's last good file is used meanwhile",
                               single(Double(state.invalidKeysFiles))))
        return families
    }

    /// The page in the text exposition format.
    public static func page(_ state: ButlerMonitorState, now: Date, version: String) -> String {
        PrometheusText.render(families(state, now: now, version: version))
    }

    private static func uniqueAddresses(_ addresses: [EthereumAddress]) -> [EthereumAddress] {
        var seen = Set<EthereumAddress>()
        return addresses.filter { seen.insert($0).inserted }
    }

    /// Drops samples whose labels repeat (an attester or publisher listed twice is an operator
    /// error reported elsewhere; the page must stay valid).
    private static func uniqueSamples(_ samples: [MetricSample]) -> [MetricSample] {
        var seen = Set<[String]>()
        return samples.filter { seen.insert($0.labels.map(\.value)).inserted }
    }
}
