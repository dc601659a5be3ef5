import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

/// The root words run by a real `/bin/sh` through ``LocalTransport``, with stand-ins for
/// `id` (the login's uid comes from `FAKE_UID`) and `sudo` (records its arguments, asks for
/// a password when `SUDO_WANTS_PASSWORD` is set, else runs the program as this user).
@Suite(.tags(.unit)) struct PrivilegeTests {
    let host = RemoteHost(name: "web1", address: "10.0.0.1")

    /// A folder with the stand-ins; `withSudo: false` leaves sudo out.
    static func shims(withSudo: Bool = true) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fk-privilege-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var scripts = ["id": "#!/bin/sh\nif [ \"$1\" = -u ]; then echo \"${FAKE_UID:-1000}\"; else exec /usr/bin/id \"$@\"; fi\n"]
        if withSudo {
            scripts["sudo"] = """
                #!/bin/sh
                echo "sudo $*" >>"$(dirname "$0")/calls.log"
                if [ -n "$SUDO_WANTS_PASSWORD" ]; then echo 'sudo: a password is required' >&2; exit 1; fi
                while [ "${1:-}" = -n ] || [ "${1:-}" = -E ]; do shift; done
                exec "$@"

                """
        }
        for (name, text) in scripts {
            let file = folder.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        return folder
    }

    /// Runs `script` with the stand-ins first on the PATH (or alone on it) as `host` would get it.
    func run(_ script: String, on host: RemoteHost? = nil, mode: PrivilegeEscalation = .detect, uid: Int = 1000,
             shims folder: URL, onlyShims: Bool = false, environment: String = "") async throws -> (CommandResult, [String]) {
        let path = onlyShims ? folder.path : "\(folder.path):/usr/bin:/bin"
        let text = "export PATH=\(ShellQuote.quote(path)) FAKE_UID=\(uid) \(environment); \(script)"
        let result = try await LocalTransport(privilegeEscalation: mode).run(RemoteCommand(text, timeout: .seconds(120)), on: host ?? self.host)
        let calls = (try? String(contentsOf: folder.appendingPathComponent("calls.log"), encoding: .utf8))?
            .split(separator: "\n").map(String.init) ?? []
        return (result, calls)
    }

    @Test func commandsWithoutTheWordsAreSentUnchanged() {
        #expect(Privilege.prepare("echo hi", on: host, fallback: .never) == "echo hi")
        let prepared = Privilege.prepare("\(Privilege.asRoot) true", on: host, fallback: .detect)
        #expect(prepared.hasSuffix("\nas_root true") && prepared.contains("as_root() {"))
        #expect(Privilege.prepare("\(Privilege.canBecomeRoot) || exit 2", on: host, fallback: .detect).contains("can_become_root() {"))
    }

    @Test func theHostsOwnModeWinsOverTheTransportDefault() {
        var strict = host
        strict.privilegeEscalation = .never
        #expect(Privilege.prepare("as_root true", on: strict, fallback: .detect).contains("(become=never)"))
        #expect(!Privilege.prepare("as_root true", on: host, fallback: .detect).contains("(become=never)"))
    }

    @Test func detectRunsDirectlyForRootAndThroughSudoOtherwise() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        let (asRoot, rootCalls) = try await run("as_root sh -c 'echo ran'", uid: 0, shims: shims)
        #expect(asRoot.standardOutput == "ran\n" && asRoot.exitStatus == 0)
        #expect(rootCalls.isEmpty, "a root login needs no sudo")
        let (asUser, userCalls) = try await run("as_root sh -c 'echo ran'", uid: 1000, shims: shims)
        #expect(asUser.standardOutput == "ran\n" && asUser.exitStatus == 0)
        #expect(userCalls == ["sudo -n sh -c echo ran"])
    }

    @Test func keepingTheEnvironmentUsesSudoWithE() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        let script = "as_root_env sh -c 'echo \"$COMPOSE_VALUE\"'"
        let (user, calls) = try await run(script, uid: 1000, shims: shims, environment: "COMPOSE_VALUE=kept")
        #expect(user.standardOutput == "kept\n")
        #expect(calls == ["sudo -n -E sh -c echo \"$COMPOSE_VALUE\""])
        let (root, _) = try await run(script, uid: 0, shims: shims, environment: "COMPOSE_VALUE=kept")
        #expect(root.standardOutput == "kept\n")
    }

    @Test func aProgramsOwnFailureKeepsItsStatusAndSaysNothingMore() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        let (result, calls) = try await run("as_root sh -c 'exit 3'", shims: shims)
        #expect(result.exitStatus == 3)
        #expect(result.standardError.isEmpty)
        #expect(calls == ["sudo -n sh -c exit 3", "sudo -n true"], "sudo is asked once more to tell its refusal from the program's failure")
    }

    @Test func sudoThatWantsAPasswordIsNamedWithTheHost() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        let (result, _) = try await run("as_root docker ps; echo after $?", shims: shims, environment: "SUDO_WANTS_PASSWORD=1")
        #expect(result.standardOutput == "after 126\n")
        #expect(result.standardError.contains("host web1: root is needed for `docker` but sudo -n needs a password on web1; give the login user passwordless sudo or log in as root"))
        let (check, _) = try await run("can_become_root", shims: shims, environment: "SUDO_WANTS_PASSWORD=1")
        #expect(check.exitStatus == Privilege.refusedStatus)
        #expect(check.standardError == "host web1: root is needed but sudo -n needs a password on web1; give the login user passwordless sudo or log in as root\n",
                "only the reason, without sudo's own line")
    }

    @Test func aMissingSudoIsNamed() async throws {
        let shims = try Self.shims(withSudo: false)
        defer { try? FileManager.default.removeItem(at: shims) }
        let (result, _) = try await run("as_root docker ps", shims: shims, onlyShims: true)
        #expect(result.exitStatus == 126)
        #expect(result.standardError == "host web1: root is needed for `docker` but the login user is not root and sudo is not installed\n")
        let (root, _) = try await run("as_root /bin/echo direct", uid: 0, shims: shims, onlyShims: true)
        #expect(root.standardOutput == "direct\n", "a root login needs no sudo")
    }

    @Test func neverRefusesWithoutRunningTheProgram() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        for uid in [0, 1000] {
            let (result, calls) = try await run("as_root docker ps || exit; echo ran", mode: .never, uid: uid, shims: shims)
            #expect(result.exitStatus == 126)
            #expect(result.standardOutput.isEmpty)
            #expect(result.standardError == "host web1: root is needed for `docker` but this host may not become root (become=never)\n")
            #expect(calls.isEmpty)
        }
        let (check, _) = try await run("can_become_root", mode: .never, shims: shims)
        #expect(check.standardError == "host web1: root is needed but this host may not become root (become=never)\n")
    }

    @Test func rootModeRunsDirectlyAndRefusesAnotherLogin() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        let (root, rootCalls) = try await run("as_root sh -c 'echo ran'", mode: .root, uid: 0, shims: shims)
        #expect(root.standardOutput == "ran\n" && rootCalls.isEmpty)
        let (user, userCalls) = try await run("as_root sh -c 'echo ran'", mode: .root, uid: 1000, shims: shims)
        #expect(user.exitStatus == 126 && userCalls.isEmpty)
        #expect(user.standardError == "host web1: root is needed for `sh` but the login user is not root (become=root)\n")
    }

    @Test func sudoModeUsesSudoEvenForRoot() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        let (result, calls) = try await run("as_root sh -c 'echo ran'", mode: .sudo, uid: 0, shims: shims)
        #expect(result.standardOutput == "ran\n")
        #expect(calls == ["sudo -n sh -c echo ran"])
    }

    @Test func setEStopsAtARefusalAsItWouldAtAFailedSudo() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        let (result, _) = try await run("set -e; as_root false; echo after", shims: shims)
        #expect(result.exitStatus == 1 && result.standardOutput.isEmpty)
        let (checked, _) = try await run("set -e; if as_root test -e /nonexistent; then echo yes; else echo no; fi", shims: shims)
        #expect(checked.standardOutput == "no\n")
    }

    @Test func hostNamesAreQuotedInTheMessage() async throws {
        let shims = try Self.shims()
        defer { try? FileManager.default.removeItem(at: shims) }
        let odd = RemoteHost(name: "it's 100% $HOME `x`", address: "10.0.0.2")
        let (result, _) = try await run("as_root docker ps", on: odd, mode: .never, shims: shims)
        #expect(result.standardError == "host it's 100% $HOME `x`: root is needed for `docker` but this host may not become root (become=never)\n")
    }

    @Test func theBecomeColumnChoosesTheModePerHost() throws {
        let text = "name,ip,become\na,10.0.0.1,auto\nb,10.0.0.2,root\nc,10.0.0.3,SUDO\nd,10.0.0.4,never\ne,10.0.0.5,\n"
        let inventory = try InventoryLoader.parse(text, file: "servers.csv")
        #expect(inventory.hosts.map(\.privilegeEscalation) == [.detect, .root, .sudo, .never, nil])
        #expect(InventorySummary.text(inventory).contains("  c (line 4): address=10.0.0.3 become=sudo\n"))
        #expect(InventorySummary.text(inventory).contains("  e (line 6): address=10.0.0.5\n"))
    }

    @Test func aBadBecomeValueIsAnErrorWithFileAndLine() {
        #expect(inventoryError("name,ip,become\na,10.0.0.1,maybe\nb,10.0.0.2,sudo -n\n")?.description == """
            servers.csv:2:12: become 'maybe' is not a way to become root; expected one of: auto, root, sudo, never
            servers.csv:3:12: become 'sudo -n' is not a way to become root; expected one of: auto, root, sudo, never
            """)
    }
}
