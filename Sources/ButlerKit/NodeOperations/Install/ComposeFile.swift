/// The docker compose file of a node: the pinned image, P2P and RPC ports, the data volume
/// (and the keystore folder, read-only, in the keystore form), `.env`.
public enum ComposeFile {
    /// The service's name.
    public static let serviceName = "aztec-node"

    /// The image of `version`.
    public static func image(_ version: String) -> String { "aztecprotocol/aztec:\(version)" }

    /// The compose file's text. The admin port is never published.
    public static func text(_ settings: InstallSettings) -> String {
        let p2p = settings.p2pPort
        let rpc = settings.rpcPort
        let keystore = settings.keyForm == .keystore ? "\n      - ./keystore:\(ComposeLayout.containerKeystoreDirectory):ro" : ""
        return """
            # Written by aztec-fleet; changes are overwritten by the next run.
            services:
              \(serviceName):
                image: "\(image(settings.aztecVersion))"
                container_name: \(serviceName)
                restart: unless-stopped
                env_file: .env
                entrypoint: >-
                  sh -c 'node --no-warnings /usr/src/yarn-project/aztec/dest/bin/index.js start --network \(yamlSafe(settings.network)) --node --archiver --sequencer'
                ports:
                  - "\(p2p):\(p2p)/tcp"
                  - "\(p2p):\(p2p)/udp"
                  - "\(rpc):\(rpc)"
                volumes:
                  - ./data:/var/lib/aztec\(keystore)

            """
    }

    /// Keeps only characters a network name can have, so it cannot break the YAML or the shell line.
    static func yamlSafe(_ text: String) -> String {
        String(text.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
    }
}
