import FleetKit
import Foundation

/// One attester's tracked state, as the original's `{network}-attester-state.json` keeps it.
public struct AttesterStateRecord: Sendable, Equatable {
    /// The state.
    public var state: AttesterState
    /// When the state last changed (or was first recorded).
    public var lastUpdated: Date
    /// Why it changed, when known; the original's files have none.
    public var reason: String?

    /// Creates a record.
    public init(state: AttesterState, lastUpdated: Date, reason: String? = nil) {
        self.state = state
        self.lastUpdated = lastUpdated
        self.reason = reason
    }
}

/// One state change, for the log and for metrics.
public struct AttesterStateChange: Sendable, Equatable, CustomStringConvertible {
    /// The attester.
    public var attester: EthereumAddress
    /// The state before; `nil` the first time the attester is seen.
    public var from: AttesterState?
    /// The state after.
    public var to: AttesterState
    /// Why.
    public var reason: String

    /// Creates a change.
    public init(attester: EthereumAddress, from: AttesterState?, to: AttesterState, reason: String) {
        self.attester = attester
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// "attester 0xAb… NEW → ACTIVE: the rollup reports it VALIDATING".
    public var description: String {
        "attester \(attester.checksummed) \(from?.rawValue ?? "(first seen)") → \(to.rawValue): \(reason)"
    }
}

/// Every attester's state for one network, advanced by ``AttesterStateMachine`` and stored in
/// the data folder as `{network}-attester-state.json` in the original's shape: an object keyed
/// by attester address, each `{"state", "lastUpdated"}` (ISO 8601), plus our `reason`.
/// Files the original wrote load unchanged; fields this version does not use are ignored.
public struct AttesterStateBook: Sendable, Equatable {
    /// The records by attester.
    public private(set) var records: [EthereumAddress: AttesterStateRecord]

    /// An empty book, or one with `records`.
    public init(records: [EthereumAddress: AttesterStateRecord] = [:]) {
        self.records = records
    }

    /// The state file of `network` in `dataDirectory`.
    public static func url(dataDirectory: URL, network: String) -> URL {
        dataDirectory.appendingPathComponent("\(network)-attester-state.json")
    }

    /// The state of `attester`, when tracked.
    public func state(of attester: EthereumAddress) -> AttesterState? {
        records[attester]?.state
    }

    /// Applies one observation per attester and returns the changes, each once: an attester
    /// whose state did not change is not reported. NO_LONGER_ACTIVE stays terminal.
    public mutating func advance(_ observations: [EthereumAddress: AttesterObservation], at now: Date) -> [AttesterStateChange] {
        var changes: [AttesterStateChange] = []
        for attester in observations.keys.sorted(by: { $0.lowercaseHex < $1.lowercaseHex }) {
            guard let observation = observations[attester] else { continue }
            let previous = records[attester]?.state
            let transition = AttesterStateMachine.next(from: previous, observing: observation)
            guard let reason = transition.reason else { continue }
            records[attester] = AttesterStateRecord(state: transition.state, lastUpdated: now, reason: reason)
            changes.append(AttesterStateChange(attester: attester, from: previous, to: transition.state, reason: reason))
        }
        return changes
    }

    /// Reads the file; a missing file is an empty book.
    ///
    /// - Throws: ``AttesterStateFileError`` naming the file and the entry that cannot be read;
    ///   the caller decides whether to start empty (the daemon does, keeping the bad file aside).
    public static func read(from url: URL) throws(AttesterStateFileError) -> AttesterStateBook {
        let data: Data
        do {
            data = try BoundedFile.read(url, limit: CoinbaseCache.maximumFileSize)
        } catch {
            if error.isMissing { return AttesterStateBook() }
            throw AttesterStateFileError(file: url.path, message: "cannot be read: \(error.reasonText)")
        }
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: data), let entries = json.objectValue else {
            throw AttesterStateFileError(file: url.path, message: "is not a JSON object keyed by attester address")
        }
        var records: [EthereumAddress: AttesterStateRecord] = [:]
        for (key, entry) in entries {
            guard let attester = EthereumAddress(hex: key), key.count == 42 else {
                throw AttesterStateFileError(file: url.path, message: "\(key): expected an attester address (0x + 40 hex digits)")
            }
            guard let text = entry["state"]?.stringValue, let state = AttesterState(rawValue: text) else {
                throw AttesterStateFileError(file: url.path, message: "\(key).state: expected one of \(AttesterState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard let stamp = entry["lastUpdated"]?.stringValue, let date = ISO8601Milliseconds.date(from: stamp) else {
                throw AttesterStateFileError(file: url.path, message: "\(key).lastUpdated: expected an ISO 8601 time such as 2025-01-31T12:00:00.000Z")
            }
            records[attester] = AttesterStateRecord(state: state, lastUpdated: date, reason: entry["reason"]?.stringValue)
        }
        return AttesterStateBook(records: records)
    }

    /// The file's bytes: keys are lowercase addresses, sorted, so equal books give equal files.
    public func jsonData() -> Data {
        var members: [String: JSONValue] = [:]
        for (attester, record) in records {
            var entry: [String: JSONValue] = ["state": .string(record.state.rawValue),
                                              "lastUpdated": .string(ISO8601Milliseconds.string(from: record.lastUpdated))]
            if let reason = record.reason { entry["reason"] = .string(reason) }
            members[attester.lowercaseHex] = .object(entry)
        }
        return (try? JSONEncoder.report().encode(JSONValue.object(members))) ?? Data("{}".utf8)
    }

    /// Writes the book atomically (the old file stays whole if anything fails).
    public func write(to url: URL) throws(AtomicFileError) {
        try AtomicFile.write(jsonData(), to: url, mode: 0o644)
    }
}

/// The attester state file cannot be used.
public struct AttesterStateFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file's path.
    public let file: String
    /// What is wrong, naming the entry.
    public let message: String

    /// "/data/mainnet-attester-state.json: 0xab….state: expected one of …".
    public var description: String { "\(file): \(message)" }
}

/// ISO 8601 with milliseconds in UTC, as JavaScript's `Date.toISOString()` writes it; reading
/// also accepts times without the fraction.
enum ISO8601Milliseconds {
    static func string(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    static func date(from text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }
}
