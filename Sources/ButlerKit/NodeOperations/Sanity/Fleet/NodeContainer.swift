import FleetKit

/// Finds a server's node container and reads its state with `docker inspect`, in one SSH
/// round trip.
enum NodeContainer {
    /// The container looked for when none is named: the compose layout's.
    static let defaultName = ComposeFile.serviceName

    /// The script: the named container, else `aztec-node`, else the first running container of
    /// an `aztecprotocol/aztec` image; prints `NAME|STATUS|RESTARTS|EXIT|OOM|STARTED`, or
    /// `no-container` with what was tried.
    static func inspectScript(name: String?) -> String {
        let choose: String
        if let name {
            choose = "n=\(ShellQuote.quote(name)); "
        } else {
            choose = "n=\(defaultName); \(Privilege.asRoot) docker inspect \"$n\" >/dev/null 2>&1 || "
                + "n=$(\(Privilege.asRoot) docker ps --format '{{.Names}} {{.Image}}' 2>/dev/null | awk '$2 ~ /^aztecprotocol\\/aztec/ {print $1; exit}'); "
        }
        return choose
            + "[ -n \"$n\" ] || { echo 'no-container: no container named \(defaultName) and none of an aztecprotocol/aztec image runs'; exit 0; }; "
            + "out=$(\(Privilege.asRoot) docker inspect -f '{{.Name}}|{{.State.Status}}|{{.RestartCount}}|{{.State.ExitCode}}|{{.State.OOMKilled}}|{{.State.StartedAt}}' \"$n\" 2>&1) "
            + "|| { printf 'no-container: %s\\n' \"$out\"; exit 0; }; printf '%s\\n' \"$out\""
    }

    /// The container's state, or why there is none.
    static func parse(_ output: String) -> Result<ContainerState, ContainerMissing> {
        let line = output.split(separator: "\n").last.map(String.init) ?? ""
        if line.hasPrefix("no-container: ") { return .failure(ContainerMissing(reason: String(line.dropFirst("no-container: ".count)))) }
        let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6, let restarts = Int(fields[2]), let exit = Int(fields[3]) else {
            return .failure(ContainerMissing(reason: "docker inspect printed '\(line)'"))
        }
        let name = fields[0].hasPrefix("/") ? String(fields[0].dropFirst()) : fields[0]
        return .success(ContainerState(name: name, status: fields[1], restartCount: restarts, exitCode: exit,
                                       oomKilled: fields[4] == "true", startedAt: fields[5]))
    }

    /// Why no container state was read.
    struct ContainerMissing: Error, Equatable {
        var reason: String
    }

    /// Streams the container's log of the last `since` (both of its streams: Aztec logs on
    /// standard error), each line prefixed with its time.
    static func logsScript(name: String, since: String) -> String {
        "\(Privilege.asRoot) docker logs --timestamps --since \(ShellQuote.quote(since)) \(ShellQuote.quote(name)) 2>&1"
    }
}
