import Foundation
import SASL
import Testing

@Suite("SASLprep (RFC 4013)")
struct SASLprepTests {
    /// RFC 4013 §3, the examples that succeed, plus the password the test servers store.
    @Test(
        "Mapping and normalization",
        arguments: [
            ("I\u{AD}X", "IX"),  // SOFT HYPHEN mapped to nothing
            ("user", "user"),  // no transformation
            ("USER", "USER"),  // case preserved
            ("\u{AA}", "a"),  // output is NFKC
            ("\u{2168}", "IX"),  // output is NFKC, matches the first example
            ("pässwörd-\u{2168}", "pässwörd-IX"),
            ("a\u{A0}b\u{3000}c", "a b c"),  // non-ASCII spaces become U+0020
            ("a\u{200B}b", "ab"),  // ZERO WIDTH SPACE is in B.1 and C.1.2: removed
            ("\u{FB01}", "fi"),
            ("A\u{30A}", "\u{C5}"),
            ("\u{627}1\u{628}", "\u{627}1\u{628}"),  // RandALCat at both ends: allowed (RFC 3454 §6)
        ])
    func prepared(input: String, output: String) throws {
        #expect(try SASLprep.prepare(input) == output)
    }

    /// NFKC as of Unicode 3.2 (RFC 3454 §4): compatibility mappings, then canonical reordering and composition.
    /// The expected values are those of Python's `unicodedata.ucd_3_2_0.normalize("NFKC", ...)`.
    @Test(
        "NFKC compatibility mappings",
        arguments: [
            ("\u{2168}", "IX"),  // ROMAN NUMERAL NINE
            ("\u{FB01}", "fi"),  // LATIN SMALL LIGATURE FI
            ("\u{FF21}\u{FF42}\u{FF43}\u{3000}\u{FF58}", "Abc x"),  // fullwidth Latin letters, ideographic space
            ("\u{AA}", "a"),  // FEMININE ORDINAL INDICATOR
            ("x\u{B2}\u{2075}\u{207F}", "x25n"),  // superscripts
            ("\u{2460}\u{3392}", "1MHz"),  // CIRCLED DIGIT ONE, SQUARE MHZ
            ("\u{337B}", "\u{5E73}\u{6210}"),  // SQUARE ERA NAME HEISEI
            ("\u{1D400}", "A"),  // MATHEMATICAL BOLD CAPITAL A, outside the BMP
            ("\u{1C4}", "D\u{17D}"),  // LATIN CAPITAL LETTER DZ WITH CARON: decomposed, then Z and caron recompose
            ("\u{385}", " \u{308}\u{301}"),  // GREEK DIALYTIKA TONOS: the space does not compose
            // ARABIC LIGATURE SALLALLAHOU ALAYHE WASALLAM, the longest mapping (18 code points)
            (
                "\u{FDFA}",
                "\u{635}\u{644}\u{649} \u{627}\u{644}\u{644}\u{647} \u{639}\u{644}\u{64A}\u{647} "
                    + "\u{648}\u{633}\u{644}\u{645}"
            ),
            ("\u{D55C}", "\u{D55C}"),  // a Hangul syllable stays
            ("\u{1100}\u{1161}\u{11A8}", "\u{AC01}"),  // conjoining jamo compose into a syllable
            ("\u{FFA1}\u{FFC2}", "\u{AC00}"),  // halfwidth jamo: compatibility jamo, conjoining jamo, a syllable
            ("e\u{301}", "\u{E9}"),  // a combining sequence composes
            ("a\u{302}\u{323}", "\u{1EAD}"),  // marks reordered by combining class, then composed
            ("\u{1E9B}\u{323}", "\u{1E69}"),  // LONG S WITH DOT ABOVE, DOT BELOW: UAX #15's example
            ("\u{2126}", "\u{3A9}"),  // OHM SIGN: canonical singleton
            ("\u{2F868}", "\u{2136A}"),  // decomposition of Unicode 3.2, corrected later to U+36FC
        ])
    func compatibilityMapped(input: String, output: String) throws {
        #expect(SASLprep.nfkc(input).unicodeScalars.elementsEqual(output.unicodeScalars))
        #expect(try SASLprep.prepare(input).unicodeScalars.elementsEqual(output.unicodeScalars))
    }

