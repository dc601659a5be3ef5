import Foundation

/// What the data disk holds, as `blkid`, `wipefs -n` and `mount` report it, and what the
/// disk steps may do about it. Formatting destroys data, so only a disk with no signature
/// at all that is not mounted is ever formatted.
public struct DataVolumeState: Sendable, Equatable {
    /// The filesystem type `blkid -o value -s TYPE` names, or `nil` when it names none.
    public var filesystemType: String?
    /// Signatures `wipefs -n -p` lists (filesystems, partition tables, RAID members …), as its lines.
    public var signatures: [String]
    /// Where the device is mounted.
    public var mountPoints: [String]

    /// Creates the state.
    public init(filesystemType: String?, signatures: [String], mountPoints: [String]) {
        self.filesystemType = filesystemType
        self.signatures = signatures
        self.mountPoints = mountPoints
    }

    /// Reads the three tools' outputs for `device`.
    public init(device: String, blkidType: String, wipefsOutput: String, mountTable: [MountTableEntry]) {
        let type = blkidType.trimmingCharacters(in: .whitespacesAndNewlines)
        filesystemType = type.isEmpty ? nil : type
        signatures = wipefsOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        mountPoints = mountTable.filter { $0.device == device }.map(\.mountPoint)
    }

    /// What to do about the filesystem.
    public enum FormatDecision: Sendable, Equatable {
        /// Already ext4: nothing to do.
        case keep
        /// No signature and not mounted: safe to format.
        case format
        /// Anything else: never formatted; the reason says what was found and what to do.
        case refuse(String)
    }

    /// Whether `device` may be formatted: never when it holds anything.
    public func formatDecision(device: String) -> FormatDecision {
        if filesystemType == "ext4" { return .keep }
        if let filesystemType {
            return .refuse("\(device) holds a \(filesystemType) filesystem; gonka-deploy never formats a disk that holds one. Set VOLUME_DEVICE to an empty disk, or reformat this one yourself if its data is not needed (wipefs -a \(device))")
        }
        if !signatures.isEmpty {
            return .refuse("\(device) is not empty: wipefs finds \(signatures.joined(separator: "; ")); gonka-deploy formats only disks without any signature")
        }
        if !mountPoints.isEmpty {
            return .refuse("\(device) is mounted at \(mountPoints.joined(separator: ", ")) although blkid finds no filesystem; not formatted")
        }
        return .format
    }
}

/// One line of `mount`'s output: `<device> on <mount point> type <type> (<options>)`.
public struct MountTableEntry: Sendable, Equatable {
    /// The mounted device or source.
    public var device: String
    /// Where it is mounted.
    public var mountPoint: String
    /// The filesystem type.
    public var type: String

    /// Creates an entry.
    public init(device: String, mountPoint: String, type: String) {
        self.device = device
        self.mountPoint = mountPoint
        self.type = type
    }

    /// The entries of `mount`'s output; lines of another shape are left out.
    public static func parse(_ output: String) -> [MountTableEntry] {
        output.split(separator: "\n").compactMap { line in
            guard let on = line.range(of: " on "), let type = line.range(of: " type ", range: on.upperBound..<line.endIndex) else { return nil }
            let rest = line[type.upperBound...]
            return MountTableEntry(device: String(line[..<on.lowerBound]), mountPoint: String(line[on.upperBound..<type.lowerBound]),
                                   type: String(rest.split(separator: " ").first ?? ""))
        }
    }
}

/// What the mount step may do about the mount point.
public enum DataVolumeMountDecision: Sendable, Equatable {
    /// Our device is mounted at our mount point.
    case mounted
    /// Nothing is in the way: mount it.
    case mount
    /// Something else is mounted there, or the device is mounted elsewhere.
    case refuse(String)

    /// Decides from the mount table.
    public static func decide(device: String, mountPoint: String, table: [MountTableEntry]) -> DataVolumeMountDecision {
        if table.contains(where: { $0.device == device && $0.mountPoint == mountPoint }) { return .mounted }
        if let elsewhere = table.first(where: { $0.device == device }) {
            return .refuse("\(device) is mounted at \(elsewhere.mountPoint), not at VOLUME_MOUNT \(mountPoint); unmount it or set VOLUME_MOUNT to \(elsewhere.mountPoint)")
        }
        if let other = table.first(where: { $0.mountPoint == mountPoint }) {
            return .refuse("\(mountPoint) already has \(other.device) mounted on it, not VOLUME_DEVICE \(device)")
        }
        return .mount
    }
}
