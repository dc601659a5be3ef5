import Testing
@testable import FleetKit

@Suite struct ShellQuoteTests {
    @Test func plainWordsStayReadable() {
        #expect(ShellQuote.quote("abc-1.2/x") == "abc-1.2/x")
        #expect(ShellQuote.quote("") == "''")
    }

    @Test func singleQuoteIsEscaped() {
        #expect(ShellQuote.quote("it's") == "'it'\\''s'")
    }
}
