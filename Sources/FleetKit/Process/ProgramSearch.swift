import Foundation

/// Finds a local program the way a shell does: a name with a `/` is taken as a path, any
/// other name is looked up in the folders of a search path (the caller's `PATH`, split on `:`).
public enum ProgramSearch {
    /// The executable file `program` names, or `nil` when there is none.
    public static func locate(_ program: String, in searchPath: [String]) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        return searchPath.filter { !$0.isEmpty }.map { ($0 as NSString).appendingPathComponent(program) }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
