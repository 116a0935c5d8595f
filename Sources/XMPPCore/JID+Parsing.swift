// Preparation and validation of the three parts of a JID. The rules are documented on `JID`.

extension JID {
    /// The largest size of a prepared part, in bytes of UTF-8 (RFC 7622 §3.2, §3.3, §3.4).
    static let maximumPartByteCount = 1023

    // MARK: - Localpart

    /// Prepares a localpart with UsernameCaseMapped and XMPP's further excluded characters (RFC 7622 §3.3).
    static func prepareLocalpart(_ input: String) throws(JIDError) -> String {
        // Looked for after width mapping, so that FULLWIDTH COMMERCIAL AT is caught too; reported as written.
        for (offset, scalar) in input.unicodeScalars.enumerated() where isExcludedFromLocalpart(scalar) {
            throw .forbiddenCharacter(.localpart, scalar, at: offset)
        }
        let prepared: String
        do {
            prepared = try PRECIS.enforceUsernameCaseMapped(input)
        } catch {
            throw JIDError(error, in: .localpart)
        }
        for (offset, scalar) in prepared.unicodeScalars.enumerated() where isExcludedFromLocalpart(scalar) {
            throw .forbiddenCharacter(.localpart, scalar, at: offset)
        }
        try checkLength(of: prepared, in: .localpart)
        return prepared
    }

    private static func isExcludedFromLocalpart(_ scalar: Unicode.Scalar) -> Bool {
        switch PRECIS.widthMapped(scalar) {
        case "\"", "&", "'", "/", ":", "<", ">", "@": true
        default: false
        }
    }

    // MARK: - Resourcepart

    /// Prepares a resourcepart with OpaqueString (RFC 7622 §3.4).
    static func prepareResourcepart(_ input: String) throws(JIDError) -> String {
        let prepared: String
        do {
            prepared = try PRECIS.enforceOpaqueString(input)
        } catch {
            throw JIDError(error, in: .resourcepart)
        }
        try checkLength(of: prepared, in: .resourcepart)
        return prepared
    }

    // MARK: - Domainpart

    /// Prepares a domainpart: an IP literal, an IPv4 address, or a domain name (RFC 7622 §3.2).
    static func prepareDomainpart(_ input: String) throws(JIDError) -> String {
        var scalars = Array(input.unicodeScalars)
        // "Such a character MUST be stripped before any other canonicalization steps are taken."
        if let last = scalars.last, isLabelSeparator(last) {
            scalars.removeLast()
        }
        guard !scalars.isEmpty else { throw .empty(.domainpart) }
        let stripped = String(String.UnicodeScalarView(scalars))
        if scalars[0] == "[" {
            let literal = try prepareIPLiteral(stripped)
            try checkLength(of: literal, in: .domainpart)
            return literal
        }
        if isIPv4Address(stripped.utf8) {
            return stripped
        }
        let prepared: String
        do {
            prepared = try PRECIS.applyUntilStable(stripped, mapDomainName)
        } catch {
            throw JIDError(error, in: .domainpart)
        }
        try checkLength(of: prepared, in: .domainpart)
        try validateDomainName(prepared)
        return prepared
    }

