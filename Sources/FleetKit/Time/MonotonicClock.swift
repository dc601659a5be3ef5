import Dispatch

/// Nanoseconds on the monotonic clock, with saturating arithmetic so no configured
/// duration, however large, can overflow a deadline.
enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point; never goes backwards.
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// `instant + duration`, saturating at `UInt64.max`.
    static func adding(_ duration: UInt64, to instant: UInt64) -> UInt64 {
        let (sum, overflow) = instant.addingReportingOverflow(duration)
        return overflow ? UInt64.max : sum
    }

    /// `duration` in whole nanoseconds; negative durations give 0, huge ones `UInt64.max`.
    static func nanoseconds(of duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        let wholeSeconds = UInt64(seconds)
        let (secondsPart, overflow) = wholeSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return UInt64.max }
        // attoseconds is within -1e18 < a < 1e18, so the division fits; a negative part with
        // positive seconds is at most one second, which secondsPart covers.
        let fraction = attoseconds / 1_000_000_000
        if fraction >= 0 { return adding(UInt64(fraction), to: secondsPart) }
        let borrow = UInt64(-fraction)
        return secondsPart >= borrow ? secondsPart - borrow : 0
    }

    /// Milliseconds from `now` until `deadline` for `poll`, rounded up so a deadline is
    /// never woken for early, and capped at `Int32.max`.
    static func pollTimeout(until deadline: UInt64, now: UInt64) -> Int32 {
        guard deadline > now else { return 0 }
        let remaining = deadline - now
        let milliseconds = remaining / 1_000_000 + (remaining % 1_000_000 == 0 ? 0 : 1)
        return milliseconds >= UInt64(Int32.max) ? Int32.max : Int32(milliseconds)
    }
}
