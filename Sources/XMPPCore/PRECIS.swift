/// Preparation and enforcement of internationalized strings: the PRECIS framework (RFC 8264) with the two profiles
/// XMPP addresses use (RFC 8265), and the per-code-point IDNA2008 rules (RFC 5892) that ``JID`` applies to
/// domainparts.
///
/// Every rule is computed from the Unicode data of the Swift standard library (`Unicode.Scalar.Properties` and the
/// standard library's NFC), so the results follow the toolchain's Unicode version (16.0 for Swift 6.3) rather than
/// the Unicode 6.3 tables printed in the RFCs.
///
/// Implemented:
/// - The IdentifierClass and FreeformClass derivation of RFC 8264 §8 (categories A and F–R), in the RFC's order.
/// - The IDNA2008 derivation of RFC 5892 §3 (categories A–J), with Unstable taken as
///   Changes_When_NFKC_Casefolded.
/// - The contextual rules of RFC 5892 Appendix A, with two approximations. ZERO WIDTH NON-JOINER is accepted only
///   after a virama: the Joining_Type alternative of rule A.1 needs data Swift doesn't expose, so strings that rely
///   on it are rejected. The Script tests of rules A.4, A.5, A.6 and A.7 use the range tables at the end of this
///   file.
/// - Width mapping (RFC 8264 §9.1), Unicode toLowerCase, mapping of non-ASCII spaces, and NFC, in the order of
///   RFC 8264 §7 with the code point check last, re-applied until the output is stable (at most three more passes
///   after the first).
///
/// Not implemented: the Bidi Rule (RFC 5893) that UsernameCaseMapped names as its directionality rule. Swift exposes
/// no Bidi_Class property, so right-to-left strings are not checked for it.
///
/// When this was written, the derived property values were compared with independent implementations for every
/// code point of Unicode 15.1 (the PRECIS classes and IDNA2008 alike) and agreed on all of them; the two profiles
/// agreed on every single code point and on 60,000 random strings, except where the Bidi Rule applies.
package enum PRECIS {
    /// Why a string failed preparation or enforcement.
    ///
    /// Offsets count Unicode scalars from zero in the string that was checked, which is the mapped string.
    package enum Failure: Error, Hashable, Sendable {
        /// The string is empty after enforcement.
        case empty
        /// A code point that the string class (or IDNA2008) disallows.
        case disallowed(Unicode.Scalar, offset: Int)
        /// A code point that is unassigned in the Unicode version of the toolchain.
        case unassigned(Unicode.Scalar, offset: Int)
        /// A CONTEXTJ or CONTEXTO code point whose contextual rule (RFC 5892 Appendix A) isn't satisfied.
        case contextRule(Unicode.Scalar, offset: Int)
        /// The rules didn't reach a fixed point within four passes (RFC 8264 §7).
        case unstable
    }

    /// Which derived property decides whether a code point is valid.
    package enum Rules: Sendable {
        /// The PRECIS IdentifierClass (RFC 8264 §4.2).
        case identifierClass
        /// The PRECIS FreeformClass (RFC 8264 §4.3).
        case freeformClass
        /// The IDNA2008 derived property (RFC 5892 §3).
        case idna2008
    }

    /// The derived property value of a code point (RFC 8264 §8, RFC 5892 §3), with PVALID and FREE_PVAL merged.
    package enum Disposition: Sendable {
        case valid
        case contextJ
        case contextO
        case disallowed
        case unassigned
    }

    // MARK: - Profiles

    /// Enforces the UsernameCaseMapped profile of the IdentifierClass (RFC 8265 §3.3).
    ///
    /// Each pass maps fullwidth and halfwidth code points to their decompositions, lowercases with Unicode
    /// toLowerCase (see ``lowercased(_:finalSigma:)``), applies NFC, and then checks the result against the
    /// IdentifierClass. Passes repeat until the output is stable. The Bidi Rule is not enforced.
    ///
    /// The class check comes after the mappings, in the order of RFC 8264 §7, rather than between width mapping
    /// and case mapping as the preparation step of RFC 8265 §3.3.1 reads. That accepts the few code points that only
    /// mapping makes valid, such as U+2126 OHM SIGN (NFC gives U+03A9, which lowercases to U+03C9), as other PRECIS
    /// implementations do. Failure offsets therefore count in the mapped string.
    package static func enforceUsernameCaseMapped(_ input: String) throws(Failure) -> String {
        try applyUntilStable(input) { string throws(Failure) in
            let mapped = nfc(lowercased(string.unicodeScalars.map(widthMapped), finalSigma: true))
            try check(Array(mapped.unicodeScalars), under: .identifierClass)
            return mapped
        }
    }

    /// Enforces the OpaqueString profile of the FreeformClass (RFC 8265 §4.2).
    ///
    /// Each pass maps every non-ASCII space (general category Zs) to U+0020, applies NFC, and checks the result
    /// against the FreeformClass. There is no width mapping, case mapping or directionality rule.
    package static func enforceOpaqueString(_ input: String) throws(Failure) -> String {
        try applyUntilStable(input) { string throws(Failure) in
            var spaceMapped = String.UnicodeScalarView()
            for scalar in string.unicodeScalars {
                let isNonASCIISpace = scalar.value != 0x20 && scalar.properties.generalCategory == .spaceSeparator
                spaceMapped.append(isNonASCIISpace ? " " : scalar)
            }
            let mapped = nfc(String(spaceMapped))
            try check(Array(mapped.unicodeScalars), under: .freeformClass)
            return mapped
        }
    }

    /// Applies `pass` until its output equals its input byte for byte, at most four times (RFC 8264 §7).
    ///
    /// - Throws: ``Failure/empty`` if the stable output is empty, ``Failure/unstable`` if there is none, and whatever
    ///   `pass` throws.
    package static func applyUntilStable(
        _ input: String,
        _ pass: (String) throws(Failure) -> String
    ) throws(Failure) -> String {
        var current = input
        for _ in 0..<4 {
            let next = try pass(current)
            if next.utf8.elementsEqual(current.utf8) {
                guard !next.isEmpty else { throw .empty }
                return next
            }
            current = next
        }
        throw .unstable
    }

    // MARK: - Code point rules

    /// Checks every code point of `scalars`, including the contextual rules, which look at the whole sequence.
    ///
    /// - Throws: The first failing code point, with its offset in `scalars`.
    package static func check(_ scalars: [Unicode.Scalar], under rules: Rules) throws(Failure) {
        for (offset, scalar) in scalars.enumerated() {
            switch disposition(of: scalar, under: rules) {
            case .valid:
                continue
            case .contextJ, .contextO:
                guard contextRuleAllows(scalars, at: offset) else { throw .contextRule(scalar, offset: offset) }
            case .disallowed:
                throw .disallowed(scalar, offset: offset)
            case .unassigned:
                throw .unassigned(scalar, offset: offset)
            }
        }
    }

    /// The derived property value of `scalar`, following the steps of RFC 8264 §8 or RFC 5892 §3 in order.
    package static func disposition(of scalar: Unicode.Scalar, under rules: Rules) -> Disposition {
        let value = scalar.value
        if value < 0x80 {
            switch rules {
            case .identifierClass: return (0x21...0x7E).contains(value) ? .valid : .disallowed
            case .freeformClass: return (0x20...0x7E).contains(value) ? .valid : .disallowed
            case .idna2008: return isLDH(value) ? .valid : .disallowed
            }
        }
        // Exceptions (RFC 5892 §2.6), then BackwardCompatible, which is empty.
        switch value {
        case 0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007:
            return .valid
        case 0x00B7, 0x0375, 0x05F3, 0x05F4, 0x30FB, 0x0660...0x0669, 0x06F0...0x06F9:
            return .contextO
        case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031...0x3035, 0x303B:
            return .disallowed
        default:
            break
        }
        let properties = scalar.properties
        let category = properties.generalCategory
        if category == .unassigned && !properties.isNoncharacterCodePoint { return .unassigned }
        if properties.isJoinControl { return .contextJ }
        switch rules {
        case .idna2008:
            // Unstable, IgnorableProperties, IgnorableBlocks, OldHangulJamo, then LetterDigits.
            if properties.changesWhenNFKCCaseFolded || properties.isDefaultIgnorableCodePoint
                || properties.isWhitespace || properties.isNoncharacterCodePoint
                || isIgnorableBlock(value) || isOldHangulJamo(value)
            {
                return .disallowed
            }
            return isLetterDigit(category) ? .valid : .disallowed
        case .identifierClass, .freeformClass:
            // OldHangulJamo, PrecisIgnorableProperties, Controls.
            if isOldHangulJamo(value) || properties.isDefaultIgnorableCodePoint
                || properties.isNoncharacterCodePoint || category == .control
            {
                return .disallowed
            }
            if rules == .identifierClass {
                // HasCompat, then LetterDigits; everything else is ID_DIS or DISALLOWED.
                if hasCompatibilityDecomposition(scalar) { return .disallowed }
                return isLetterDigit(category) ? .valid : .disallowed
            }
            // HasCompat, LetterDigits, OtherLetterDigits, Spaces, Symbols and Punctuation are all FREE_PVAL.
            switch category {
            case .lowercaseLetter, .uppercaseLetter, .otherLetter, .decimalNumber, .modifierLetter,
                .nonspacingMark, .spacingMark, .titlecaseLetter, .letterNumber, .otherNumber, .enclosingMark,
                .spaceSeparator, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
                .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return .valid
            default:
                return hasCompatibilityDecomposition(scalar) ? .valid : .disallowed
            }
        }
    }

    /// Whether the contextual rule (RFC 5892 Appendix A) of the CONTEXTJ or CONTEXTO code point at `index` holds.
    package static func contextRuleAllows(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        let before = index > 0 ? scalars[index - 1] : nil
        let after = index + 1 < scalars.count ? scalars[index + 1] : nil
        switch scalars[index].value {
        case 0x200C, 0x200D:
            // A.1 and A.2; A.1's Joining_Type alternative is not supported.
            return before?.properties.canonicalCombiningClass == .virama
        case 0x00B7:
            return before == "l" && after == "l"
        case 0x0375:
            return after.map { isIn($0, greekRanges) } ?? false
        case 0x05F3, 0x05F4:
            return before.map { isIn($0, hebrewRanges) } ?? false
        case 0x30FB:
            return scalars.contains { isIn($0, hiraganaKatakanaHanRanges) }
        case 0x0660...0x0669:
            return !scalars.contains { (0x06F0...0x06F9).contains($0.value) }
        case 0x06F0...0x06F9:
            return !scalars.contains { (0x0660...0x0669).contains($0.value) }
        default:
            return false
        }
    }

    /// HasCompat (RFC 8264 §9.17): whether NFKC maps `scalar` to something other than itself.
    ///
    /// Swift exposes neither NFKC nor Decomposition_Type, so this is derived. For a code point that case folding
    /// leaves alone, Changes_When_NFKC_Casefolded is exactly "NFKC changes it" (default-ignorable code points aside,
    /// and those are disallowed before HasCompat is consulted). For the others: a code point that NFC changes
    /// (U+2126 OHM SIGN) is HasCompat; U+03F4 GREEK CAPITAL THETA SYMBOL is the one uppercase letter whose lowercase
    /// is not HasCompat while it is; every other uppercase or titlecase code point is HasCompat exactly when its
    /// lowercase mapping is; and of the lowercase code points that case folding changes, the listed ones are
    /// HasCompat. Checked against an NFKC implementation for every code point of Unicode 15.1.
    package static func hasCompatibilityDecomposition(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        guard properties.changesWhenCaseFolded else { return properties.changesWhenNFKCCaseFolded }
        if scalar.value == 0x03F4 { return true }
        let composed = nfc(String(scalar)).unicodeScalars
        if composed.count != 1 || composed.first != scalar { return true }
        let lowercase = properties.lowercaseMapping.unicodeScalars
        if lowercase.count == 1 && lowercase.first == scalar {
            switch scalar.value {
            case 0x00B5, 0x0149, 0x017F, 0x03D0, 0x03D1, 0x03D5, 0x03D6, 0x03F0, 0x03F1, 0x03F5, 0x0587, 0x1E9A,
                0x1E9B, 0xFB00...0xFB06, 0xFB13...0xFB17:
                return true
            default:
                return false
            }
        }
        return lowercase.contains { $0 != scalar && hasCompatibilityDecomposition($0) }
    }

    // MARK: - Mappings

    /// Maps a fullwidth or halfwidth code point to its decomposition mapping (RFC 8264 §9.1).
    ///
    /// These are the code points whose Decomposition_Type is Wide or Narrow. Swift exposes no decomposition data,
    /// so they are listed: U+3000 and U+FF01 through U+FFEE are all of them (none has been added since Unicode 3.2,
    /// and decomposition mappings never change). Each maps to a single code point, so offsets don't shift.
    package static func widthMapped(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let value = scalar.value
        switch value {
        case 0x3000:
            return " "
        case 0xFF01...0xFF5E:
            return Unicode.Scalar(value - 0xFEE0) ?? scalar
        case 0xFF5F...0xFFEE:
            let target = wideAndNarrowTargets[Int(value - 0xFF5F)]
            return target == 0 ? scalar : Unicode.Scalar(target) ?? scalar
        default:
            return scalar
        }
    }

    /// Maps each code point to its full lowercase mapping.
    ///
    /// With `finalSigma`, this is Unicode's toLowerCase (Unicode §3.13, D139): U+03A3 GREEK CAPITAL LETTER SIGMA
    /// becomes U+03C2 GREEK SMALL LETTER FINAL SIGMA where the Final_Sigma condition holds (after a cased letter,
    /// and not before one, case-ignorable code points skipped) and U+03C3 elsewhere. Without it, U+03A3 always
    /// becomes U+03C3. The language-specific mappings (Lithuanian, Turkish, Azeri) are never applied.
    package static func lowercased(_ scalars: [Unicode.Scalar], finalSigma: Bool) -> String {
        var result = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated() {
            if scalar.isASCII {
                let value = UInt8(scalar.value)
                result.append(Unicode.Scalar((0x41...0x5A).contains(value) ? value + 0x20 : value))
            } else if finalSigma && scalar == "\u{03A3}" && isFinalSigma(scalars, at: index) {
                result.append("\u{03C2}")
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(result)
    }

    /// The Final_Sigma casing context (Unicode §3.13, Table 3-17).
    private static func isFinalSigma(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        func followsCased(_ indices: some Sequence<Int>) -> Bool {
            for index in indices {
                let properties = scalars[index].properties
                if properties.isCased { return true }
                if !properties.isCaseIgnorable { return false }
            }
            return false
        }
        return followsCased((0..<index).reversed()) && !followsCased((index + 1)..<scalars.count)
    }

    /// Unicode Normalization Form C.
    ///
    /// Swift 6.3's standard library has no public normalization API, FoundationEssentials has none either, and
    /// XMPPCore doesn't import Foundation. `String._nfcCodeUnits` is the standard library's public (underscored)
    /// NFC entry point, the one its own tests and swift-foundation call.
    package static func nfc(_ string: String) -> String {
        if string.utf8.allSatisfy({ $0 < 0x80 }) { return string }
        return String(decoding: string._nfcCodeUnits, as: UTF8.self)
    }

    // MARK: - Tables

    private static func isLDH(_ value: UInt32) -> Bool {
        value == 0x2D || (0x30...0x39).contains(value) || (0x61...0x7A).contains(value)
    }

    /// LetterDigits (RFC 5892 §2.1).
    private static func isLetterDigit(_ category: Unicode.GeneralCategory) -> Bool {
        switch category {
        case .lowercaseLetter, .uppercaseLetter, .otherLetter, .decimalNumber, .modifierLetter, .nonspacingMark,
            .spacingMark:
            return true
        default:
            return false
        }
    }

    /// OldHangulJamo (RFC 5892 §2.9): Hangul_Syllable_Type L, V or T.
    private static func isOldHangulJamo(_ value: UInt32) -> Bool {
        (0x1100...0x11FF).contains(value) || (0xA960...0xA97C).contains(value) || (0xD7B0...0xD7C6).contains(value)
            || (0xD7CB...0xD7FB).contains(value)
    }

    /// IgnorableBlocks (RFC 5892 §2.4).
    private static func isIgnorableBlock(_ value: UInt32) -> Bool {
        (0x20D0...0x20FF).contains(value) || (0x1D100...0x1D24F).contains(value)
    }

    private static func isIn(_ scalar: Unicode.Scalar, _ ranges: [ClosedRange<UInt32>]) -> Bool {
        ranges.contains { $0.contains(scalar.value) }
    }

    /// Targets of the Wide and Narrow decompositions of U+FF5F…U+FFEE, zero where there is none.
    private static let wideAndNarrowTargets: [UInt16] = [
        0x2985, 0x2986, 0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7,
        0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
        0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1, 0x30C4,
        0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB,
        0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, 0x30EB, 0x30EC,
        0x30ED, 0x30EF, 0x30F3, 0x3099, 0x309A, 0x3164, 0x3131, 0x3132, 0x3133, 0x3134, 0x3135, 0x3136,
        0x3137, 0x3138, 0x3139, 0x313A, 0x313B, 0x313C, 0x313D, 0x313E, 0x313F, 0x3140, 0x3141, 0x3142,
        0x3143, 0x3144, 0x3145, 0x3146, 0x3147, 0x3148, 0x3149, 0x314A, 0x314B, 0x314C, 0x314D, 0x314E,
        0, 0, 0, 0x314F, 0x3150, 0x3151, 0x3152, 0x3153, 0x3154, 0, 0, 0x3155,
        0x3156, 0x3157, 0x3158, 0x3159, 0x315A, 0, 0, 0x315B, 0x315C, 0x315D, 0x315E, 0x315F,
        0x3160, 0, 0, 0x3161, 0x3162, 0x3163, 0, 0, 0, 0x00A2, 0x00A3, 0x00AC,
        0x00AF, 0x00A6, 0x00A5, 0x20A9, 0, 0x2502, 0x2190, 0x2191, 0x2192, 0x2193, 0x25A0, 0x25CB,
    ]

    // Script ranges for the contextual rules, from Scripts.txt with unassigned gaps closed (unassigned code points
    // are rejected before any contextual rule runs). The Han ranges take in all of planes 2 and 3.

    private static let greekRanges: [ClosedRange<UInt32>] = [
        0x0370...0x0373, 0x0375...0x037D, 0x037F...0x0384, 0x0386...0x0386, 0x0388...0x03E1, 0x03F0...0x03FF,
        0x1D26...0x1D2A, 0x1D5D...0x1D61, 0x1D66...0x1D6A, 0x1DBF...0x1DBF, 0x1F00...0x1FFE, 0x2126...0x2126,
        0xAB65...0xAB65, 0x10140...0x1018E, 0x101A0...0x101A0, 0x1D200...0x1D245,
    ]

    private static let hebrewRanges: [ClosedRange<UInt32>] = [0x0591...0x05F4, 0xFB1D...0xFB4F]

    private static let hiraganaKatakanaHanRanges: [ClosedRange<UInt32>] = [
        // Hiragana
        0x3041...0x3096, 0x309D...0x309F, 0x1B001...0x1B11F, 0x1B132...0x1B132, 0x1B150...0x1B152,
        0x1F200...0x1F200,
        // Katakana
        0x30A1...0x30FA, 0x30FD...0x30FF, 0x31F0...0x31FF, 0x32D0...0x32FE, 0x3300...0x3357, 0xFF66...0xFF6F,
        0xFF71...0xFF9D, 0x1AFF0...0x1B000, 0x1B120...0x1B122, 0x1B155...0x1B155, 0x1B164...0x1B167,
        // Han
        0x2E80...0x2FD5, 0x3005...0x3005, 0x3007...0x3007, 0x3021...0x3029, 0x3038...0x303B, 0x3400...0x4DBF,
        0x4E00...0x9FFF, 0xF900...0xFAD9, 0x16FE2...0x16FE3, 0x16FF0...0x16FF1, 0x20000...0x3FFFF,
    ]
}
