import FleetKit
import Foundation

extension KeysFile {
    /// The largest keys file read (16 MiB, tens of thousands of validators); a larger one is refused.
    public static let maximumFileSize = 16 * BoundedFile.mebibyte

    /// Reads and checks the keys file at `url`; problems name the file by its last path component.
    public static func read(from url: URL) throws(KeysFileError) -> KeysFile {
        try decode(try bytes(of: url), fileName: url.lastPathComponent)
    }

    /// The bytes of the file at `url`, at most `limit`, for every reader of the Butler's JSON
    /// inputs: a file that cannot be read, or is larger, is a ``KeysFileError`` naming it by
    /// its last path component.
    static func bytes(of url: URL, limit: Int = maximumFileSize) throws(KeysFileError) -> Data {
        do {
            return try BoundedFile.read(url, limit: limit)
        } catch {
            throw KeysFileError(file: url.lastPathComponent, message: error.description)
        }
    }

    /// Parses and checks keys-file JSON; never traps. Throws every problem found, each with
    /// its JSON path and what was expected; `fileName` names the file in them. A key given
    /// twice in one object is a problem: the original's `JSON.parse` silently keeps the last.
    public static func decode(_ data: Data, fileName: String) throws(KeysFileError) -> KeysFile {
        try decode(data, fileName: fileName, publisherOptional: false)
    }

    /// As ``decode(_:fileName:)``; with `publisherOptional`, a validator without `publisher`
    /// (a new public keys file, whose publishers are assigned later) reads as an empty list.
    static func decode(_ data: Data, fileName: String, publisherOptional: Bool) throws(KeysFileError) -> KeysFile {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw KeysFileError(file: fileName, message: "not valid JSON: \(Self.reason(error))")
        }
        var reader = KeysFileReader(file: fileName)
        reader.publisherOptional = publisherOptional
        for duplicate in JSONDuplicateKeys.find(in: data) {
            reader.report(duplicate.path, "the key is given \(duplicate.count) times in one object; keep one (which one is read would be a silent choice)")
        }
        let file = reader.keysFile(root)
        guard let file, reader.problems.isEmpty else {
            throw KeysFileError(file: fileName, problems: reader.problems)
        }
        return file
    }

    /// The most useful sentence inside a decoding or file error.
    static func reason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError as NSError?,
               let detail = underlying.userInfo[NSDebugDescriptionErrorKey] as? String {
                return detail
            }
            return context.debugDescription
        }
        if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}

/// Walks the decoded JSON, collecting every problem instead of stopping at the first.
struct KeysFileReader {
    let file: String
    var problems: [KeysFileProblem] = []
    /// Whether a validator may leave out `publisher` (it then reads as an empty list).
    var publisherOptional = false

    static let addressExpectation = "0x + 40 hex digits"
    static let bytes32Expectation = "0x + 64 hex digits"

    init(file: String) { self.file = file }

    mutating func report(_ path: String, _ message: String) {
        problems.append(KeysFileProblem(file: file, jsonPath: path, message: message))
    }

    mutating func keysFile(_ root: JSONValue) -> KeysFile? {
        guard let members = root.objectValue else {
            report("", "expected a JSON object with schemaVersion, remoteSigner and validators, got \(Self.kind(root))")
            return nil
        }
        var schemaVersion = 1
        if let value = members["schemaVersion"] {
            if let number = value.integerValue, number >= 1, number <= Int64(Int32.max) {
                schemaVersion = Int(number)
            } else {
                report("schemaVersion", "expected a whole number from 1, got \(Self.kind(value))")
            }
        }
        var remoteSigner: String?
        if let value = members["remoteSigner"] {
            if let text = value.stringValue, Self.isHTTPURL(text) {
                remoteSigner = text
            } else {
                let found = value.stringValue.map(URLText.shown) ?? Self.kind(value)
                report("remoteSigner", "expected an http(s) URL such as https://signer.example.com:8080, got \(found)")
            }
        }
        var validators: [KeysFileValidator] = []
        if let value = members["validators"] {
            if let elements = value.arrayValue {
                var firstIndexOfAttester: [EthereumAddress: Int] = [:]
                for (index, element) in elements.enumerated() {
                    let path = "validators[\(index)]"
                    guard let validator = self.validator(element, path: path) else { continue }
                    let address = validator.attester.eth.address
                    if let first = firstIndexOfAttester[address] {
                        report(path + ".attester.eth", "the same attester as validators[\(first)]; an attester belongs in one entry")
                    } else {
                        firstIndexOfAttester[address] = index
                    }
                    validators.append(validator)
                }
            } else {
                report("validators", "expected an array of validators, got \(Self.kind(value))")
            }
        } else {
            report("validators", "missing (expected an array of validators)")
        }
        let known: Set<String> = ["schemaVersion", "remoteSigner", "validators"]
        return KeysFile(schemaVersion: schemaVersion, remoteSigner: remoteSigner, validators: validators,
                        otherFields: members.filter { !known.contains($0.key) })
    }

