import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an inventory CSV into validated hosts.
///
/// The first row is the header. Column names are matched case-insensitively, with spaces
/// around them trimmed and `-`, `_` and spaces treated alike:
///
/// - address: `ip`, `host`, `address`, `server`, `server_ip` (required)
/// - name: `name`, `hostname`, `alias` (the address when absent)
/// - user: `user`, `ssh_user`, `username`; port: `port`, `ssh_port`
/// - SSH key file: `key`, `ssh_key`, `identity_file`
/// - Ethereum address: `eth_address`, `address_eth`, `wallet`, `coinbase`
/// - private key: `private_key`, `pk`, `validator_private_key`
/// - L1 RPC URLs: `l1_rpc`, `rpc`, `rpc_urls`, `ethereum_hosts`
/// - consensus URLs: `beacon`, `consensus`, `l1_consensus_host_urls`
///
/// Columns with other names become `RemoteHost.variables`, or `RemoteHost.secretVariables` when the
/// name looks secret. Values are trimmed; an empty optional cell means "not given". Every
/// error names the file, line and column, and no error message ever contains a secret value.
public enum InventoryLoader {
    /// Reads and parses the file at `url`; an unreadable file is an error naming the path.
    public static func load(contentsOf url: URL) throws(InventoryError) -> Inventory {
        let file = url.isFileURL ? url.relativePath : url.absoluteString
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw InventoryError(file: file, message: "cannot read the inventory file: \(readFailureReason(error))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InventoryError(file: file, message: "the inventory file is not valid UTF-8 text")
        }
        return try parse(text, file: file)
    }

    /// The system's reason a file could not be read, such as "No such file or directory".
    private static func readFailureReason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSCocoaErrorDomain, nsError.code == CocoaError.fileReadNoSuchFile.rawValue {
            return String(cString: strerror(ENOENT))
        }
        return nsError.localizedDescription
    }

    /// Parses inventory CSV `text`; `file` names the source in errors.
    public static func parse(_ text: String, file: String) throws(InventoryError) -> Inventory {
        let records: [CSVRecord]
        do {
            records = try CSVReader.parse(text, file: file)
        } catch {
            throw InventoryError(file: file, line: error.line, column: error.column, message: error.message)
        }
        guard let header = records.first else {
            throw InventoryError(
                file: file,
                message: "the inventory is empty; expected a header row such as 'name,ip,user,port' and one row per host")
        }
        let layout = try InventoryColumnLayout(header: header, file: file)
        var hosts: [RemoteHost] = []
        var firstLineByName: [String: Int] = [:]
        var firstLineByEndpoint: [String: Int] = [:]
        for record in records.dropFirst() {
            let host = try layout.host(from: record, file: file)
            if let first = firstLineByName[host.name.lowercased()] {
                throw InventoryError(
                    file: file, line: record.line, column: layout.nameColumn(in: record),
                    message: "duplicate host name '\(host.name)'; it is already used on line \(first)")
            }
            let endpoint = "\(host.address.lowercased())|\(host.port.map(String.init) ?? "")|\(host.user ?? "")"
            if let first = firstLineByEndpoint[endpoint] {
                throw InventoryError(
                    file: file, line: record.line, column: layout.addressColumn(in: record),
                    message: "duplicate host \(Self.describeEndpoint(host)); the same address, port and user are on line \(first)")
            }
            firstLineByName[host.name.lowercased()] = record.line
            firstLineByEndpoint[endpoint] = record.line
            hosts.append(host)
        }
        if hosts.isEmpty {
            throw InventoryError(file: file, line: header.line, message: "no hosts; expected at least one row after the header")
        }
        return Inventory(file: file, hosts: hosts)
    }

    private static func describeEndpoint(_ host: RemoteHost) -> String {
        var text = host.address
        var details: [String] = []
        if let user = host.user { details.append("user \(user)") }
        if let port = host.port { details.append("port \(port)") }
        if !details.isEmpty { text += " (" + details.joined(separator: ", ") + ")" }
        return text
    }
}