    /// The Unicode 3.2 NFKC against Foundation's NFKC (swift-corelibs-foundation, the toolchain's newer Unicode)
    /// for every code point assigned in Unicode 3.2 except private use: alone, and for the BMP also between `a` and
    /// U+0323 U+0307, so that reordering and composition across the mapped characters are exercised.
    ///
    /// Every difference is listed and explained:
    /// - Alone, they differ exactly for the five CJK compatibility ideographs whose canonical decomposition Unicode
    ///   Corrigendum #4 corrected after 3.2 (see `scripts/gen-saslprep-nfkc.py`): stringprep keeps the 3.2 one.
    /// - In the sequence, Foundation also leaves the marks of 19 mappings out of canonical order: U+01C4 gives
    ///   `a D U+017D U+0323 U+0307`, where NFKC (Python's `ucd_3_2_0` as well as the current Unicode) is
    ///   `a D U+1E92 U+030C U+0307`. The two outputs are canonically equivalent; ours is in canonical order.
    /// - Sequences outside the BMP are not compared: Foundation mistakes a supplementary code point followed by
    ///   marks for its low 16 bits (`a U+20053 U+0323 U+0307` comes out as `a U+1E68`, S with dots).
    @Test("NFKC agrees with Foundation's except for the listed, explained differences")
    func differential() {
        // Code point: (decomposition in Unicode 3.2, decomposition since Unicode 4.0).
        let corrected: [UInt32: (UInt32, UInt32)] = [
            0x2F868: (0x2136A, 0x36FC), 0x2F874: (0x5F33, 0x5F53), 0x2F91F: (0x43AB, 0x243AB),
            0x2F95F: (0x7AAE, 0x7AEE), 0x2F9BF: (0x4D57, 0x45D7),
        ]
        let unorderedByFoundation: Set<UInt32> = [
            0x01C4, 0x01C5, 0x01C6, 0x0385, 0x0F73, 0x0F75, 0x0F81, 0x1FC1, 0x1FCD, 0x1FCE, 0x1FCF, 0x1FDD, 0x1FDE,
            0x1FDF, 0x1FED, 0x1FEE, 0x1FFD, 0xFF9E, 0xFF9F,
        ]
        var checked = 0
        var differingAlone: Set<UInt32> = []
        var differingInSequence: Set<UInt32> = []
        for value in 0...0x10FFFF as ClosedRange<UInt32> {
            guard let scalar = Unicode.Scalar(value), let age = scalar.properties.age,
                age.major < 3 || (age.major == 3 && age.minor <= 2), scalar.properties.generalCategory != .privateUse
            else { continue }
            checked += 1
            let alone = String(scalar)
            let ours = SASLprep.nfkc(alone)
            let foundation = alone.precomposedStringWithCompatibilityMapping
            if !ours.unicodeScalars.elementsEqual(foundation.unicodeScalars) {
                differingAlone.insert(value)
                if let (unicode32, newer) = corrected[value] {
                    #expect(ours.unicodeScalars.elementsEqual([Unicode.Scalar(unicode32)!]))
                    #expect(foundation.unicodeScalars.elementsEqual([Unicode.Scalar(newer)!]))
                } else {
                    Issue.record("\(hex(alone)): \(hex(ours)) here, \(hex(foundation)) in Foundation")
                }
            }
            guard value <= 0xFFFF else { continue }
            let sequence = "a\(scalar)\u{323}\u{307}"
            let oursInSequence = SASLprep.nfkc(sequence)
            let foundationInSequence = sequence.precomposedStringWithCompatibilityMapping
            if !oursInSequence.unicodeScalars.elementsEqual(foundationInSequence.unicodeScalars) {
                differingInSequence.insert(value)
                if unorderedByFoundation.contains(value) {
                    #expect(oursInSequence == foundationInSequence)  // canonical equivalence
                    #expect(isInCanonicalOrder(oursInSequence), "\(hex(oursInSequence))")
                } else {
                    Issue.record(
                        "\(hex(sequence)): \(hex(oursInSequence)) here, \(hex(foundationInSequence)) in Foundation")
                }
            }
        }
        // Python's unicodedata.ucd_3_2_0 assigns 95,221 code points outside private use and surrogates; the
        // standard library's age also counts the 66 non-characters.
        #expect(checked == 95_221 + 66)
        #expect(differingAlone == Set(corrected.keys))
        #expect(differingInSequence == unorderedByFoundation)
    }

