import Testing

/// The tags of this repository's test suites, declared once here. Every suite carries at
/// least one, by what it really needs from the machine; `scripts/test-tag.sh TAG` runs the
/// suites with a tag (`swift test --filter` matches names only).
extension Tag {
    /// Needs nothing beyond the build and the everyday tools `scripts/setup.sh tests`
    /// installs (python3, curl, promtool): fakes, temporary files, child processes and
    /// servers of its own on 127.0.0.1. Runs as any user.
    @Tag public static var unit: Tag

    /// Real OpenSSH hosts: sandbox hosts in network namespaces (`.sandboxHosts(N)`) or a
    /// local sshd. Needs root, iproute2 and openssh-server (``Prerequisite/sandbox``).
    @Tag public static var sandbox: Tag

    /// The Python EVM on loopback (`Tests/ButlerKitTests/Fixtures/evm`), or the Python
    /// environment it runs in. Needs `.venv-evm` from `scripts/install-evm.sh`
    /// (``Prerequisite/evm``).
    @Tag public static var evm: Tag

    /// Takes long: fuzzing, many random cases, big fleets or chains. Carried beside one of
    /// the tags above.
    @Tag public static var slow: Tag
}
