// Another Swift tool reporting every attester of the Butler's keys files with its on-chain
// status, through ButlerKit's entry point (the Butler's configuration as aztec-butler reads it):
//
//   swift run butler-attesters-report [NETWORK]
import ButlerKit
import FleetKit
import Foundation

let environment = ProcessInfo.processInfo.environment
do {
    let request = try ButlerConfigurationRequest.choosingNetwork(CommandLine.arguments.dropFirst().first, environment: environment,
                                                                 homeDirectory: environment["HOME"] ?? NSHomeDirectory())
    let report = try await AttestersQuery(configuration: try ButlerConfiguration.load(request)).run()
    for note in report.notes { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
    print(report.placements.textLines.joined(separator: "\n"))
} catch {
    FileHandle.standardError.write(Data("butler-attesters-report: \(error)\n".utf8))
    exit(1)
}
