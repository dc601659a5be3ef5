import FleetTestSupport
import Testing
import FleetKit

@Suite(.tags(.unit)) struct ConfigValueTextTests {
    @Test func addressesAreCheckedLikeInventoryCells() {
        #expect(ConfigValueText.isIPv4("185.216.20.162"))
        #expect(!ConfigValueText.isIPv4("256.1.1.1"))
        #expect(!ConfigValueText.isIPv4("01.2.3.4"))
        #expect(!ConfigValueText.isIPv4("1.2.3"))
        #expect(ConfigValueText.isIPv6("2001:db8::1"))
        #expect(!ConfigValueText.isIPv6("[2001:db8::1]"))
        #expect(!ConfigValueText.isIPv6("2001:db8::g"))
        #expect(ConfigValueText.isHostname("node2.gonka.ai"))
        #expect(!ConfigValueText.isHostname("-node"))
        #expect(!ConfigValueText.isHostname("bad_host"))
    }

    @Test func userNames() {
        #expect(ConfigValueText.isUserName("ubuntu"))
        #expect(ConfigValueText.isUserName("_svc.user-1"))
        #expect(!ConfigValueText.isUserName("-oProxyCommand"))
        #expect(!ConfigValueText.isUserName("root; rm"))
    }

    @Test func visibleEscapesControlCharacters() {
        #expect(ConfigValueText.visible("a\nb\u{202E}c") == "a\\u{A}b\\u{202E}c")
    }

    @Test func closestNamesATypo() {
        #expect(ConfigValueText.closest(to: "SERVER_PI", among: ["SERVER_IP", "SSH_USER"]) == "SERVER_IP")
        #expect(ConfigValueText.closest(to: "SOMETHING_ELSE", among: ["SERVER_IP", "SSH_USER"]) == nil)
    }
}
