import FleetKit
import Foundation

/// Checks every setting of a read node file and builds the `NodeConfig`, collecting every
/// problem (with its line, "from the environment" or "missing") instead of stopping at the first.
struct NodeConfigValidator {
    /// A setting's raw text and where it came from.
    struct Source {
        let value: String
        let location: NodeConfigProblem.Location
    }

    let conf: NodeConfFile
    let environment: [String: String]
    let unreadable: Set<String>
    var problems: [NodeConfigProblem] = []
    var notes: [NodeConfigProblem] = []
    /// Masks the keyring password in any value quoted back in a message.
    let redactor: Redactor

    init(conf: NodeConfFile, environment: [String: String], unreadable: Set<String>) {
        self.conf = conf
        self.environment = environment
        self.unreadable = unreadable
        let password = conf.lastAssignment(of: NodeConfSetting.keyringPassword.rawValue)?.value
            ?? environment[NodeConfSetting.keyringPassword.rawValue]
        redactor = Redactor(secrets: password.map { [$0] } ?? [])
    }

    // MARK: Sources

    /// The file's last assignment, else the environment's value (as the original's `source` leaves it).
    func source(_ setting: NodeConfSetting) -> Source? {
        if let assignment = conf.lastAssignment(of: setting.rawValue) {
            return Source(value: assignment.value, location: .line(assignment.line))
        }
        if let value = environment[setting.rawValue] {
            return Source(value: value, location: .environment)
        }
        return nil
    }

    /// A non-empty value, else the default; for a required setting, a "missing" or "empty" problem.
    mutating func value(_ setting: NodeConfSetting) -> Source? {
        if unreadable.contains(setting.rawValue) { return nil }
        let found = source(setting)
        if let found, !found.value.isEmpty {
            if found.location == .environment {
                notes.append(problem(setting, at: .environment, "\(setting.rawValue) is taken from the environment: the node file does not set it"))
            }
            return found
        }
        if let fallback = setting.defaultValue { return Source(value: fallback, location: .missing) }
        if setting.isRequired {
            if let found {
                report(setting, at: found.location, "\(setting.rawValue) is empty; it is required (\(Self.purpose(setting)))")
            } else {
                report(setting, at: .missing, "\(setting.rawValue) is required (\(Self.purpose(setting)))")
            }
        }
        return nil
    }

    // MARK: Reporting

    func problem(_ setting: NodeConfSetting, at location: NodeConfigProblem.Location, _ message: String) -> NodeConfigProblem {
        NodeConfigProblem(file: conf.path, location: location, setting: setting.rawValue, message: message)
    }

    mutating func report(_ setting: NodeConfSetting, at location: NodeConfigProblem.Location, _ message: String) {
        problems.append(problem(setting, at: location, message))
    }

    /// A value quoted for a message: control characters escaped, the password masked, long text cut.
    /// A value quoted for an error: secrets masked, at most 120 characters, and only its
    /// first line. A value spanning lines comes from a quote left open, and the lines after
    /// it are other settings, the password among them.
    func shown(_ value: String) -> String {
        let lines = value.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let first = ConfigValueText.visible(redactor.redact(String(lines.first ?? "")))
        let cut = first.count > 120 ? String(first.prefix(120)) + "…" : first
        return "'" + cut + "'" + (lines.count > 1 ? " (and \(lines.count - 1) more lines: is a closing quote missing?)" : "")
    }

    static func purpose(_ setting: NodeConfSetting) -> String {
        switch setting {
        case .serverIP: "the server's IPv4 or IPv6 address"
        case .sshUser: "the SSH login, e.g. ubuntu"
        case .keyName: "the warm key's name, e.g. quick-newton"
        case .keyringPassword: "the warm keyring's password, at least 8 characters"
        case .accountPublicKey: "the cold key's public key in base64"
        case .modelName: "e.g. \(NodeProfile.x1.modelName)"
        case .seedAPIURL: "e.g. http://node2.gonka.ai:8000"
        case .profile: "x1, x8, x8-4090 or auto"
        default: setting.rawValue
        }
    }

    // MARK: The whole check