    /// The label separators of RFC 3490 §3.1, which RFC 7622 §3.2 refers to.
    private static func isLabelSeparator(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case ".", "\u{3002}", "\u{FF0E}", "\u{FF61}": true
        default: false
        }
    }

    /// Width mapping, label separators to `.`, lowercase, NFC (RFC 5895 §2, as RFC 7622 §3.2.2 requires).
    private static func mapDomainName(_ name: String) -> String {
        let scalars = name.unicodeScalars.map { scalar in
            let mapped = PRECIS.widthMapped(scalar)
            return isLabelSeparator(mapped) ? "." : mapped
        }
        return PRECIS.nfc(PRECIS.lowercased(scalars, finalSigma: false))
    }

    private static func validateDomainName(_ name: String) throws(JIDError) {
        let scalars = Array(name.unicodeScalars)
        var start = 0
        while start <= scalars.count {
            let end = scalars[start...].firstIndex(of: ".") ?? scalars.count
            guard end > start else { throw .emptyLabel(at: start) }
            try validateLabel(Array(scalars[start..<end]), at: start)
            start = end + 1
        }
    }

    /// Checks one label; `offset` is the label's position in the domain name, for error reporting.
    private static func validateLabel(_ label: [Unicode.Scalar], at offset: Int) throws(JIDError) {
        switch label[0].properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark:
            throw .labelStartsWithCombiningMark(label[0], at: offset)
        default:
            break
        }
        for (index, scalar) in label.enumerated() {
            if scalar.isASCII {
                switch scalar {
                case "a"..."z", "0"..."9", "-", "_": continue
                default: throw .forbiddenCharacter(.domainpart, scalar, at: offset + index)
                }
            }
            let failure: PRECIS.Failure
            switch PRECIS.disposition(of: scalar, under: .idna2008) {
            case .valid:
                continue
            case .contextJ, .contextO:
                if PRECIS.contextRuleAllows(label, at: index) { continue }
                failure = .contextRule(scalar, offset: index)
            case .disallowed:
                failure = .disallowed(scalar, offset: index)
            case .unassigned:
                failure = .unassigned(scalar, offset: index)
            }
            throw JIDError(failure, in: .domainpart, offset: offset)
        }
    }

    // MARK: - IP addresses

    /// Validates `[IPv6address]`, `[IPv6address%25ZoneID]` or `[IPvFuture]` (RFC 3986 §3.2.2, RFC 6874 §2) and
    /// lowercases the hexadecimal digits of an IPv6 address.
    private static func prepareIPLiteral(_ literal: String) throws(JIDError) -> String {
        let bytes = Array(literal.utf8)
        guard bytes.count > 2, bytes.last == UInt8(ascii: "]") else { throw .invalidIPLiteral }
        let inner = bytes[1..<(bytes.count - 1)]
        if inner.first == UInt8(ascii: "v") || inner.first == UInt8(ascii: "V") {
            guard isIPvFuture(inner) else { throw .invalidIPLiteral }
            return literal
        }
        let percent = inner.firstIndex(of: UInt8(ascii: "%")) ?? inner.endIndex
        let address = inner[..<percent]
        let zone = inner[percent...]
        guard isIPv6Address(address), zone.isEmpty || isZoneIdentifier(zone) else { throw .invalidIPLiteral }
        let lowercased = address.map { (0x41...0x46).contains($0) ? $0 + 0x20 : $0 }
        return "[" + String(decoding: lowercased + zone, as: UTF8.self) + "]"
    }

    /// RFC 3986 `IPv4address`: four dec-octets (0–255, no leading zeros) separated by dots.
    private static func isIPv4Address(_ bytes: some Collection<UInt8>) -> Bool {
        let octets = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return octets.count == 4
            && octets.allSatisfy { octet in
                guard (1...3).contains(octet.count), octet.allSatisfy(isDigit) else { return false }
                guard octet.count == 1 || octet.first != UInt8(ascii: "0") else { return false }
                return octet.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } <= 255
            }
    }

    /// RFC 3986 `IPv6address`: eight groups of one to four hex digits, the last two of which may be written as an
    /// IPv4 address, with at most one `::` standing for one or more groups of zeros.
    private static func isIPv6Address(_ bytes: ArraySlice<UInt8>) -> Bool {
        let colon = UInt8(ascii: ":")
        var doubleColon: Int?
        for index in bytes.indices.dropLast() where bytes[index] == colon && bytes[index + 1] == colon {
            doubleColon = index
            break
        }
        guard let doubleColon else {
            return groupCount(bytes, ipv4AllowedAtEnd: true) == 8
        }
        guard let head = groupCount(bytes[..<doubleColon], ipv4AllowedAtEnd: false),
            let tail = groupCount(bytes[(doubleColon + 2)...], ipv4AllowedAtEnd: true)
        else { return false }
        return head + tail <= 7
    }

    /// The number of 16-bit groups in a `:`-separated run (an IPv4 address counts two), or `nil` if it is invalid.
    private static func groupCount(_ bytes: ArraySlice<UInt8>, ipv4AllowedAtEnd: Bool) -> Int? {
        if bytes.isEmpty { return 0 }
        let fields = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var count = 0
        for (index, field) in fields.enumerated() {
            if ipv4AllowedAtEnd && index == fields.count - 1 && field.contains(UInt8(ascii: ".")) {
                guard isIPv4Address(field) else { return nil }
                count += 2
            } else {
                guard (1...4).contains(field.count), field.allSatisfy(isHexDigit) else { return nil }
                count += 1
            }
        }
        return count
    }

    /// RFC 3986 `IPvFuture`: `v` 1*HEXDIG `.` 1*( unreserved / sub-delims / `:` ).
    private static func isIPvFuture(_ bytes: ArraySlice<UInt8>) -> Bool {
        let body = bytes.dropFirst()
        guard let dot = body.firstIndex(of: UInt8(ascii: ".")) else { return false }
        let version = body[..<dot]
        let rest = body[(dot + 1)...]
        return !version.isEmpty && version.allSatisfy(isHexDigit) && !rest.isEmpty
            && rest.allSatisfy { isUnreserved($0) || isSubDelimiter($0) || $0 == UInt8(ascii: ":") }
    }

    /// RFC 6874 `"%25" ZoneID`, where ZoneID = 1*( unreserved / pct-encoded ).
    private static func isZoneIdentifier(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.starts(with: "%25".utf8), bytes.count > 3 else { return false }
        var index = bytes.startIndex + 3
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
                    return false
                }
                index += 3
            } else {
                guard isUnreserved(bytes[index]) else { return false }
                index += 1
            }
        }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        case UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: "-._~".utf8.contains(byte)
        }
    }

    private static func isSubDelimiter(_ byte: UInt8) -> Bool {
        "!$&'()*+,;=".utf8.contains(byte)
    }

    // MARK: - Length

    /// RFC 7622: every part is 1 to 1023 bytes of UTF-8 after preparation.
    private static func checkLength(of prepared: String, in part: JIDError.Part) throws(JIDError) {
        let byteCount = prepared.utf8.count
        guard byteCount > 0 else { throw .empty(part) }
        guard byteCount <= maximumPartByteCount else { throw .tooLong(part, byteCount: byteCount) }
    }
}
