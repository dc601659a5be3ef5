import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an inventory CSV into validated hosts.
///
/// The first row is the header. Header names are cleaned (Unicode format characters such
/// as a stray BOM or a zero-width space removed, NFC) and matched case-insensitively, with
/// `-`, `_`, `.` and spaces treated alike. FleetKit reads the SSH columns of ``SSHColumn``;
/// the kit's ``InventorySchema`` says what other columns mean. For each field the accepted
/// columns are tried in order and the first non-empty value of the row wins.
///
/// Columns no field claims become ``RemoteHost/variables`` (lowercased header as key), or
/// ``RemoteHost/secretVariables`` when the name looks secret (``InventoryColumnName/looksSecret(_:)``)
/// or the value is shaped like a private key or mnemonic (``SecretShape``). Values are
/// trimmed; an empty cell means "not given". Every problem of every row is reported at
/// once, each with the file, line and column; no message ever contains a secret value.
public enum InventoryLoader {
    /// The largest inventory file read (32 MiB, some 300,000 hosts); a larger one is refused with an error naming it.
    public static let maximumFileSize = 32 * BoundedFile.mebibyte

    /// Reads and parses the file at `url`; an unreadable file is an error naming the path.
    ///
    /// - Parameters:
    ///   - skipInvalidRows: when `true`, rows with problems are left out and listed in
    ///     ``Inventory/skippedRows`` instead of failing the whole file.
    ///   - naming: what hosts are called when the file has no name column.
    ///   - allowsRepeatedAddresses: when `true`, several rows may name the same address, port
    ///     and user (rows that a kit groups into one server); names must still differ.
    ///   - name: how messages name the file (the path as the user typed it); by default the
    ///     URL's relative path.
    public static func load(contentsOf url: URL, named name: String? = nil, schema: InventorySchema = .sshOnly, skipInvalidRows: Bool = false,
                            naming: HostNaming = .address, allowsRepeatedAddresses: Bool = false) throws(InventoryError) -> Inventory {
        let file = name ?? (url.isFileURL ? url.relativePath : url.absoluteString)
        let text: String
        do {
            text = try BoundedFile.readText(url, limit: maximumFileSize)
        } catch {
            if error.reason == .notUTF8 { throw InventoryError(file: file, message: "the inventory file is not valid UTF-8 text") }
            throw InventoryError(file: file, message: "cannot read the inventory file: \(error.reasonText)")
        }
        return try parse(text, file: file, schema: schema, skipInvalidRows: skipInvalidRows, naming: naming,
                         allowsRepeatedAddresses: allowsRepeatedAddresses)
    }

