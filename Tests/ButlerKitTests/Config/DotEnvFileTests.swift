import ButlerKit
import FleetTestSupport
import Testing

/// The dotenv reader: what the original's `dotenv` accepts, and bad lines with file:line.
@Suite(.tags(.unit)) struct DotEnvFileTests {
    func values(_ text: String) throws -> [String: String] {
        try DotEnvFile.parse(text, file: "mainnet-base.env").values
    }

    @Test func commentsBlankLinesExportAndSpaces() throws {
        let text = """
        # a comment

            # an indented comment
        export SERVER_ID=eu-west-1
        ETHEREUM_NODE_URL = http://l1:8545   # trailing comment
        EMPTY=
        METRICS_PORT=9464\r
        """
        #expect(try values(text) == ["SERVER_ID": "eu-west-1", "ETHEREUM_NODE_URL": "http://l1:8545", "EMPTY": "", "METRICS_PORT": "9464"])
    }

    @Test func quotes() throws {
        let text = #"""
        DOUBLE="a \"quoted\" # not a comment\tand\\n"  # comment
        SINGLE='literal \n $HOME # kept'
        BACKTICK=`it's`
        MULTI="first
        second"
        HASH=abc#def
        export=plain
        """#
        let parsed = try values(text)
        #expect(parsed["DOUBLE"] == "a \"quoted\" # not a comment\tand\\n")
        #expect(parsed["SINGLE"] == #"literal \n $HOME # kept"#)
        #expect(parsed["BACKTICK"] == "it's")
        #expect(parsed["MULTI"] == "first\nsecond")
        #expect(parsed["HASH"] == "abc", "an unquoted # starts a comment, as in dotenv")
        #expect(parsed["export"] == "plain")
    }

    @Test func theLastAssignmentWinsAndLinesAreKept() throws {
        let file = try DotEnvFile.parse("A=1\nB=2\nA=3\n", file: "x.env")
        #expect(file.values == ["A": "3", "B": "2"])
        #expect(file.lastEntries["A"]?.line == 3)
        #expect(file.entries.count == 3)
    }

    @Test func everyBadLineIsReportedWithFileAndLine() {
        let text = """
        GOOD=1
        no equals sign here
        =value
        1BAD=x
        BAD-NAME=x
        QUOTED="closed" trailing
        OPEN="never closed
        GOOD2=2
        """
        do {
            _ = try DotEnvFile.parse(text, file: "mainnet-base.env")
            Issue.record("bad lines were accepted")
        } catch {
            #expect(error.problems.map(\.description) == [
                "mainnet-base.env:2: expected NAME=value, got a line without '='",
                "mainnet-base.env:3: expected NAME=value, got nothing before '='",
                "mainnet-base.env:4: '1BAD' is not a variable name (letters, digits and _, not starting with a digit)",
                "mainnet-base.env:5: 'BAD-NAME' is not a variable name (letters, digits and _, not starting with a digit)",
                "mainnet-base.env:6: unexpected text after the closing \" (not shown, as it may be part of a secret); end the line after the quote or start a comment with #",
                "mainnet-base.env:7: the \" quote opened here is never closed",
            ])
        }
    }

    @Test func textAfterAClosingQuoteIsNotQuotedInTheProblem() {
        // A mistyped quote can leave part of a secret after the closing one.
        let token = "tok-5ecret-value-123"
        do {
            _ = try DotEnvFile.parse("METRICS_BEARER_TOKEN=\"\"\(token)\"\n", file: ".env")
            Issue.record("the line was accepted")
        } catch {
            #expect(error.problems.count == 1)
            #expect(!error.description.contains(token), "\(error.description)")
        }
    }
}
