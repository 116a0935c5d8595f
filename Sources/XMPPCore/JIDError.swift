/// The reason a string is not a valid ``JID``: which part is wrong, and why.
///
/// ``part`` names the localpart, domainpart or resourcepart, and ``code`` says what is wrong with it. Depending on
/// the code, ``scalar``, ``position`` and ``byteCount`` carry the details; ``description`` puts it all into an
/// English sentence.
///
/// ```swift
/// do {
///     _ = try JID(parsing: "♚@example.com")
/// } catch {
///     print(error.part, error.code, error.scalar!)  // localpart disallowedCodePoint ♚
/// }
/// ```
public struct JIDError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A part of a JID (RFC 7622 §3).
    public enum Part: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// The optional part before `@`, prepared with the PRECIS UsernameCaseMapped profile.
        case localpart
        /// The required part between `@` and `/`: a domain name or an IP address.
        case domainpart
        /// The optional part after `/`, prepared with the PRECIS OpaqueString profile.
        case resourcepart

        /// The part's name as RFC 7622 spells it, for example `localpart`.
        public var description: String { rawValue }
    }

    /// What is wrong with the part.
    ///
    /// Codes are static members rather than enum cases, so that new ones can be added without breaking
    /// exhaustive `switch` statements; compare with `==` or match them in `case` patterns.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case empty
            case tooLong
            case forbiddenCharacter
            case disallowedCodePoint
            case unassignedCodePoint
            case contextRuleViolated
            case emptyLabel
            case labelStartsWithCombiningMark
            case invalidIPLiteral
            case unstable
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The part is present (or, for the domainpart, required) but empty.
        public static let empty = Code(.empty)
        /// The part is longer than 1023 bytes of UTF-8 after preparation; see ``JIDError/byteCount``.
        public static let tooLong = Code(.tooLong)
        /// The part contains a character that XMPP excludes from it: one of `"&'/:<>@` in a localpart (RFC 7622
        /// §3.3.1), or an ASCII character other than a letter, digit, `-` or `_` in a domain name.
        public static let forbiddenCharacter = Code(.forbiddenCharacter)
        /// The part contains a code point that its string class disallows: the PRECIS IdentifierClass for a
        /// localpart, the FreeformClass for a resourcepart, IDNA2008 (RFC 5892) for a domain name.
        public static let disallowedCodePoint = Code(.disallowedCodePoint)
        /// The part contains a code point that is unassigned in the Unicode version Swift provides.
        public static let unassignedCodePoint = Code(.unassignedCodePoint)
        /// The part contains a code point, such as ZERO WIDTH JOINER or MIDDLE DOT, that is allowed only in
        /// certain contexts (RFC 5892 Appendix A), and this is not one of them.
        public static let contextRuleViolated = Code(.contextRuleViolated)
        /// The domain name has an empty label, as in `example..com` or `.example.com`.
        public static let emptyLabel = Code(.emptyLabel)
        /// A label of the domain name starts with a combining mark (RFC 5891 §4.2.3.2).
        public static let labelStartsWithCombiningMark = Code(.labelStartsWithCombiningMark)
        /// The domainpart starts with `[` but is not a valid IP literal (RFC 3986 §3.2.2, RFC 6874).
        public static let invalidIPLiteral = Code(.invalidIPLiteral)
        /// Re-applying the preparation rules kept changing the part (RFC 8264 §7).
        public static let unstable = Code(.unstable)

        /// The code's name, for example `tooLong`.
        public var description: String { base.rawValue }
    }

    /// The part that is invalid.
    public let part: Part

    /// What is wrong with the part.
    public let code: Code

    /// The offending code point, for ``Code/forbiddenCharacter``, ``Code/disallowedCodePoint``,
    /// ``Code/unassignedCodePoint``, ``Code/contextRuleViolated`` and ``Code/labelStartsWithCombiningMark``.
    ///
    /// Like ``position``, it is taken from the part after mapping, except for a forbidden character in a
    /// localpart, which is reported as written: `henryⅣ` is rejected for U+2173 SMALL ROMAN NUMERAL FOUR, the
    /// lowercase of the U+2163 it contains, while `a＠b` is rejected for U+FF20 FULLWIDTH COMMERCIAL AT.
    public let scalar: Unicode.Scalar?

    /// The zero-based offset, in Unicode scalars, of the problem within the part.
    ///
    /// For ``Code/forbiddenCharacter`` in a localpart this counts in the localpart as given. Otherwise it counts in
    /// the part after its mappings (width, case, spaces, NFC), because code points are checked after mapping;
    /// for text without uppercase, fullwidth or decomposed characters the two are the same. `nil` when the problem
    /// has no position.
    public let position: Int?

    /// The part's length in bytes of UTF-8 after preparation, for ``Code/tooLong``.
    public let byteCount: Int?

    init(part: Part, code: Code, scalar: Unicode.Scalar? = nil, position: Int? = nil, byteCount: Int? = nil) {
        self.part = part
        self.code = code
        self.scalar = scalar
        self.position = position
        self.byteCount = byteCount
    }

    /// An English sentence naming the part and the problem, for logs and error replies.
    public var description: String {
        let at = position.map { " at offset \($0)" } ?? ""
        let character = scalar.map(Self.describe) ?? "a character"
        switch code {
        case .empty where part == .domainpart:
            return "Invalid JID: the domainpart is empty, but every JID needs one."
        case .empty:
            return "Invalid JID: the \(part) is empty; leave out the separator if there is no \(part)."
        case .tooLong:
            let length = byteCount.map { "\($0) bytes" } ?? "too"
            return "Invalid JID: the \(part) is \(length) long after preparation; the limit is 1023 bytes."
        case .forbiddenCharacter:
            return "Invalid JID: the \(part) contains \(character)\(at), which is not allowed in a \(part)."
        case .disallowedCodePoint:
            return "Invalid JID: the \(part) contains \(character)\(at), which \(rulesName) disallows."
        case .unassignedCodePoint:
            return "Invalid JID: the \(part) contains the unassigned code point \(character)\(at)."
        case .contextRuleViolated:
            return "Invalid JID: the \(part) contains \(character)\(at) in a context that RFC 5892 does not allow."
        case .emptyLabel:
            return "Invalid JID: the \(part) has an empty label\(at)."
        case .labelStartsWithCombiningMark:
            return "Invalid JID: a label of the \(part) starts with the combining mark \(character)\(at)."
        case .invalidIPLiteral:
            return "Invalid JID: the \(part) starts with '[' but is not an IPv6 or IPvFuture literal in brackets."
        case .unstable:
            return "Invalid JID: preparing the \(part) did not reach a stable result."
        default:
            return "Invalid JID: the \(part) is invalid (\(code))."
        }
    }

    private var rulesName: String {
        switch part {
        case .localpart: "the PRECIS IdentifierClass (RFC 8264)"
        case .domainpart: "IDNA2008 (RFC 5892)"
        case .resourcepart: "the PRECIS FreeformClass (RFC 8264)"
        }
    }

    /// `U+0022 QUOTATION MARK (")`, leaving out the character itself where printing it would confuse.
    ///
    /// Controls have no Unicode name; they are described as `U+0000 <control>`, as in UnicodeData.txt.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        var text = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        if let name = scalar.properties.name ?? scalar.properties.nameAlias {
            text += " " + name
        } else if scalar.properties.generalCategory == .control {
            text += " <control>"
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .spaceSeparator, .lineSeparator,
            .paragraphSeparator, .nonspacingMark, .spacingMark, .enclosingMark:
            return text
        default:
            return text + " (\(scalar))"
        }
    }
}

