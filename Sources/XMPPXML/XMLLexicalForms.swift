/// How the values of a decoded element were written, where that differs from how the value would be written
/// now (`1` for `true`, base64 with line breaks, `+05` for `5`), so that encoding writes them back the same way.
///
/// Generated types keep one of these; it takes no part in equality or hashing, so two values that mean the same
/// are equal however they were written. A value changed after decoding is written in its own form.
@_spi(Generated)
public struct XMLLexicalForms: Hashable, Sendable {
    struct Key: Hashable, Sendable {
        var name: XMLName
        var index: Int
        var isAttribute: Bool
    }

    private var forms: [Key: String] = [:]

    /// No recorded forms.
    public init() {}

    /// Whether nothing is recorded.
    public var isEmpty: Bool { forms.isEmpty }

    mutating func record<Value: XMLValueCodable>(_ lexical: String, for value: Value, key: Key) {
        if value.xmlValue != lexical { forms[key] = lexical }
    }

    func form<Value: XMLValueCodable>(of value: Value, key: Key) -> String {
        if let lexical = forms[key], (try? Value(xmlValue: lexical)) == value { return lexical }
        return value.xmlValue
    }

    /// Always equal: how a value was written is not part of the value.
    public static func == (lhs: Self, rhs: Self) -> Bool { true }

    /// Contributes nothing to the hash.
    public func hash(into hasher: inout Hasher) {}
}
