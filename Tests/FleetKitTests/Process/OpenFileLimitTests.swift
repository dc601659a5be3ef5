import FleetTestSupport
import Foundation
import Testing
@testable import FleetKit

@Suite(.tags(.unit)) struct OpenFileLimitTests {
    @Test func hostsAtOnceLeaveRoomUnderTheLimit() {
        #expect(OpenFileLimit.hostsAtOnce(underLimit: 1024) == (1024 - 64) / 10)
        #expect(OpenFileLimit.hostsAtOnce(underLimit: 10) == 1)
        #expect(OpenFileLimit.hostsAtOnce(underLimit: nil) == Int.max)
    }

    @Test func theSoftLimitIsRaisedToTheHardLimit() {
        let before = OpenFileLimit.softLimit
        let after = OpenFileLimit.raiseSoftLimit()
        if let before, let after { #expect(after >= before) }
        var limits = rlimit()
        #if canImport(Glibc)
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        #else
        let resource = RLIMIT_NOFILE
        #endif
        #expect(getrlimit(resource, &limits) == 0)
        if limits.rlim_max != rlim_t.max { #expect(limits.rlim_cur == limits.rlim_max) }
    }
}
