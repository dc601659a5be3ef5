import FleetKit
import Foundation

/// What the Butler's capabilities read from one network's configuration, found once here.
extension ButlerConfiguration {
    /// The network's keys files in the data folder: each server's newest version, merged.
    public func discoverKeys() throws(KeysDirectoryError) -> KeysDiscovery {
        try KeysDirectory(folder: paths.dataDirectory, network: network).discover()
    }

    /// The merged keys of the data folder, with one problem note per keys file that cannot be used.
    func usableKeys() throws(KeysDirectoryError) -> (keys: MergedKeys, notes: [ButlerNote]) {
        let discovery = try discoverKeys()
        return (discovery.merged, discovery.failures.map { ButlerNote(.problem, $0.description) })
    }

    /// `AZTEC_STAKING_PROVIDER_ID`, required: `purpose` says why, e.g. "the queue is read for one provider".
    func requiredProviderId(_ purpose: String) throws(ButlerRequestError) -> UInt64 {
        guard let providerId = stakingProviderId?.uint64Value else {
            throw ButlerRequestError("AZTEC_STAKING_PROVIDER_ID is not set (in \(configFile.path) or the environment): \(purpose)",
                                     choice: .setting(.stakingProviderId))
        }
        return providerId
    }
}
