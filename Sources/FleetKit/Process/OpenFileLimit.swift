#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit of open files, and how many hosts fit under it.
///
/// Each host worked on holds a few descriptors in this process while its command runs (the
/// ends of its standard input, output and error pipes, briefly more while it starts; a
/// session over the master's control socket also holds that socket and a wake pair), so a
/// run over hundreds of hosts can pass a soft limit of 1024 and fail with "too many open
/// files". The tools raise the soft limit to the hard limit when they start
/// (``raiseSoftLimit()``), and ``Concurrently`` never works on more hosts at once than fit.
public enum OpenFileLimit {
    /// Descriptors one host in flight may hold in this process, with room to spare.
    static let descriptorsPerHost = 10
    /// Descriptors kept for everything else: log files, the standard streams, sockets.
    static let reserved = 64

    /// The current soft limit; `nil` when it is unlimited or cannot be read.
    public static var softLimit: Int? {
        var limits = rlimit()
        guard getrlimit(Self.resource, &limits) == 0, limits.rlim_cur != Self.unlimited else { return nil }
        return Int(clamping: limits.rlim_cur)
    }

    /// Raises the soft limit of open files to the hard limit (never lowers it) and returns
    /// the soft limit in force afterwards (`nil`: unlimited or unknown).
    @discardableResult
    public static func raiseSoftLimit() -> Int? {
        var limits = rlimit()
        guard getrlimit(Self.resource, &limits) == 0 else { return nil }
        if limits.rlim_cur < limits.rlim_max {
            var raised = limits
            raised.rlim_cur = limits.rlim_max
            if setrlimit(Self.resource, &raised) != 0, limits.rlim_max == Self.unlimited {
                // Some systems refuse "unlimited" for open files; their ceiling is then the kernel's.
                raised.rlim_cur = rlim_t(1 << 20)
                _ = setrlimit(Self.resource, &raised)
            }
        }
        return softLimit
    }

    /// How many hosts can be worked on at once under a soft limit of `limit` open files
    /// (at least 1); `nil` (no limit) bounds nothing.
    public static func hostsAtOnce(underLimit limit: Int?) -> Int {
        guard let limit else { return Int.max }
        return max(1, (limit - reserved) / descriptorsPerHost)
    }

    /// `RLIM_INFINITY`, all bits set on Linux and macOS (the C macro does not import cleanly).
    private static let unlimited = rlim_t.max

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}
