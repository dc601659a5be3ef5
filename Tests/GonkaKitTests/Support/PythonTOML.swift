import FleetKit
import Foundation

/// Python's `tomllib`, the independent check that an edited file is still TOML.
enum PythonTOML {
    /// Parses `text` with `tomllib` and returns the document (as JSON values); throws what Python reported.
    static func load(_ text: String) async throws -> [String: Any] {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file.toml")
        try Data(text.utf8).write(to: file)
        let script = "import json, sys, tomllib\nprint(json.dumps(tomllib.load(open(sys.argv[1], 'rb')), default=str))"
        let output = try await ProcessRunner.run(ProcessRequest(executable: "/usr/bin/env", arguments: ["python3", "-c", script, file.path],
                                                                timeout: .seconds(30)))
        guard output.status == 0 else {
            throw GonkaTestError(description: "tomllib refused the file: " + String(decoding: output.standardError, as: UTF8.self))
        }
        guard let document = try JSONSerialization.jsonObject(with: output.standardOutput) as? [String: Any] else {
            throw GonkaTestError(description: "tomllib returned no table")
        }
        return document
    }
}
