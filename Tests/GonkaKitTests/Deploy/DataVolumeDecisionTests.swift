import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// What the disk steps may do, from blkid, wipefs and mount output: only an empty, unmounted disk is formatted.
@Suite(.tags(.unit)) struct DataVolumeDecisionTests {
    let table = MountTableEntry.parse("""
        /dev/vda1 on / type ext4 (rw,relatime)
        /dev/vdc on /mnt/ssd type ext4 (rw,relatime)
        tmpfs on /run/user/1000 type tmpfs (rw,nosuid)
        not a mount line
        """)

    @Test func mountTableLines() {
        #expect(table == [
            MountTableEntry(device: "/dev/vda1", mountPoint: "/", type: "ext4"),
            MountTableEntry(device: "/dev/vdc", mountPoint: "/mnt/ssd", type: "ext4"),
            MountTableEntry(device: "tmpfs", mountPoint: "/run/user/1000", type: "tmpfs"),
        ])
    }

    @Test func onlyAnEmptyUnmountedDiskIsFormatted() {
        let empty = DataVolumeState(device: "/dev/vdd", blkidType: "", wipefsOutput: "# offset,uuid,label,type\n", mountTable: table)
        #expect(empty.formatDecision(device: "/dev/vdd") == .format)
        let ours = DataVolumeState(device: "/dev/vdc", blkidType: "ext4\n", wipefsOutput: "0x438,u,,ext4\n", mountTable: table)
        #expect(ours.formatDecision(device: "/dev/vdc") == .keep)
        #expect(ours.mountPoints == ["/mnt/ssd"])
        guard case .refuse(let xfs) = DataVolumeState(filesystemType: "xfs", signatures: [], mountPoints: []).formatDecision(device: "/dev/vdc") else {
            Issue.record("an xfs disk must be refused")
            return
        }
        #expect(xfs.contains("holds a xfs filesystem") && xfs.contains("never formats"))
        let partitioned = DataVolumeState(device: "/dev/vdd", blkidType: "", wipefsOutput: "# header\n0x1fe,,,dos\n", mountTable: [])
        guard case .refuse(let table) = partitioned.formatDecision(device: "/dev/vdd") else {
            Issue.record("a partition table must be refused")
            return
        }
        #expect(table.contains("0x1fe,,,dos"))
        let mounted = DataVolumeState(filesystemType: nil, signatures: [], mountPoints: ["/data"])
        #expect(mounted.formatDecision(device: "/dev/vdd") != .format)
    }

    @Test func mountDecisions() {
        #expect(DataVolumeMountDecision.decide(device: "/dev/vdc", mountPoint: "/mnt/ssd", table: table) == .mounted)
        #expect(DataVolumeMountDecision.decide(device: "/dev/vdd", mountPoint: "/mnt/other", table: table) == .mount)
        guard case .refuse(let elsewhere) = DataVolumeMountDecision.decide(device: "/dev/vdc", mountPoint: "/mnt/data", table: table),
              case .refuse(let occupied) = DataVolumeMountDecision.decide(device: "/dev/vdd", mountPoint: "/mnt/ssd", table: table) else {
            Issue.record("a device mounted elsewhere, or another device at the mount point, must be refused")
            return
        }
        #expect(elsewhere.contains("is mounted at /mnt/ssd"))
        #expect(occupied.contains("already has /dev/vdc mounted"))
    }
}