/// The host fields an inventory column can fill, with the header names each accepts.
enum InventoryColumn: String, CaseIterable, Sendable {
    case address, name, user, port, identityFile, ethAddress, privateKey, l1RPCURLs, consensusURLs

    /// Accepted header names in their normalized form (lowercase, `_` for `-` and spaces).
    var aliases: [String] {
        switch self {
        case .address: ["ip", "host", "address", "server", "server_ip"]
        case .name: ["name", "hostname", "alias"]
        case .user: ["user", "ssh_user", "username"]
        case .port: ["port", "ssh_port"]
        case .identityFile: ["key", "ssh_key", "identity_file"]
        case .ethAddress: ["eth_address", "address_eth", "wallet", "coinbase"]
        case .privateKey: ["private_key", "pk", "validator_private_key"]
        case .l1RPCURLs: ["l1_rpc", "rpc", "rpc_urls", "ethereum_hosts"]
        case .consensusURLs: ["beacon", "consensus", "l1_consensus_host_urls"]
        }
    }

    /// What the field is, for messages.
    var label: String {
        switch self {
        case .address: "address"
        case .name: "host name"
        case .user: "SSH user"
        case .port: "SSH port"
        case .identityFile: "SSH key file"
        case .ethAddress: "Ethereum address"
        case .privateKey: "private key"
        case .l1RPCURLs: "L1 RPC URLs"
        case .consensusURLs: "consensus URLs"
        }
    }

    /// The field a header name maps to, if any.
    static func field(forNormalized name: String) -> InventoryColumn? {
        allCases.first { $0.aliases.contains(name) }
    }

    /// Lowercases, trims and treats `-`, `_` and runs of spaces alike.
    static func normalize(_ header: String) -> String {
        let trimmed = header.trimmingCharacters(in: .whitespaces).lowercased()
        var result = ""
        var lastWasSeparator = false
        for character in trimmed {
            if character == "-" || character == "_" || character == " " || character == "\t" {
                if !lastWasSeparator { result.append("_") }
                lastWasSeparator = true
            } else {
                result.append(character)
                lastWasSeparator = false
            }
        }
        return result
    }

    /// Whether an unmapped column's values must be treated as secrets.
    static func looksSecret(_ normalized: String) -> Bool {
        let compact = normalized.replacingOccurrences(of: "_", with: "")
        if compact == "publickey" || compact == "pubkey" || normalized.hasSuffix("public_key") || normalized.hasSuffix("pubkey") {
            return false
        }
        return ["key", "secret", "password", "mnemonic", "token", "seed"].contains { normalized.contains($0) }
    }
}

/// Which column holds which field, worked out from the header row.
struct InventoryColumnLayout: Sendable {
    /// A column that is not a host field.
    struct ExtraColumn: Sendable {
        let index: Int
        let key: String
        let secret: Bool
    }

    let fieldColumns: [InventoryColumn: Int]
    let headerNames: [String]
    let extras: [ExtraColumn]
    let width: Int

