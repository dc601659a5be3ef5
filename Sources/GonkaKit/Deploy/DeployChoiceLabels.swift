/// How the caller names the run's choices in the lines it shows (a tool passes its flags,
/// such as `--check`); the defaults are the deployment's own words.
public struct DeployChoiceLabels: Sendable, Equatable {
    /// Check mode: only checks run.
    public var checkMode: String
    /// An advance confirmation: the run goes ahead without asking.
    public var advanceConfirmation: String
    /// The chain-data reset of phase 5.
    public var chainDataReset: String
    /// Deploying although the server's GPUs cannot run the node's configuration.
    public var gpuCheckOverride: String

    /// Creates labels; the defaults are domain words.
    public init(checkMode: String = "check mode", advanceConfirmation: String = "advance confirmation",
                chainDataReset: String = "the chain-data reset", gpuCheckOverride: String = "the GPU check override") {
        self.checkMode = checkMode
        self.advanceConfirmation = advanceConfirmation
        self.chainDataReset = chainDataReset
        self.gpuCheckOverride = gpuCheckOverride
    }
}
