/// Phase 0's GPU check of one node: the server's GPUs, the node-config.json configuration
/// judged against them (picked from the official ones when the node file leaves it open),
/// and why it cannot run there. A configuration that cannot run stops the deployment before
/// anything changes, unless the node file (`GPU_CHECK=warn`) or the caller overrides it.
public struct GPUCheckFinding: Sendable, Equatable {
    /// What `nvidia-smi` gave.
    public var gpus: ServerGPUs
    /// The configuration judged: the node file's, or the picked one.
    public var profile: NodeProfile
    /// How the configuration was picked, when the node file left it open and one fits.
    public var pick: ProfilePick?
    /// Whether the node file left the configuration open (`NODE_CONFIG_PROFILE=auto`).
    public var profileWasOpen: Bool
    /// Why the configuration cannot run on the GPUs (or why no GPU was read); empty when it can.
    public var problems: [String]
    /// Whether a configuration that cannot run is deployed all the same.
    public var overridden: Bool

    /// Judges `config`'s configuration against `gpus`; `overridden` when the caller lets a
    /// misfit through (the node file's `GPU_CHECK=warn` counts as well).
    public init(config: NodeConfig, gpus: ServerGPUs, overridden: Bool) {
        self.gpus = gpus
        profileWasOpen = config.profileIsOpen
        pick = config.profileIsOpen ? GPUFit.pick(model: config.modelName, gpus: gpus.gpus) : nil
        profile = pick?.profile ?? config.profile
        switch gpus {
        case .unreadable(let why): problems = ["no GPU was read: \(why)"]
        case .found(let found): problems = GPUFit.problems(profile, gpus: found)
        }
        self.overridden = overridden || config.gpuCheck == .warn
    }

    /// Whether the configuration can run on the GPUs.
    public var fits: Bool { problems.isEmpty }

    /// Whether the deployment stops here: the configuration cannot run and nothing overrides that.
    public var stopsDeployment: Bool { !fits && !overridden }

    /// The configuration in a few words: `x1 (Qwen/Qwen3-32B-FP8)`.
    public var configuration: String { "\(profile.rawValue) (\(profile.modelName)\(profile.modelArguments.isEmpty ? "" : ", " + profile.modelArguments.joined(separator: " ")))" }

    /// The parameter block's profile value: the profile, and how it was picked when it was.
    public var shownProfile: String {
        guard profileWasOpen else { return profile.rawValue }
        return pick.map { "\($0.description), picked for the GPUs" } ?? "\(profile.rawValue) (no configuration serving the model fits the GPUs)"
    }
}
