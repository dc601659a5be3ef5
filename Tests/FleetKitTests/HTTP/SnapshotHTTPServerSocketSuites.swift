import Testing

/// Every suite whose tests talk to a live server through `RawHTTPClient`. Its reads and
/// writes block the calling thread, which belongs to Swift's cooperative pool (as many
/// threads as cores); run side by side, such tests could hold every thread and starve the
/// rest of the test run. Nested here, they run one at a time.
@Suite(.serialized) enum SnapshotHTTPServerSocketSuites {}
