import FleetKit
import Foundation

/// The keys files of one network in a data folder, as the original's server discovers them:
/// every `{network}-keys-{serverId}-v{N}.json`, and for each server only its highest version.
///
/// Files of other networks and other files are ignored. A file that cannot be read or checked
/// is reported with its path while the others still load; its server is then left out rather
/// than silently falling back to an older version.
public struct KeysDirectory: Sendable {
    /// The data folder, e.g. `~/.local/share/aztec-butler`.
    public let folder: URL
    /// The network whose files are wanted, e.g. `mainnet`.
    public let network: String

    /// Describes the keys files of `network` in `folder`.
    public init(folder: URL, network: String) {
        self.folder = folder
        self.network = network
    }

    /// The names of this network's keys files in the folder, sorted by server and version;
    /// empty when the folder does not exist.
    public func fileNames() throws(KeysDirectoryError) -> [KeysFileName] {
        try matchingEntries().map(\.name)
    }

    /// Loads the highest version of every server's keys file; bad files become problems.
    public func discover() throws(KeysDirectoryError) -> KeysDiscovery {
        var byServer: [String: [(entry: String, name: KeysFileName)]] = [:]
        let listing = try entries()
        for found in listing.matching { byServer[found.name.serverId, default: []].append(found) }
        var loaded: [LoadedKeysFile] = []
        var failures: [KeysFileError] = []
        var superseded: [KeysFileName] = []
        // A version too large to count is the newest one: its server is left out, as for any bad newest file.
        for (entry, _) in listing.uncountable {
            failures.append(KeysFileError(file: folder.appendingPathComponent(entry).path, message: Self.uncountableMessage(entry)))
        }
        let uncountableServers = Set(listing.uncountable.map(\.serverId))
        for serverId in byServer.keys.sorted() where !uncountableServers.contains(serverId) {
            let versions = byServer[serverId] ?? []
            guard let newest = versions.last else { continue }
            superseded += versions.filter { $0.name.version < newest.name.version }.map(\.name)
            let url = folder.appendingPathComponent(newest.entry)
            let sameVersion = versions.filter { $0.name.version == newest.name.version }.map(\.entry)
            if sameVersion.count > 1 {
                failures.append(KeysFileError(file: url.path, message: "\(sameVersion.joined(separator: " and ")) are both version \(newest.name.version) of server \(serverId); keep one"))
                continue
            }
            do {
                loaded.append(LoadedKeysFile(name: newest.name, url: url, contents: try KeysFile.read(from: url)))
            } catch {
                // Problems name the file by its full path, so the operator knows which one to open.
                failures.append(KeysFileError(file: url.path, problems: error.problems.map {
                    KeysFileProblem(file: url.path, jsonPath: $0.jsonPath, message: $0.message)
                }))
            }
        }
        return KeysDiscovery(network: network, folder: folder, files: loaded, failures: failures, superseded: superseded)
    }

    /// The name of the next version for `serverId`: the highest existing version + 1, or v1.
    /// - Throws: ``KeysDirectoryError`` when the highest version is the largest number there is,
    ///   or a file of the server has a version number too large to count.
    public func nextFileName(serverId: String) throws(KeysDirectoryError) -> KeysFileName {
        let listing = try entries()
        if let (entry, _) = listing.uncountable.first(where: { $0.serverId == serverId }) {
            throw KeysDirectoryError(folder: folder.path, reason: Self.uncountableMessage(entry))
        }
        guard let highest = listing.matching.map(\.name).filter({ $0.serverId == serverId }).last else {
            return KeysFileName(network: network, serverId: serverId, version: 1)
        }
        guard let next = highest.next else {
            throw KeysDirectoryError(folder: folder.path, reason: "\(highest.fileName) has the largest version number there is, so no next version can be named; rename it with a smaller number")
        }
        return next
    }

    static func uncountableMessage(_ entry: String) -> String {
        "the version number of \(entry) is too large to count (at most 9223372036854775807); rename the file with a smaller number"
    }

    /// This network's keys files in the folder with their names as found, sorted by server,
    /// version and name; empty when the folder does not exist.
    private func matchingEntries() throws(KeysDirectoryError) -> [(entry: String, name: KeysFileName)] {
        try entries().matching
    }

    /// This network's keys files as ``matchingEntries()``, and the entries named like keys
    /// files whose version number is too large to count, with their server ids.
    private func entries() throws(KeysDirectoryError)
        -> (matching: [(entry: String, name: KeysFileName)], uncountable: [(entry: String, serverId: String)])
    {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            var isFolder: ObjCBool = false
            if !FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) { return ([], []) }
            throw KeysDirectoryError(folder: folder.path, reason: isFolder.boolValue ? KeysFile.reason(error) : "not a folder")
        }
        var matching: [(entry: String, name: KeysFileName)] = []
        var uncountable: [(entry: String, serverId: String)] = []
        for entry in entries.sorted() {
            if let name = KeysFileName(parsing: entry, network: network) {
                matching.append((entry, name))
            } else if let serverId = KeysFileName.serverIdOfUncountableVersion(entry, network: network) {
                uncountable.append((entry, serverId))
            }
        }
        matching.sort { $0.name != $1.name ? $0.name < $1.name : $0.entry < $1.entry }
        return (matching, uncountable)
    }
}

/// A data folder that exists but cannot be listed.
public struct KeysDirectoryError: Error, Sendable, CustomStringConvertible, InputError {
    /// The folder's path.
    public let folder: String
    /// Why it could not be listed.
    public let reason: String

    /// "cannot list keys files in /path: Permission denied".
    public var description: String { TerminalText.escaped("cannot list keys files in \(folder): \(reason)") }
}

/// A keys file that was found and loaded.
public struct LoadedKeysFile: Sendable, Equatable {
    /// Its parsed name: network, server id, version.
    public let name: KeysFileName
    /// Where it is.
    public let url: URL
    /// What it holds.
    public let contents: KeysFile

    /// The server the file belongs to.
    public var serverId: String { name.serverId }
}

/// What discovery found in a data folder for one network.
public struct KeysDiscovery: Sendable {
    /// The network looked for.
    public let network: String
    /// The folder looked in.
    public let folder: URL
    /// The highest version of each server's keys file that loaded, sorted by server id.
    public let files: [LoadedKeysFile]
    /// Files that could not be used, each with every problem found, paths included.
    public let failures: [KeysFileError]
    /// Older versions that were left aside because a higher one exists.
    public let superseded: [KeysFileName]

    /// The loaded files merged into one view of attesters and publishers.
    public var merged: MergedKeys { MergedKeys(files) }
}