extension JIDError {
    static func empty(_ part: Part) -> JIDError {
        JIDError(part: part, code: .empty)
    }

    static func tooLong(_ part: Part, byteCount: Int) -> JIDError {
        JIDError(part: part, code: .tooLong, byteCount: byteCount)
    }

    static func forbiddenCharacter(_ part: Part, _ scalar: Unicode.Scalar, at position: Int) -> JIDError {
        JIDError(part: part, code: .forbiddenCharacter, scalar: scalar, position: position)
    }

    static func emptyLabel(at position: Int) -> JIDError {
        JIDError(part: .domainpart, code: .emptyLabel, position: position)
    }

    static func labelStartsWithCombiningMark(_ scalar: Unicode.Scalar, at position: Int) -> JIDError {
        JIDError(part: .domainpart, code: .labelStartsWithCombiningMark, scalar: scalar, position: position)
    }

    static let invalidIPLiteral = JIDError(part: .domainpart, code: .invalidIPLiteral)

    /// Translates a PRECIS failure in `part`, shifting offsets by `offset` (for failures within a domain label).
    init(_ failure: PRECIS.Failure, in part: Part, offset: Int = 0) {
        switch failure {
        case .empty:
            self.init(part: part, code: .empty)
        case .disallowed(let scalar, let position):
            self.init(part: part, code: .disallowedCodePoint, scalar: scalar, position: offset + position)
        case .unassigned(let scalar, let position):
            self.init(part: part, code: .unassignedCodePoint, scalar: scalar, position: offset + position)
        case .contextRule(let scalar, let position):
            self.init(part: part, code: .contextRuleViolated, scalar: scalar, position: offset + position)
        case .unstable:
            self.init(part: part, code: .unstable)
        }
    }
}
