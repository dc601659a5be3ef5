/// Arithmetic modulo an odd prime below 2^256, on elements kept in Montgomery form
/// (`a·R mod p`, R = 2^256) as four little-endian 64-bit words.
///
/// Every operation runs the same instructions whatever the values: carries and borrows are
/// folded in with masks, never with branches on secret data.
struct MontgomeryField: Sendable {
    /// An element in Montgomery form, least significant word first.
    typealias Element = SIMD4<UInt64>

    /// The prime, least significant word first.
    let modulus: Element
    /// `-p⁻¹ mod 2^64`, for the reduction step.
    private let negatedInverse: UInt64
    /// `R² mod p`, to bring a plain value into Montgomery form.
    private let rSquared: Element
    /// `R mod p`: the element 1.
    let one: Element

    /// The field of the odd prime `modulus`.
    init(modulus value: UInt256) {
        let modulus = Self.words(value)
        self.modulus = modulus
        // Newton's iteration doubles the correct low bits of p⁻¹ mod 2^64 each round.
        var inverse: UInt64 = 1
        for _ in 0..<6 { inverse = inverse &* (2 &- modulus[0] &* inverse) }
        negatedInverse = 0 &- inverse
        // R mod p and R² mod p by doubling 1 modulo p.
        var power = Element(1, 0, 0, 0)
        var rModP = Element(repeating: 0)
        for step in 1...512 {
            power = Self.addModulo(power, power, modulus)
            if step == 256 { rModP = power }
        }
        one = rModP
        rSquared = power
    }

    /// The words of `value`, least significant first.
    static func words(_ value: UInt256) -> Element {
        Element(value.limbs.3, value.limbs.2, value.limbs.1, value.limbs.0)
    }

    /// The value of `words`, least significant first.
    static func value(_ words: Element) -> UInt256 {
        UInt256(limbs: (words[3], words[2], words[1], words[0]))
    }

    /// `a + b mod p` for `a, b < p`.
    private static func addModulo(_ a: Element, _ b: Element, _ p: Element) -> Element {
        var sum = Element(repeating: 0)
        var carry: UInt64 = 0
        for index in 0..<4 {
            let (partial, overflow1) = a[index].addingReportingOverflow(b[index])
            let (total, overflow2) = partial.addingReportingOverflow(carry)
            sum[index] = total
            carry = (overflow1 ? 1 : 0) | (overflow2 ? 1 : 0)
        }
        let (reduced, borrow) = subtractWords(sum, p)
        // Keep the reduced sum when the addition carried out or the subtraction did not borrow.
        let keepReduced = carry | (borrow ^ 1)
        return select(keepReduced, reduced, sum)
    }

    /// `a - b` over 256 bits, with the borrow out (0 or 1).
    private static func subtractWords(_ a: Element, _ b: Element) -> (Element, UInt64) {
        var difference = Element(repeating: 0)
        var borrow: UInt64 = 0
        for index in 0..<4 {
            let (partial, overflow1) = a[index].subtractingReportingOverflow(b[index])
            let (total, overflow2) = partial.subtractingReportingOverflow(borrow)
            difference[index] = total
            borrow = (overflow1 ? 1 : 0) | (overflow2 ? 1 : 0)
        }
        return (difference, borrow)
    }

    /// `first` when `condition` is 1, `second` when it is 0, without a branch.
    static func select(_ condition: UInt64, _ first: Element, _ second: Element) -> Element {
        let mask = Element(repeating: 0 &- condition)
        return (first & mask) | (second & ~mask)
    }

    /// `a + b mod p`.
    func add(_ a: Element, _ b: Element) -> Element { Self.addModulo(a, b, modulus) }

    /// `a - b mod p`.
    func subtract(_ a: Element, _ b: Element) -> Element {
        let (difference, borrow) = Self.subtractWords(a, b)
        var result = Element(repeating: 0)
        var carry: UInt64 = 0
        let correction = modulus & Element(repeating: 0 &- borrow)
        for index in 0..<4 {
            let (partial, overflow1) = difference[index].addingReportingOverflow(correction[index])
            let (total, overflow2) = partial.addingReportingOverflow(carry)
            result[index] = total
            carry = (overflow1 ? 1 : 0) | (overflow2 ? 1 : 0)
        }
        return result
    }

    /// `a · b · R⁻¹ mod p` (the Montgomery product; CIOS method).
    func multiply(_ a: Element, _ b: Element) -> Element {
        var t = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        for i in 0..<4 {
            // t += a · b[i]
            var carry: UInt64 = 0
            (t.0, carry) = Self.multiplyAdd(a[0], b[i], t.0, carry)
            (t.1, carry) = Self.multiplyAdd(a[1], b[i], t.1, carry)
            (t.2, carry) = Self.multiplyAdd(a[2], b[i], t.2, carry)
            (t.3, carry) = Self.multiplyAdd(a[3], b[i], t.3, carry)
            let (high, overflow) = t.4.addingReportingOverflow(carry)
            t.4 = high
            t.5 = overflow ? 1 : 0
            // t = (t + m·p) / 2^64, with m chosen so the low word vanishes.
            let m = t.0 &* negatedInverse
            (_, carry) = Self.multiplyAdd(m, modulus[0], t.0, 0)
            (t.0, carry) = Self.multiplyAdd(m, modulus[1], t.1, carry)
            (t.1, carry) = Self.multiplyAdd(m, modulus[2], t.2, carry)
            (t.2, carry) = Self.multiplyAdd(m, modulus[3], t.3, carry)
            let (top, overflowTop) = t.4.addingReportingOverflow(carry)
            t.3 = top
            t.4 = t.5 &+ (overflowTop ? 1 : 0)
        }
        let sum = Element(t.0, t.1, t.2, t.3)
        let (reduced, borrow) = Self.subtractWords(sum, modulus)
        return Self.select(t.4 | (borrow ^ 1), reduced, sum)
    }

    /// `a · b + c + d` as (low word, high word); it never overflows 128 bits.
    @inline(__always)
    private static func multiplyAdd(_ a: UInt64, _ b: UInt64, _ c: UInt64, _ d: UInt64) -> (UInt64, UInt64) {
        let product = a.multipliedFullWidth(by: b)
        let (low1, overflow1) = product.low.addingReportingOverflow(c)
        let (low2, overflow2) = low1.addingReportingOverflow(d)
        return (low2, product.high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0))
    }

    /// The element for the plain value `value`, which must be below p.
    func element(_ value: UInt256) -> Element { multiply(Self.words(value), rSquared) }

    /// The plain value of `element`.
    func value(of element: Element) -> UInt256 { Self.value(multiply(element, Element(1, 0, 0, 0))) }

    /// `a⁻¹` by Fermat's little theorem (`a^(p-2)`); 0 stays 0.
    func inverse(_ a: Element) -> Element {
        let (exponent, _) = Self.subtractWords(modulus, Element(2, 0, 0, 0))
        var result = one
        for index in stride(from: 3, through: 0, by: -1) {
            for bit in stride(from: 63, through: 0, by: -1) {
                result = multiply(result, result)
                let product = multiply(result, a)
                result = Self.select((exponent[index] >> UInt64(bit)) & 1, product, result)
            }
        }
        return result
    }

    /// Whether `element` is zero, as 1 or 0.
    func isZero(_ element: Element) -> Bool { element == Element(repeating: 0) }
}
