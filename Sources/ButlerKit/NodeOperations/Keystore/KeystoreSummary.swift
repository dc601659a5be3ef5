import FleetKit

/// What a node's keystore holds, by address only: read on the server, where private
/// values are replaced by a marker before anything is printed.
public struct KeystoreSummary: Sendable, Codable, Equatable {
    /// One validator of the keystore.
    public struct Validator: Sendable, Codable, Equatable {
        /// The attester's address, derived from its private key when the keystore holds that;
        /// `nil` when neither could be read (a mnemonic, an encrypted key, a malformed value).
        public var attester: String?
        /// Its coinbase, when set.
        public var coinbase: String?
        /// Its publishers' addresses.
        public var publishers: [String]
        /// Publishers given as private keys (their addresses are not known here).
        public var privatePublishers: Int

        /// Creates a validator summary.
        public init(attester: String? = nil, coinbase: String? = nil, publishers: [String] = [], privatePublishers: Int = 0) {
            self.attester = attester
            self.coinbase = coinbase
            self.publishers = publishers
            self.privatePublishers = privatePublishers
        }
    }

    /// The validators in file order.
    public var validators: [Validator]
    /// Whether the file names a remote signer.
    public var remoteSigner: Bool
    /// The keys file the keystore was last written from, when it came from one.
    public var source: String?
    /// That file's version.
    public var version: Int?
    /// SHA-256 of the keystore file, hex; `nil` when there is no file.
    public var digest: String?
    /// Other `.json` files in the keystore folder: the node loads them too, and one that is
    /// not a keystore (a `*_staker_output.json`) stops it.
    public var otherFiles: [String]
    /// Whether the keystore file holds something other than a JSON object (an array stops the node).
    public var isNotAnObject: Bool
    /// Whether the node's `.env` turns on high-availability signing (`VALIDATOR_HA_SIGNING_ENABLED=true`).
    public var highAvailabilitySigning: Bool
    /// The node's `VALIDATOR_HA_NODE_ID`: every node of a high-availability attester needs
    /// its own.
    public var highAvailabilityNodeID: String?
    /// Which slashing-protection database the node's `VALIDATOR_HA_DATABASE_URL` names: the
    /// first 16 hex digits of the SHA-256 of its host, port and database name, computed on
    /// the server so the URL's credentials never leave it. Nodes sharing an attester must
    /// show the same value.
    public var highAvailabilityDatabase: String?

    /// Creates a summary.
    public init(validators: [Validator] = [], remoteSigner: Bool = false, source: String? = nil, version: Int? = nil, digest: String? = nil,
                otherFiles: [String] = [], isNotAnObject: Bool = false, highAvailabilitySigning: Bool = false,
                highAvailabilityNodeID: String? = nil, highAvailabilityDatabase: String? = nil) {
        self.validators = validators
        self.remoteSigner = remoteSigner
        self.source = source
        self.version = version
        self.digest = digest
        self.otherFiles = otherFiles
        self.isNotAnObject = isNotAnObject
        self.highAvailabilitySigning = highAvailabilitySigning
        self.highAvailabilityNodeID = highAvailabilityNodeID
        self.highAvailabilityDatabase = highAvailabilityDatabase
    }

    /// The attesters' addresses, lowercase, in file order (those whose address could not be read left out).
    public var attesters: [String] { validators.compactMap { $0.attester?.lowercased() } }
    /// The distinct coinbases, lowercase, in file order.
    public var coinbases: [String] {
        var seen = Set<String>()
        return validators.compactMap { $0.coinbase?.lowercased() }.filter { seen.insert($0).inserted }
    }
}

/// Reads a node's keystore on the server and parses what it printed.
enum KeystoreInspection {
    /// Turns the keystore's tokens (`"name":` and `"0x…"`, one a line) into `ks=` lines: `key
    /// NAME`, `addr 0x…` for 20-byte values, `attesterkey 0x…` for an attester's 32-byte
    /// Ethereum private key (`"attester": "0x…"` or `"attester": {"eth": "0x…"}`), whose
    /// address is derived here and the key dropped, and `secret` for any other hex value
    /// (BLS and publisher keys never leave the server).
    static let tokenProgram = """
        { t = $0; gsub(/"/, "", t) }
        /:$/ { sub(/[ \\t]*:$/, "", t); print "ks=key " t; before = last; last = t; next }
        { if (length(t) == 42) print "ks=addr " t
          else if (length(t) == 66 && (last == "attester" || (last == "eth" && before == "attester"))) print "ks=attesterkey " t
          else print "ks=secret"
          last = ""; before = "" }
        """

