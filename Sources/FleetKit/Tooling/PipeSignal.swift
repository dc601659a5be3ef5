#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGPIPE in a tool: a write to a closed pipe or socket (a `| head`, a scraper that hung
/// up) must fail with EPIPE, never end the process.
enum PipeSignal {
    /// Catches SIGPIPE with a handler that does nothing. Unlike ignoring it, a caught
    /// signal gets its default action back in every program the tool starts (`exec` resets
    /// handlers but keeps ignored signals ignored), so their pipelines behave as usual.
    static func neverEndsTheProcess() {
        signal(SIGPIPE, { _ in })
    }
}
