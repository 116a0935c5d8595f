import Foundation
import Testing
import XMPPCore

@Suite("JID")
struct JIDTests {
    // MARK: - RFC 7622 §3.5

    struct Valid: Sendable, CustomTestStringConvertible {
        let input: String
        let localpart: String?
        let domainpart: String
        let resourcepart: String?
        var testDescription: String { input }

        init(_ input: String, _ localpart: String?, _ domainpart: String, _ resourcepart: String?) {
            self.input = input
            self.localpart = localpart
            self.domainpart = domainpart
            self.resourcepart = resourcepart
        }
    }

    /// Table 1 of RFC 7622 §3.5, with the prepared parts.
    static let rfcValidExamples: [Valid] = [
        Valid("juliet@example.com", "juliet", "example.com", nil),
        Valid("juliet@example.com/foo", "juliet", "example.com", "foo"),
        Valid("juliet@example.com/foo bar", "juliet", "example.com", "foo bar"),
        Valid("juliet@example.com/foo@bar", "juliet", "example.com", "foo@bar"),
        Valid(#"foo\20bar@example.com"#, #"foo\20bar"#, "example.com", nil),
        Valid("fussball@example.com", "fussball", "example.com", nil),
        Valid("fu\u{DF}ball@example.com", "fu\u{DF}ball", "example.com", nil),
        Valid("\u{3C0}@example.com", "\u{3C0}", "example.com", nil),
        Valid("\u{3A3}@example.com/foo", "\u{3C3}", "example.com", "foo"),
        Valid("\u{3C3}@example.com/foo", "\u{3C3}", "example.com", "foo"),
        Valid("\u{3C2}@example.com/foo", "\u{3C2}", "example.com", "foo"),
        Valid("king@example.com/\u{265A}", "king", "example.com", "\u{265A}"),
        Valid("example.com", nil, "example.com", nil),
        Valid("example.com/foobar", nil, "example.com", "foobar"),
        Valid("a.example.com/b@example.net", nil, "a.example.com", "b@example.net"),
    ]

    @Test("RFC 7622 §3.5 Table 1", arguments: rfcValidExamples)
    func rfcValidExample(_ example: Valid) throws {
        let jid = try JID(parsing: example.input)
        #expect(jid.localpart == example.localpart)
        #expect(jid.domainpart == example.domainpart)
        #expect(jid.resourcepart == example.resourcepart)
    }

    struct Invalid: Sendable, CustomTestStringConvertible {
        let input: String
        let part: JIDError.Part
        let code: JIDError.Code
        var scalar: Unicode.Scalar?
        var position: Int?
        var testDescription: String { input }

        init(
            _ input: String,
            _ part: JIDError.Part,
            _ code: JIDError.Code,
            _ scalar: Unicode.Scalar? = nil,
            at position: Int? = nil
        ) {
            self.input = input
            self.part = part
            self.code = code
            self.scalar = scalar
            self.position = position
        }
    }

    /// Table 2 of RFC 7622 §3.5, except example 18 (see `leadingSpaceInResourcepartIsAccepted`).
    static let rfcInvalidExamples: [Invalid] = [
        Invalid(#""juliet"@example.com"#, .localpart, .forbiddenCharacter, "\"", at: 0),
        Invalid("foo bar@example.com", .localpart, .disallowedCodePoint, " ", at: 3),
        Invalid("@example.com/", .localpart, .empty),
        // Checked after case mapping, so the error names SMALL ROMAN NUMERAL FOUR.
        Invalid("henry\u{2163}@example.com", .localpart, .disallowedCodePoint, "\u{2173}", at: 5),
        Invalid("\u{265A}@example.com", .localpart, .disallowedCodePoint, "\u{265A}", at: 0),
        Invalid("juliet@", .domainpart, .empty),
        Invalid("/foobar", .domainpart, .empty),
    ]

    @Test("RFC 7622 §3.5 Table 2", arguments: rfcInvalidExamples)
    func rfcInvalidExample(_ example: Invalid) {
        expectError(example)
    }

    @Test func leadingSpaceInResourcepartIsAccepted() throws {
        // RFC 7622 lists this as invalid, but neither it nor OpaqueString has a rule that forbids it.
        let jid = try JID(parsing: "juliet@example.com/ foo")
        #expect(jid.resourcepart == " foo")
    }

    // MARK: - Splitting

    static let splits: [Valid] = [
        Valid("a@b/c/d", "a", "b", "c/d"),
        Valid("a@b/c@d/e", "a", "b", "c@d/e"),
        Valid("b/@", nil, "b", "@"),
        Valid("b//", nil, "b", "/"),
        Valid("a@b/ ", "a", "b", " "),
    ]

    @Test("Splitting at the first / and then the first @", arguments: splits)
    func split(_ example: Valid) throws {
        let jid = try JID(parsing: example.input)
        #expect(jid.localpart == example.localpart)
        #expect(jid.domainpart == example.domainpart)
        #expect(jid.resourcepart == example.resourcepart)
    }

    @Test func secondAtSignEndsUpInTheDomainpart() {
        expectError(Invalid("a@b@c", .domainpart, .forbiddenCharacter, "@", at: 1))
    }

    // MARK: - Localpart

    @Test func nonASCIICaseMapping() throws {
        let upper = try JID(parsing: "ÖTTÖ@Example.COM")
        let lower = try JID(parsing: "öttö@example.com")
        #expect(upper == lower)
        #expect(upper.hashValue == lower.hashValue)
        #expect(upper.description == "öttö@example.com")
        // Decomposed input is normalized to NFC.
        let decomposed = try JID(parsing: "O\u{308}tto\u{308}@example.com")
        #expect(decomposed.localpart?.unicodeScalars.elementsEqual("öttö".unicodeScalars) == true)
    }

    @Test func greekSigma() throws {
        let capital = try JID(parsing: "\u{3A3}@example.com")
        let small = try JID(parsing: "\u{3C3}@example.com")
        let final = try JID(parsing: "\u{3C2}@example.com")
        #expect(capital == small)
        #expect(capital != final)
        #expect(small != final)
        // Unicode toLowerCase applies the Final_Sigma condition at the end of a word.
        let odysseus = try JID(parsing: "ΟΔΥΣΣΕΥΣ@example.com")
        #expect(odysseus.localpart == "οδυσσευς")
    }

    static let widthMapped: [(String, String)] = [
        ("\u{FF4A}\u{FF55}\u{FF4C}\u{FF49}\u{FF45}\u{FF54}", "juliet"),
        ("\u{FF2A}\u{FF35}\u{FF2C}\u{FF29}\u{FF25}\u{FF34}", "juliet"),
        ("\u{FF11}\u{FF12}\u{FF13}", "123"),
        ("\u{FF71}\u{FF72}", "\u{30A2}\u{30A4}"),
        // HALFWIDTH KATAKANA LETTER KA + HALFWIDTH VOICED SOUND MARK composes to KATAKANA LETTER GA.
        ("\u{FF76}\u{FF9E}", "\u{30AC}"),
    ]

    @Test("Width mapping of the localpart", arguments: widthMapped)
    func localpartWidthMapping(input: String, expected: String) throws {
        let jid = try JID(localpart: input, domainpart: "example.com")
        #expect(jid.localpart?.unicodeScalars.elementsEqual(expected.unicodeScalars) == true)
    }

    @Test("Forbidden characters in the localpart", arguments: Array(#""&'/:<>@"#.unicodeScalars))
    func forbiddenLocalpartCharacter(_ scalar: Unicode.Scalar) {
        expectJIDError(.localpart, .forbiddenCharacter, scalar: scalar, position: 1) {
            try JID(localpart: "a\(scalar)b", domainpart: "example.com")
        }
    }

    @Test("Forbidden characters in a parsed localpart", arguments: Array(#""&':<>"#.unicodeScalars))
    func forbiddenCharacterInParsedLocalpart(_ scalar: Unicode.Scalar) {
        expectError(
            Invalid("ju\(scalar)liet@example.com", .localpart, .forbiddenCharacter, scalar, at: 2)
        )
    }

    @Test func fullwidthCommercialAtIsForbidden() {
        expectJIDError(.localpart, .forbiddenCharacter, scalar: "\u{FF20}", position: 1) {
            try JID(localpart: "a\u{FF20}b", domainpart: "example.com")
        }
    }

    static let invalidLocalparts: [Invalid] = [
        Invalid("a\u{00AD}b@x", .localpart, .disallowedCodePoint, "\u{00AD}", at: 1),
        Invalid("a\u{200B}b@x", .localpart, .disallowedCodePoint, "\u{200B}", at: 1),
        Invalid("a\u{0378}@x", .localpart, .unassignedCodePoint, "\u{0378}", at: 1),
        Invalid("\u{E000}@x", .localpart, .disallowedCodePoint, "\u{E000}", at: 0),
        Invalid("\u{FB01}@x", .localpart, .disallowedCodePoint, "\u{FB01}", at: 0),
        Invalid("a\u{0007}@x", .localpart, .disallowedCodePoint, "\u{0007}", at: 1),
        Invalid("\u{1100}@x", .localpart, .disallowedCodePoint, "\u{1100}", at: 0),
        Invalid("a\u{00A0}b@x", .localpart, .disallowedCodePoint, "\u{00A0}", at: 1),
        Invalid("a\u{200D}b@x", .localpart, .contextRuleViolated, "\u{200D}", at: 1),
        Invalid("co\u{B7}lla@x", .localpart, .contextRuleViolated, "\u{B7}", at: 2),
        Invalid("a\u{30FB}b@x", .localpart, .contextRuleViolated, "\u{30FB}", at: 1),
        Invalid("\u{660}\u{6F0}@x", .localpart, .contextRuleViolated, "\u{660}", at: 0),
    ]

    @Test("Code points the localpart rejects", arguments: invalidLocalparts)
    func invalidLocalpart(_ example: Invalid) {
        expectError(example)
    }

    static let contextualLocalparts = [
        "col\u{B7}la",  // MIDDLE DOT between two l
        "\u{915}\u{94D}\u{200D}\u{937}",  // ZERO WIDTH JOINER after a virama
        "\u{30A2}\u{30FB}\u{30A4}",  // KATAKANA MIDDLE DOT with katakana
        "\u{375}\u{3B1}",  // GREEK LOWER NUMERAL SIGN before a Greek letter
        "\u{5D0}\u{5F3}",  // HEBREW PUNCTUATION GERESH after a Hebrew letter
        "\u{660}\u{661}",  // ARABIC-INDIC DIGITS without extended ones
    ]

    @Test("Contextual rules that hold", arguments: contextualLocalparts)
    func contextualLocalpart(_ localpart: String) throws {
        let jid = try JID(localpart: localpart, domainpart: "example.com")
        #expect(jid.localpart == localpart)
    }

    // MARK: - Resourcepart

    @Test func resourcepartKeepsCaseAndWidth() throws {
        let jid = try JID(parsing: "juliet@example.com/Balcony \u{FF2A}")
        #expect(jid.resourcepart == "Balcony \u{FF2A}")
        #expect(jid != (try JID(parsing: "juliet@example.com/balcony \u{FF2A}")))
    }

    static let spaces: [Unicode.Scalar] = ["\u{00A0}", "\u{1680}", "\u{2000}", "\u{2003}", "\u{202F}", "\u{3000}"]

    @Test("Non-ASCII spaces in the resourcepart become U+0020", arguments: spaces)
    func resourcepartSpaceMapping(_ space: Unicode.Scalar) throws {
        let jid = try JID(parsing: "juliet@example.com/a\(space)b")
        #expect(jid.resourcepart == "a b")
        #expect(jid.resourcepart?.unicodeScalars.count == 3)
    }

    @Test func resourcepartIsNormalized() throws {
        let jid = try JID(parsing: "juliet@example.com/Cafe\u{301}")
        #expect(jid.resourcepart?.unicodeScalars.elementsEqual("Caf\u{E9}".unicodeScalars) == true)
    }

    /// U+FDD0, which a Swift literal can't spell.
    static let noncharacter = Unicode.Scalar(0xFDD0)!

    static let invalidResourceparts: [Invalid] = [
        Invalid("a@b/x\u{0000}", .resourcepart, .disallowedCodePoint, "\u{0000}", at: 1),
        Invalid("a@b/x\u{200B}", .resourcepart, .disallowedCodePoint, "\u{200B}", at: 1),
        Invalid("a@b/\u{E000}", .resourcepart, .disallowedCodePoint, "\u{E000}", at: 0),
        Invalid("a@b/\(noncharacter)", .resourcepart, .disallowedCodePoint, noncharacter, at: 0),
        Invalid("a@b/x\u{2028}", .resourcepart, .disallowedCodePoint, "\u{2028}", at: 1),
        Invalid("a@b/\u{0378}", .resourcepart, .unassignedCodePoint, "\u{0378}", at: 0),
    ]

    @Test("Code points the resourcepart rejects", arguments: invalidResourceparts)
    func invalidResourcepart(_ example: Invalid) {
        expectError(example)
    }

    @Test func resourcepartAcceptsSymbolsAndCompatibilityCharacters() throws {
        let jid = try JID(parsing: "a@b/\u{2163} \u{265A} \u{FB01} \u{1F600} \u{00BD}")
        #expect(jid.resourcepart == "\u{2163} \u{265A} \u{FB01} \u{1F600} \u{00BD}")
    }

    // MARK: - Domainpart

    static let domainparts: [(String, String)] = [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("example.com\u{3002}", "example.com"),
        ("B\u{FC}cher.Example", "b\u{FC}cher.example"),
        ("\u{FF25}\u{FF38}\u{FF21}\u{FF2D}\u{FF30}\u{FF2C}\u{FF25}\u{FF0E}\u{FF43}\u{FF4F}\u{FF4D}", "example.com"),
        ("example\u{3002}com", "example.com"),
        ("example\u{FF61}com", "example.com"),
        ("xn--n3h.net", "xn--n3h.net"),
        ("my_host.local", "my_host.local"),
        ("localhost", "localhost"),
        ("192.0.2.1", "192.0.2.1"),
        ("192.0.2.1.", "192.0.2.1"),
        // Not an IPv4address (256), so a domain name of digits.
        ("192.0.2.256", "192.0.2.256"),
        ("[::1]", "[::1]"),
        ("[::1].", "[::1]"),
        ("[::]", "[::]"),
        ("[2001:DB8::1]", "[2001:db8::1]"),
        ("[1:2:3:4:5:6:7:8]", "[1:2:3:4:5:6:7:8]"),
        ("[1:2:3:4:5:6:7::]", "[1:2:3:4:5:6:7::]"),
        ("[::ffff:192.0.2.1]", "[::ffff:192.0.2.1]"),
        ("[1:2:3:4:5:6:192.0.2.1]", "[1:2:3:4:5:6:192.0.2.1]"),
        ("[FE80::1%25Eth0]", "[fe80::1%25Eth0]"),
        ("[fe80::1%25en%30]", "[fe80::1%25en%30]"),
        ("[v1.fe80::a+en1]", "[v1.fe80::a+en1]"),
    ]

    @Test("Domainpart preparation", arguments: domainparts)
    func domainpart(input: String, expected: String) throws {
        let jid = try JID(parsing: "juliet@\(input)/r")
        #expect(jid.domainpart == expected)
        #expect(jid.localpart == "juliet")
        #expect(jid.resourcepart == "r")
    }

    static let invalidIPLiterals = [
        "[::1", "[]", "[1:2:3:4:5:6:7:8:9]", "[1:2:3:4:5:6:7]", "[1::2::3]", "[:::]", "[:1::]", "[1:2:3:4:5:6:7:8::]",
        "[12345::]", "[::g]", "[fe80::1%eth0]", "[fe80::1%25]", "[fe80::1%25a%2]", "[1.2.3.4]", "[::1.2.3]",
        "[::256.0.0.1]", "[::1.2.3.4:5]", "[v1.]", "[vx.a]", "[v.a]", "[v1.a/b]", "[::1]x", "[\u{FF11}::]",
    ]

    @Test("Invalid IP literals", arguments: invalidIPLiterals)
    func invalidIPLiteral(_ literal: String) {
        expectError(Invalid("juliet@\(literal)", .domainpart, .invalidIPLiteral))
    }

    static let invalidDomainparts: [Invalid] = [
        Invalid("example..com", .domainpart, .emptyLabel, at: 8),
        Invalid("example.com..", .domainpart, .emptyLabel, at: 12),
        Invalid(".example.com", .domainpart, .emptyLabel, at: 0),
        Invalid(".", .domainpart, .empty),
        Invalid("exa mple.com", .domainpart, .forbiddenCharacter, " ", at: 3),
        Invalid("exa\u{7}mple.com", .domainpart, .forbiddenCharacter, "\u{7}", at: 3),
        Invalid("example.com:5222", .domainpart, .forbiddenCharacter, ":", at: 11),
        Invalid("a@\u{FF20}b", .domainpart, .forbiddenCharacter, "@", at: 0),
        Invalid("\u{2603}.net", .domainpart, .disallowedCodePoint, "\u{2603}", at: 0),
        Invalid("a.\u{00A0}b", .domainpart, .disallowedCodePoint, "\u{00A0}", at: 2),
        Invalid("a.b\u{0378}", .domainpart, .unassignedCodePoint, "\u{0378}", at: 3),
        Invalid("a.\u{0301}b", .domainpart, .labelStartsWithCombiningMark, "\u{0301}", at: 2),
        Invalid("a\u{200D}b", .domainpart, .contextRuleViolated, "\u{200D}", at: 1),
    ]

    @Test("Domainparts that are rejected", arguments: invalidDomainparts)
    func invalidDomainpart(_ example: Invalid) {
        expectError(example)
    }

    // MARK: - Lengths

    struct Length: Sendable, CustomTestStringConvertible {
        let unit: String
        let count: Int
        var suffix = ""
        let byteCount: Int
        var input: String { String(repeating: unit, count: count) + suffix }
        var testDescription: String { "\(count) × \(unit.debugDescription) + \(suffix.debugDescription)" }
    }

    static let lengths: [Length] = [
        Length(unit: "a", count: 1023, byteCount: 1023),
        Length(unit: "a", count: 1024, byteCount: 1024),
        Length(unit: "\u{E9}", count: 511, suffix: "a", byteCount: 1023),
        Length(unit: "\u{E9}", count: 512, byteCount: 1024),
        Length(unit: "\u{4E00}", count: 341, byteCount: 1023),
        Length(unit: "\u{4E00}", count: 341, suffix: "a", byteCount: 1024),
        Length(unit: "\u{20000}", count: 255, suffix: "abc", byteCount: 1023),
        Length(unit: "\u{20000}", count: 255, suffix: "abcd", byteCount: 1024),
    ]

    @Test("Localpart length limit", arguments: lengths)
    func localpartLength(_ length: Length) {
        expectLength(length, .localpart) { try JID(localpart: $0, domainpart: "example.com") }
    }

    @Test("Domainpart length limit", arguments: lengths)
    func domainpartLength(_ length: Length) {
        expectLength(length, .domainpart) { try JID(domainpart: $0) }
    }

    @Test("Resourcepart length limit", arguments: lengths)
    func resourcepartLength(_ length: Length) {
        expectLength(length, .resourcepart) { try JID(domainpart: "example.com", resourcepart: $0) }
    }

    @Test func lengthIsMeasuredAfterPreparation() throws {
        // 1023 FULLWIDTH LATIN SMALL LETTER A are 3069 bytes, but prepare to 1023 bytes.
        let fullwidth = String(repeating: "\u{FF41}", count: 1023)
        #expect(try JID(localpart: fullwidth, domainpart: "example.com").localpart?.utf8.count == 1023)
        #expect(try JID(domainpart: fullwidth + ".").domainpart.utf8.count == 1023)
        // The trailing dot is removed before the length is measured.
        #expect(try JID(domainpart: String(repeating: "a", count: 1023) + ".").domainpart.utf8.count == 1023)
        expectJIDError(.localpart, .tooLong, byteCount: 1024) {
            try JID(localpart: fullwidth + "\u{FF21}", domainpart: "example.com")
        }
    }

    @Test func longestJID() throws {
        let part = String(repeating: "a", count: 1023)
        let jid = try JID(parsing: "\(part)@\(part)/\(part)")
        #expect(jid.description.utf8.count == 3071)
    }

    // MARK: - Empty parts

    static let emptyParts: [Invalid] = [
        Invalid("", .domainpart, .empty),
        Invalid("@example.com", .localpart, .empty),
        Invalid("example.com/", .resourcepart, .empty),
        Invalid("juliet@example.com/", .resourcepart, .empty),
        Invalid("juliet@/balcony", .domainpart, .empty),
        Invalid("@", .localpart, .empty),
        Invalid("/", .domainpart, .empty),
        Invalid("\u{3002}", .domainpart, .empty),
    ]

    @Test("Empty parts", arguments: emptyParts)
    func emptyPart(_ example: Invalid) {
        expectError(example)
    }

    @Test func emptyPartsFromComponents() throws {
        expectJIDError(.localpart, .empty) { try JID(localpart: "", domainpart: "example.com") }
        expectJIDError(.domainpart, .empty) { try JID(domainpart: "") }
        expectJIDError(.resourcepart, .empty) { try JID(domainpart: "example.com", resourcepart: "") }
        expectJIDError(.resourcepart, .empty) { try JID(parsing: "juliet@example.com").withResource("") }
    }

    // MARK: - Bare and full

    @Test func bareAndFull() throws {
        let full = try JID(parsing: "Juliet@Example.com/Balcony")
        #expect(full.isFull)
        #expect(!full.isBare)
        #expect(full.bare == (try JID(parsing: "juliet@example.com")))
        #expect(full.bare.isBare)
        #expect(!full.bare.isFull)
        #expect(full.bare.bare == full.bare)
        let other = try full.withResource("Orchard\u{00A0}1")
        #expect(other.description == "juliet@example.com/Orchard 1")
        #expect(other.bare == full.bare)
        #expect(try full.bare.withResource("Balcony") == full)
        let domain = try JID(parsing: "example.com/x")
        #expect(domain.bare.description == "example.com")
    }

    @Test func componentsInitializerMatchesParsing() throws {
        let fromParts = try JID(localpart: "Juliet", domainpart: "Example.com.", resourcepart: "a/b@c")
        #expect(fromParts == (try JID(parsing: "juliet@example.com/a/b@c")))
        #expect(fromParts.description == "juliet@example.com/a/b@c")
        expectJIDError(.domainpart, .forbiddenCharacter, scalar: "/", position: 7) {
            try JID(domainpart: "example/com")
        }
        expectJIDError(.localpart, .forbiddenCharacter, scalar: "@", position: 1) {
            try JID(localpart: "a@b", domainpart: "example.com")
        }
    }

    // MARK: - Equality, hashing, string conversion

    @Test func equalityAndHashingUsePreparedForms() throws {
        let spellings = [
            "juliet@example.com/balcony", "JULIET@EXAMPLE.COM/balcony", "Juliet@Example.Com./balcony",
            "\u{FF2A}uliet@example\u{3002}com/balcony", "juliet@\u{FF45}xample.com/balcony",
        ]
        let jids = try spellings.map { try JID(parsing: $0) }
        #expect(Set(jids).count == 1)
        #expect(Set(jids.map(\.description)) == ["juliet@example.com/balcony"])
        #expect(try JID(parsing: "juliet@example.com/Balcony") != jids[0])
        #expect(try JID(parsing: "juliet@example.com") != jids[0])
        let table = Dictionary(uniqueKeysWithValues: [(jids[0], 1)])
        #expect(table[try JID(parsing: "JULIET@example.COM/balcony")] == 1)
    }

    static let roundTrips = [
        "juliet@example.com", "juliet@example.com/balcony", "example.com", "example.com/x@y/z", "[::1]",
        "a@[fe80::1%25eth0]/r", "\u{3C3}@example.com", "fu\u{DF}ball@b\u{FC}cher.example/\u{265A} king",
        "ÖTTÖ@Example.COM/Öt tö", "a@192.0.2.1",
    ]

    @Test("LosslessStringConvertible round trip", arguments: roundTrips)
    func losslessRoundTrip(_ string: String) throws {
        let jid = try #require(JID(string))
        let again = try #require(JID(jid.description))
        #expect(again == jid)
        #expect(again.description == jid.description)
        #expect(String(describing: jid) == jid.description)
    }

    @Test func losslessInitializerRejectsInvalidStrings() {
        #expect(JID("\u{265A}@example.com") == nil)
        #expect(JID("") == nil)
        #expect(JID("juliet@example.com/") == nil)
        #expect(JID("juliet@example.com") != nil)
    }

    @Test func codableRoundTrip() throws {
        struct Envelope: Codable, Equatable {
            var from: JID
            var to: [JID]
        }
        let envelope = Envelope(
            from: try JID(parsing: "Juliet@Example.com/Balcony"),
            to: [try JID(parsing: "romeo@example.net"), try JID(parsing: "[::1]/x")]
        )
        let data = try JSONEncoder().encode(envelope)
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains(#""from":"juliet@example.com\/Balcony""#))
        #expect(try JSONDecoder().decode(Envelope.self, from: data) == envelope)
    }

    @Test func decodingAnInvalidJIDThrowsDecodingError() throws {
        struct Holder: Decodable { var jid: JID }
        let data = Data(#"{"jid": "\u265a@example.com"}"#.utf8)
        let error = #expect(throws: DecodingError.self) { try JSONDecoder().decode(Holder.self, from: data) }
        guard case .dataCorrupted(let context) = error else {
            Issue.record("Expected dataCorrupted, got \(String(describing: error))")
            return
        }
        let underlying = try #require(context.underlyingError as? JIDError)
        #expect(underlying.part == .localpart)
        #expect(underlying.code == .disallowedCodePoint)
        #expect(underlying.scalar == "\u{265A}")
        #expect(context.debugDescription == underlying.description)
        #expect(context.codingPath.map(\.stringValue) == ["jid"])
    }

    @Test func decodingANonStringThrowsTypeMismatch() {
        struct Holder: Decodable { var jid: JID }
        let error = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Holder.self, from: Data(#"{"jid": 42}"#.utf8))
        }
        guard case .typeMismatch = error else {
            Issue.record("Expected typeMismatch, got \(String(describing: error))")
            return
        }
    }

    // MARK: - Error messages

    static let messages: [(String, String)] = [
        ("@example.com", "Invalid JID: the localpart is empty; leave out the separator if there is no localpart."),
        ("juliet@", "Invalid JID: the domainpart is empty, but every JID needs one."),
        ("a@b/", "Invalid JID: the resourcepart is empty; leave out the separator if there is no resourcepart."),
        (
            #""juliet"@example.com"#,
            #"Invalid JID: the localpart contains U+0022 QUOTATION MARK (") at offset 0, "#
                + "which is not allowed in a localpart."
        ),
        (
            "\u{265A}@example.com",
            "Invalid JID: the localpart contains U+265A BLACK CHESS KING (\u{265A}) at offset 0, "
                + "which the PRECIS IdentifierClass (RFC 8264) disallows."
        ),
        (
            "a@b/c\u{0}",
            "Invalid JID: the resourcepart contains U+0000 <control> at offset 1, "
                + "which the PRECIS FreeformClass (RFC 8264) disallows."
        ),
        (
            "a@\u{2603}",
            "Invalid JID: the domainpart contains U+2603 SNOWMAN (\u{2603}) at offset 0, "
                + "which IDNA2008 (RFC 5892) disallows."
        ),
        ("a@a..b", "Invalid JID: the domainpart has an empty label at offset 2."),
        (
            "a@[::g]",
            "Invalid JID: the domainpart starts with '[' but is not an IPv6 or IPvFuture literal in brackets."
        ),
        (
            "a@b/" + String(repeating: "\u{E9}", count: 512),
            "Invalid JID: the resourcepart is 1024 bytes long after preparation; the limit is 1023 bytes."
        ),
        (
            "a\u{0378}@b",
            "Invalid JID: the localpart contains the unassigned code point U+0378 at offset 1."
        ),
        (
            "a\u{200D}@b",
            "Invalid JID: the localpart contains U+200D ZERO WIDTH JOINER at offset 1 "
                + "in a context that RFC 5892 does not allow."
        ),
    ]

    @Test("Error messages", arguments: messages)
    func errorMessage(input: String, message: String) {
        let error = #expect(throws: JIDError.self) { try JID(parsing: input) }
        #expect(error?.description == message)
    }

    @Test func errorMessagesNameThePart() {
        let errors = [
            #expect(throws: JIDError.self) { try JID(parsing: "\u{265A}@example.com") },
            #expect(throws: JIDError.self) { try JID(parsing: "juliet@\u{265A}.com") },
            #expect(throws: JIDError.self) { try JID(parsing: "juliet@example.com/\u{E000}") },
        ]
        for (error, part) in zip(errors, JIDError.Part.allCases) {
            #expect(error?.part == part)
            #expect(error?.description.contains("the \(part)") == true)
        }
        #expect(JIDError.Code.tooLong.description == "tooLong")
        #expect(JIDError.Part.resourcepart.description == "resourcepart")
    }

    // MARK: - Helpers

    private func expectError(_ example: Invalid, sourceLocation: SourceLocation = #_sourceLocation) {
        expectJIDError(
            example.part,
            example.code,
            scalar: example.scalar,
            position: example.position,
            sourceLocation: sourceLocation
        ) { try JID(parsing: example.input) }
    }

    private func expectJIDError(
        _ part: JIDError.Part,
        _ code: JIDError.Code,
        scalar: Unicode.Scalar? = nil,
        position: Int? = nil,
        byteCount: Int? = nil,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> JID
    ) {
        let error = #expect(throws: JIDError.self, sourceLocation: sourceLocation) { try body() }
        guard let error else { return }
        #expect(error.part == part, sourceLocation: sourceLocation)
        #expect(error.code == code, sourceLocation: sourceLocation)
        #expect(error.scalar == scalar, sourceLocation: sourceLocation)
        #expect(error.position == position, sourceLocation: sourceLocation)
        #expect(error.byteCount == byteCount, sourceLocation: sourceLocation)
    }

    private func expectLength(
        _ length: Length,
        _ part: JIDError.Part,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ make: (String) throws -> JID
    ) {
        if length.byteCount <= 1023 {
            #expect(throws: Never.self, sourceLocation: sourceLocation) { _ = try make(length.input) }
        } else {
            expectJIDError(part, .tooLong, byteCount: length.byteCount, sourceLocation: sourceLocation) {
                try make(length.input)
            }
        }
    }
}
