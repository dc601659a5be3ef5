import Foundation
import ButlerKit
import FleetKit
#if canImport(Glibc)
import Glibc
#endif

/// Addresses and port of a running EVM test server.
struct EVMDeployment: Sendable {
    let port: Int
    let rollup: EthereumAddress
    let stakingRegistry: EthereumAddress
    let multicall3: EthereumAddress
    let blockNumber: UInt64

    /// The server URL; `path` selects a failure script (`/stall/2`, `/malformed`, `/fail/429/1/key`).
    func url(_ path: String = "/") -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)") ?? URL(fileURLWithPath: "/")
    }
}

/// Why the EVM could not be started.
struct EVMSetupError: Error, CustomStringConvertible {
    let description: String
}

/// Paths of the repository and its EVM fixtures.
enum EVMPaths {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/ButlerKitTests/Fixtures/evm")
    static let python = repositoryRoot.appendingPathComponent(".venv-evm/bin/python")

    /// The venv's Python, or an error telling how to create it. Never a silent skip.
    static func requirePython(_ python: URL = python) throws -> URL {
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw EVMSetupError(description: """
                The EVM test environment is missing: \(python.path) does not exist. \
                Run scripts/install-evm.sh (creates .venv-evm with eth-tester, py-evm, vyper, eth-abi) and test again.
                """)
        }
        return python
    }
}

/// Every server process started by this test run, so an exit handler can end them all.
final class ServerProcessRegistry: Sendable {
    private let pids = Locked<Set<Int32>>([])

    func add(_ pid: Int32) { pids.withLock { _ = $0.insert(pid) } }

    func remove(_ pid: Int32) { pids.withLock { _ = $0.remove(pid) } }

    func killAll() {
        let all = pids.withLock { pids in
            defer { pids.removeAll() }
            return pids
        }
        for pid in all { kill(pid, SIGKILL) }
    }
}

let serverProcesses = ServerProcessRegistry()
private let exitHandlerInstalled: Bool = {
    atexit { serverProcesses.killAll() }
    return true
}()

/// A running `evm_server.py`. It also exits by itself when its stdin closes, i.e. when this
/// test process ends for any reason.
final class EVMServerProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` and `stdin` are set once in `init` and only used to stop it.
    let deployment: EVMDeployment
    private let process: Process
    private let exit: ChildExitState
    private let stdin: Pipe

    /// Starts the server with `arguments` and waits for its announcement line.
    static func start(_ arguments: [String] = ["--seed", "tests"]) async throws -> EVMServerProcess {
        _ = exitHandlerInstalled
        let python = try EVMPaths.requirePython()
        let process = Process()
        process.executableURL = python
        process.arguments = [EVMPaths.fixtures.appendingPathComponent("evm_server.py").path] + arguments
        let stdin = Pipe()
        let stdout = Pipe()
        // stderr goes to a file: a pipe nobody drains would block the server once full.
        let stderrPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("evm-server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: stderrPath.path, contents: nil)
        let stderr = try FileHandle(forWritingTo: stderrPath)
        defer { try? stderr.close() }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        serverProcesses.add(process.processIdentifier)
        // The server keeps writing to the open file; its name goes at once, so no log is left
        // in the temporary folder whatever happens to this test process.
        let errorReader = try? FileHandle(forReadingFrom: stderrPath)
        defer { try? errorReader?.close() }
        try? FileManager.default.removeItem(at: stderrPath)
        let line: String? = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var bytes: [UInt8] = []
                let handle = stdout.fileHandleForReading
                while true {
                    let chunk = handle.readData(ofLength: 1)
                    guard let byte = chunk.first else { break }
                    if byte == 10 { break }
                    bytes.append(byte)
                }
                continuation.resume(returning: bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self))
            }
        }
        guard let line, let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let port = json["port"] as? Int,
            let rollup = (json["rollup"] as? String).flatMap(EthereumAddress.init(hex:)),
            let registry = (json["stakingRegistry"] as? String).flatMap(EthereumAddress.init(hex:)),
            let multicall = (json["multicall3"] as? String).flatMap(EthereumAddress.init(hex:)),
            let block = json["blockNumber"] as? Int
        else {
            process.terminate()
            serverProcesses.remove(process.processIdentifier)
            let errors = String(decoding: ((try? errorReader?.readToEnd()) ?? Data()).suffix(2000), as: UTF8.self)
            throw EVMSetupError(description: "The EVM server did not start. Its stderr ends with: \(errors)")
        }
        let deployment = EVMDeployment(
            port: port, rollup: rollup, stakingRegistry: registry, multicall3: multicall, blockNumber: UInt64(block))
        return EVMServerProcess(deployment: deployment, process: process, stdin: stdin)
    }

    private init(deployment: EVMDeployment, process: Process, stdin: Pipe) {
        self.deployment = deployment
        self.process = process
        exit = ChildExitState(watching: process)
        self.stdin = stdin
    }

    var isRunning: Bool { exit.isRunning }

    /// Sends one control line to the server (`down` for an outage, `up` to listen again;
    /// only `evm_server.py` started by this test process reads them).
    func control(_ command: String) {
        stdin.fileHandleForWriting.write(Data((command + "\n").utf8))
    }
    var processIdentifier: Int32 { process.processIdentifier }

    /// Ends the server and waits for its exit (never blocking the cooperative pool).
    func stop() async {
        try? stdin.fileHandleForWriting.close()
        if exit.isRunning { kill(process.processIdentifier, SIGTERM) }
        _ = await ChildExit.status(of: process)
        serverProcesses.remove(process.processIdentifier)
    }
}

/// Runs `body` with a server of its own, and stops the server afterwards whether `body` passed or threw.
func withEVMServer<T>(_ arguments: [String], _ body: (EVMServerProcess) async throws -> T) async throws -> T {
    let server = try await EVMServerProcess.start(arguments)
    do {
        let value = try await body(server)
        await server.stop()
        return value
    } catch {
        await server.stop()
        throw error
    }
}

/// The seeded EVM shared by the read-only tests of one test run (seeding takes ~8 s, so it
/// is done once). It is killed at process exit, and exits by itself when its stdin closes.
actor SharedEVM {
    static let shared = SharedEVM()
    private var starting: Task<EVMServerProcess, any Error>?

    func deployment() async throws -> EVMDeployment {
        if let starting { return try await starting.value.deployment }
        let task = Task { try await EVMServerProcess.start(["--seed", "tests"]) }
        starting = task
        return try await task.value.deployment
    }
}

/// Test addresses as the python side builds them: one prefix byte, the index in the low bytes.
func testAddress(_ prefix: UInt8, _ index: Int) -> EthereumAddress {
    var bytes = [UInt8](repeating: 0, count: 20)
    bytes[0] = prefix
    var value = UInt64(index)
    for position in stride(from: 19, through: 12, by: -1) {
        bytes[position] = UInt8(truncatingIfNeeded: value)
        value >>= 8
    }
    return EthereumAddress(bytes: bytes) ?? .zero
}