    mutating func validate(syntaxProblems: [NodeConfigProblem]) throws(NodeConfigError) -> NodeConfig {
        problems = syntaxProblems
        let serverAddress = checkServerAddress()
        let sshUser = check(.sshUser) { value in
            ConfigValueText.isUserName(value) && value.count <= 32
                ? nil : "is not a login name: expected a letter or '_' followed by letters, digits, '_', '.' or '-'"
        }
        let keyName = check(.keyName, Self.keyNameProblem)
        let password = checkPassword()
        let accountPublicKey = check(.accountPublicKey, AccountPublicKey.problem).flatMap(AccountPublicKey.init)
        let seedAPIURL = check(.seedAPIURL) { value in
            Self.httpURLProblem(value) ?? (value.hasSuffix("/")
                ? "ends with '/'; write it without, since /chain-rpc and /chain-p2p are appended to it" : nil)
        }
        let profileChoice = checkProfile()
        let modelName = checkModel(profileChoice)
        let profile: NodeProfile? = switch profileChoice {
        case .given(let given): given
        case .open: modelName.flatMap(NodeProfile.serving)
        case nil: nil
        }
        let volumeDevice = check(.volumeDevice) { value in
            Self.pathProblem(value) ?? (value.hasPrefix("/dev/") ? nil : "is not a device under /dev/")
        }
        let volumeMount = check(.volumeMount, Self.pathProblem)
        let hfHome = check(.hfHome, Self.pathProblem)
        let gonkaPath = check(.gonkaPath, Self.pathProblem)
        let peers = checkPeers()
        let autoConfirm = checkAutoConfirm()
        let sshPort = checkNumber(.sshPort, range: 1...65535)
        let sshKey = check(.sshKey) { value in
            value.hasPrefix("-") || value.unicodeScalars.contains { $0.properties.generalCategory == .control }
                ? "is not a usable key file path" : nil
        }
        let adminKeys = checkAdminKeys()
        let coldKeyName = check(.coldKeyName, Self.keyNameProblem)
        let grantNodeURL = checkGrantURL(seedAPIURL: seedAPIURL)
        let keepRecent = checkNumber(.pruningKeepRecent, range: PruningSettings.minimumKeepRecent...Int.max,
                                     why: "the Cosmos SDK refuses fewer than \(PruningSettings.minimumKeepRecent)")
        let interval = checkNumber(.pruningInterval, range: PruningSettings.minimumInterval...Int.max,
                                   why: "the Cosmos SDK refuses intervals below \(PruningSettings.minimumInterval)")
        let gpuCheck = checkGPUCheck()
        noteUnknownNames()

        guard problems.isEmpty, let serverAddress, let sshUser, let keyName, let password, let accountPublicKey,
              let modelName, let seedAPIURL, let profile, let volumeDevice, let volumeMount, let hfHome, let gonkaPath,
              let peers, let sshPort, let adminKeys, let grantNodeURL, let keepRecent, let interval, let gpuCheck
        else {
            if problems.isEmpty {
                problems.append(NodeConfigProblem(file: conf.path, location: .file, setting: nil, message: "the settings could not all be read"))
            }
            throw NodeConfigError(file: conf.path, problems: Self.ordered(problems), notes: Self.ordered(notes))
        }
        return NodeConfig(
            file: conf.path, serverAddress: serverAddress, sshUser: sshUser, sshPort: sshPort, sshKey: sshKey, keyName: keyName,
            keyringPassword: password, accountPublicKey: accountPublicKey, modelName: modelName, seedAPIURL: seedAPIURL,
            profile: profile, profileIsOpen: profileChoice == .open, gpuCheck: gpuCheck, volumeDevice: volumeDevice, volumeMount: volumeMount, hfHome: hfHome, gonkaPath: gonkaPath,
            persistentPeers: peers, autoConfirm: autoConfirm, adminSSHKeys: adminKeys, coldKeyName: coldKeyName,
            grantNodeURL: grantNodeURL, pruning: PruningSettings(keepRecent: keepRecent, interval: interval),
            notes: Self.ordered(notes))
    }

    /// Problems by line, then those from the environment, then missing settings, then whole-file ones.
    static func ordered(_ problems: [NodeConfigProblem]) -> [NodeConfigProblem] {
        func rank(_ problem: NodeConfigProblem) -> (Int, Int) {
            switch problem.location {
            case .line(let line): (0, line)
            case .environment: (1, 0)
            case .missing: (2, 0)
            case .file: (3, 0)
            }
        }
        return problems.enumerated().sorted { left, right in
            let (a, b) = (rank(left.element), rank(right.element))
            return a != b ? a < b : left.offset < right.offset
        }.map(\.element)
    }

    /// The value when `rule` finds nothing wrong; otherwise reports "NAME 'value' <phrase>".
    mutating func check(_ setting: NodeConfSetting, _ rule: (String) -> String?) -> String? {
        guard let source = value(setting) else { return nil }
        if let phrase = rule(source.value) {
            let quoted = setting.isSecret ? "" : " " + shown(source.value)
            report(setting, at: source.location, "\(setting.rawValue)\(quoted) \(phrase)")
            return nil
        }
        return source.value
    }
}
