import FleetKit
import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// Phase 0's pieces: phases and selections, confirmation, the log file names and link, the display.
@Suite(.tags(.unit)) struct DeployPhaseZeroTests {
    @Test func phasesAndSelections() {
        #expect(DeployPhase.serverPreparation.title == "PHASE 1: SERVER PREPARATION")
        #expect(DeployPhase.grant.title == "PHASE 8: GRANT ML PERMISSIONS")
        #expect(DeployPhaseSelection.all.phases.count == 8)
        #expect(DeployPhaseSelection.only(.verification).phases == [.verification])
        #expect(DeployPhaseSelection.from(.finalLaunch).phases == [.finalLaunch, .verification, .grant])
    }

    @Test func confirmation() throws {
        #expect(try DeployConfirmation.decide(checkMode: true, autoConfirm: false, yesFlag: false, inputIsTerminal: false) == .notNeeded)
        #expect(try DeployConfirmation.decide(checkMode: false, autoConfirm: true, yesFlag: false, inputIsTerminal: false) == .automatic(reason: "AUTO_CONFIRM=yes"))
        #expect(try DeployConfirmation.decide(checkMode: false, autoConfirm: false, yesFlag: true, inputIsTerminal: false) == .automatic(reason: "--yes"))
        #expect(try DeployConfirmation.decide(checkMode: false, autoConfirm: false, yesFlag: false, inputIsTerminal: true) == .ask)
        #expect(throws: DeployConfirmationError.self) {
            try DeployConfirmation.decide(checkMode: false, autoConfirm: false, yesFlag: false, inputIsTerminal: false)
        }
        #expect(DeployConfirmation.accepts("yes\n") && DeployConfirmation.accepts("yes"))
        for answer in ["y", "Yes", "YES", " yes", "yes please", ""] { #expect(!DeployConfirmation.accepts(answer)) }
    }

    @Test func logFileAndLatestLink() throws {
        let utc = TimeZone(secondsFromGMT: 0) ?? .current
        let date = Date(timeIntervalSince1970: 1_795_030_620)
        #expect(DeployLogFile.fileName(keyName: "quick-newton", date: date, timeZone: utc) == "quick-newton_2026-11-18_19-37-00.log")
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = folder.appendingPathComponent("logs")
        let first = try DeployLogFile.create(in: logs, keyName: "quick-newton", date: date, timeZone: utc)
        let second = try DeployLogFile.create(in: logs, keyName: "quick-newton", date: date.addingTimeInterval(61), timeZone: utc)
        #expect(FileManager.default.fileExists(atPath: first.path) && second.lastPathComponent == "quick-newton_2026-11-18_19-38-01.log")
        let link = logs.appendingPathComponent("quick-newton_latest.log").path
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == second.lastPathComponent)
        #expect(try FileManager.default.contentsOfDirectory(atPath: logs.path).sorted()
            == ["quick-newton_2026-11-18_19-37-00.log", "quick-newton_2026-11-18_19-38-01.log", "quick-newton_latest.log"])
    }

    @Test func displayMasksThePassword() throws {
        let config = try NodeConfig.parse(GonkaFixtures.nodeFile(["KEYRING_PASSWORD": "'pa ss$word`x'"]), file: "nodes/node1.conf", environment: [:])
        let lines = DeployParameterDisplay.lines(config, configPath: "nodes/node1.conf", logFile: "logs/x.log", outputFolder: "/w/nodes/quick-newton")
        #expect(lines.contains("  Keyring Password:   ************ (12 chars)"))
        #expect(!lines.joined().contains("ss$word"))
        #expect(lines.contains("  Persistent Peers:   981908092bc597e60cc81eda4329783aea7af9d7@85.234.66... (3 peers)"))
        #expect(lines.contains("  Profile:            x1"))
    }
}
