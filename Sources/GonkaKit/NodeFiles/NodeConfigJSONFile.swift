/// `node-config.json` for `deploy/join`: one inference node (`node1` on the `inference`
/// host, ports 5000 and 8080, 500 concurrent requests) serving the profile's model,
/// byte for byte as the original writes it (two-space indentation, a final newline).
public enum NodeConfigJSONFile {
    /// The file's text for `profile`.
    public static func render(_ profile: NodeProfile) -> String {
        let arguments = profile.modelArguments.isEmpty
            ? "[]"
            : "[\n" + profile.modelArguments.map { "          \(jsonString($0))" }.joined(separator: ",\n") + "\n        ]"
        return """
            [
              {
                "id": "node1",
                "host": "inference",
                "inference_port": 5000,
                "poc_port": 8080,
                "max_concurrent": 500,
                "models": {
                  \(jsonString(profile.modelName)): {
                    "args": \(arguments)
                  }
                }
              }
            ]

            """
    }

    /// A model id or argument as a JSON string: these are the profiles' fixed constants,
    /// which hold no character JSON would escape.
    static func jsonString(_ text: String) -> String {
        "\"" + text + "\""
    }
}
