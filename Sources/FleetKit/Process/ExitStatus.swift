import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns what `waitid` reports into the shell's convention: the exit code, or 128 plus
/// the signal that ended the program.
enum ExitStatus {
    static func fromWaitInfo(_ info: siginfo_t) -> Int32 {
        #if canImport(Glibc)
        let status = info._sifields._sigchld.si_status
        #else
        let status = info.si_status
        #endif
        return info.si_code == Int32(CLD_EXITED) ? status : 128 + status
    }

    /// The same convention for a program Foundation has reaped.
    static func of(_ process: Process) -> Int32 {
        process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}
