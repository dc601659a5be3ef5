import Foundation
import Testing
import FleetKit

/// Runs every test of a suite on a thread of its own instead of Swift's cooperative pool.
///
/// The pool has as many threads as cores, two on the CI machine. A test that blocks its
/// thread (a socket read waiting for a stalled server) or computes for seconds (fuzzing a
/// matcher) takes one of them away from every other suite running alongside; two such
/// tests stall the whole test run, and tests that wait for events elsewhere then see them
/// tens of seconds late. On a thread of its own it shares the cores with them instead. Under
/// this trait the test's body and everything it awaits without an executor of its own run
/// on a dedicated thread (the task executor preference of SE-0417), which may block freely.
public struct OnOwnThread: SuiteTrait, TestTrait, TestScoping {
    /// Each test gets the thread, nested suites included (a recursive trait must also be a
    /// `TestTrait`, or Swift Testing stops when it hands the trait to the tests).
    public var isRecursive: Bool { true }

    /// Runs `function` with a dedicated thread as its preferred task executor; the thread
    /// ends with the test.
    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        // Suites are scopes too; only test cases need the thread.
        guard testCase != nil else {
            try await function()
            return
        }
        let executor = DedicatedThreadExecutor(name: test.name)
        defer { executor.shutdown() }
        try await withTaskExecutorPreference(executor) {
            try await function()
        }
    }
}

extension Trait where Self == OnOwnThread {
    /// Runs each test on a dedicated thread, for tests that block their thread.
    public static var onOwnThread: OnOwnThread { OnOwnThread() }
}

/// A task executor with one thread that runs jobs in the order they come.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private var stopping = false
    private var running = true
    private let condition = NSCondition()

    /// The names of the running executor threads (Foundation's thread names do not stick on Linux).
    private static let threadNames = Locked<[pthread_t: String]>([:])

    /// The name given to the executor whose thread runs the caller, `nil` on any other thread.
    public static var currentThreadName: String? { threadNames.withLock { $0[pthread_self()] } }

    /// Starts the thread, known as `name` to ``currentThreadName``.
    public init(name: String) {
        Thread.detachNewThread { [self] in
            Self.threadNames.withLock { $0[pthread_self()] = name }
            runJobs()
            Self.threadNames.withLock { $0[pthread_self()] = nil }
        }
    }

    /// Queues `job` for the thread; a job that comes after the thread ended (work the test
    /// left behind) gets a thread of its own rather than never running.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        guard running else {
            condition.unlock()
            Thread.detachNewThread { [self] in unowned.runSynchronously(on: asUnownedTaskExecutor()) }
            return
        }
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the queued jobs have run.
    public func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty {
                running = false
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