    init(header: CSVRecord, file: String) throws(InventoryError) {
        var fieldColumns: [InventoryColumn: Int] = [:]
        var extras: [ExtraColumn] = []
        var seenExtras: [String: Int] = [:]
        var names: [String] = []
        for (index, raw) in header.fields.enumerated() {
            let written = raw.trimmingCharacters(in: .whitespaces)
            names.append(written)
            let column = header.columns[ifPresent: index] ?? 1
            let normalized = InventoryColumn.normalize(written)
            if normalized.isEmpty {
                throw InventoryError(
                    file: file, line: header.line, column: column,
                    message: "header column \(index + 1) has no name; expected a column name such as 'ip' or 'name' (a trailing comma adds an empty column)")
            }
            if let field = InventoryColumn.field(forNormalized: normalized) {
                if let earlier = fieldColumns[field] {
                    throw InventoryError(
                        file: file, line: header.line, column: column,
                        message: "columns '\(names[ifPresent: earlier] ?? "")' and '\(written)' both give the \(field.label); keep only one of: \(field.aliases.joined(separator: ", "))")
                }
                fieldColumns[field] = index
            } else {
                if let earlier = seenExtras[normalized] {
                    throw InventoryError(
                        file: file, line: header.line, column: column,
                        message: "column '\(written)' appears twice (first as column \(earlier + 1)); expected each column name once")
                }
                seenExtras[normalized] = index
                extras.append(ExtraColumn(index: index, key: written.lowercased(), secret: InventoryColumn.looksSecret(normalized)))
            }
        }
        guard fieldColumns[.address] != nil else {
            throw InventoryError(
                file: file, line: header.line, column: 1,
                message: "no address column; expected one of: \(InventoryColumn.address.aliases.joined(separator: ", "))")
        }
        self.fieldColumns = fieldColumns
        self.headerNames = names
        self.extras = extras
        self.width = header.fields.count
    }

    func addressColumn(in record: CSVRecord) -> Int {
        fieldColumns[.address].flatMap { record.columns[ifPresent: $0] } ?? 1
    }

    func nameColumn(in record: CSVRecord) -> Int {
        (fieldColumns[.name] ?? fieldColumns[.address]).flatMap { record.columns[ifPresent: $0] } ?? 1
    }

    /// Builds and validates one host from a data row.
    func host(from record: CSVRecord, file: String) throws(InventoryError) -> RemoteHost {
        let line = record.line
        if record.fields.count != width {
            let column = record.fields.count > width
                ? record.columns[ifPresent: width] ?? 1
                : record.columns.last ?? 1
            let trailing = record.fields.count == width + 1 && record.fields.last?.isEmpty == true
                ? " (a trailing comma adds an empty field)" : ""
            throw InventoryError(
                file: file, line: line, column: column,
                message: "line \(line) has \(record.fields.count) fields; expected \(width) like the header\(trailing)")
        }
        func cell(_ field: InventoryColumn) -> (value: String, column: Int, header: String)? {
            guard let index = fieldColumns[field], let raw = record.fields[ifPresent: index] else { return nil }
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { return nil }
            return (value, record.columns[ifPresent: index] ?? 1, headerNames[ifPresent: index] ?? field.rawValue)
        }
        func failure(_ column: Int, _ message: String) -> InventoryError {
            InventoryError(file: file, line: line, column: column, message: message)
        }

        guard let address = cell(.address) else {
            throw failure(addressColumn(in: record), "the address is empty; expected an IPv4 address, IPv6 address or hostname")
        }
        guard InventoryValueCheck.isValidAddress(address.value) else {
            throw failure(address.column, "'\(address.value)' is not a valid IPv4 address, IPv6 address or hostname")
        }
        var host = RemoteHost(name: address.value, address: address.value, line: line)
        if let name = cell(.name) {
            guard InventoryValueCheck.isValidName(name.value) else {
                throw failure(name.column, "host name '\(name.value)' is not usable; expected no spaces, quotes, slashes, glob or shell characters, and no leading '-'")
            }
            host.name = name.value
        }
        if let user = cell(.user) {
            guard InventoryValueCheck.isValidUser(user.value) else {
                throw failure(user.column, "user '\(user.value)' is not a valid user name; expected a letter or '_' followed by letters, digits, '_', '.' or '-'")
            }
            host.user = user.value
        }
        if let port = cell(.port) {
            guard !port.value.isEmpty, port.value.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw failure(port.column, "port '\(port.value)' is not a whole number; expected 1–65535")
            }
            guard let number = Int(port.value), (1...65535).contains(number) else {
                throw failure(port.column, "port \(port.value) is out of range; expected 1–65535")
            }
            host.port = number
        }
        if let key = cell(.identityFile) {
            guard !key.value.hasPrefix("-"), !key.value.contains(where: { $0.isNewline }) else {
                throw failure(key.column, "SSH key file '\(key.value)' is not usable; expected a path not starting with '-'")
            }
            host.identityFile = key.value
        }
        if let eth = cell(.ethAddress) {
            guard InventoryValueCheck.isHex(eth.value, digits: 40, requirePrefix: true) else {
                throw failure(eth.column, "\(eth.header) '\(eth.value)' on line \(line) is not an Ethereum address; expected 0x followed by 40 hex digits")
            }
            host.ethAddress = eth.value
        }
        if let key = cell(.privateKey) {
            guard InventoryValueCheck.isHex(key.value, digits: 64, requirePrefix: false) else {
                throw failure(key.column, "\(key.header) on line \(line) is not 32 bytes of hex; expected 64 hex digits, optionally after 0x")
            }
            host.privateKey = Secret(key.value)
        }
        if let urls = cell(.l1RPCURLs) { host.l1RPCURLs = Self.splitList(urls.value) }
        if let urls = cell(.consensusURLs) { host.consensusURLs = Self.splitList(urls.value) }
        for extra in extras {
            guard let raw = record.fields[ifPresent: extra.index] else { continue }
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { continue }
            if extra.secret {
                host.secretVariables[extra.key] = Secret(value)
            } else {
                host.variables[extra.key] = value
            }
        }
        return host
    }

    /// Splits a list of URLs on commas and whitespace, dropping empty parts.
    static func splitList(_ text: String) -> [String] {
        text.split { $0 == "," || $0 == ";" || $0.isWhitespace }.map(String.init)
    }
}

