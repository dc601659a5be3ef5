import FleetKit
import Foundation

/// `process-private-keys` (phase 2 of the operator guide): derives the public keys file from
/// the new private keys, refuses attesters already in the provider's queue, hands the private
/// keys to secure storage and asks each web3signer to reload.
///
/// Private keys go only to the storage chosen (a 0600 file or the standard input of a
/// program); they are never in a report, a message or a log. Nothing is stored or written
/// when a key is malformed or an attester is already queued.
public struct PrivateKeysProcessing: Sendable {
    /// Where the private keys go: the private keys file's bytes, unchanged.
    public enum Storage: Sendable, Equatable {
        /// A new file with mode 0600; an existing file is never replaced.
        case file(URL)
        /// The standard input of `program` (a path, or a name looked up in the search path)
        /// started with `arguments` and no shell, e.g. `gcloud secrets create NAME --data-file=-`.
        case command(program: String, arguments: [String])

        /// A storage command typed as one line, split into words as a shell would (quotes,
        /// backslashes) without running a shell.
        /// - Throws: ``ButlerRequestError`` for an empty line or an unclosed quote.
        public static func command(line: String) throws(ButlerRequestError) -> Storage {
            let words: [String]
            do { words = try ShellWords.split(line) } catch { throw ButlerRequestError("the storage command cannot be split into words: \(error)") }
            guard let program = words.first else { throw ButlerRequestError("the storage command is empty") }
            return .command(program: program, arguments: Array(words.dropFirst()))
        }
    }

