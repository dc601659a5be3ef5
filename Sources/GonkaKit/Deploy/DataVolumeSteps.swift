import FleetKit
import Foundation

/// The data disk steps of phase 1: device present, filesystem (formatted only when empty),
/// mounted at `VOLUME_MOUNT`, owned by the SSH user, in `/etc/fstab` by UUID once, and its
/// UUID kept in the local `volume.txt`. Commands needing root ask for it with
/// ``Privilege/asRoot`` (the original used `sudo`), and never wait for a password.
enum DataVolumeSteps {
    /// The steps, in order.
    static func steps(_ config: NodeConfig, localFolder: URL) -> [Step] {
        let volume = DataVolume(device: config.volumeDevice, mountPoint: config.volumeMount)
        return [
            devicePresent(volume), filesystem(volume), mounted(volume), owner(volume, user: config.sshUser), fstab(volume),
            volumeFile(volume, file: localFolder.appendingPathComponent("volume.txt"), folder: localFolder),
        ]
    }

    /// Fails the phase when `lsblk` does not know the device.
    static func devicePresent(_ volume: DataVolume) -> Step {
        .observe("volume device") { context in
            let result = try await context.run("lsblk -ndo NAME \(volume.quotedDevice) 2>&1")
            let name = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
            guard result.succeeded, !name.isEmpty else {
                throw StepFailure("Volume device \(volume.device) not found on server (lsblk: \(name.isEmpty ? result.summary : name))")
            }
            return .fine("\(volume.device) found")
        }
    }

    /// ext4 already: nothing to do; no signature and not mounted: `mkfs.ext4`; anything else: a clear error.
    static func filesystem(_ volume: DataVolume) -> Step {
        Step(
            "volume filesystem",
            check: .swift { context in
                switch try await volume.state(context).formatDecision(device: volume.device) {
                case .keep: return true
                case .format: return false
                case .refuse(let reason): throw StepFailure(reason)
                }
            },
            action: .swift { context in
                // Looked at again right before formatting: nothing may have appeared meanwhile.
                let decision = try await volume.state(context).formatDecision(device: volume.device)
                guard decision == .format else {
                    if case .refuse(let reason) = decision { throw StepFailure(reason) }
                    return
                }
                context.log(.exec, "formatting \(volume.device) as ext4: no filesystem signature, not mounted")
                let result = try await context.run("\(Privilege.asRoot) mkfs.ext4 -q \(volume.quotedDevice)", timeout: .seconds(3600))
                guard result.succeeded else { throw StepFailure("mkfs.ext4 \(volume.device) failed (\(result.summary)): \(result.tail(lines: 3))") }
            },
            verify: .swift { context in try await volume.state(context).filesystemType == "ext4" })
    }

    /// Mounted at the mount point unless it already is; another device there, or ours elsewhere, is an error.
    static func mounted(_ volume: DataVolume) -> Step {
        Step(
            "volume mount",
            check: .swift { context in
                switch DataVolumeMountDecision.decide(device: volume.device, mountPoint: volume.mountPoint, table: try await volume.mountTable(context)) {
                case .mounted: return true
                case .mount: return false
                case .refuse(let reason): throw StepFailure(reason)
                }
            },
            action: .shell("\(Privilege.asRoot) mkdir -p \(volume.quotedMountPoint) && \(Privilege.asRoot) mount \(volume.quotedDevice) \(volume.quotedMountPoint)"),
            verify: .swift { context in
                DataVolumeMountDecision.decide(device: volume.device, mountPoint: volume.mountPoint, table: try await volume.mountTable(context)) == .mounted
            })
    }

    /// The mount point belongs to the SSH user (recursively changed only when it does not).
    static func owner(_ volume: DataVolume, user: String) -> Step {
        .shell("volume owner",
               check: "[ \"$(stat -c %U \(volume.quotedMountPoint))\" = \(ShellQuote.quote(user)) ]",
               action: "\(Privilege.asRoot) chown -R \(ShellQuote.quote(user + ":")) \(volume.quotedMountPoint)")
    }

