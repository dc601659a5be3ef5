import FleetTestSupport
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct CSVReaderTests {
    func fields(_ text: String) throws -> [[String]] {
        try CSVReader.parse(text, file: "t.csv").map(\.fields)
    }

    func failure(_ text: String) -> CSVError? {
        do {
            _ = try CSVReader.parse(text, file: "servers.csv")
            return nil
        } catch {
            return error
        }
    }

    @Test func plainRecordsWithLinesAndColumns() throws {
        let records = try CSVReader.parse("a,bb,c\nd,,f", file: "t.csv")
        #expect(records == [
            CSVRecord(fields: ["a", "bb", "c"], line: 1, columns: [1, 3, 6]),
            CSVRecord(fields: ["d", "", "f"], line: 2, columns: [1, 3, 4]),
        ])
    }

    @Test func quotedCommasNewlinesAndEscapedQuotes() throws {
        let records = try CSVReader.parse("x,\"a, b\",\"say \"\"hi\"\"\"\n\"multi\nline\",z,\"\"\nnext,1,2\n", file: "t.csv")
        #expect(records.map(\.fields) == [["x", "a, b", "say \"hi\""], ["multi\nline", "z", ""], ["next", "1", "2"]])
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(records[1].columns == [1, 7, 9])
    }

    @Test func lineEndingsAndBOM() throws {
        #expect(try fields("\u{FEFF}a,b\r\nc,d\r\n") == [["a", "b"], ["c", "d"]])
        #expect(try fields("a,b\rc,d\r") == [["a", "b"], ["c", "d"]])
        #expect(try fields("a\r\n\r\nb\n\nc") == [["a"], ["b"], ["c"]])
        let records = try CSVReader.parse("\u{FEFF}a,b\r\nc,\"x\r\ny\"\r\nlast", file: "t.csv")
        #expect(records.map(\.line) == [1, 2, 4])
        #expect(records[0].columns == [1, 3])
        #expect(records[1].fields == ["c", "x\r\ny"])
    }

    @Test func commentsAndBlankLinesAreSkipped() throws {
        let text = "# inventory\nname,ip\n\n   \n# a comment, with \"quotes\nweb1,10.0.0.1\n\t\nweb2,\"#not a comment\"\n"
        let records = try CSVReader.parse(text, file: "t.csv")
        #expect(records.map(\.fields) == [["name", "ip"], ["web1", "10.0.0.1"], ["web2", "#not a comment"]])
        #expect(records.map(\.line) == [2, 6, 8])
        #expect(try fields("a,\"x\n# not a comment\"\n") == [["a", "x\n# not a comment"]])
        #expect(try fields("a, #b\n") == [["a", " #b"]])
    }

    @Test func spacesAroundQuotedFieldsAreAllowed() throws {
        #expect(try fields("a,  \"b, c\"  ,d") == [["a", "b, c", "d"]])
        #expect(try fields(" a , b ") == [[" a ", " b "]])
    }

    @Test func emptyAndTrailingFields() throws {
        #expect(try fields("") == [])
        #expect(try fields("a,") == [["a", ""]])
        #expect(try fields(",") == [["", ""]])
        #expect(try fields("\"\"") == [[""]])
    }

    @Test func unicodeIsKept() throws {
        #expect(try fields("名前,🚀\n\"é, ü\",x") == [["名前", "🚀"], ["é, ü", "x"]])
    }

    @Test func unterminatedQuoteReportsOpeningPosition() {
        let error = failure("name,ip\nweb1,10.0.0.1\nweb2,\"10.0.0.2\nmore")
        #expect(error == CSVError(file: "servers.csv", line: 3, column: 6,
                                  message: "unterminated quoted field; expected a closing quote"))
        #expect(error?.description == "servers.csv:3:6: unterminated quoted field; expected a closing quote")
    }

    @Test func strayQuoteInUnquotedField() {
        let error = failure("name,ip\nweb1,10.0\"0.1\n")
        #expect(error?.line == 2)
        #expect(error?.column == 10)
        #expect(error?.message.hasPrefix("stray quote inside an unquoted field") == true)
    }

    @Test func textAfterClosingQuote() {
        let error = failure("a,b\r\n\"x\"y,z\n")
        #expect(error?.line == 2)
        #expect(error?.column == 4)
        #expect(error?.description == "servers.csv:2:4: text after a closing quote; expected a comma or the end of the line")
    }

    @Test func errorLineCountsNewlinesInsideQuotes() {
        let error = failure("\"a\nb\nc\" x\n")
        #expect(error?.line == 3)
        #expect(error?.column == 4)
    }
}

