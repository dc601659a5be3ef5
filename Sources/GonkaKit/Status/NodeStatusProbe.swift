import FleetKit
import Foundation

/// Reads one node's ``NodeStatus``: on the server through the run's connection (services,
/// the node's RPC, the ML node, the admin API, the data volume) and from the seed node's
/// public API on this machine (the network's height, the participant, the current epoch,
/// the validator's signing record). Every reading that fails stays unknown; nothing throws.
enum NodeStatusProbe {
    /// The bech32 prefix of validator consensus addresses on the Gonka chain.
    static let consensusAddressPrefix = "gonkavalcons"

    static func read(_ config: NodeConfig, context: HostContext, seedAPI: SeedAPI, now: Date) async -> NodeStatus {
        var status = NodeStatus(keyName: config.keyName, server: "\(config.sshUser)@\(config.serverAddress.urlHost)")
        guard (try? await context.run(RemoteCommand("echo ok", timeout: .seconds(60))))?.succeeded == true else {
            status.attention = NodeStatus.attention(for: status)
            return status
        }
        status.reachable = true
        if let listed = try? await context.run(RemoteCommand(FinalLaunchPhase.missingServicesScript(config), timeout: .seconds(120))), listed.succeeded {
            status.servicesDown = listed.standardOutput.split(separator: "\n").map(String.init)
        }
        let nodeStatus = (try? await NodeServerProbe.get(NodeServerProbe.chainStatusURL, context)).flatMap { $0 }.flatMap { JSONValue(parsing: Data($0.utf8)) }
        status.height = nodeStatus?.firstValue(forKey: "latest_block_height")?.integerFromNumberOrText
        if status.height == nil { status.height = try? await NodeServerProbe.chainHeight(context) }
        status.catchingUp = nodeStatus?.firstValue(forKey: "catching_up")?.boolValue
        if status.catchingUp == true { status.stateSyncChunk = try? await NodeServerProbe.syncChunk(context) }
        if let network = try? await seedAPI.chainRPC("status") {
            status.networkHeight = JSONValue(parsing: network)?.firstValue(forKey: "latest_block_height")?.integerFromNumberOrText
        }
        if let cold = try? ParticipantRegistration.coldAddress(config) {
            status.participantRegistered = try? await seedAPI.isParticipant(cold)
            if let epoch = try? await seedAPI.get(seedAPI.baseURL + "/v1/epochs/current/participants"), epoch.status == 200 {
                status.inCurrentEpoch = String(decoding: epoch.body, as: UTF8.self).contains(cold)
            }
        }
        if let hex = nodeStatus?.value(at: ["result", "validator_info", "address"])?.stringValue {
            await readSigningInfo(validatorHex: hex, seedAPI: seedAPI, now: now, into: &status)
        }
        status.mlNodeHealthy = (try? await NodeServerProbe.get("http://localhost:8080/health", context)).flatMap { $0 } != nil
        status.mlNodeStatus = try? await NodeServerProbe.adminNodeStatus(context)
        if let devices = (try? await NodeServerProbe.get("http://localhost:8080/api/v1/gpu/devices", context)).flatMap({ $0 }),
           let json = JSONValue(parsing: Data(devices.utf8)) {
            status.gpusSeen = (json["devices"]?.arrayValue ?? json.arrayValue)?.count
        }
        let volume = ShellQuote.quote(config.volumeMount)
        if let df = try? await context.run(RemoteCommand("df -P -k \(volume)", timeout: .seconds(30))), df.succeeded,
           let (total, free) = diskFigures(dfOutput: df.standardOutput) {
            status.diskTotalMiB = total
            status.diskFreeMiB = free
        }
        status.attention = NodeStatus.attention(for: status)
        return status
    }

    /// `jailed` and `missedBlocks` from the seed node's slashing record of the validator
    /// whose consensus address is `validatorHex` (the node's `/status` `validator_info.address`).
    static func readSigningInfo(validatorHex: String, seedAPI: SeedAPI, now: Date, into status: inout NodeStatus) async {
        guard case .record(let missed, let jailed) = await signingRecord(validatorHex: validatorHex, seedAPI: seedAPI, now: now) else { return }
        status.missedBlocks = missed
        if let jailed { status.jailed = jailed }
    }

    /// What the seed node's slashing module holds on a validator.
    enum SigningRecord: Sendable, Equatable {
        /// Its missed blocks in the signing window and whether its `jailed_until` lies ahead (each `nil` when not given).
        case record(missedBlocks: Int?, jailed: Bool?)
        /// The chain keeps no record: the node is not (yet) a validator.
        case noRecord
        /// The record cannot be read; why.
        case unknown(String)
    }

    /// The slashing record of the validator whose consensus address is `validatorHex`, from the seed node's chain API.
    static func signingRecord(validatorHex: String, seedAPI: SeedAPI, now: Date) async -> SigningRecord {
        guard let bytes = Hex.decode(validatorHex), bytes.count == 20,
              let consensus = try? Bech32.encode(prefix: consensusAddressPrefix, data: bytes) else {
            return .unknown("the validator address is not 20 bytes of hex")
        }
        let response: HTTPResponse
        do {
            response = try await seedAPI.get(seedAPI.baseURL + "/chain-api/cosmos/slashing/v1beta1/signing_infos/" + consensus)
        } catch {
            return .unknown(error.message)
        }
        if response.status == 404 { return .noRecord }
        guard response.status == 200, let info = JSONValue(parsing: response.body)?["val_signing_info"] else {
            return .unknown("the seed node's signing record of \(consensus) answered \(response.status)")
        }
        return .record(missedBlocks: info["missed_blocks_counter"]?.integerFromNumberOrText,
                       jailed: info["jailed_until"]?.stringValue.flatMap(parseTime).map { $0 > now })
    }

    /// An RFC 3339 time as the chain writes it, with or without fractional seconds.
    static func parseTime(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter(), fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        // Nanosecond fractions are more than the formatter reads: keep milliseconds.
        let trimmed = text.replacingOccurrences(of: #"(\.\d{3})\d+"#, with: "$1", options: .regularExpression)
        return plain.date(from: trimmed) ?? fractional.date(from: trimmed)
    }

    /// Size and free space in MiB from `df -P -k` output (its second line).
    static func diskFigures(dfOutput: String) -> (total: Int, free: Int)? {
        let lines = dfOutput.split(separator: "\n")
        guard lines.count >= 2 else { return nil }
        let fields = lines[1].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 4, let total = Int(fields[1]), let free = Int(fields[3]) else { return nil }
        return (total / 1024, free / 1024)
    }
}
