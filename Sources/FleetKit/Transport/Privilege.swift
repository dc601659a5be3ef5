/// The words a command's shell text uses to ask for root, and the shell functions the
/// transports define for them on each host.
///
/// A kit never spells out `sudo`: it writes ``asRoot`` in front of a program that needs
/// root (`"\(Privilege.asRoot) systemctl restart docker"`), and the transport puts the
/// definitions in front of the command for that host's ``PrivilegeEscalation``. Commands
/// that use none of the words are sent unchanged. None of the functions ever waits for a
/// password; when root is out of reach they print one line on standard error naming the
/// host and the program, and return ``refusedStatus``:
///
///     host web1: root is needed for `docker` but this host may not become root (become=never)
///     host web1: root is needed for `docker` but sudo -n needs a password on web1; …
///
/// A program run through a failing `sudo -n` makes the function ask `sudo -n true` once
/// more, to tell the program's own failure (its status is kept) from sudo's refusal.
public enum Privilege {
    /// `as_root PROGRAM ARGUMENTS…`: runs the program as root. Through `sudo -n`, the
    /// environment is sudo's usual reset one; see ``asRootKeepingEnvironment``.
    public static let asRoot = "as_root"

    /// `as_root_env PROGRAM ARGUMENTS…`: as ``asRoot``, keeping the caller's environment
    /// (variables exported by the script): directly for a root login, `sudo -n -E` otherwise.
    public static let asRootKeepingEnvironment = "as_root_env"

    /// `can_become_root`: succeeds when ``asRoot`` can work on this host (checked with
    /// `sudo -n true` where sudo is used); otherwise prints why on standard error and
    /// returns ``refusedStatus``. For scripts that must stop before a failing root read
    /// is taken for "the file is not there".
    public static let canBecomeRoot = "can_become_root"

    /// Status of a function that refused to run a program as root: 126, as a shell
    /// returns for a program it cannot execute.
    public static let refusedStatus: Int32 = 126

    /// `script` with the definitions for `host` in front when it uses one of the words,
    /// else `script` itself. `fallback` applies when the host sets no mode.
    public static func prepare(_ script: String, on host: RemoteHost, fallback: PrivilegeEscalation) -> String {
        guard uses(script) else { return script }
        return prelude(host: host.name, escalation: host.privilegeEscalation ?? fallback) + "\n" + script
    }

    /// Whether `script` names one of the words (a cheap text search: a word inside another
    /// name costs only an unused definition).
    public static func uses(_ script: String) -> Bool {
        script.contains(asRoot) || script.contains(canBecomeRoot)
    }

    /// The shell functions ``asRoot``, ``asRootKeepingEnvironment`` and ``canBecomeRoot``
    /// for a host named `host` that gets root by `escalation` (helpers named `fleetkit_…`).
    public static func prelude(host: String, escalation: PrivilegeEscalation) -> String {
        let name = ShellQuote.quote(host)
        let noSudo = ShellQuote.quote(escalation == .sudo ? "sudo is not installed (become=sudo)"
                                                          : "the login user is not root and sudo is not installed")
        let password = ShellQuote.quote("sudo -n needs a password on \(host); give the login user passwordless sudo or log in as root")
        let notRoot = ShellQuote.quote("the login user is not root (become=root)")
        let refused = ShellQuote.quote("this host may not become root (become=never)")
        let status = refusedStatus
        var lines = [
            // fleetkit_refuse PROGRAM REASON: the one line saying why, then status 126.
            "fleetkit_refuse() { if [ -n \"$1\" ]; then printf 'host %s: root is needed for `%s` but %s\\n' \(name) \"$1\" \"$2\";"
                + " else printf 'host %s: root is needed but %s\\n' \(name) \"$2\"; fi >&2; return \(status); }",
            // fleetkit_sudo PROGRAM SUDO-ARGUMENTS…: sudo -n, telling sudo's refusal from the program's failure.
            "fleetkit_sudo() { fleetkit_program=$1; shift; command -v sudo >/dev/null 2>&1 || { fleetkit_refuse \"$fleetkit_program\" \(noSudo); return; };"
                + " sudo -n \"$@\" && return 0; fleetkit_status=$?;"
                + " sudo -n true </dev/null >/dev/null 2>&1 || { fleetkit_refuse \"$fleetkit_program\" \(password); return; }; return $fleetkit_status; }",
            // fleetkit_sudo_works: whether sudo -n can run a program, quietly; else why.
            "fleetkit_sudo_works() { command -v sudo >/dev/null 2>&1 || { fleetkit_refuse '' \(noSudo); return; };"
                + " sudo -n true </dev/null >/dev/null 2>&1 || fleetkit_refuse '' \(password); }",
        ]
        let isRoot = "[ \"$(id -u)\" = 0 ]"
        switch escalation {
        case .detect:
            lines += [
                "\(asRoot)() { if \(isRoot); then \"$@\"; else fleetkit_sudo \"$1\" \"$@\"; fi; }",
                "\(asRootKeepingEnvironment)() { if \(isRoot); then \"$@\"; else fleetkit_sudo \"$1\" -E \"$@\"; fi; }",
                "\(canBecomeRoot)() { \(isRoot) || fleetkit_sudo_works; }",
            ]
        case .root:
            lines += [
                "\(asRoot)() { if \(isRoot); then \"$@\"; else fleetkit_refuse \"$1\" \(notRoot); fi; }",
                "\(asRootKeepingEnvironment)() { if \(isRoot); then \"$@\"; else fleetkit_refuse \"$1\" \(notRoot); fi; }",
                "\(canBecomeRoot)() { \(isRoot) || fleetkit_refuse '' \(notRoot); }",
            ]
        case .sudo:
            lines += [
                "\(asRoot)() { fleetkit_sudo \"$1\" \"$@\"; }",
                "\(asRootKeepingEnvironment)() { fleetkit_sudo \"$1\" -E \"$@\"; }",
                "\(canBecomeRoot)() { fleetkit_sudo_works; }",
            ]
        case .never:
            lines += [
                "\(asRoot)() { fleetkit_refuse \"$1\" \(refused); }",
                "\(asRootKeepingEnvironment)() { fleetkit_refuse \"$1\" \(refused); }",
                "\(canBecomeRoot)() { fleetkit_refuse '' \(refused); }",
            ]
        }
        return lines.joined(separator: "\n")
    }
}
