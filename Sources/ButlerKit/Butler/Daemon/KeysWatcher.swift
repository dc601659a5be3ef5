import Foundation

/// Follows a network's keys files while the daemon runs: reloads them when a file is added,
/// removed or rewritten, and keeps each server's last good file when its newest one is bad,
/// so a half-edited file never makes attesters vanish from the metrics.
public struct KeysWatcher: Sendable {
    /// What one look at the folder found.
    public struct Update: Sendable, Equatable {
        /// Whether the merged view changed.
        public var changed: Bool
        /// Problems newly seen since the last look (a problem is reported once until fixed).
        public var newProblems: [String]

        /// Creates an update.
        public init(changed: Bool, newProblems: [String]) {
            self.changed = changed
            self.newProblems = newProblems
        }
    }

    /// The folder and network.
    public let directory: KeysDirectory
    /// The view the daemon uses: each server's newest good file, merged.
    public private(set) var merged = MergedKeys([])
    /// Keys files that failed to load at the last look (their server's last good file is used).
    public private(set) var invalidFiles: [KeysFileError] = []
    private var fingerprint: [String: String]?
    private var lastGood: [String: LoadedKeysFile] = [:]
    private var reported: Set<String> = []

    /// Watches `directory`.
    public init(directory: KeysDirectory) {
        self.directory = directory
    }

    /// Looks at the folder; reloads only when a keys file's name, size or modification time
    /// changed since the last look.
    ///
    /// - Throws: ``KeysDirectoryError`` when the folder cannot be listed; the last view stays.
    public mutating func refresh() throws(KeysDirectoryError) -> Update {
        let current = try currentFingerprint()
        guard current != fingerprint else { return Update(changed: false, newProblems: []) }
        let discovery = try directory.discover()
        fingerprint = current
        var kept: [String: LoadedKeysFile] = [:]
        for file in discovery.files { kept[file.serverId] = file }
        var problems: [String] = []
        for failure in discovery.failures {
            let entry = URL(fileURLWithPath: failure.file).lastPathComponent
            let serverId = KeysFileName(parsing: entry, network: directory.network)?.serverId
                ?? KeysFileName.serverIdOfUncountableVersion(entry, network: directory.network)
            if let serverId, let previous = lastGood[serverId] {
                kept[serverId] = previous
                problems.append("\(failure); keeping \(previous.name) of server \(serverId)")
            } else {
                problems.append("\(failure)")
            }
        }
        let files = kept.keys.sorted().compactMap { kept[$0] }
        let view = MergedKeys(files)
        for duplicate in view.duplicateAttesters { problems.append(duplicate.description) }
        let changed = view != merged
        merged = view
        lastGood = kept
        invalidFiles = discovery.failures
        let fresh = problems.filter { !reported.contains($0) }
        reported = Set(problems)
        return Update(changed: changed, newProblems: fresh)
    }

    /// Size, modification time and inode of every file that may be one of the network's keys
    /// files, so an edit in place and an atomic replacement are both seen.
    private func currentFingerprint() throws(KeysDirectoryError) -> [String: String] {
        let folder = directory.folder.path
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            if !FileManager.default.fileExists(atPath: folder) { return [:] }
            throw KeysDirectoryError(folder: folder, reason: KeysFile.reason(error))
        }
        var result: [String: String] = [:]
        for entry in entries where entry.hasPrefix("\(directory.network)-keys-") && entry.hasSuffix(".json") {
            let attributes = (try? FileManager.default.attributesOfItem(atPath: directory.folder.appendingPathComponent(entry).path)) ?? [:]
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            let inode = (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
            result[entry] = "\(size)/\(modified)/\(inode)"
        }
        return result
    }
}
