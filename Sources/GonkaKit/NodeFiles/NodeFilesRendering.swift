import FleetKit
import Foundation

/// Writes a node's `config.env` and `node-config.json` from its node file, without touching
/// any server: the node file read and checked (every problem at once), the files rendered
/// and written to the node's local folder. Returns what was written.
///
/// ```swift
/// let report = try NodeFilesRendering(nodeFile: URL(fileURLWithPath: "nodes/node1.conf"), nodeFileName: "nodes/node1.conf").run()
/// ```
public struct NodeFilesRendering: Sendable {
    /// The node file.
    public var nodeFile: URL
    /// The node file as the operator named it, in messages and the report.
    public var nodeFileName: String
    /// Values for `$NAME` in the node file: the caller's environment.
    public var environment: [String: String]
    /// Where the files go; `nil` is `nodes/<KEY_NAME>/` next to the node file.
    public var outputFolder: URL?

    /// Creates the rendering.
    public init(nodeFile: URL, nodeFileName: String, environment: [String: String] = [:], outputFolder: URL? = nil) {
        self.nodeFile = nodeFile
        self.nodeFileName = nodeFileName
        self.environment = environment
        self.outputFolder = outputFolder
    }

    /// Reads the node file and writes the files.
    ///
    /// - Throws: ``NodeConfigError`` for a node file with problems (nothing is written then),
    ///   ``AtomicFileGroupError`` when the files cannot be written (saying which were replaced).
    public func run() throws -> NodeFilesReport {
        let config = try NodeConfig.load(contentsOf: nodeFile, path: nodeFileName, environment: environment)
        let folder = outputFolder ?? NodeFiles.defaultFolder(nodeFile: nodeFile, keyName: config.keyName)
        return NodeFilesReport(config: config, folder: folder, written: try NodeFiles.write(config, to: folder))
    }
}