@Suite(.tags(.unit)) struct CSVWriterTests {
    @Test func quotesOnlyWhenNeeded() {
        var writer = CSVWriter(header: ["name", "note"])
        writer.append(["web1", "plain"])
        writer.append(["a,b", "say \"hi\""])
        writer.append([" lead", "trail "])
        writer.append(["#hash", "#fine"])
        writer.append(["line\nbreak", "cr\rhere"])
        #expect(writer.text == """
            name,note
            web1,plain
            "a,b","say ""hi\"\"\"
            " lead","trail "
            "#hash",#fine
            "line
            break","cr\rhere"

            """)
    }

    @Test(arguments: [
        ["plain", "a,b", "\"", "\"\"", "x\"y", "", " ", "  spaced  ", "\t"],
        ["#comment", "line\nbreak", "cr\rlf", "crlf\r\nx", "\r\n", "\n"],
        ["日本語", "emoji 👩‍👩‍👧", "e\u{301}", "\"\u{301}", "\u{FEFF}bom", "🇩🇪,🇫🇷"],
        ["", "", ""],
        [""],
        ["#"],
        [" # x"],
        ["a\"", "\"b", "\"c\",d", "=cmd()", "\\", "'"],
    ])
    func roundTripsHostileStrings(row: [String]) throws {
        var writer = CSVWriter(header: row)
        writer.append(row)
        writer.append(["after"] + row.dropFirst())
        let records = try CSVReader.parse(writer.text, file: "w.csv")
        #expect(records.map(\.fields) == [row, row, ["after"] + row.dropFirst()])
    }

    @Test func emptyWriterHasOnlyHeader() {
        #expect(CSVWriter(header: ["a", "b"]).text == "a,b\n")
    }
}

/// Issue 21: host names starting with `=`, `+`, `-`, `@` went unescaped into CSV files.
@Suite(.tags(.unit)) struct CSVFormulaNeutralisationTests {
    @Test func textColumnsGetAQuoteBeforeAFormulaAndNumbersStay() throws {
        var writer = CSVWriter(header: ["name", "block", "output"], neutralizingFormulasIn: ["name", "output"])
        writer.append(["=HYPERLINK(\"http://x\")", "-5", "+1"])
        writer.append(["@SUM(A1)", "12", "-cmd"])
        writer.append(["\tx", "0", "\rcarriage"])
        writer.append(["plain", "-5", "ok"])
        #expect(writer.text == """
        name,block,output
        "'=HYPERLINK(""http://x"")",-5,"'+1"
        "'@SUM(A1)",12,"'-cmd"
        "'\tx",0,"'\rcarriage"
        plain,-5,ok

        """)
        let records = try CSVReader.parse(writer.text, file: "t.csv")
        #expect(records.map(\.fields)[1] == ["'=HYPERLINK(\"http://x\")", "-5", "'+1"])
        #expect(Int(records.map(\.fields)[4][1]) == -5)
    }

    @Test func withoutTheOptionCellsAreUnchanged() {
        var writer = CSVWriter(header: ["a"])
        writer.append(["=1+1"])
        #expect(writer.text == "a\n=1+1\n")
    }
}