    /// The web3signer URLs of a comma-separated list (`WEB3SIGNER_URLS`); blanks are ignored.
    /// - Throws: ``ButlerRequestError`` for an entry that is not an http(s) URL (shown with its credentials masked).
    public static func web3signerURLs(commaSeparated text: String) throws(ButlerRequestError) -> [URL] {
        var urls: [URL] = []
        for entry in text.split(separator: ",") {
            let trimmed = entry.trimmingCharacters(in: .whitespaces)
            guard let url = URL(string: trimmed), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw ButlerRequestError("the web3signer URL '\(URLCredentials.masked(trimmed))' is not an http(s) URL")
            }
            urls.append(url)
        }
        return urls
    }

    /// The network's checked configuration (nodes, provider).
    public var configuration: ButlerConfiguration
    /// The private keys file (`aztec validator-keys` output).
    public var privateKeysFile: URL
    /// Where the public keys file is written.
    public var publicKeysFile: URL
    /// Where the private keys go.
    public var storage: Storage
    /// The web3signers asked to reload after storing (`/reload` is added to a bare URL).
    public var web3signerURLs: [URL]
    /// The StakingRegistry; nil: the known one of the L1 chain.
    public var stakingRegistry: EthereumAddress?
    /// Where Multicall3 is deployed.
    public var multicall3: EthereumAddress
    /// Folders a storage program name is looked up in.
    public var searchPath: [String]
    /// How HTTP requests (JSON-RPC, reloads) are sent.
    public var http: any HTTPTransport

    /// Describes the run.
    public init(configuration: ButlerConfiguration, privateKeysFile: URL, publicKeysFile: URL, storage: Storage, web3signerURLs: [URL] = [],
                stakingRegistry: EthereumAddress? = nil, multicall3: EthereumAddress = Multicall3.canonicalAddress,
                searchPath: [String] = ["/usr/local/bin", "/usr/bin", "/bin"], http: any HTTPTransport = URLSessionHTTPTransport()) {
        self.configuration = configuration
        self.privateKeysFile = privateKeysFile
        self.publicKeysFile = publicKeysFile
        self.storage = storage
        self.web3signerURLs = web3signerURLs
        self.stakingRegistry = stakingRegistry
        self.multicall3 = multicall3
        self.searchPath = searchPath
        self.http = http
    }

    /// The original's default name of the public keys file: `public-` + the private keys file's name.
    public static func defaultPublicKeysFileName(for privateKeysFile: URL) -> String { "public-" + privateKeysFile.lastPathComponent }

    /// Derives, checks, stores, writes and notifies, in that order.
    /// - Throws: ``KeysFileError`` for a malformed file or key, ``PrivateKeysProcessingError``
    ///   for queued attesters or a storage that failed, ``ChainContextError`` and the chain's errors.
    public func run() async throws -> PrivateKeysProcessingReport {
        let keys = try PrivateKeysFile.read(from: privateKeysFile)
        var notes: [ButlerNote] = []
        var checked: ProviderQueueCheck?
        let context = configuration.stakingProviderId == nil && configuration.stakingProviderAdminAddress == nil
            ? nil : try await ChainContext.connect(configuration, multicall3: multicall3, http: http)
        if let context, let target = try await StakingProviderTarget.resolve(configuration, context: context, registry: stakingRegistry) {
            let queue = try await target.queue(on: context)
            let positions = Dictionary(queue.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
            let queued = keys.validators.enumerated().compactMap { index, validator in
                positions[validator.attester].map { "validators[\(index)]: attester \(validator.attester.checksummed) is already in provider \(target.providerId)'s queue (position \($0))" }
            }
            if !queued.isEmpty { throw PrivateKeysProcessingError(problems: queued + ["nothing was stored or written; remove these validators and run again"]) }
            checked = ProviderQueueCheck(providerId: target.providerId, queueLength: queue.count)
        } else {
            notes.append(ButlerNote(.warning, "no staking provider is configured: the provider queue was not checked for these attesters",
                                    choice: .setting(.stakingProviderId)))
        }
        let storedIn = try await store(keys.contents)
        do {
            try AtomicFile.write(keys.publicKeysJSON, to: publicKeysFile, mode: 0o644)
        } catch {
            throw PrivateKeysProcessingError(problems: ["the private keys are stored (\(storedIn)) but the public keys file \(publicKeysFile.path) could not be written: \(error)"])
        }
        var reloads: [SignerReload] = []
        for url in web3signerURLs { reloads.append(await reload(url)) }
        let validators = keys.validators.map { ProcessedValidator(attester: $0.attester.checksummed, blsPublicKey: Hex.encode($0.blsPublicKey)) }
        return PrivateKeysProcessingReport(publicKeysFile: publicKeysFile.path, validators: validators, storedIn: storedIn,
                                           providerQueue: checked, reloads: reloads, notes: notes)
    }

    /// Hands the private keys to the storage; returns where they went, in words.
    private func store(_ contents: Data) async throws -> String {
        switch storage {
        case .file(let url):
            do {
                try AtomicFile.create(contents, at: url, mode: 0o600)
            } catch where error.code == EEXIST {
                throw PrivateKeysProcessingError(problems: ["the private keys storage file \(url.path) already exists; name a new file (nothing was stored or written)"])
            } catch {
                throw PrivateKeysProcessingError(problems: ["the private keys could not be stored in \(url.path): \(error) (nothing was written)"])
            }
            return "file \(url.path) (mode 0600)"
        case .command(let program, let arguments):
            guard let executable = ProgramSearch.locate(program, in: searchPath) else {
                throw PrivateKeysProcessingError(problems: ["the storage program '\(program)' is not installed or not executable (looked in \(searchPath.joined(separator: ":"))); nothing was stored or written"])
            }
            let output = try await ProcessRunner.run(ProcessRequest(executable: executable, arguments: arguments, standardInput: contents,
                                                                    timeout: .seconds(300), outputLimit: 1 << 20))
            guard output.status == 0, !output.timedOut else {
                let said = TerminalText.escaped(Self.withoutKeys(String(decoding: output.standardError.suffix(400), as: UTF8.self)))
                throw PrivateKeysProcessingError(problems: ["the storage program \(program) \(output.timedOut ? "timed out" : "exited with status \(output.status)")\(said.isEmpty ? "" : ": \(said)"); nothing was written"])
            }
            return "the standard input of \(program)"
        }
    }

    /// `text` with every run of 32 or more hex digits masked, in case a program echoes what it read.
    static func withoutKeys(_ text: String) -> String {
        text.replacingOccurrences(of: "(0[xX])?[0-9a-fA-F]{32,}", with: "***", options: .regularExpression)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// POSTs to the signer's `/reload` (added when the URL has no path) and tells how it went.
    private func reload(_ url: URL) async -> SignerReload {
        var target = url
        if var components = URLComponents(url: url, resolvingAgainstBaseURL: false), components.path.isEmpty || components.path == "/" {
            components.path = "/reload"
            target = components.url ?? url
        }
        let shown = URLCredentials.masked(target.absoluteString)
        do {
            let response = try await http.post(Data(), to: target, timeout: .seconds(30))
            guard (200..<300).contains(response.status) else { return SignerReload(url: shown, succeeded: false, problem: "HTTP \(response.status)") }
            return SignerReload(url: shown, succeeded: true, problem: nil)
        } catch {
            // A transport error may quote the URL, credentials and all: only its masked form is shown.
            var problem = String(describing: error)
            for form in Set([target.absoluteString, url.absoluteString]) where !form.isEmpty {
                problem = problem.replacingOccurrences(of: form, with: shown)
            }
            return SignerReload(url: shown, succeeded: false, problem: TerminalText.escaped(problem))
        }
    }
}

/// Why ``PrivateKeysProcessing`` stopped: attesters already queued, or a storage that failed.
public struct PrivateKeysProcessingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence per problem.
    public let problems: [String]
    /// The problems, one per line.
    public var description: String { problems.joined(separator: "\n") }
}

