/// A value that must never be shown: description/debugDescription/String(describing:) give "***".
///
/// `dump` and other reflection show "***" too. Read the value only through `revealed`,
/// at the moment it is sent to where it belongs.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The secret value; the only way to reach it.
    public let revealed: String

    /// Wraps `value` so that printing it shows "***".
    public init(_ value: String) {
        revealed = value
    }

    /// Always "***".
    public var description: String { "***" }

    /// Always "***".
    public var debugDescription: String { "***" }

    /// A mirror with no children, so reflection never reaches the value.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