    /// Whether the combining classes of `string` never decrease between two starters.
    private func isInCanonicalOrder(_ string: String) -> Bool {
        var previous: UInt8 = 0
        for scalar in string.unicodeScalars {
            let combiningClass = scalar.properties.canonicalCombiningClass.rawValue
            if combiningClass != 0 && combiningClass < previous { return false }
            previous = combiningClass
        }
        return true
    }

    /// The code points of `string` in hexadecimal.
    private func hex(_ string: String) -> String {
        string.unicodeScalars.map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: " ")
    }

    /// RFC 4013 §3, the examples that fail, plus one per prohibition table.
    @Test(
        "Prohibited output and the bidi rule",
        arguments: [(String, String)]([
            ("\u{7}", "C.2.1"),  // RFC 4013 §3 #6
            ("\u{627}1", "§6"),  // RFC 4013 §3 #7
            ("\u{627}a\u{628}", "§6"),  // RandALCat mixed with LCat
            ("a\0b", "C.2.1"),
            ("\u{85}", "C.2.2"),
            ("a\u{2028}", "C.2.2"),
            ("\u{E000}", "C.3"),
            ("\u{F0000}", "C.3"),
            (String(Unicode.Scalar(0xFDD0 as UInt32)!), "C.4"),
            (String(Unicode.Scalar(0x1FFFE as UInt32)!), "C.4"),
            ("\u{FFFD}", "C.6"),
            ("\u{2FF0}", "C.7"),
            ("a\u{200E}", "C.8"),
            ("\u{E0041}", "C.9"),
        ]))
    func prohibited(input: String, rule: String) {
        let error = expectSASLError(.invalidCredentials) { _ = try SASLprep.prepare(input) }
        #expect(error?.detail?.contains(rule) == true, "\(String(describing: error))")
    }

    @Test("Unassigned code points pass as a query and fail as a stored string")
    func unassigned() throws {
        // U+1F600 GRINNING FACE is from Unicode 6.1, so unassigned in stringprep's Unicode 3.2.
        #expect(try SASLprep.prepare("pw\u{1F600}") == "pw\u{1F600}")
        expectSASLError(.invalidCredentials) { _ = try SASLprep.prepare("pw\u{1F600}", allowingUnassigned: false) }
        #expect(try SASLprep.prepare("pä", allowingUnassigned: false) == "pä")
    }

    @Test("Errors never contain the string")
    func errorsDoNotLeak() {
        let error = expectSASLError(.invalidCredentials) { _ = try SASLprep.prepare("secret\u{E000}") }
        #expect(error?.description.contains("secret") == false)
        #expect(error?.description.contains("\u{E000}") == false)
    }

    @Test("SCRAM names the field that SASLprep refused")
    func scramField() {
        let error = expectSASLError(.invalidCredentials) {
            _ = try SASLClient(mechanism: .scramSHA256, credentials: .password(username: "u", password: "x\u{7}"))
        }
        #expect(error?.detail?.contains("password") == true)
    }
}
