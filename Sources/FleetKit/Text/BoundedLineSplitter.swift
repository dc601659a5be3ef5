#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Cuts a byte stream that arrives in chunks of any size into lines, holding at most
/// ``maxLineBytes`` of any line, so memory stays the same whatever the input.
///
/// Lines are handed over without their `\n` (and without a `\r` before it). Complete lines
/// inside a chunk are handed over in place, without copying; only the start of a line that
/// continues in the next chunk is kept. A line longer than the limit is handed over once,
/// cut to its first ``maxLineBytes`` bytes and flagged, and the rest of it is skipped.
public struct BoundedLineSplitter: Sendable {
    /// The most bytes of one line that are kept and handed over.
    public let maxLineBytes: Int
    /// Lines that were longer than ``maxLineBytes`` and handed over cut.
    public private(set) var overlongLines = 0
    /// The start of a line whose end has not arrived yet.
    private var carry: [UInt8] = []
    /// Whether the bytes arriving belong to an over-long line already handed over.
    private var skippingRest = false

    /// Creates a splitter that keeps at most `maxLineBytes` (at least 1) of a line.
    public init(maxLineBytes: Int = 1 << 20) {
        self.maxLineBytes = max(1, maxLineBytes)
    }

    /// Hands every line that `chunk` completes to `line`, with `true` for a line that was cut.
    public mutating func split(_ chunk: UnsafeRawBufferPointer, _ line: (UnsafeRawBufferPointer, Bool) -> Void) {
        guard let base = chunk.baseAddress, !chunk.isEmpty else { return }
        var position = 0
        let count = chunk.count
        if skippingRest || !carry.isEmpty {
            guard let newline = Self.newline(in: base, from: 0, to: count) else {
                absorb(UnsafeRawBufferPointer(start: base, count: count), line)
                return
            }
            absorb(UnsafeRawBufferPointer(start: base, count: newline), line)
            endCarriedLine(line)
            position = newline + 1
        }
        while position < count {
            guard let newline = Self.newline(in: base, from: position, to: count) else {
                absorb(UnsafeRawBufferPointer(start: base + position, count: count - position), line)
                return
            }
            emit(UnsafeRawBufferPointer(start: base + position, count: newline - position), line)
            position = newline + 1
        }
    }

    /// Hands over the last line when the stream did not end with a newline.
    public mutating func finish(_ line: (UnsafeRawBufferPointer, Bool) -> Void) {
        endCarriedLine(line)
    }

    private static func newline(in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        guard let found = memchr(base + start, 0x0A, end - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// Keeps bytes of a line whose end has not come (up to one byte over the limit, for a
    /// `\r` before the newline), handing the line over cut once it is surely over-long.
    private mutating func absorb(_ bytes: UnsafeRawBufferPointer, _ line: (UnsafeRawBufferPointer, Bool) -> Void) {
        guard !skippingRest, !bytes.isEmpty else { return }
        if carry.count + bytes.count <= maxLineBytes + 1 {
            carry.append(contentsOf: bytes)
            return
        }
        carry.append(contentsOf: bytes.prefix(max(0, maxLineBytes - carry.count)))
        overlongLines += 1
        carry.withUnsafeBytes { line(UnsafeRawBufferPointer(rebasing: $0[0..<maxLineBytes]), true) }
        carry.removeAll(keepingCapacity: true)
        skippingRest = true
    }

    /// The newline of the carried line arrived: hand it over (unless it was already, cut).
    private mutating func endCarriedLine(_ line: (UnsafeRawBufferPointer, Bool) -> Void) {
        if skippingRest {
            skippingRest = false
            return
        }
        guard !carry.isEmpty else { return }
        let limit = maxLineBytes
        let cut = carry.withUnsafeBytes { bytes -> Bool in
            let trimmed = Self.withoutCarriageReturn(bytes)
            guard trimmed.count > limit else {
                line(trimmed, false)
                return false
            }
            line(UnsafeRawBufferPointer(rebasing: trimmed[0..<limit]), true)
            return true
        }
        if cut { overlongLines += 1 }
        carry.removeAll(keepingCapacity: carry.count <= 1 << 16)
    }

    private mutating func emit(_ bytes: UnsafeRawBufferPointer, _ line: (UnsafeRawBufferPointer, Bool) -> Void) {
        let trimmed = Self.withoutCarriageReturn(bytes)
        if trimmed.count > maxLineBytes {
            overlongLines += 1
            line(UnsafeRawBufferPointer(rebasing: trimmed[0..<maxLineBytes]), true)
        } else {
            line(trimmed, false)
        }
    }

    private static func withoutCarriageReturn(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        guard let last = bytes.last, last == 0x0D else { return bytes }
        return UnsafeRawBufferPointer(rebasing: bytes[0..<(bytes.count - 1)])
    }
}