    /// Parses inventory CSV `text`; `file` names the source in errors.
    public static func parse(_ text: String, file: String, schema: InventorySchema = .sshOnly, skipInvalidRows: Bool = false,
                             naming: HostNaming = .address, allowsRepeatedAddresses: Bool = false) throws(InventoryError) -> Inventory {
        if case .numbered(let prefix, let start) = naming {
            guard InventoryValueCheck.isValidName(prefix + "1"), start >= 0 else {
                throw InventoryError(file: file, message: "host names '\(TerminalText.quoted(prefix))N' from \(start) cannot be used; expected printable text and a start of 0 or more")
            }
        }
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
        let layout = try InventoryColumnLayout(header: header, schema: schema, file: file)
        var hosts: [RemoteHost] = []
        var problems: [InventoryError] = []
        var firstLineByName: [String: Int] = [:]
        var firstLineByEndpoint: [String: Int] = [:]
        for record in records.dropFirst() {
            var rowProblems: [InventoryError] = []
            guard var host = layout.host(from: record, file: file, problems: &rowProblems) else {
                problems += rowProblems
                continue
            }
            if case .numbered(let prefix, let start) = naming, !layout.hasNameColumn {
                host.name = "\(prefix)\(start + hosts.count)"
            }
            if let first = firstLineByName[host.name.lowercased()] {
                rowProblems.append(InventoryError(
                    file: file, line: record.line, column: layout.column(of: .name, in: record),
                    message: "duplicate host name '\(host.name)'; it is already used on line \(first)"))
            }
            let endpoint = host.endpoint
            if rowProblems.isEmpty, !allowsRepeatedAddresses, let first = firstLineByEndpoint[endpoint] {
                rowProblems.append(InventoryError(
                    file: file, line: record.line, column: layout.column(of: .address, in: record),
                    message: "duplicate host \(Self.describeEndpoint(host)); the same address, port and user are on line \(first)"))
            }
            guard rowProblems.isEmpty else {
                problems += rowProblems
                continue
            }
            firstLineByName[host.name.lowercased()] = record.line
            firstLineByEndpoint[endpoint] = record.line
            hosts.append(host)
        }
        if !problems.isEmpty && !skipInvalidRows {
            throw InventoryError.combining(problems)
        }
        if hosts.isEmpty {
            var error = InventoryError(file: file, line: header.line, message: "no hosts; expected at least one valid row after the header")
            error.others = problems
            throw error
        }
        return Inventory(file: file, hosts: hosts, skippedRows: problems)
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

/// Which column holds which field, worked out from the header row.
struct InventoryColumnLayout: Sendable {
    /// A column no field claims.
    struct ExtraColumn: Sendable {
        let index: Int
        let key: String
        let secret: Bool
    }

    /// Column indexes of each SSH field, in priority order.
    let sshColumns: [SSHColumn: [Int]]
    /// Column indexes of each schema field, in priority order, with the field.
    let schemaColumns: [(field: InventoryField, indexes: [Int])]
    let headerNames: [String]
    let extras: [ExtraColumn]
    let width: Int

    init(header: CSVRecord, schema: InventorySchema, file: String) throws(InventoryError) {
        let normalizedNames = header.fields.map(InventoryColumnName.normalize)
        var claimedBy: [String: String] = [:]
        for column in SSHColumn.allCases {
            for name in column.columns { claimedBy[name] = column.label }
        }
        for field in schema.fields {
            for name in field.columns.map(InventoryColumnName.normalize) {
                if let owner = claimedBy[name] {
                    throw InventoryError(
                        file: file, message: "the inventory schema's \(field.label) claims column '\(name)', which is already read as the \(owner)")
                }
                claimedBy[name] = field.label
            }
        }
        var seen: [String: Int] = [:]
        for (index, normalized) in normalizedNames.enumerated() {
            let column = header.columns[ifPresent: index] ?? 1
            if SecretShape.matches(InventoryColumnName.clean(header.fields[index])) {
                throw InventoryError(
                    file: file, line: header.line, column: column,
                    message: "header column \(index + 1) is shaped like a private key or mnemonic (not shown); expected a column name such as 'ip' or 'name' — is the header row missing?")
            }
            if normalized.isEmpty {
                throw InventoryError(
                    file: file, line: header.line, column: column,
                    message: "header column \(index + 1) has no name; expected a column name such as 'ip' or 'name' (a trailing comma adds an empty column)")
            }
            if let earlier = seen[normalized] {
                throw InventoryError(
                    file: file, line: header.line, column: column,
                    message: "column '\(TerminalText.quoted(InventoryColumnName.clean(header.fields[index])))' appears twice (first as column \(earlier + 1)); expected each column name once")
            }
            seen[normalized] = index
        }
        func indexes(_ names: [String]) -> [Int] {
            names.map(InventoryColumnName.normalize).compactMap { seen[$0] }
        }
        var sshColumns: [SSHColumn: [Int]] = [:]
        for column in SSHColumn.allCases { sshColumns[column] = indexes(column.columns) }
        guard sshColumns[.address]?.isEmpty == false else {
            throw InventoryError(
                file: file, line: header.line, column: 1,
                message: "no address column; expected one of: \(SSHColumn.address.columns.joined(separator: ", "))")
        }
        let schemaColumns = schema.fields.map { (field: $0, indexes: indexes($0.columns)) }
        for (field, found) in schemaColumns where field.isRequired && found.isEmpty {
            throw InventoryError(
                file: file, line: header.line, column: 1,
                message: "no \(field.label) column; expected one of: \(field.columns.joined(separator: ", "))")
        }
        var extras: [ExtraColumn] = []
        for (index, normalized) in normalizedNames.enumerated() where claimedBy[normalized] == nil {
            extras.append(ExtraColumn(index: index, key: InventoryColumnName.clean(header.fields[index]).lowercased(),
                                      secret: InventoryColumnName.looksSecret(normalized)))
        }
        self.sshColumns = sshColumns
        self.schemaColumns = schemaColumns
        self.headerNames = header.fields.map(InventoryColumnName.clean)
        self.extras = extras
        self.width = header.fields.count
    }

    /// Whether the header has a name column.
    var hasNameColumn: Bool { sshColumns[.name]?.isEmpty == false }

    /// The column (character position) of `field`'s first accepted column in `record`.
    func column(of field: SSHColumn, in record: CSVRecord) -> Int {
        let index = sshColumns[field]?.first ?? sshColumns[.address]?.first
        return index.flatMap { record.columns[ifPresent: $0] } ?? 1
    }

    /// One cell: the first non-empty value among `indexes`.
    struct Cell {
        let value: String
        let column: Int
        let header: String
    }

    func firstValue(_ indexes: [Int], in record: CSVRecord) -> Cell? {
        for index in indexes {
            guard let raw = record.fields[ifPresent: index] else { continue }
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if !value.isEmpty {
                return Cell(value: value, column: record.columns[ifPresent: index] ?? 1, header: headerNames[ifPresent: index] ?? "")
            }
        }
        return nil
    }

    /// Builds and validates one host from a data row; every problem found is appended to `problems`.
    func host(from record: CSVRecord, file: String, problems: inout [InventoryError]) -> RemoteHost? {
        let line = record.line
        let problemsBefore = problems.count
        func problem(_ column: Int, _ message: String) {
            problems.append(InventoryError(file: file, line: line, column: column, message: message))
        }
        if record.fields.count != width {
            let column = record.fields.count > width
                ? record.columns[ifPresent: width] ?? 1
                : record.columns.last ?? 1
            let trailing = record.fields.count == width + 1 && record.fields.last?.isEmpty == true
                ? " (a trailing comma adds an empty field)" : ""
            problem(column, "line \(line) has \(record.fields.count) fields; expected \(width) like the header\(trailing)")
            return nil
        }
        func cell(_ field: SSHColumn) -> Cell? { firstValue(sshColumns[field] ?? [], in: record) }
        /// An SSH value that is shaped like a secret is refused without being echoed.
        func refuseSecretShaped(_ cell: Cell, as field: SSHColumn) -> Bool {
            guard SecretShape.matches(cell.value) else { return false }
            problem(cell.column, "column '\(cell.header)' holds a value shaped like a private key or mnemonic (not shown); expected the \(field.label)")
            return true
        }

        var host = RemoteHost(name: "", address: "", line: line)
        if let address = cell(.address) {
            if !refuseSecretShaped(address, as: .address) {
                if InventoryValueCheck.isValidAddress(address.value) {
                    host.address = address.value
                    host.name = address.value
                } else {
                    problem(address.column, "'\(TerminalText.quoted(address.value))' is not a valid IPv4 address, IPv6 address or hostname")
                }
            }
        } else {
            problem(column(of: .address, in: record),
                    "the address is empty; expected an IPv4 address, IPv6 address or hostname in one of: \(SSHColumn.address.columns.joined(separator: ", "))")
        }
        if let name = cell(.name), !refuseSecretShaped(name, as: .name) {
            if InventoryValueCheck.isValidName(name.value) {
                host.name = name.value
            } else {
                problem(name.column, "host name '\(TerminalText.quoted(name.value))' is not usable; expected printable text without control or format characters")
            }
        }
        if let user = cell(.user), !refuseSecretShaped(user, as: .user) {
            if InventoryValueCheck.isValidUser(user.value) {
                host.user = user.value
            } else {
                problem(user.column, "user '\(TerminalText.quoted(user.value))' is not a valid user name; expected a letter or '_' followed by letters, digits, '_', '.' or '-'")
            }
        }
        if let port = cell(.port), !refuseSecretShaped(port, as: .port) {
            if !port.value.allSatisfy({ $0.isASCII && $0.isNumber }) {
                problem(port.column, "port '\(TerminalText.quoted(port.value))' is not a whole number; expected 1–65535")
            } else if let number = Int(port.value), (1...65535).contains(number) {
                host.port = number
            } else {
                problem(port.column, "port \(port.value) is out of range; expected 1–65535")
            }
        }
        if let key = cell(.identityFile), !refuseSecretShaped(key, as: .identityFile) {
            if key.value.hasPrefix("-") || key.value.contains(where: { $0.isNewline }) {
                problem(key.column, "SSH key file '\(TerminalText.quoted(key.value))' is not usable; expected a path not starting with '-'")
            } else {
                host.identityFile = key.value
            }
        }
        if let become = cell(.become), !refuseSecretShaped(become, as: .become) {
            if let escalation = PrivilegeEscalation(rawValue: become.value.lowercased()) {
                host.privilegeEscalation = escalation
            } else {
                problem(become.column, "become '\(TerminalText.quoted(become.value))' is not a way to become root; expected one of: \(PrivilegeEscalation.inventoryValues.joined(separator: ", "))")
            }
        }
        for (field, indexes) in schemaColumns {
            guard let cell = firstValue(indexes, in: record) else {
                if field.isRequired {
                    problem(indexes.first.flatMap { record.columns[ifPresent: $0] } ?? 1,
                            "the \(field.label) is empty; expected a value in one of: \(field.columns.joined(separator: ", "))")
                }
                continue
            }
            let hidden = field.isSecret || SecretShape.matches(cell.value)
            if let expected = field.validate(cell.value) {
                let shown = hidden ? "" : " '\(TerminalText.quoted(cell.value))'"
                problem(cell.column, "\(cell.header)\(shown) is not a valid \(field.label)\(hidden ? " (value not shown)" : ""); expected \(expected)")
                continue
            }
            if hidden {
                host.secretVariables[field.key] = Secret(cell.value)
            } else {
                host.variables[field.key] = cell.value
            }
        }
        for extra in extras {
            guard let raw = record.fields[ifPresent: extra.index] else { continue }
            let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { continue }
            if extra.secret || SecretShape.matches(value) {
                host.secretVariables[extra.key] = Secret(value)
            } else {
                host.variables[extra.key] = value
            }
        }
        return host.address.isEmpty || problems.count > problemsBefore ? nil : host
    }
}

extension Array {
    /// The element at `index`, or nil when it is out of range.
    subscript(ifPresent index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
