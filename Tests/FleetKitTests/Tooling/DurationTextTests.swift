import FleetTestSupport
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct DurationTextTests {
    @Test func unitsAndBareSeconds() {
        #expect(DurationText.parse("120") == .seconds(120))
        #expect(DurationText.parse("120s") == .seconds(120))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1h30m") == .seconds(5400))
        #expect(DurationText.parse("500ms") == .milliseconds(500))
        #expect(DurationText.parse("1d") == .seconds(86_400))
        #expect(DurationText.parse(" 0 ") == .zero)
    }

    @Test func anythingElseIsRefused() {
        for text in ["", "s", "1x", "1.5m", "-3", "1h 30m", "m5", "99999999999s"] {
            #expect(DurationText.parse(text) == nil, "\(text)")
        }
    }
}
