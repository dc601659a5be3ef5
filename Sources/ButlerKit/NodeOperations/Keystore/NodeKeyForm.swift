import FleetKit

/// How a compose node takes its validator keys.
public enum NodeKeyForm: String, Sendable, Codable, CaseIterable {
    /// The original toolkit's form: `VALIDATOR_PRIVATE_KEY(S)` and one `COINBASE` in the node's `.env`.
    case environment
    /// A keystore folder (`KEY_STORE_DIRECTORY`) holding one file in the Butler's keys-file
    /// schema: per-attester coinbases and publishers, or a remote signer.
    case keystore
}

extension ComposeLayout {
    /// The keystore folder (mode 0700), mounted read-only into the container.
    public var keystoreDirectory: String { nodeDirectory + "/keystore" }
    /// The one keystore file the node loads (mode 0600).
    public var keystoreFile: String { keystoreDirectory + "/keystore.json" }
    /// Earlier keystore files and the `.env` of the environment form, kept with a time
    /// stamp (folder 0700, files 0600); outside the keystore folder, so the node never loads them.
    public var backupDirectory: String { nodeDirectory + "/backups" }
    /// Names the keys file the keystore was last written from (`mainnet-keys-server-1-v3.json`);
    /// no secret in it.
    public var keystoreSourceFile: String { nodeDirectory + "/keystore.source" }
    /// Where the container sees the keystore folder.
    public static let containerKeystoreDirectory = "/var/lib/aztec-keystore"
}
