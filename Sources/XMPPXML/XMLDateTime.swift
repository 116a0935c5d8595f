/// An XSD `dateTime` as XMPP uses it (XEP-0082): `CCYY-MM-DDThh:mm:ss[.sss]TZD`.
///
/// The lexical form is kept exactly as read, so a decoded value encodes back to the same text; the parts are
/// validated and available as numbers. A missing time zone is accepted (XSD allows it; XEP-0082 requires `Z` or
/// an offset when sending, which ``init(year:month:day:hour:minute:second:fraction:offsetMinutes:)`` always
/// writes).
public struct XMLDateTime: XMLValueCodable, CustomStringConvertible {
    /// The text, e.g. `2002-09-10T23:08:25.123Z`.
    public let xmlValue: String
    /// The calendar year.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int
    /// The day of the month, 1 to 31.
    public let day: Int
    /// The hour, 0 to 23.
    public let hour: Int
    /// The minute, 0 to 59.
    public let minute: Int
    /// The whole seconds, 0 to 60 (a leap second).
    public let second: Int
    /// The fractional seconds as written after the point, e.g. `"123"`; empty when there are none.
    public let fraction: String
    /// The offset from UTC in minutes (`Z` is 0), or `nil` when the text has no time zone.
    public let offsetMinutes: Int?

    /// Reads a timestamp.
    ///
    /// - Parameter xmlValue: The text.
    /// - Throws: ``XMLDecodingError`` when it is not a valid XEP-0082 DateTime.
    public init(xmlValue: String) throws(XMLDecodingError) {
        let text = xmlValue.xsdCollapsed
        let bytes = Array(text.utf8)
        var index = 0
        func fail() -> XMLDecodingError {
            XMLDecodingError(expected: "a date and time (CCYY-MM-DDThh:mm:ss[.sss]TZD)", found: "\"\(xmlValue)\"")
        }
        func number(_ digits: Int) throws(XMLDecodingError) -> Int {
            guard index + digits <= bytes.count else { throw fail() }
            var value = 0
            for byte in bytes[index..<index + digits] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { throw fail() }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += digits
            return value
        }
        func expect(_ character: Character) throws(XMLDecodingError) {
            guard index < bytes.count, bytes[index] == character.asciiValue else { throw fail() }
            index += 1
        }
        year = try number(4)
        try expect("-")
        month = try number(2)
        try expect("-")
        day = try number(2)
        try expect("T")
        hour = try number(2)
        try expect(":")
        minute = try number(2)
        try expect(":")
        second = try number(2)
        var fractionDigits = ""
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > start else { throw fail() }
            fractionDigits = String(decoding: bytes[start..<index], as: UTF8.self)
        }
        fraction = fractionDigits
        if index == bytes.count {
            offsetMinutes = nil
        } else if bytes[index] == UInt8(ascii: "Z") {
            index += 1
            offsetMinutes = 0
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            let hours = try number(2)
            try expect(":")
            let minutes = try number(2)
            guard hours <= 14, minutes <= 59 else { throw fail() }
            offsetMinutes = sign * (hours * 60 + minutes)
        } else {
            throw fail()
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour <= 23, minute <= 59,
            second <= 60
        else { throw fail() }
        self.xmlValue = text
    }

    /// Creates a timestamp from its parts; the text is written in XEP-0082 form.
    ///
    /// - Parameters:
    ///   - year: The year (0 to 9999).
    ///   - month: The month, 1 to 12.
    ///   - day: The day, 1 to 31.
    ///   - hour: The hour, 0 to 23.
    ///   - minute: The minute, 0 to 59.
    ///   - second: The second, 0 to 60.
    ///   - fraction: Digits of fractional seconds, or empty.
    ///   - offsetMinutes: The offset from UTC in minutes; 0 writes `Z`.
    public init(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, fraction: String = "",
        offsetMinutes: Int = 0
    ) {
        precondition((0...9999).contains(year) && (1...12).contains(month) && (1...31).contains(day))
        precondition(hour <= 23 && minute <= 59 && second <= 60 && abs(offsetMinutes) <= 14 * 60)
        precondition(fraction.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
        if !fraction.isEmpty { text += "." + fraction }
        if offsetMinutes == 0 {
            text += "Z"
        } else {
            text +=
                (offsetMinutes < 0 ? "-" : "+") + pad(abs(offsetMinutes) / 60, 2) + ":"
                + pad(abs(offsetMinutes) % 60, 2)
        }
        self.xmlValue = text
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.fraction = fraction
        self.offsetMinutes = offsetMinutes
    }

    /// The text.
    public var description: String { xmlValue }

    /// Whether two timestamps have the same text.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.xmlValue == rhs.xmlValue }

    /// Hashes the text.
    public func hash(into hasher: inout Hasher) { hasher.combine(xmlValue) }
}
