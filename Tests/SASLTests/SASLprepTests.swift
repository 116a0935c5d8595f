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
