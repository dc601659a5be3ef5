import FleetKit
import Foundation

/// What the daemon publishes after every scraper run: the metrics page and a health summary.
public struct ButlerDaemonSnapshot: Sendable {
    /// The metrics page in the Prometheus text format.
    public var metrics: String
    /// One line per scraper for `/healthz`: name, last success, errors.
    public var health: String
}

/// The daemon of `aztec-butler serve` for one network: scrapers on their own intervals, the
/// attester state machine with its state file, and a fresh metrics page after every run.
///
/// A failing source never stops it: the scraper's error counter grows, its metrics keep
/// their last values, and the next run tries again. Cancel the task running ``run()`` to stop;
/// the states are saved before it returns.
public actor ButlerDaemon {
    /// The network's configuration.
    public let configuration: ButlerConfiguration
    /// How it runs.
    public let options: ButlerDaemonOptions
    /// Everything known now.
    public private(set) var state: ButlerMonitorState
    private let http: any HTTPTransport
    private let log: @Sendable (String) -> Void
    private let publish: @Sendable (ButlerDaemonSnapshot) -> Void
    private var keysWatcher: KeysWatcher
    private var context: ChainContext?
    private var failingSince: [ButlerScraper: Int] = [:]
    private let stateFile: URL
    /// Up to this many attesters seen for the first time in one evaluation are logged one by one.
    static let firstSeenListed = 10

    /// Prepares the daemon; nothing is read until ``run()``.
    ///
    /// - Parameters:
    ///   - log: receives one line per event worth an operator's attention: transitions,
    ///     a source failing or recovering, a bad keys file. Never a secret.
    ///   - publish: receives the page after every scraper run (from the daemon's executor).
    public init(configuration: ButlerConfiguration, options: ButlerDaemonOptions = ButlerDaemonOptions(),
                http: any HTTPTransport = URLSessionHTTPTransport(),
                log: @escaping @Sendable (String) -> Void, publish: @escaping @Sendable (ButlerDaemonSnapshot) -> Void) {
        self.configuration = configuration
        self.options = options
        self.http = http
        self.log = log
        self.publish = publish
        let providerId = configuration.stakingProviderId?.uint64Value
        state = ButlerMonitorState(network: configuration.network, providerId: providerId, minEthPerAttester: configuration.minEthPerAttester,
                                   intervals: options.intervals, disabled: providerId == nil ? [.providerQueue] : [])
        keysWatcher = KeysWatcher(directory: KeysDirectory(folder: configuration.paths.dataDirectory, network: configuration.network))
        stateFile = AttesterStateBook.url(dataDirectory: configuration.paths.dataDirectory, network: configuration.network)
    }

    /// Restores the states, runs every scraper once (keys, queues, views, balances, duties),
    /// then each on its interval until the task is cancelled; saves the states before returning.
    public func run() async {
        restoreStates()
        if !(state.health[.providerQueue]?.enabled ?? false) {
            log("no staking provider configured (AZTEC_STAKING_PROVIDER_ID): the provider queue is not read")
        }
        let scrapers = ButlerScraper.allCases.filter { state.health[$0]?.enabled ?? false }.sorted()
        for scraper in scrapers where !Task.isCancelled {
            await runOnce(scraper)
        }
        await withTaskGroup(of: Void.self) { group in
            for scraper in scrapers {
                let interval = options.intervals[scraper]
                group.addTask {
                    while !Task.isCancelled {
                        do {
                            try await Task.sleep(for: interval)
                        } catch {
                            return
                        }
                        await self.runOnce(scraper)
                    }
                }
            }
        }
        saveStates()
    }

    /// Runs one scraper now and publishes the page; failures are counted, never thrown.
    public func runOnce(_ scraper: ButlerScraper) async {
        do {
            try await scrape(scraper)
            state.health[scraper]?.succeeded(at: Date())
            if let failures = failingSince.removeValue(forKey: scraper) {
                log("\(scraper.rawValue): recovered after \(Plural.count(failures, "failed run"))")
            }
        } catch {
            // Stopping (SIGTERM) cancels reads in flight; that is not a failing source.
            if Task.isCancelled { return }
            let message = Self.message(error)
            state.health[scraper]?.failed(message)
            let failures = (failingSince[scraper] ?? 0) + 1
            failingSince[scraper] = failures
            // The first failure of a streak is logged; the streak's length shows in the metrics.
            if failures == 1 { log("\(scraper.rawValue): \(message); keeping the last values and trying again every \(Self.shown(options.intervals[scraper]))") }
        }
        publishPage()
    }

    /// The current page, as published.
    public func snapshot() -> ButlerDaemonSnapshot {
        let now = Date()
        let version = options.version
        let lines = ButlerScraper.allCases.compactMap { scraper -> String? in
            guard let health = state.health[scraper], health.enabled else { return nil }
            let last = health.lastSuccess.map { ISO8601Milliseconds.string(from: $0) } ?? "never"
            return "\(scraper.rawValue) last_success=\(last) errors=\(health.errors)"
        }
        return ButlerDaemonSnapshot(metrics: ButlerMetrics.page(state, now: now, version: version),
                                    health: "ok \(state.network)\n" + lines.joined(separator: "\n") + "\n")
    }

    private func publishPage() {
        publish(snapshot())
    }

    private func scrape(_ scraper: ButlerScraper) async throws {
        switch scraper {
        case .keys:
            let update = try keysWatcher.refresh()
            for problem in update.newProblems { log("keys: \(problem)") }
            state.keys = keysWatcher.merged
            state.invalidKeysFiles = keysWatcher.invalidFiles.count
        case .attesterViews:
            let context = try await chainContext()
            let rollup = RollupReader(client: context.ethereum, rollup: context.rollup, strategy: context.strategy)
            let views = try await rollup.attesterViews(of: state.keys.attesters.map(\.address.address))
            var statuses: [EthereumAddress: AttesterView.Status] = [:]
            for view in views { statuses[view.attester] = view.status }
            state.statuses = statuses
            advanceStates()
        case .providerQueue:
            guard let providerId = state.providerId else { return }
            let context = try await chainContext()
            guard let registry = options.stakingRegistry ?? StakingRegistryDeployments.address(chainId: context.chainId) else {
                throw ButlerDaemonError(situation: "no StakingRegistry is known for L1 chain \(context.chainId); give its address to read the provider queue",
                                        choice: .stakingRegistry)
            }
            let reader = StakingRegistryReader(client: context.ethereum, registry: registry, strategy: context.strategy)
            state.providerQueue = try await reader.providerQueue(providerId).map(\.attester)
            advanceStates()
        case .entryQueue:
            let context = try await chainContext()
            let rollup = RollupReader(client: context.ethereum, rollup: context.rollup, strategy: context.strategy)
            let parameters = try await rollup.queueParameters()
            let queue = try await rollup.entryQueue().map(\.attester)
            var flags: [EthereumAddress: Bool] = [:]
            for attester in state.keys.attesters { flags[attester.address.address] = attester.coinbase != nil }
            let now = Date()
            state.entryQueue = queue
            state.entryQueueStats = EntryQueueStats(network: state.network, providerId: state.providerId ?? 0, parameters: parameters,
                                                    queue: queue, providerAttesters: flags, now: now)
            state.entryQueueScrapedAt = now
            advanceStates()
        case .publisherBalances:
            let context = try await chainContext()
            let publishers = state.keys.publishers.map(\.address.address)
            let balances = try await context.ethereum.balances(of: publishers)
            state.publisherBalances = Dictionary(zip(publishers, balances), uniquingKeysWith: { first, _ in first })
        case .validatorStats:
            let node = AztecNodeClient(url: configuration.aztecNodeURL, options: options.rpc, transport: http)
            state.duties = try await node.validatorsStats().validators
        }
    }

    private func advanceStates() {
        let changes = state.advanceStates(at: Date())
        guard !changes.isEmpty else { return }
        // Attesters seen for the first time are listed one by one when few (a keys file gained
        // one) and summed up when many (the first start), so the log stays readable at 5,000.
        let firstSeen = changes.filter { $0.from == nil }
        if firstSeen.count > Self.firstSeenListed {
            var counts: [AttesterState: Int] = [:]
            for change in firstSeen { counts[change.to, default: 0] += 1 }
            let summary = AttesterState.allCases.compactMap { state in counts[state].map { "\($0) \(state.rawValue)" } }
            log("first seen: \(Plural.count(firstSeen.count, "attester")): \(summary.joined(separator: ", "))")
        } else {
            for change in firstSeen { log(change.description) }
        }
        for change in changes where change.from != nil { log(change.description) }
        saveStates()
    }

    private func chainContext() async throws -> ChainContext {
        if let context { return context }
        let connected = try await ChainContext.connect(configuration, multicall3: options.multicall3, http: http)
        log("connected: rollup \(connected.rollup.checksummed) on L1 chain \(connected.chainId), Aztec node \(connected.nodeVersion)")
        context = connected
        return connected
    }

    private func restoreStates() {
        do {
            state.book = try AttesterStateBook.read(from: stateFile)
            if !state.book.records.isEmpty { log("restored \(Plural.count(state.book.records.count, "attester state")) from \(stateFile.path)") }
        } catch {
            // A damaged file is kept aside for the operator, never overwritten silently.
            let aside = stateFile.deletingPathExtension().appendingPathExtension("unreadable-\(Int(Date().timeIntervalSince1970)).json")
            try? FileManager.default.moveItem(at: stateFile, to: aside)
            log("\(error); moved it to \(aside.lastPathComponent) and starting with no states")
        }
    }

    /// Writes the states atomically; a failure is logged and retried at the next change.
    public func saveStates() {
        do {
            try AtomicFile.createDirectory(stateFile.deletingLastPathComponent(), mode: 0o700)
            try state.book.write(to: stateFile)
        } catch {
            log("cannot save the attester states to \(stateFile.path): \(error)")
        }
    }

    private static func message(_ error: any Error) -> String {
        "\(error)".replacingOccurrences(of: "\n", with: " ")
    }

    private static func shown(_ interval: Duration) -> String {
        let seconds = interval.seconds
        return seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
