import FleetKit
import Foundation

/// `NODE_CONFIG_PROFILE`: a profile, or left open for phase 0 to pick.
enum NodeProfileChoice: Equatable {
    /// The value that leaves it open.
    static let openValue = "auto"

    case given(NodeProfile)
    case open
}

/// The checks of single settings, each reporting into the validator.
extension NodeConfigValidator {
    mutating func checkServerAddress() -> ServerAddress? {
        guard let source = value(.serverIP) else { return nil }
        if let address = ServerAddress(source.value) { return address }
        let text = source.value
        let phrase: String
        if text.hasPrefix("["), text.hasSuffix("]"), ServerAddress(String(text.dropFirst().dropLast())) != nil {
            phrase = "has brackets; write the IPv6 address without them"
        } else if ConfigValueText.isHostname(text), !text.allSatisfy({ $0.isNumber || $0 == "." }) {
            phrase = "is a host name; expected an IPv4 or IPv6 address, as the original does"
        } else {
            phrase = "is not an IPv4 or IPv6 address"
        }
        report(.serverIP, at: source.location, "SERVER_IP \(shown(text)) \(phrase)")
        return nil
    }

    mutating func checkPassword() -> Secret? {
        guard let source = value(.keyringPassword) else { return nil }
        let length = source.value.unicodeScalars.count
        var fine = true
        if length < 8 {
            report(.keyringPassword, at: source.location, "KEYRING_PASSWORD is too short: \(length) characters, at least 8 are needed")
            fine = false
        }
        if source.value.contains(where: { $0.isNewline }) {
            report(.keyringPassword, at: source.location, "KEYRING_PASSWORD contains a line break; the keyring reads the password as one line")
            fine = false
        }
        return fine ? Secret(source.value) : nil
    }

    /// A profile, or `auto` (the configuration is picked in phase 0 from the server's GPUs).
    mutating func checkProfile() -> NodeProfileChoice? {
        guard let source = value(.profile) else { return nil }
        if let profile = NodeProfile(rawValue: source.value) { return .given(profile) }
        if source.value == NodeProfileChoice.openValue {
            notes.append(problem(.profile, at: source.location,
                                 "NODE_CONFIG_PROFILE=auto: the deployment picks the official configuration serving MODEL_NAME that matches the server's GPUs; files rendered without a server are for the first one serving it"))
            return .open
        }
        let choices = NodeProfile.allCases.map { "\($0.rawValue) (\($0.hardware), \($0.modelName))" }.joined(separator: ", ")
        report(.profile, at: source.location,
               "NODE_CONFIG_PROFILE \(shown(source.value)) is not supported; expected \(choices) or auto (picked from the server's GPUs)")
        return nil
    }

    /// MODEL_NAME must start with `Qwen/` (as in the original) and be the model the profile's
    /// node-config.json serves; with `auto`, a model some profile serves.
    mutating func checkModel(_ choice: NodeProfileChoice?) -> String? {
        guard let source = value(.modelName) else { return nil }
        let model = source.value
        guard model.hasPrefix("Qwen/") else {
            report(.modelName, at: source.location, "MODEL_NAME \(shown(model)) must start with 'Qwen/', as in the original")
            return nil
        }
        switch choice {
        case nil:
            return model
        case .open:
            if NodeProfile.serving(model) != nil { return model }
            let models = Set(NodeProfile.allCases.map(\.modelName)).sorted().joined(separator: " or ")
            report(.modelName, at: source.location,
                   "MODEL_NAME \(shown(model)) is served by no configuration, so NODE_CONFIG_PROFILE=auto has none to pick; expected \(models)")
            return nil
        case .given(let profile):
            if model == profile.modelName { return model }
            if let other = NodeProfile.serving(model) {
                report(.modelName, at: source.location,
                       "MODEL_NAME \(model) goes with NODE_CONFIG_PROFILE \(other.rawValue) (\(other.hardware)), but the profile is \(profile.rawValue), whose node-config.json serves \(profile.modelName); set NODE_CONFIG_PROFILE=\(other.rawValue) or MODEL_NAME=\(profile.modelName)")
            } else {
                report(.modelName, at: source.location,
                       "MODEL_NAME \(shown(model)) is not served by NODE_CONFIG_PROFILE \(profile.rawValue), whose node-config.json lists \(profile.modelName): the model would be downloaded but never used")
            }
            return nil
        }
    }

    /// `refuse` (the default) or `warn`.
    mutating func checkGPUCheck() -> GPUCheckPolicy? {
        let text = check(.gpuCheck) { value in
            GPUCheckPolicy(rawValue: value) == nil
                ? "is not supported; expected refuse (GPUs that cannot run the configuration stop the deployment) or warn (they are only reported)" : nil
        }
        return text.flatMap(GPUCheckPolicy.init(rawValue:))
    }

