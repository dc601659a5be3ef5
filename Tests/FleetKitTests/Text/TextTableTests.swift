import FleetTestSupport
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct TextTableTests {
    @Test func columnsArePaddedToTheirWidestCellButTheLast() {
        let text = TextTable.render(headers: ["HOST", "BLOCK", "NOTE"], rows: [["node-one", "5", "a long note"], ["h2", "12345"], ["h3", "", ""]])
        #expect(text == """
            HOST      BLOCK  NOTE
            node-one  5      a long note
            h2        12345
            h3

            """)
    }
}
