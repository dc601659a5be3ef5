import FleetKit
import Foundation

/// Phase 4's registration of the node as a participant under the cold account
/// (`ACCOUNT_PUBKEY`), with `inferenced register-new-participant` in a throwaway api
/// container as the original runs it. Unlike the original, registration is checked, and
/// skipped, by looking up the cold account's address (derived from `ACCOUNT_PUBKEY`) in
/// the seed API: the original looks up the warm address, which is never the participant.
public enum ParticipantRegistration {
    /// The text `register-new-participant` prints on success.
    public static let successText = "Participant registration successful"

    /// The cold account's address (`gonka1…`) of `config`'s `ACCOUNT_PUBKEY`.
    public static func coldAddress(_ config: NodeConfig) throws(StepFailure) -> String {
        do {
            return try config.accountPublicKey.accountAddress()
        } catch {
            throw StepFailure("cannot derive the cold account's address from ACCOUNT_PUBKEY: \(error.message)")
        }
    }

    /// The remote command: config.env sourced (so the values come from the file phase 3
    /// wrote, as in the original, and nothing from the node file is spliced in here).
    static func command(_ config: NodeConfig) -> String {
        BasicServicesPhase.compose(config) + " run --rm --no-deps -T api inferenced register-new-participant "
            + "\"$DAPI_API__PUBLIC_URL\" \"$ACCOUNT_PUBKEY\" --node-address \"$DAPI_CHAIN_NODE__SEED_API_URL\""
    }

    /// The step: SKIP when the cold account is a participant already; else register, keep
    /// the output in `registration.txt` and look the participant up once (a miss is a
    /// warning: the API may need time to show it).
    public static func step(_ config: NodeConfig, localFolder: URL, seedAPI: SeedAPI) -> Step {
        let file = localFolder.appendingPathComponent("registration.txt")
        return Step(
            "participant registration",
            check: .swift { _ in try await isRegistered(config, seedAPI: seedAPI) },
            action: .swift { context in
                let cold = try coldAddress(config)
                let result = try await context.run(RemoteCommand(command(config), timeout: .seconds(600)))
                let output = result.standardOutput + result.standardError
                try AtomicFile.createDirectory(localFolder, mode: 0o700)
                try AtomicFile.write(output, to: file, mode: 0o644)
                guard result.succeeded else {
                    throw StepFailure("register-new-participant failed (\(result.summary)); its output is in \(file.path)")
                }
                if output.contains(successText) {
                    context.log(.ok, "Participant registered successfully")
                } else {
                    context.log(.warn, "Registration output saved to: \(file.path)")
                }
                if try await isRegistered(config, seedAPI: seedAPI) {
                    context.log(.ok, "Participant verified in blockchain: \(seedAPI.participantURL(cold))")
                } else {
                    context.log(.warn, "Participant not yet visible in API (may need time to propagate)")
                    context.log(.warn, "Check manually: \(seedAPI.participantURL(cold))")
                }
            },
            timeout: .seconds(900))
    }

    /// Whether the cold account is a participant, by the seed API.
    static func isRegistered(_ config: NodeConfig, seedAPI: SeedAPI) async throws(StepFailure) -> Bool {
        let cold = try coldAddress(config)
        do {
            return try await seedAPI.isParticipant(cold)
        } catch {
            throw StepFailure("cannot check the participant \(cold): \(error.message)")
        }
    }
}
