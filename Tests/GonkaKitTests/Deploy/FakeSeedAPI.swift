import FleetKit
import Foundation

/// `fake_seed_api.py` on 127.0.0.1, answering from a sandbox host's state folder: the
/// participant lookup (registered by the inferenced shim) and the chain RPC's status and
/// block. It exits when its standard input closes, so it never outlives the test process.
final class FakeSeedAPI: @unchecked Sendable {
    // @unchecked Sendable: `process` and `input` are set once in `init` and only used to stop it.
    /// The fixture node file's ACCOUNT_PUBKEY and its cold address, computed independently with Python's hashlib.
    static let coldAccount = (publicKey: "A6Mh+ZZil8mCUSIJG9iWLj/IH5PfCJaMoAX3U70c2GE/", address: "gonka14vyhz7henu2lxssa02lf3qwmufv8kvxzn85frf")

    let url: String
    private let process: Process
    private let input: Pipe

    private init(url: String, process: Process, input: Pipe) {
        self.url = url
        self.process = process
        self.input = input
    }

    /// Starts the server and waits, on a thread of its own, for the line announcing its port.
    static func start(stateFolder: URL) async throws -> FakeSeedAPI {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [GonkaFixtures.url("gonka-deploy/fake_seed_api.py").path, stateFolder.path,
                             "\(Self.coldAccount.publicKey)=\(Self.coldAccount.address)"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let reader = output.fileHandleForReading
        let line: String = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var line = Data()
                while let byte = try? reader.read(upToCount: 1), let first = byte.first, first != 0x0A { line.append(first) }
                continuation.resume(returning: String(decoding: line, as: UTF8.self))
            }
        }
        let api = FakeSeedAPI(url: "http://127.0.0.1:\(line)", process: process, input: input)
        guard Int(line) != nil else {
            api.stop()
            throw FakeSeedAPIError(description: "fake_seed_api.py did not announce a port")
        }
        return api
    }

    /// Closes the server's standard input, which ends it, and asks it to stop; nothing
    /// waits for the exit, so this never blocks a thread.
    func stop() {
        try? input.fileHandleForWriting.close()
        kill(process.processIdentifier, SIGTERM)
    }

    deinit { stop() }
}

/// The fake seed API did not start.
struct FakeSeedAPIError: Error, CustomStringConvertible {
    let description: String
}
