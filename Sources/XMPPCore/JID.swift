/// An XMPP address, or JID: `localpart@domainpart/resourcepart` (RFC 7622).
///
/// A JID always has a ``domainpart``; the ``localpart`` and the ``resourcepart`` are optional. A JID without a
/// resourcepart is *bare* (`juliet@example.com`), one with a resourcepart is *full* (`juliet@example.com/balcony`).
///
/// ```swift
/// let jid = try JID(parsing: "Juliet@Example.COM/Balcony")
/// jid.localpart     // "juliet"
/// jid.domainpart    // "example.com"
/// jid.resourcepart  // "Balcony"
/// jid.bare          // juliet@example.com
/// ```
///
/// ## Preparation and comparison
///
/// A `JID` stores each part in its prepared (enforced) form, and compares and hashes by those forms, so two JIDs
/// are equal exactly when RFC 7622 says they are equivalent: `ÖTTÖ@Example.COM` equals `öttö@example.com`. The
/// ``description`` is the canonical string, and parsing it gives back an equal JID.
///
/// Splitting follows RFC 7622 §3.2 and happens before any mapping: the first `/` starts the resourcepart (which may
/// itself contain `/` and `@`), and in what comes before it the first `@` ends the localpart. Each part must then be
/// 1 to 1023 bytes of UTF-8 after preparation; a separator followed (or preceded) by an empty part is an error.
///
/// **Localpart** — the UsernameCaseMapped profile of the PRECIS IdentifierClass (RFC 8265 §3.3):
/// - none of `"` `&` `'` `/` `:` `<` `>` `@` may appear, also not in fullwidth form (RFC 7622 §3.3.1);
/// - fullwidth and halfwidth characters are mapped to their decompositions (`ｊｕｌｉｅｔ` becomes `juliet`);
/// - code points are lowercased with Unicode toLowerCase, including its Final_Sigma rule: `Σ` becomes `ς` at the
///   end of a word and `σ` elsewhere, so `Σ` alone matches `σ`, while `ς` stays distinct (RFC 7622 §3.5
///   examples 9–11), and `ΟΔΥΣΣΕΥΣ` becomes `οδυσσευς`;
/// - the result is normalized to NFC;
/// - the result may contain only IdentifierClass code points: letters, digits, marks and printable ASCII, but no
///   spaces, symbols, non-ASCII punctuation, compatibility characters (U+2163 ROMAN NUMERAL FOUR), controls,
///   default-ignorable, private-use or unassigned code points; context-dependent ones (RFC 5892 Appendix A) only
///   where their rule allows. As RFC 8264 §7 orders it, this check follows the mappings, so U+2126 OHM SIGN is
///   accepted as `ω`.
///
/// **Resourcepart** — the OpaqueString profile of the PRECIS FreeformClass (RFC 8265 §4.2): letters, digits,
/// symbols, punctuation, spaces and compatibility characters are accepted, controls, default-ignorable, private-use
/// and unassigned code points are not. Non-ASCII spaces are mapped to U+0020 and the result is normalized to NFC.
/// Case and width are preserved.
///
/// **Domainpart** (RFC 7622 §3.2) — one trailing label separator (`.`, `。`, `．`, `｡`) is removed first. Then:
/// - `[…]` must be an IP literal (RFC 3986 §3.2.2 with the zone identifiers of RFC 6874): an IPv6 address,
///   optionally followed by `%25` and a zone identifier, or an IPvFuture address. The hexadecimal digits of an IPv6
///   address are lowercased; it is not otherwise rewritten, so `[::1]` and `[0:0:0:0:0:0:0:1]` differ.
/// - An IPv4 address in dotted-decimal form (RFC 3986 `IPv4address`) is kept as is.
/// - Anything else is a domain name. It is width-mapped, the ideographic full stops are mapped to `.`, code points
///   are lowercased (without the Final_Sigma rule, as in UTS #46) and the result is normalized to NFC (the
///   mappings RFC 7622 §3.2.2 requires). It must not have empty labels, and no label may start with a combining
///   mark. ASCII code points must be letters, digits, `-`, or `_` (accepted for compatibility with deployed
///   hostnames, although IDNA2008 excludes it). Other code points must be PVALID under IDNA2008 (RFC 5892), or
///   CONTEXTJ/CONTEXTO with their rule satisfied.
///
/// ## What is not enforced
///
/// - The Bidi Rule (RFC 5893), which both UsernameCaseMapped and IDNA2008 apply to right-to-left strings: Swift
///   exposes no Bidi_Class property.
/// - The Joining_Type alternative of the ZERO WIDTH NON-JOINER rule (RFC 5892 A.1): a ZWNJ is accepted only after
///   a virama, so valid strings that use it between joining letters (common in Persian) are rejected.
/// - Full IDNA2008 and UTS #46 processing of domain names: A-labels (`xn--…`) are neither decoded nor checked, and
///   compare unequal to the same name written with U-labels; the hyphen rules of RFC 5891 §4.2.3.1, the DNS length
///   limits (63 bytes per label, 253 per name) and UTS #46's further mappings are not applied.
/// - RFC 7622 §3.5 lists `juliet@example.com/ foo` (a leading space in the resourcepart) as invalid, but no rule of
///   RFC 7622 or OpaqueString forbids it; it is accepted, with the resourcepart `" foo"`.
///
/// Code point properties come from the Unicode data of the Swift standard library, so results follow its Unicode
/// version, not the one the RFCs were written against.
///
/// `JID` doesn't conform to `ExpressibleByStringLiteral`: a literal can be invalid, and turning that into a trap is
/// worse than a `try` at the call site.
public struct JID: Sendable, Hashable {
    /// The prepared localpart, or `nil` if the JID has none.
    public let localpart: String?

