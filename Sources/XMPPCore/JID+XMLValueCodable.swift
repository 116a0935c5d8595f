extension JID: XMLValueCodable {
    /// Parses and prepares a JID from attribute or element text (RFC 7622).
    ///
    /// - Parameter xmlValue: The text.
    /// - Throws: ``XMLDecodingError`` saying which part of the JID is wrong and why.
    public init(xmlValue: String) throws(XMLDecodingError) {
        do {
            self = try JID(parsing: xmlValue)
        } catch {
            throw XMLDecodingError(expected: "a JID", found: "\"\(xmlValue)\" (\(error))")
        }
    }

    /// The JID's string form.
    public var xmlValue: String { description }
}