    mutating func validator(_ value: JSONValue, path: String) -> KeysFileValidator? {
        guard let members = value.objectValue else {
            report(path, "expected a validator object with attester, feeRecipient and publisher, got \(Self.kind(value))")
            return nil
        }
        let attester = self.attester(members["attester"], path: path + ".attester")
        var coinbase: KeysFileAddress?
        var coinbaseIsUsable = true
        if let value = members["coinbase"] {
            coinbase = address(value, path: path + ".coinbase", what: "or no coinbase field")
            if let found = coinbase, found.address.isZero {
                report(path + ".coinbase", "the zero address cannot be a coinbase (leave coinbase out until it is known)")
            }
            coinbaseIsUsable = coinbase.map { !$0.address.isZero } ?? false
        }
        let feeRecipient = bytes32(members["feeRecipient"], path: path + ".feeRecipient")
        let publisher = publisherOptional && members["publisher"] == nil
            ? KeysFilePublisher.list([]) : self.publisher(members["publisher"], path: path + ".publisher")
        let known: Set<String> = ["attester", "coinbase", "feeRecipient", "publisher"]
        guard let attester, let feeRecipient, let publisher, coinbaseIsUsable else { return nil }
        return KeysFileValidator(attester: attester, coinbase: coinbase, feeRecipient: feeRecipient, publisher: publisher,
                                 otherFields: members.filter { !known.contains($0.key) })
    }

    mutating func attester(_ value: JSONValue?, path: String) -> KeysFileAttester? {
        guard let value else {
            report(path, "missing (expected an object with eth and bls)")
            return nil
        }
        guard let members = value.objectValue else {
            report(path, "expected an object with eth and bls, got \(Self.kind(value))")
            return nil
        }
        let eth = members["eth"].map { address($0, path: path + ".eth") } ?? missing(path + ".eth", Self.addressExpectation)
        let bls = bytes32(members["bls"], path: path + ".bls")
        guard let eth, let bls else { return nil }
        return KeysFileAttester(eth: eth, bls: bls, otherFields: members.filter { $0.key != "eth" && $0.key != "bls" })
    }

    mutating func publisher(_ value: JSONValue?, path: String) -> KeysFilePublisher? {
        guard let value else {
            report(path, "missing (expected \(Self.addressExpectation) or an array of them)")
            return nil
        }
        if case .string = value {
            return address(value, path: path).map(KeysFilePublisher.single)
        }
        guard let elements = value.arrayValue else {
            report(path, "expected \(Self.addressExpectation) or an array of them, got \(Self.kind(value))")
            return nil
        }
        if elements.isEmpty {
            report(path, "expected at least one publisher, got an empty array")
            return nil
        }
        var addresses: [KeysFileAddress] = []
        for (index, element) in elements.enumerated() {
            if let found = address(element, path: "\(path)[\(index)]") { addresses.append(found) }
        }
        return addresses.count == elements.count ? .list(addresses) : nil
    }

    mutating func address(_ value: JSONValue, path: String, what extra: String = "") -> KeysFileAddress? {
        if let text = value.stringValue, let found = KeysFileAddress(text) { return found }
        report(path, Self.hexMessage(value, expectation: Self.addressExpectation, extra: extra))
        return nil
    }

    mutating func bytes32(_ value: JSONValue?, path: String) -> KeysFileBytes32? {
        guard let value else { return missing(path, Self.bytes32Expectation) }
        if let text = value.stringValue, let found = KeysFileBytes32(text) { return found }
        report(path, Self.hexMessage(value, expectation: Self.bytes32Expectation, extra: ""))
        return nil
    }

    mutating func missing<T>(_ path: String, _ expectation: String) -> T? {
        report(path, "missing (expected \(expectation))")
        return nil
    }

    /// "expected 0x + 40 hex digits", with the length found when the text is hex of another
    /// length; the value itself is never quoted, since it may be a key.
    static func hexMessage(_ value: JSONValue, expectation: String, extra: String) -> String {
        var message = "expected \(expectation)" + (extra.isEmpty ? "" : " \(extra)")
        guard let text = value.stringValue else { return message + ", got \(kind(value))" }
        let digits = text.dropFirst(2)
        if text.hasPrefix("0x"), !digits.isEmpty, Hex.isDigits(digits) {
            message += ", got 0x + \(digits.count) hex digits"
        } else if text.isEmpty {
            message += ", got an empty string"
        }
        return message
    }

    /// "a string", "an array" … for messages.
    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .integer(let number): "the number \(number)"
        case .double(let number): "the number \(number)"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Whether `text` is an http or https URL with a host.
    static func isHTTPURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return false }
        return true
    }
}
