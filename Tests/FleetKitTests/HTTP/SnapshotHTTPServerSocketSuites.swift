import Testing
import FleetTestSupport

/// Every suite whose tests talk to a live server through `RawHTTPClient`. Its reads and
/// writes block the calling thread, so each test runs on a thread of its own rather than
/// on Swift's cooperative pool, which other suites need; nested here, they also run one at
/// a time, which the descriptor counts of the lifecycle tests rely on.
@Suite(.serialized, .tags(.unit), .onOwnThread) enum SnapshotHTTPServerSocketSuites {}
