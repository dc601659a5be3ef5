/// The original's `NODE_CONFIG_PROFILE`: which model the node serves and how.
public enum NodeProfile: String, CaseIterable, Sendable {
    /// One GPU (H100/A100) serving Qwen3-32B-FP8.
    case x1
    /// Eight GPUs serving Qwen3-235B-A22B-Instruct-2507-FP8 with tensor parallelism 4.
    case x8

    /// The model id node-config.json lists, which MODEL_NAME must name.
    public var modelName: String {
        switch self {
        case .x1: "Qwen/Qwen3-32B-FP8"
        case .x8: "Qwen/Qwen3-235B-A22B-Instruct-2507-FP8"
        }
    }

    /// The vLLM arguments node-config.json gives the model.
    public var modelArguments: [String] {
        switch self {
        case .x1: []
        case .x8: ["--tensor-parallel-size", "4"]
        }
    }

    /// A few words on the hardware, for messages and help.
    public var hardware: String {
        switch self {
        case .x1: "1 GPU"
        case .x8: "8 GPUs"
        }
    }

    /// The profile whose model is `modelName`, if any.
    public static func serving(_ modelName: String) -> NodeProfile? {
        allCases.first { $0.modelName == modelName }
    }
}
