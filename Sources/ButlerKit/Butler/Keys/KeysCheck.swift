import Foundation

/// `keys`: finds each server's newest keys file of one network in the data folder and reports
/// the merged totals and every problem (bad files, an attester on two servers, a publisher
/// shared by two servers). Reads no configuration file, so it works while one is broken.
public struct KeysCheck: Sendable {
    /// The folder holding `{network}-keys-{serverId}-v{N}.json`.
    public var dataDirectory: URL
    /// The network whose keys files are read.
    public var network: String

    /// Checks the keys files of `network` in `dataDirectory`.
    public init(dataDirectory: URL, network: String) {
        self.dataDirectory = dataDirectory
        self.network = network
    }

    /// Checks the keys files in the data folder `request` resolves to.
    public init(_ request: ButlerConfigurationRequest) {
        self.init(dataDirectory: request.paths.dataDirectory, network: request.network)
    }

    /// Reads the folder; bad files are problems of the report, not errors.
    /// - Throws: ``KeysDirectoryError`` when the folder cannot be listed.
    public func run() throws(KeysDirectoryError) -> KeysReport {
        KeysReport(try KeysDirectory(folder: dataDirectory, network: network).discover())
    }
}
