import FleetTestSupport
import Foundation
import GonkaKit
import Testing

/// The node file reader: what bash would read, without running anything.
@Suite(.tags(.unit)) struct NodeConfFileTests {
    func parse(_ text: String, environment: [String: String] = [:]) throws(NodeConfigError) -> NodeConfFile {
        try NodeConfFile.parse(text, path: "nodes/test.conf", environment: environment)
    }

    func values(_ text: String, environment: [String: String] = [:]) throws -> [String: String] {
        Dictionary(try parse(text, environment: environment).assignments.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    func problems(_ text: String, environment: [String: String] = [:]) -> [NodeConfigProblem] {
        do throws(NodeConfigError) {
            _ = try parse(text, environment: environment)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func readsTheOriginalExampleLayout() throws {
        let file = try parse(try GonkaFixtures.text("original-node1.conf"))
        #expect(file.assignments.map(\.name) == ["SERVER_IP", "SSH_USER", "KEY_NAME", "KEYRING_PASSWORD", "ACCOUNT_PUBKEY",
                                                  "MODEL_NAME", "SEED_API_URL", "NODE_CONFIG_PROFILE"])
        #expect(file.lastAssignment(of: "SERVER_IP") == NodeConfAssignment(name: "SERVER_IP", value: "185.216.20.162", line: 12))
        #expect(file.lastAssignment(of: "ACCOUNT_PUBKEY")?.value == "A6Mh+ZZil8mCUSIJG9iWLj/IH5PfCJaMoAX3U70c2GE/")
        #expect(file.lastAssignment(of: "HF_HOME") == nil, "commented-out lines set nothing")
    }

    @Test func quotingFormsReadAsBashReadsThem() throws {
        let text = #"""
            A='single $HOME "x" \n'
            B="double \"q\" \\ \$ \` \x"
            C=plain\ word
            D=a'b c'"d e"f
            E=with#hash # a comment
            export F=exported
            export G
            H=""
            I=
            J="multi
            line"
            K=con\
            tinued
            L="a$"
            M=$
            N=100%
            """#
        let values = try values(text)
        #expect(values["A"] == #"single $HOME "x" \n"#)
        #expect(values["B"] == #"double "q" \ $ ` \x"#)
        #expect(values["C"] == "plain word")
        #expect(values["D"] == "ab cd ef")
        #expect(values["E"] == "with#hash")
        #expect(values["F"] == "exported")
        #expect(values["G"] == nil)
        #expect(values["H"] == "")
        #expect(values["I"] == "")
        #expect(values["J"] == "multi\nline")
        #expect(values["K"] == "continued")
        #expect(values["L"] == "a$")
        #expect(values["M"] == "$")
        #expect(values["N"] == "100%")
        #expect(try parse(text).lastAssignment(of: "L")?.line == 14, "lines count every physical line")
    }

    @Test func referencesComeFromEarlierLinesThenTheEnvironment() throws {
        let text = """
            BASE=/mnt/data
            HF_HOME=$BASE/hf
            GONKA_PATH="${BASE}/gonka"
            FROM_ENV=$NODE_PASSWORD
            SHADOW=$USER
            USER=local
            AFTER=$USER
            KEY=~/.ssh/id_ed25519
            PATHS=/a:~/b
            QUOTED="~/literal"
            """
        let environment = ["NODE_PASSWORD": "from env", "USER": "envuser", "HOME": "/home/op"]
        let values = try values(text, environment: environment)
        #expect(values["HF_HOME"] == "/mnt/data/hf")
        #expect(values["GONKA_PATH"] == "/mnt/data/gonka")
        #expect(values["FROM_ENV"] == "from env")
        #expect(values["SHADOW"] == "envuser")
        #expect(values["AFTER"] == "local")
        #expect(values["KEY"] == "/home/op/.ssh/id_ed25519")
        #expect(values["PATHS"] == "/a:/home/op/b")
        #expect(values["QUOTED"] == "~/literal")
        #expect(try parse(text, environment: environment).referencedNames == ["BASE", "NODE_PASSWORD", "USER"])
    }

    @Test func crlfLinesAndAByteOrderMarkAreRead() throws {
        let values = try values("\u{FEFF}A=\"one\"\r\nB=two\r\n")
        #expect(values == ["A": "one", "B": "two"])
    }

    static let refused: [(line: String, fragment: String)] = [
        ("HOST=$(hostname)", "command substitution"),
        ("HOST=\"$(touch pwned)\"", "command substitution"),
        ("HOST=`id`", "command substitution"),
        ("N=$((1+2))", "arithmetic"),
        ("A=${B:-x}", "with an operator"),
        ("A=${#B}", "must hold a variable name"),
        ("A=$1", "special parameter $1"),
        ("A=$$", "special parameter $$"),
        ("A=$'x'", "quoting"),
        ("A=(1 2)", "array"),
        ("A+=x", "appends"),
        ("A = 1", "no spaces are allowed around '='"),
        ("echo hi", "'echo' is a command"),
        ("source other.conf", "'source' is a command"),
        ("A=1; rm -rf /", "shell operator ';'"),
        ("A=1 && B=2", "shell operator '&'"),
        ("A=x|y", "shell operator '|'"),
        ("A=1 B=2", "unexpected text after the value of A"),
        ("A=$UNSET_SOMEWHERE", "set neither above"),
        ("A=~root/x", "only ~ and ~/"),
        ("if true; then A=1; fi", "'if' is a command"),
        ("export", "'export' is a command"),
        ("export -n A", "expected a variable name after 'export'"),
        ("-x=1", "expected NAME=value"),
    ]

    @Test(arguments: refused)
    func shellCodeIsRefusedWithItsLine(_ example: (line: String, fragment: String)) {
        let found = problems("# first\nOK=1\n\(example.line)\nLATER=2\n")
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.location == .line(3))
        #expect(found.first?.description.hasPrefix("nodes/test.conf:3: ") == true)
        #expect(found.first?.message.contains(example.fragment) == true, "\(found.first?.message ?? "")")
    }

    @Test func everyBadLineIsReportedAndGoodLinesStillRead() {
        let found = problems("A=$(x)\nB=ok\nC=`y`\nD='unclosed\nE=1\n")
        #expect(found.map(\.location) == [.line(1), .line(3), .line(4)])
        #expect(found.last?.message.contains("never closed") == true)
    }

    @Test func messagesNeverQuoteValues() {
        let secret = "s3cret-Value-With-$(cmd)"
        let found = problems("KEYRING_PASSWORD=\"\(secret)\"\nX='s3cret-Value' y\n")
        #expect(found.count == 2)
        for problem in found {
            #expect(!problem.description.contains("s3cret"))
        }
    }

    @Test func assignmentsDoNotShowTheirValues() throws {
        let assignment = try #require(try parse("KEYRING_PASSWORD=hunter2hunter2\n").assignments.first)
        #expect("\(assignment)" == "KEYRING_PASSWORD (line 1)")
        #expect(String(reflecting: assignment) == "KEYRING_PASSWORD (line 1)")
    }

    static let bashCases: [String] = [
        try? GonkaFixtures.text("original-node1.conf"),
        "A='it'\\''s'\nB=\"tab\there\"\nC=a\\\"b\nD=\"$A-$B\"\nE=${C}x\nF=~/x:~/y\n",
        "export A=\"  spaced  \"\nB=$A\nC=\"$B\"  # trailing\nD=\"\\q\\$\\\\\"\n",
        "A=\"multi\nline $HOME\"\nB='x\ny'\nC=mid\\\ndle\n",
        "PW='p@ss w\"rd$!`x`'\nQ=\"\"'$PW'\"\"\n",
    ].compactMap { $0 }

    /// Bash itself sourcing the same text (with `set -u`) reads the same values.
    @Test(arguments: bashCases)
    func agreesWithBash(_ text: String) async throws {
        let folder = try GonkaFixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("node.conf")
        try text.write(to: url, atomically: true, encoding: .utf8)
        let environment = ["PATH": "/usr/bin:/bin", "HOME": "/home/op"]
        let file = try parse(text, environment: environment)
        let names = Array(Set(file.assignments.map(\.name))).sorted()
        let script = "set -eu; source \"$1\"; for n in " + names.joined(separator: " ") + "; do printf '%s\\0' \"${!n}\"; done"
        let output = try await GonkaFixtures.bash(script, arguments: [url.path], environment: environment)
        #expect(output.status == 0, "\(output.error)")
        let fromBash = output.output.split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(fromBash == names.map { name in file.lastAssignment(of: name)?.value ?? "" })
    }
}
