/// SASLprep (RFC 4013): the stringprep profile (RFC 3454) that SCRAM applies to usernames and passwords.
///
/// ``prepare(_:allowingUnassigned:)`` runs the four steps of RFC 4013 §2 in order:
/// 1. Mapping: the "commonly mapped to nothing" characters (table B.1, such as SOFT HYPHEN) are removed, then the
///    non-ASCII spaces (table C.1.2, such as NO-BREAK SPACE) become U+0020. U+200B ZERO WIDTH SPACE is in both
///    tables and is removed, as most implementations do.
/// 2. Normalization: Unicode NFKC, so that `Ⅸ` (U+2168 ROMAN NUMERAL NINE) becomes `IX` and `ﬁ` becomes `fi`.
/// 3. Prohibited output, all of it enforced: non-ASCII spaces (C.1.2), ASCII and non-ASCII controls (C.2.1,
///    C.2.2), private use (C.3), non-characters (C.4), surrogates (C.5; a Swift `String` cannot hold them),
///    characters inappropriate for plain text (C.6) or canonical representation (C.7), characters that change
///    display properties or are deprecated (C.8), and tagging characters (C.9).
/// 4. Bidirectional characters (RFC 3454 §6), enforced with the RFC's own tables (D.1 RandALCat, D.2 LCat): a
///    string containing a right-to-left character must not contain a left-to-right one, and must start and end
///    with a right-to-left character.
///
/// Unassigned code points (RFC 3454 §7, table A.1) are those Unicode 3.2 did not assign, computed from the
/// standard library's `Unicode.Scalar.Properties.age`. RFC 5802 asks SCRAM to treat its strings as "stored
/// strings" and refuse them, but a client that refuses can never log in with a password the server accepted, and
/// common servers (Prosody, for one) prepare without that check, so they are allowed by default; pass
/// `allowingUnassigned: false` for the strict behaviour.
///
/// Normalization is NFKC as of Unicode 3.2, without Foundation (see ``nfkc(_:)``), and exact for every string of
/// code points assigned in Unicode 3.2. The tables of steps 1, 3 and 4 are the RFC's and are exact too.
public enum SASLprep {
    /// Prepares `string` with SASLprep, or explains why it cannot be used.
    ///
    /// - Parameters:
    ///   - string: The string to prepare, such as a password.
    ///   - allowingUnassigned: Whether code points unassigned in Unicode 3.2 pass through (a "query" in the terms
    ///     of RFC 3454 §7, the default) or are refused (a "stored string").
    /// - Returns: The prepared string.
    /// - Throws: ``SASLError`` with code ``SASLError/Code/invalidCredentials`` naming the rule the string
    ///   breaks, but neither the character nor its position.
    public static func prepare(_ string: String, allowingUnassigned: Bool = true) throws(SASLError) -> String {
        try prepare(string, allowingUnassigned: allowingUnassigned, field: "the string")
    }

    /// ``prepare(_:allowingUnassigned:)``, naming `field` (for example "the password") in errors.
    static func prepare(_ string: String, allowingUnassigned: Bool, field: String) throws(SASLError) -> String {
        if string.utf8.allSatisfy({ 0x20...0x7E ~= $0 }) { return string }
        if !allowingUnassigned, string.unicodeScalars.contains(where: isUnassigned) {
            throw .invalidCredentials("\(field) contains a code point that Unicode 3.2 does not assign (RFC 3454 A.1)")
        }
        var mapped = String.UnicodeScalarView()
        for scalar in string.unicodeScalars where !isMappedToNothing(scalar.value) {
            mapped.append(isNonASCIISpace(scalar.value) ? " " : scalar)
        }
        let normalized = nfkc(String(mapped))
        let scalars = Array(normalized.unicodeScalars)
        for scalar in scalars {
            if let table = prohibitingTable(scalar.value) {
                throw .invalidCredentials("\(field) contains a character that SASLprep prohibits (RFC 3454 \(table))")
            }
        }
        if scalars.contains(where: { isRandALCat($0.value) }) {
            if scalars.contains(where: { isLCat($0.value) }) {
                throw .invalidCredentials(
                    "\(field) mixes right-to-left and left-to-right characters (RFC 3454 §6)")
            }
            guard let first = scalars.first, let last = scalars.last, isRandALCat(first.value),
                isRandALCat(last.value)
            else {
                throw .invalidCredentials(
                    "\(field) contains right-to-left characters but does not start and end with one (RFC 3454 §6)")
            }
        }
        return normalized
    }

    // MARK: - Normalization