    /// Shell lines for the node folder of `compose`: `keys=keystore|environment`, and for a
    /// keystore its digest, source, other `.json` files and `ks=` tokens (see ``tokenProgram``).
    /// Only addresses and the attesters' Ethereum keys leave the server, and only over SSH:
    /// ``parse(_:)`` keeps the addresses derived from those keys, never the keys.
    static func script(_ compose: ComposeLayout) -> String {
        let q = RemoteShell.q
        let ks = q(compose.keystoreFile)
        return """
            if grep -q '^KEY_STORE_DIRECTORY=' \(q(compose.environmentFile)) 2>/dev/null; then
              echo keys=keystore
              if [ -f \(ks) ]; then
                printf 'keystore_digest=%s\\n' "$(sha256sum <\(ks) | cut -d' ' -f1)"
                [ "$(tr -d ' \\t\\r\\n' <\(ks) | cut -c1)" = '{' ] || echo keystore_not_object=1
                tr -d '\\r\\n' <\(ks) | grep -oE '"[A-Za-z]+"[[:space:]]*:|"0x[0-9a-fA-F]*"' | awk '\(tokenProgram)'
              fi
              [ ! -f \(q(compose.keystoreSourceFile)) ] || printf 'keystore_source=%s\\n' "$(head -n 1 \(q(compose.keystoreSourceFile)))"
              for f in \(q(compose.keystoreDirectory))/*.json; do [ -e "$f" ] || continue; [ "${f##*/}" = keystore.json ] || printf 'keystore_other=%s\\n' "${f##*/}"; done
              ! grep -qi '^VALIDATOR_HA_SIGNING_ENABLED=["'"'"']\\{0,1\\}true' \(q(compose.environmentFile)) || echo ha_signing=1
              ha_value() { sed -n "s/^$1=//p" \(q(compose.environmentFile)) | tail -n 1 | tr -d "\\\"'\\r"; }
              ha_id=$(ha_value VALIDATOR_HA_NODE_ID); [ -z "$ha_id" ] || printf 'ha_node_id=%s\\n' "$ha_id"
              ha_db=$(ha_value VALIDATOR_HA_DATABASE_URL); ha_db=${ha_db##*@}; ha_db=${ha_db%%\\?*}
              [ -z "$ha_db" ] || printf 'ha_database=%s\\n' "$(printf '%s' "$ha_db" | sha256sum | cut -c1-16)"
            else
              echo keys=environment
            fi
            """
    }

    /// Parses the script's lines (already split at `=`) into a summary.
    static func parse(_ lines: [(key: String, value: String)]) -> KeystoreSummary {
        var summary = KeystoreSummary()
        enum Place { case attester, coinbase, publisher, other }
        var place = Place.other
        for (key, value) in lines {
            switch key {
            case "keystore_digest": summary.digest = value.isEmpty ? nil : value
            case "keystore_not_object": summary.isNotAnObject = true
            case "keystore_source":
                summary.source = value.isEmpty ? nil : value
                summary.version = KeystoreFile.version(of: value)
            case "keystore_other": summary.otherFiles.append(value)
            case "ha_signing": summary.highAvailabilitySigning = true
            case "ha_node_id": summary.highAvailabilityNodeID = value.isEmpty ? nil : value
            case "ha_database": summary.highAvailabilityDatabase = value.isEmpty ? nil : value
            case "ks":
                let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
                switch (parts.first, parts.count > 1 ? parts[1] : "") {
                case ("key", "attester"):
                    summary.validators.append(KeystoreSummary.Validator())
                    place = .attester
                case ("key", "eth"): place = .attester
                case ("key", "coinbase"): place = .coinbase
                case ("key", "publisher"): place = .publisher
                case ("key", "remoteSigner"):
                    summary.remoteSigner = true
                    place = .other
                case ("key", _): place = .other
                case ("addr", let address):
                    guard !summary.validators.isEmpty else { continue }
                    let last = summary.validators.count - 1
                    switch place {
                    case .attester: summary.validators[last].attester = address
                    case .coinbase: summary.validators[last].coinbase = address
                    case .publisher: summary.validators[last].publishers.append(address)
                    case .other: break
                    }
                case ("attesterkey", let key):
                    guard !summary.validators.isEmpty, place == .attester else { continue }
                    let last = summary.validators.count - 1
                    if summary.validators[last].attester == nil, let bytes = Hex.decode(key),
                       let address = PublicKeyDerivation.ethereumAddress(privateKey: bytes) {
                        summary.validators[last].attester = address.checksummed
                    }
                case ("secret", _):
                    guard !summary.validators.isEmpty, place == .publisher else { continue }
                    summary.validators[summary.validators.count - 1].privatePublishers += 1
                default: continue
                }
            default: continue
            }
        }
        return summary
    }
}
