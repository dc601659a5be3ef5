// `LocalSSHServer` and `LoopbackPort` live in FleetKit (`fleet demo` starts a loopback sshd
// without linking the test helpers); re-exporting FleetKit keeps `import FleetKitTesting`
// alone enough for tests that use them.
@_exported import FleetKit
