import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SandboxHosts {
    /// The user the sandbox hosts' SSH sessions log in as.
    public static let loginUser = "fleettest"

    /// Gives `url` and everything below it to ``loginUser`` and that user's group, as
    /// `chown -R fleettest:` would, so the hosts' sessions can write a folder this test
    /// process (root) prepared. Done in process: no child to wait for.
    ///
    /// - Throws: ``SandboxError`` naming the path when the user is unknown or a change fails.
    public static func giveToLoginUser(_ url: URL) throws {
        guard let entry = getpwnam(loginUser) else { throw SandboxError("no user \(loginUser) on this machine") }
        let (uid, gid) = (entry.pointee.pw_uid, entry.pointee.pw_gid)
        var paths = [url.path]
        if let walker = FileManager.default.enumerator(atPath: url.path) {
            for case let relative as String in walker { paths.append(url.appendingPathComponent(relative).path) }
        }
        for path in paths where lchown(path, uid, gid) != 0 {
            throw SandboxError("cannot give \(path) to \(loginUser): \(String(cString: strerror(errno)))")
        }
    }
}