/// One processed validator's public keys.
public struct ProcessedValidator: Sendable, Codable, Equatable {
    /// The attester's address, checksummed.
    public let attester: String
    /// The compressed BLS public key (0x + 64 hex digits).
    public let blsPublicKey: String
}

/// The provider queue the attesters were checked against.
public struct ProviderQueueCheck: Sendable, Codable, Equatable {
    /// The provider.
    public let providerId: UInt64
    /// How many attesters its queue held.
    public let queueLength: Int
}

/// One web3signer asked to reload.
public struct SignerReload: Sendable, Codable, Equatable {
    /// The reload URL, credentials masked.
    public let url: String
    /// Whether it answered 2xx.
    public let succeeded: Bool
    /// What went wrong, when it did.
    public let problem: String?
}

/// What ``PrivateKeysProcessing`` did.
public struct PrivateKeysProcessingReport: Sendable, Codable, Equatable {
    /// The public keys file written.
    public let publicKeysFile: String
    /// Every validator's public keys, in file order.
    public let validators: [ProcessedValidator]
    /// Where the private keys went, in words.
    public let storedIn: String
    /// The provider queue checked; `nil` when no provider is configured.
    public let providerQueue: ProviderQueueCheck?
    /// Each web3signer reload, in order.
    public let reloads: [SignerReload]
    /// Warnings (an unchecked provider queue).
    public let notes: [ButlerNote]

    /// Whether a web3signer could not be told to reload.
    public var hasFailedReloads: Bool { reloads.contains { !$0.succeeded } }

    /// The report for people; no private key is in it.
    public var lines: [String] {
        var lines = ["derived \(validators.count) validator(s):"]
        lines += validators.enumerated().map { "  \($0 + 1). \($1.attester)  bls \($1.blsPublicKey)" }
        lines.append(providerQueue.map { "none is in provider \($0.providerId)'s queue (\($0.queueLength) attesters)" } ?? "provider queue not checked")
        lines.append("private keys stored in \(storedIn)")
        lines.append("public keys written to \(publicKeysFile)")
        if reloads.isEmpty { lines.append("no web3signer to reload") }
        lines += reloads.map { $0.succeeded ? "web3signer reloaded: \($0.url)" : "web3signer reload FAILED: \($0.url): \($0.problem ?? "")" }
        return lines.map(TerminalText.escaped)
    }
}
