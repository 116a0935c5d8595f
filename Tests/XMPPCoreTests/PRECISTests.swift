import Testing
import XMPPCore

@Suite("PRECIS")
struct PRECISTests {
    // MARK: - Width mapping

    /// Cross-checks the width-mapping table against the Unicode names the standard library knows: every code
    /// point named FULLWIDTH … or HALFWIDTH … (plus U+3000 IDEOGRAPHIC SPACE) is mapped, nothing else is, and the
    /// target is the code point named by the rest of the name.
    @Test func widthMappingCoversExactlyTheFullwidthAndHalfwidthCodePoints() {
        // Targets whose names don't follow the pattern.
        let renamedTargets: [UInt32: String] = [
            0xFF9E: "COMBINING KATAKANA-HIRAGANA VOICED SOUND MARK",
            0xFF9F: "COMBINING KATAKANA-HIRAGANA SEMI-VOICED SOUND MARK",
            0xFFE8: "BOX DRAWINGS LIGHT VERTICAL",
            0x3000: "SPACE",
        ]
        var mappedCount = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let mapped = PRECIS.widthMapped(scalar)
            let name = scalar.properties.name ?? ""
            let isNamedWidthVariant = name.hasPrefix("FULLWIDTH ") || name.hasPrefix("HALFWIDTH ")
            #expect((mapped != scalar) == (isNamedWidthVariant || value == 0x3000), "U+\(hex(value)) \(name)")
            guard mapped != scalar else { continue }
            mappedCount += 1
            let expectedName = renamedTargets[value] ?? String(name.dropFirst("FULLWIDTH ".count))
            #expect(mapped.properties.name == expectedName, "U+\(hex(value)) \(name)")
        }
        #expect(mappedCount == 226)
    }

    // MARK: - Derived properties

    static let hasCompat: [(Unicode.Scalar, Bool)] = [
        ("a", false), ("\u{DF}", false), ("\u{1E9E}", false), ("\u{130}", false), ("\u{3A3}", false),
        ("\u{1F88}", false), ("\u{1F80}", false), ("\u{13A0}", false), ("\u{AB70}", false), ("\u{345}", false),
        ("\u{2163}", true), ("\u{2173}", true), ("\u{3F4}", true), ("\u{2126}", true), ("\u{212A}", true),
        ("\u{212B}", true), ("\u{FB01}", true), ("\u{B5}", true), ("\u{17F}", true), ("\u{1C4}", true),
        ("\u{1C5}", true), ("\u{1C6}", true), ("\u{24B6}", true), ("\u{FF21}", true), ("\u{FF41}", true),
        ("\u{1D400}", true), ("\u{B2}", true), ("\u{A0}", true), ("\u{3D0}", true), ("\u{587}", true),
    ]

    @Test("HasCompat (RFC 8264 §9.17)", arguments: hasCompat)
    func hasCompatibilityDecomposition(scalar: Unicode.Scalar, expected: Bool) {
        #expect(PRECIS.hasCompatibilityDecomposition(scalar) == expected)
    }

    static let dispositions: [(Unicode.Scalar, PRECIS.Rules, PRECIS.Disposition)] = [
        ("a", .identifierClass, .valid), ("~", .identifierClass, .valid), (" ", .identifierClass, .disallowed),
        (" ", .freeformClass, .valid), ("\u{7F}", .freeformClass, .disallowed), ("\u{E9}", .identifierClass, .valid),
        ("\u{265A}", .identifierClass, .disallowed), ("\u{265A}", .freeformClass, .valid),
        ("\u{2163}", .identifierClass, .disallowed), ("\u{2163}", .freeformClass, .valid),
        ("\u{1C5}", .identifierClass, .disallowed), ("\u{1C5}", .freeformClass, .valid),
        ("\u{200C}", .identifierClass, .contextJ), ("\u{200D}", .freeformClass, .contextJ),
        ("\u{B7}", .identifierClass, .contextO), ("\u{DF}", .identifierClass, .valid),
        ("\u{640}", .freeformClass, .disallowed), ("\u{1100}", .freeformClass, .disallowed),
        ("\u{AD}", .freeformClass, .disallowed), (Unicode.Scalar(0xFDD0)!, .freeformClass, .disallowed),
        ("\u{E000}", .freeformClass, .disallowed), ("\u{378}", .freeformClass, .unassigned),
        ("\u{2028}", .freeformClass, .disallowed), ("\u{488}", .identifierClass, .disallowed),
        ("\u{488}", .freeformClass, .valid),
        ("a", .idna2008, .valid), ("-", .idna2008, .valid), ("A", .idna2008, .disallowed),
        ("_", .idna2008, .disallowed), ("\u{FC}", .idna2008, .valid), ("\u{DC}", .idna2008, .disallowed),
        ("\u{3C2}", .idna2008, .valid), ("\u{2603}", .idna2008, .disallowed), ("\u{20D0}", .idna2008, .disallowed),
        ("\u{1D160}", .idna2008, .disallowed), ("\u{200D}", .idna2008, .contextJ), ("\u{A0}", .idna2008, .disallowed),
    ]

    @Test("Derived property values", arguments: dispositions)
    func disposition(scalar: Unicode.Scalar, rules: PRECIS.Rules, expected: PRECIS.Disposition) {
        #expect(PRECIS.disposition(of: scalar, under: rules) == expected)
    }

    // MARK: - Normalization and case mapping

    static let nfc: [(String, String)] = [
        ("abc", "abc"),
        ("A\u{30A}", "\u{C5}"),
        ("\u{212B}", "\u{C5}"),
        ("\u{2126}", "\u{3A9}"),
        ("\u{1E0B}\u{323}", "\u{1E0D}\u{307}"),
        ("\u{1100}\u{1161}\u{11A8}", "\u{AC01}"),
        ("\u{FB01}", "\u{FB01}"),
    ]

    @Test("NFC", arguments: nfc)
    func normalization(input: String, expected: String) {
        #expect(PRECIS.nfc(input).unicodeScalars.elementsEqual(expected.unicodeScalars))
    }

    static let lowercase: [(String, String, String)] = [
        ("ABC", "abc", "abc"),
        ("\u{130}", "i\u{307}", "i\u{307}"),
        ("\u{3A3}", "\u{3C3}", "\u{3C3}"),
        ("\u{391}\u{3A3}", "\u{3B1}\u{3C2}", "\u{3B1}\u{3C3}"),
        ("\u{391}\u{3A3}\u{391}", "\u{3B1}\u{3C3}\u{3B1}", "\u{3B1}\u{3C3}\u{3B1}"),
        ("\u{391}\u{3A3}'", "\u{3B1}\u{3C2}'", "\u{3B1}\u{3C3}'"),
        ("\u{391}'\u{3A3}", "\u{3B1}'\u{3C2}", "\u{3B1}'\u{3C3}"),
        ("\u{391}\u{3A3}\u{301}\u{391}", "\u{3B1}\u{3C3}\u{301}\u{3B1}", "\u{3B1}\u{3C3}\u{301}\u{3B1}"),
        ("1\u{3A3}", "1\u{3C3}", "1\u{3C3}"),
    ]

    @Test("toLowerCase with and without Final_Sigma", arguments: lowercase)
    func lowercasing(input: String, withFinalSigma: String, withoutFinalSigma: String) {
        let scalars = Array(input.unicodeScalars)
        #expect(
            PRECIS.lowercased(scalars, finalSigma: true).unicodeScalars.elementsEqual(withFinalSigma.unicodeScalars)
        )
        #expect(
            PRECIS.lowercased(scalars, finalSigma: false).unicodeScalars.elementsEqual(withoutFinalSigma.unicodeScalars)
        )
    }

    // MARK: - Profiles

    static let usernames: [(String, String)] = [
        ("Juliet", "juliet"),
        ("\u{2126}", "\u{3C9}"),
        ("\u{1F88}", "\u{1F80}"),
        ("\u{FF2A}uliet", "juliet"),
        ("Ma\u{308}dchen", "m\u{E4}dchen"),
        ("\u{1E9E}", "\u{DF}"),
    ]

    @Test("UsernameCaseMapped", arguments: usernames)
    func usernameCaseMapped(input: String, expected: String) throws {
        let output = try PRECIS.enforceUsernameCaseMapped(input)
        #expect(output.unicodeScalars.elementsEqual(expected.unicodeScalars))
        #expect(try PRECIS.enforceUsernameCaseMapped(output).unicodeScalars.elementsEqual(output.unicodeScalars))
    }

    static let opaqueStrings: [(String, String)] = [
        ("Correct Horse", "Correct Horse"),
        ("\u{3000}x\u{2009}", " x "),
        ("\u{FF2A}", "\u{FF2A}"),
        ("\u{212B}", "\u{C5}"),
        ("\u{265A}\u{FE0F}", ""),
    ]

    @Test("OpaqueString", arguments: opaqueStrings)
    func opaqueString(input: String, expected: String) throws {
        if expected.isEmpty {
            // U+FE0F VARIATION SELECTOR-16 is default-ignorable, so disallowed.
            #expect(throws: PRECIS.Failure.disallowed("\u{FE0F}", offset: 1)) {
                try PRECIS.enforceOpaqueString(input)
            }
        } else {
            #expect(try PRECIS.enforceOpaqueString(input).unicodeScalars.elementsEqual(expected.unicodeScalars))
        }
    }

    @Test func emptyStringsFail() {
        #expect(throws: PRECIS.Failure.empty) { try PRECIS.enforceUsernameCaseMapped("") }
        #expect(throws: PRECIS.Failure.empty) { try PRECIS.enforceOpaqueString("") }
    }

    @Test func unstableRulesFail() {
        var counter = 0
        #expect(throws: PRECIS.Failure.unstable) {
            try PRECIS.applyUntilStable("a") { string in
                counter += 1
                return string + "a"
            }
        }
        #expect(counter == 4)
    }

    private func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