/// Checks for the values that end up in SSH command lines.
enum InventoryValueCheck {
    /// An IPv4 dotted quad, an IPv6 address or an RFC 1123 hostname.
    static func isValidAddress(_ text: String) -> Bool {
        guard !text.hasPrefix("-"), text.utf8.count <= 253 else { return false }
        if text.contains(":") { return isIPv6(text) }
        if text.allSatisfy({ $0 == "." || ($0.isASCII && $0.isNumber) }) { return isIPv4(text) }
        return isHostname(text)
    }

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            if part.count > 1 && part.hasPrefix("0") { return false }
            guard let value = Int(part) else { return false }
            return value <= 255
        }
    }

    static func isIPv6(_ text: String) -> Bool {
        guard text.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) else { return false }
        var storage = in6_addr()
        return inet_pton(AF_INET6, text, &storage) == 1
    }

    static func isHostname(_ text: String) -> Bool {
        var name = Substring(text)
        if name.hasSuffix(".") { name = name.dropLast() }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !labels.isEmpty else { return false }
        return labels.allSatisfy { label in
            guard (1...63).contains(label.count), label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                return false
            }
            return !label.hasPrefix("-") && !label.hasSuffix("-")
        }
    }

    /// `^[a-z_][a-z0-9_.-]*$`, any case.
    static func isValidUser(_ text: String) -> Bool {
        guard let first = text.first else { return false }
        guard first.isASCII && (first.isLetter || first == "_") else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-") }
    }

    /// Characters a host name may not contain: they would break log lines, file names, host patterns or shells.
    static let forbiddenNameCharacters: Set<Character> = Set("/\\'\"`$;&|<>(){}[]*?!#~,")

    /// A host name safe to show, match with patterns and use in file names.
    static func isValidName(_ text: String) -> Bool {
        guard !text.hasPrefix("-") else { return false }
        return text.allSatisfy { character in
            !forbiddenNameCharacters.contains(character) && !character.isWhitespace
                && !character.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
    }

    /// `digits` hex digits, after a `0x` that is required or optional.
    static func isHex(_ text: String, digits: Int, requirePrefix: Bool) -> Bool {
        var body = Substring(text)
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            body = body.dropFirst(2)
        } else if requirePrefix {
            return false
        }
        return body.count == digits && body.allSatisfy { $0.isASCII && $0.isHexDigit }
    }
}

fileprivate extension Array {
    /// The element at `index`, or nil when it is out of range.
    subscript(ifPresent index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