    /// Unicode Normalization Form KC as of Unicode 3.2, the version stringprep is frozen at (RFC 3454 §4).
    ///
    /// Each code point is replaced by its compatibility decomposition when ``compatibilityKeys`` lists it, and the
    /// result goes through the standard library's NFC (`String._nfcCodeUnits`, its public underscored entry point,
    /// as in XMPPCore's PRECIS; there is no other NFC without Foundation). NFC decomposes canonically, which leaves
    /// the already decomposed mappings alone, then reorders combining marks across the whole string and composes:
    /// NFKC is exactly that composition of the compatibility decomposition.
    ///
    /// The table, generated from Unicode 3.2 by `scripts/gen-saslprep-nfkc.py`, also maps the five ideographs
    /// whose canonical decomposition was corrected after 3.2 (Corrigendum #4) to their 3.2 decomposition, the
    /// way the Unicode normalization stability policy suggests stringprep handle corrections. Strings of code
    /// points assigned in Unicode 3.2 thus normalize as Python's `unicodedata.ucd_3_2_0` normalizes them: with
    /// the definition of a blocked mark as fixed by Corrigendum #5, which changes no text in any known language.
    /// Code points that Unicode 3.2 left unassigned follow the toolchain's Unicode in the NFC step (a newer
    /// combining mark is reordered and composes where 3.2 would have treated it as a starter), a difference that
    /// RFC 3454 §7 accepts for queries; stored strings refuse such code points.
    package static func nfkc(_ string: String) -> String {
        if string.utf8.allSatisfy({ $0 < 0x80 }) { return string }
        var decomposed: [UInt8] = []
        decomposed.reserveCapacity(string.utf8.count)
        compatibilityMappings.withUTF8Buffer { mappings in
            for scalar in string.unicodeScalars {
                if let index = compatibilityIndex(scalar.value) {
                    let start = index == 0 ? 0 : Int(compatibilityEnds[index - 1])
                    decomposed.append(contentsOf: mappings[start..<Int(compatibilityEnds[index])])
                } else {
                    UTF8.encode(scalar) { decomposed.append($0) }
                }
            }
        }
        return String(decoding: String(decoding: decomposed, as: UTF8.self)._nfcCodeUnits, as: UTF8.self)
    }

    /// The position of `value` in ``compatibilityKeys`` by binary search, or `nil` if it has no compatibility
    /// mapping.
    static func compatibilityIndex(_ value: UInt32) -> Int? {
        let keys = compatibilityKeys
        guard let first = keys.first, value >= first else { return nil }
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < keys.count && keys[low] == value ? low : nil
    }

    // MARK: - Tables

    /// B.1, commonly mapped to nothing.
    static func isMappedToNothing(_ value: UInt32) -> Bool {
        switch value {
        case 0x00AD, 0x034F, 0x1806, 0x180B...0x180D, 0x200B...0x200D, 0x2060, 0xFE00...0xFE0F, 0xFEFF: true
        default: false
        }
    }

    /// C.1.2, non-ASCII space characters.
    static func isNonASCIISpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x00A0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// The prohibition table (RFC 4013 §2.3) that contains `value`, or `nil`.
    static func prohibitingTable(_ value: UInt32) -> String? {
        if isNonASCIISpace(value) { return "C.1.2, non-ASCII space" }
        switch value {
        case 0x0000...0x001F, 0x007F:
            return "C.2.1, ASCII control"
        case 0x0080...0x009F, 0x06DD, 0x070F, 0x180E, 0x200C, 0x200D, 0x2028, 0x2029, 0x2060...0x2063, 0xFEFF,
            0x1D173...0x1D17A:
            return "C.2.2, non-ASCII control"
        case 0xE000...0xF8FF, 0xF0000...0xFFFFD, 0x100000...0x10FFFD:
            return "C.3, private use"
        case 0xFDD0...0xFDEF:
            return "C.4, non-character"
        case _ where value & 0xFFFE == 0xFFFE:
            return "C.4, non-character"
        case 0xD800...0xDFFF:
            return "C.5, surrogate"
        case 0xFFF9...0xFFFD:
            return "C.6, inappropriate for plain text"
        case 0x2FF0...0x2FFB:
            return "C.7, inappropriate for canonical representation"
        case 0x0340, 0x0341, 0x200E, 0x200F, 0x202A...0x202E, 0x206A...0x206F:
            return "C.8, change display properties or deprecated"
        case 0xE0001, 0xE0020...0xE007F:
            return "C.9, tagging character"
        default:
            return nil
        }
    }

    /// A.1: not assigned in Unicode 3.2 (non-characters, which are assigned, are prohibited by C.4).
    static func isUnassigned(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return true }
        return age.major > 3 || (age.major == 3 && age.minor > 2)
    }

    /// D.1, characters with bidirectional property "R" or "AL" in Unicode 3.2.
    static func isRandALCat(_ value: UInt32) -> Bool {
        switch value {
        case 0x05BE, 0x05C0, 0x05C3, 0x05D0...0x05EA, 0x05F0...0x05F4, 0x061B, 0x061F, 0x0621...0x063A,
            0x0640...0x064A, 0x066D...0x066F, 0x0671...0x06D5, 0x06DD, 0x06E5...0x06E6, 0x06FA...0x06FE,
            0x0700...0x070D, 0x0710, 0x0712...0x072C, 0x0780...0x07A5, 0x07B1, 0x200F, 0xFB1D, 0xFB1F...0xFB28,
            0xFB2A...0xFB36, 0xFB38...0xFB3C, 0xFB3E, 0xFB40...0xFB41, 0xFB43...0xFB44, 0xFB46...0xFBB1,
            0xFBD3...0xFD3D, 0xFD50...0xFD8F, 0xFD92...0xFDC7, 0xFDF0...0xFDFC, 0xFE70...0xFE74, 0xFE76...0xFEFC:
            true
        default:
            false
        }
    }

    /// D.2, characters with bidirectional property "L" in Unicode 3.2, by binary search in ``leftToRight``.
    static func isLCat(_ value: UInt32) -> Bool {
        var low = 0
        var high = leftToRight.count
        while low < high {
            let middle = (low + high) / 2
            if leftToRight[middle].upperBound < value {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return low < leftToRight.count && leftToRight[low].contains(value)
    }
}
