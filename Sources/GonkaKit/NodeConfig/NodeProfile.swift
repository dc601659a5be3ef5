/// What `node-config.json` describes (`NODE_CONFIG_PROFILE`): which model the node serves
/// and how. `x1` and `x8` are the original's; `x8-4090` is the third configuration of
/// Gonka's quickstart (eight RTX 4090 serving Qwen3-32B-FP8 with tensor parallelism 4).
/// The GPUs each one was written for are in ``officialHardware``.
public enum NodeProfile: String, CaseIterable, Sendable {
    /// One GPU (H100/A100) serving Qwen3-32B-FP8.
    case x1
    /// Eight GPUs (H100 or H200) serving Qwen3-235B-A22B-Instruct-2507-FP8 with tensor parallelism 4.
    case x8
    /// Eight RTX 4090 serving Qwen3-32B-FP8 with tensor parallelism 4.
    case x8RTX4090 = "x8-4090"

    /// The profiles of the original `mitch_help.sh`, whose node-config.json it writes byte for byte.
    public static let original: [NodeProfile] = [.x1, .x8]

    /// The model id node-config.json lists, which MODEL_NAME must name.
    public var modelName: String {
        switch self {
        case .x1, .x8RTX4090: "Qwen/Qwen3-32B-FP8"
        case .x8: "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"
        }
    }

    /// The vLLM arguments node-config.json gives the model.
    public var modelArguments: [String] {
        switch self {
        case .x1: []
        case .x8, .x8RTX4090: ["--tensor-parallel-size", "4"]
        }
    }

    /// A few words on the hardware, for messages and help.
    public var hardware: String {
        switch self {
        case .x1: "1 GPU"
        case .x8: "8 GPUs"
        case .x8RTX4090: "8 RTX 4090"
        }
    }

    /// The first profile whose model is `modelName`, if any.
    public static func serving(_ modelName: String) -> NodeProfile? {
        allCases.first { $0.modelName == modelName }
    }
}