    /// The prepared domainpart: a lowercased, NFC-normalized domain name without trailing dot, an IPv4 address, or
    /// an IP literal in brackets.
    public let domainpart: String

    /// The prepared resourcepart, or `nil` if the JID is bare.
    public let resourcepart: String?

    /// Parses and prepares a JID from its string form.
    ///
    /// The string is split as RFC 7622 §3.2 describes before any mapping, then each part is prepared and checked
    /// as described in ``JID``.
    ///
    /// - Parameter string: A JID such as `juliet@example.com/balcony`.
    /// - Throws: A ``JIDError`` naming the first invalid part (localpart, then domainpart, then resourcepart) and
    ///   the reason.
    public init(parsing string: String) throws(JIDError) {
        var rest = Substring(string)
        var resourcepart: Substring?
        if let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
            resourcepart = rest[rest.utf8.index(after: slash)...]
            rest = rest[..<slash]
        }
        var localpart: Substring?
        if let at = rest.utf8.firstIndex(of: UInt8(ascii: "@")) {
            localpart = rest[..<at]
            rest = rest[rest.utf8.index(after: at)...]
        }
        try self.init(
            localpart: localpart.map(String.init),
            domainpart: String(rest),
            resourcepart: resourcepart.map(String.init)
        )
    }

    /// Prepares and checks a JID from its separate parts.
    ///
    /// Each part is prepared as described in ``JID``. Because the parts are given separately, the resourcepart may
    /// contain `@` and `/`; the localpart and domainpart may not.
    ///
    /// - Parameters:
    ///   - localpart: The localpart, or `nil` for none. An empty string is an error, not the same as `nil`.
    ///   - domainpart: The domainpart: a domain name, an IPv4 address, or an IP literal in brackets.
    ///   - resourcepart: The resourcepart, or `nil` for a bare JID. An empty string is an error.
    /// - Throws: A ``JIDError`` naming the first invalid part and the reason.
    public init(localpart: String? = nil, domainpart: String, resourcepart: String? = nil) throws(JIDError) {
        if let localpart {
            self.localpart = try Self.prepareLocalpart(localpart)
        } else {
            self.localpart = nil
        }
        self.domainpart = try Self.prepareDomainpart(domainpart)
        if let resourcepart {
            self.resourcepart = try Self.prepareResourcepart(resourcepart)
        } else {
            self.resourcepart = nil
        }
    }

    /// Creates a JID from parts that are already prepared.
    private init(preparedLocalpart localpart: String?, domainpart: String, resourcepart: String?) {
        self.localpart = localpart
        self.domainpart = domainpart
        self.resourcepart = resourcepart
    }

    /// The JID without its resourcepart: `juliet@example.com` for `juliet@example.com/balcony`.
    public var bare: JID {
        JID(preparedLocalpart: localpart, domainpart: domainpart, resourcepart: nil)
    }

    /// Whether the JID has no resourcepart.
    public var isBare: Bool {
        resourcepart == nil
    }

    /// Whether the JID has a resourcepart.
    public var isFull: Bool {
        resourcepart != nil
    }

    /// Returns this JID with its resourcepart replaced.
    ///
    /// Use ``bare`` to remove the resourcepart instead.
    ///
    /// - Parameter resourcepart: The new resourcepart, prepared with the OpaqueString profile.
    /// - Returns: A full JID with this JID's localpart and domainpart.
    /// - Throws: A ``JIDError`` for the resourcepart if it is empty, too long, or contains a disallowed code point.
    public func withResource(_ resourcepart: String) throws(JIDError) -> JID {
        JID(
            preparedLocalpart: localpart,
            domainpart: domainpart,
            resourcepart: try Self.prepareResourcepart(resourcepart)
        )
    }
}

extension JID: CustomStringConvertible, LosslessStringConvertible {
    /// The canonical string form, `localpart@domainpart/resourcepart`, built from the prepared parts.
    public var description: String {
        var result = ""
        if let localpart {
            result += localpart
            result += "@"
        }
        result += domainpart
        if let resourcepart {
            result += "/"
            result += resourcepart
        }
        return result
    }

    /// Parses a JID, returning `nil` if the string is not valid.
    ///
    /// Use ``init(parsing:)`` to learn why a string is rejected.
    ///
    /// - Parameter description: A JID such as `juliet@example.com/balcony`.
    public init?(_ description: String) {
        guard let jid = try? JID(parsing: description) else { return nil }
        self = jid
    }
}

extension JID: Codable {
    /// Decodes a JID from a single string and prepares it.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError.dataCorrupted` whose `underlyingError` is the ``JIDError`` if the string is not a
    ///   valid JID, or the decoder's error if the value is not a string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        do {
            self = try JID(parsing: string)
        } catch {
            let context = DecodingError.Context(
                codingPath: container.codingPath,
                debugDescription: error.description,
                underlyingError: error
            )
            throw DecodingError.dataCorrupted(context)
        }
    }

    /// Encodes the JID as a single string, its ``description``.
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: The encoder's error.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