    mutating func checkPeers() -> [PersistentPeer]? {
        guard let source = value(.persistentPeers) else { return nil }
        let parsed = PersistentPeer.parseList(source.value)
        for phrase in parsed.problems {
            report(.persistentPeers, at: source.location, "PERSISTENT_PEERS \(phrase)")
        }
        return parsed.problems.isEmpty ? parsed.peers : nil
    }

    mutating func checkAdminKeys() -> [AdminSSHKey]? {
        guard let source = value(.adminSSHKeys) else { return unreadable.contains(NodeConfSetting.adminSSHKeys.rawValue) ? nil : [] }
        let parsed = AdminSSHKey.parseList(source.value)
        for phrase in parsed.problems {
            report(.adminSSHKeys, at: source.location, "ADMIN_SSH_KEYS \(phrase) (one public key per line or separated by ';')")
        }
        return parsed.problems.isEmpty ? parsed.keys : nil
    }

    /// Only the exact word `yes` skips the prompt, as in the original; a near miss is noted.
    mutating func checkAutoConfirm() -> Bool {
        guard let source = value(.autoConfirm) else { return false }
        if source.value == "yes" { return true }
        if ["y", "Y", "YES", "Yes", "true", "TRUE", "True", "1", "on"].contains(source.value) {
            notes.append(problem(.autoConfirm, at: source.location,
                                 "AUTO_CONFIRM=\(source.value) does not skip the confirmation prompt: only 'yes' does, as in the original"))
        }
        return false
    }

    mutating func checkGrantURL(seedAPIURL: String?) -> String? {
        if unreadable.contains(NodeConfSetting.grantNodeURL.rawValue) { return nil }
        if let source = source(.grantNodeURL), !source.value.isEmpty {
            return check(.grantNodeURL, Self.httpURLProblem)
        }
        return seedAPIURL.map { $0 + "/chain-rpc/" }
    }

    mutating func checkNumber(_ setting: NodeConfSetting, range: ClosedRange<Int>, why: String? = nil) -> Int? {
        let text = check(setting) { value in
            guard value.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(value) else {
                return "is not a whole number"
            }
            guard range.contains(number) else {
                let bounds = range.upperBound == Int.max
                    ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
                return "is out of range: expected \(bounds)" + (why.map { " (\($0))" } ?? "")
            }
            return nil
        }
        return text.flatMap { Int($0) }
    }

    /// Assignments of names no setting has and nothing refers to: probably typos.
    mutating func noteUnknownNames() {
        let known = Set(NodeConfSetting.allCases.map(\.rawValue))
        var seen: Set<String> = []
        for assignment in conf.assignments where !known.contains(assignment.name) && !conf.referencedNames.contains(assignment.name) {
            guard seen.insert(assignment.name).inserted else { continue }
            var message = "\(assignment.name) is not a setting gonka-deploy reads, and nothing in the file refers to it"
            if let guess = ConfigValueText.closest(to: assignment.name, among: known.sorted()) {
                message += " (did you mean \(guess)?)"
            }
            notes.append(NodeConfigProblem(file: conf.path, location: .line(assignment.line), setting: assignment.name, message: message))
        }
    }

    // MARK: Rules shared by several settings

    /// 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit: it names a keyring entry, a folder and a log file.
    static func keyNameProblem(_ value: String) -> String? {
        let allowed = value.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "." || scalar == "_" || scalar == "-")
        }
        let first = value.unicodeScalars.first
        let startsWell = first.map { ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) } ?? false
        guard allowed, startsWell, value.count <= 64 else {
            return "cannot be used: expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names the keyring entry, the folder nodes/<KEY_NAME>/ and the log file)"
        }
        return nil
    }

    /// An absolute path on the server, without '..' or control characters.
    static func pathProblem(_ value: String) -> String? {
        guard value.hasPrefix("/") else { return "is not an absolute path" }
        guard value != "/" else { return "is the root folder" }
        if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "contains control characters"
        }
        if value.split(separator: "/").contains("..") { return "contains '..'" }
        return nil
    }

    /// An http or https URL with a host, no credentials, query or fragment, and a valid port.
    static func httpURLProblem(_ value: String) -> String? {
        guard let components = URLComponents(string: value), let scheme = components.scheme?.lowercased() else {
            return "is not a URL; expected http://host:port or https://host"
        }
        guard scheme == "http" || scheme == "https" else {
            return "has the scheme '\(ConfigValueText.visible(scheme))'; expected http or https"
        }
        guard var host = components.host, !host.isEmpty else { return "has no host" }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard ConfigValueText.isIPv4(host) || ConfigValueText.isIPv6(host) || ConfigValueText.isHostname(host) else {
            return "has a host that is not an address or host name"
        }
        if components.user != nil || components.password != nil { return "contains credentials" }
        if let port = components.port, !(1...65535).contains(port) { return "has a port outside 1–65535" }
        if components.query != nil || components.fragment != nil { return "has a query or fragment" }
        return nil
    }
}
