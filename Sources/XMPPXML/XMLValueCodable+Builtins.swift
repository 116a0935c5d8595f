// The XSD built-in simple types that generated code maps to Swift types, with their lexical rules
// (XML Schema Part 2). Values are read after whitespace collapsing where XSD collapses it.

extension String: XMLValueCodable {
    /// The text itself.
    public init(xmlValue: String) {
        self = xmlValue
    }

    /// The text itself.
    public var xmlValue: String { self }
}

extension Bool: XMLValueCodable {
    /// Reads `true`, `false`, `1` or `0` (XSD `boolean`).
    ///
    /// - Parameter xmlValue: The text.
    /// - Throws: ``XMLDecodingError`` for anything else.
    public init(xmlValue: String) throws(XMLDecodingError) {
        switch xmlValue.xsdCollapsed {
        case "true", "1": self = true
        case "false", "0": self = false
        default: throw XMLDecodingError(expected: "a boolean (true, false, 1 or 0)", found: "\"\(xmlValue)\"")
        }
    }

    /// `true` or `false`.
    public var xmlValue: String { self ? "true" : "false" }
}

extension XMLValueCodable where Self: FixedWidthInteger {
    /// Reads a decimal integer in the type's range; a leading `+` and leading zeros are allowed (XSD integer
    /// types).
    ///
    /// - Parameter xmlValue: The text.
    /// - Throws: ``XMLDecodingError`` when the text is not an integer in range.
    public init(xmlValue: String) throws(XMLDecodingError) {
        guard let value = Self(xmlValue.xsdCollapsed, radix: 10) else {
            throw XMLDecodingError(expected: "an integer of type \(Self.self)", found: "\"\(xmlValue)\"")
        }
        self = value
    }

    /// The decimal form.
    public var xmlValue: String { String(self) }
}

extension Int: XMLValueCodable {}
extension Int8: XMLValueCodable {}
extension Int16: XMLValueCodable {}
extension Int32: XMLValueCodable {}
extension Int64: XMLValueCodable {}
extension UInt: XMLValueCodable {}
extension UInt8: XMLValueCodable {}
extension UInt16: XMLValueCodable {}
extension UInt32: XMLValueCodable {}
extension UInt64: XMLValueCodable {}

extension Double: XMLValueCodable {
    /// Reads an XSD `double`, `float` or `decimal`, including `INF`, `-INF` and `NaN`.
    ///
    /// - Parameter xmlValue: The text.
    /// - Throws: ``XMLDecodingError`` when the text is not a number.
    public init(xmlValue: String) throws(XMLDecodingError) {
        let text = xmlValue.xsdCollapsed
        switch text {
        case "INF", "+INF": self = .infinity
        case "-INF": self = -.infinity
        case "NaN": self = .nan
        default:
            // Swift also accepts "inf", "nan" and hexadecimal forms, which XSD does not.
            guard let first = text.utf8.first,
                first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                    || first == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first),
                !text.contains("x"), !text.contains("X"), let value = Double(text), value.isFinite
            else {
                throw XMLDecodingError(expected: "a number", found: "\"\(xmlValue)\"")
            }
            self = value
        }
    }

    /// The shortest form that reads back as the same number; `INF`, `-INF` or `NaN` when not finite.
    public var xmlValue: String {
        if isNaN { return "NaN" }
        if isInfinite { return self < 0 ? "-INF" : "INF" }
        return description
    }
}

extension [UInt8]: XMLValueCodable {
    /// Reads XSD `base64Binary` (RFC 4648 base64; whitespace is ignored).
    ///
    /// - Parameter xmlValue: The text.
    /// - Throws: ``XMLDecodingError`` when the text is not base64.
    public init(xmlValue: String) throws(XMLDecodingError) {
        guard let bytes = Base64.decode(xmlValue) else {
            throw XMLDecodingError(expected: "base64 data", found: "\"\(xmlValue.prefix(40))\"")
        }
        self = bytes
    }

    /// Base64 without line breaks.
    public var xmlValue: String { Base64.encode(self) }
}

extension String {
    /// The text with XSD's `collapse` whitespace rule applied: runs of spaces, tabs and line breaks become one
    /// space, and leading and trailing ones go.
    package var xsdCollapsed: String {
        guard utf8.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else { return self }
        return split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
    }
}

/// RFC 4648 base64, standard alphabet with padding.
package enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes bytes.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let value = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            output.append(alphabet[Int(value >> 18 & 63)])
            output.append(alphabet[Int(value >> 12 & 63)])
            output.append(second == nil ? UInt8(ascii: "=") : alphabet[Int(value >> 6 & 63)])
            output.append(third == nil ? UInt8(ascii: "=") : alphabet[Int(value & 63)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes base64, ignoring whitespace; `nil` when the input is not canonical base64 with padding.
    package static func decode(_ text: String) -> [UInt8]? {
        var values: [UInt8] = []
        values.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): values.append(byte - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): values.append(byte - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): values.append(byte - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): values.append(62)
            case UInt8(ascii: "/"): values.append(63)
            case UInt8(ascii: "="): padding += 1
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default: return nil
            }
            if padding > 0 && byte != UInt8(ascii: "=") { return nil }
        }
        guard (values.count + padding) % 4 == 0, padding <= 2 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(values.count * 3 / 4)
        var index = 0
        while index + 1 < values.count {
            let a = UInt32(values[index])
            let b = UInt32(values[index + 1])
            let c = index + 2 < values.count ? UInt32(values[index + 2]) : 0
            let d = index + 3 < values.count ? UInt32(values[index + 3]) : 0
            let value = a << 18 | b << 12 | c << 6 | d
            output.append(UInt8(value >> 16 & 0xFF))
            if index + 2 < values.count { output.append(UInt8(value >> 8 & 0xFF)) }
            if index + 3 < values.count { output.append(UInt8(value & 0xFF)) }
            index += 4
        }
        return output
    }
}