    /// `UUID=<uuid> <mount point> ext4 defaults,nofail 0 2` in /etc/fstab, added once.
    static func fstab(_ volume: DataVolume) -> Step {
        Step(
            "fstab entry",
            check: .swift { context in try await volume.fstabHasEntry(context) },
            action: .swift { context in
                let line = "UUID=\(try await volume.uuid(context)) \(volume.fstabMountPoint) ext4 defaults,nofail 0 2\n"
                let result = try await context.run(RemoteCommand("\(Privilege.asRoot) tee -a /etc/fstab >/dev/null", standardInput: Data(line.utf8)))
                guard result.succeeded else { throw StepFailure("cannot append to /etc/fstab (\(result.summary)): \(result.tail(lines: 2))") }
            },
            verify: .swift { context in try await volume.fstabHasEntry(context) })
    }

    /// The disk's UUID in the local `volume.txt`, written when missing (the original wrote it
    /// only on the run that edited fstab).
    static func volumeFile(_ volume: DataVolume, file: URL, folder: URL) -> Step {
        Step(
            "volume.txt",
            check: .swift { _ in FileManager.default.fileExists(atPath: file.path) },
            action: .swift { context in
                let uuid = try await volume.uuid(context)
                try AtomicFile.createDirectory(folder, mode: 0o700)
                try AtomicFile.write(uuid + "\n", to: file, mode: 0o644)
            })
    }
}

/// The data disk and its mount point, with the remote reads the disk steps share.
struct DataVolume: Sendable {
    let device: String
    let mountPoint: String

    var quotedDevice: String { ShellQuote.quote(device) }
    var quotedMountPoint: String { ShellQuote.quote(mountPoint) }
    /// The mount point as fstab spells it (a space is `\040`).
    var fstabMountPoint: String { mountPoint.replacingOccurrences(of: " ", with: "\\040") }

    /// What blkid, wipefs and mount say about the device.
    func state(_ context: HostContext) async throws -> DataVolumeState {
        let blkid = try await context.run("\(Privilege.asRoot) blkid -o value -s TYPE \(quotedDevice)")
        // blkid exits 2 when the device holds nothing it recognises.
        guard blkid.exitStatus == 0 || blkid.exitStatus == 2, !blkid.timedOut else {
            throw StepFailure("blkid \(device) failed (\(blkid.summary)): \(blkid.tail(lines: 2))")
        }
        let wipefs = try await context.run("\(Privilege.asRoot) wipefs -n -p \(quotedDevice)")
        guard wipefs.succeeded else { throw StepFailure("wipefs -n \(device) failed (\(wipefs.summary)): \(wipefs.tail(lines: 2))") }
        return DataVolumeState(device: device, blkidType: blkid.standardOutput, wipefsOutput: wipefs.standardOutput,
                               mountTable: try await mountTable(context))
    }

    /// `mount`'s table.
    func mountTable(_ context: HostContext) async throws -> [MountTableEntry] {
        let result = try await context.run("mount")
        guard result.succeeded else { throw StepFailure("mount failed (\(result.summary)): \(result.tail(lines: 2))") }
        return MountTableEntry.parse(result.standardOutput)
    }

    /// The filesystem's UUID; none is an error, as in the original.
    func uuid(_ context: HostContext) async throws -> String {
        let result = try await context.run("\(Privilege.asRoot) blkid -s UUID -o value \(quotedDevice)")
        let uuid = result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.succeeded, !uuid.isEmpty, !uuid.contains(where: { $0.isWhitespace }) else {
            throw StepFailure("Failed to get volume UUID of \(device) (blkid: \(result.summary))")
        }
        return uuid
    }

    /// Whether a line of /etc/fstab (not a comment) mounts something at the mount point.
    func fstabHasEntry(_ context: HostContext) async throws -> Bool {
        let result = try await context.run("\(Privilege.asRoot) cat /etc/fstab")
        guard result.succeeded else { throw StepFailure("cannot read /etc/fstab (\(result.summary)): \(result.tail(lines: 2))") }
        return result.standardOutput.split(separator: "\n").contains { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            return fields.count >= 2 && !fields[0].hasPrefix("#") && fields[1] == fstabMountPoint
        }
    }
}
