/// Why an element could not be decoded into a typed value: where, what was expected, and what was found.
///
/// ```
/// {jabber:client}iq/{urn:xmpp:ping}ping@id: expected an attribute value of type Int32, found "x"
/// ```
public struct XMLDecodingError: Error, Hashable, Sendable {
    /// The element path from the outermost element decoded down to where the problem is.
    public var path: [XMLName]
    /// The attribute the problem is in, if any.
    public var attribute: XMLName?
    /// What the schema expected there.
    public var expected: String
    /// What the input had instead.
    public var found: String

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - path: The element path.
    ///   - attribute: The attribute the problem is in, if any.
    ///   - expected: What was expected.
    ///   - found: What was found.
    public init(path: [XMLName] = [], attribute: XMLName? = nil, expected: String, found: String) {
        self.path = path
        self.attribute = attribute
        self.expected = expected
        self.found = found
    }

    /// The same error, seen from the parent element `name`.
    ///
    /// - Parameter name: The enclosing element's name.
    /// - Returns: The error with `name` prepended to its path.
    public func inside(_ name: XMLName) -> XMLDecodingError {
        var copy = self
        copy.path.insert(name, at: 0)
        return copy
    }
}

extension XMLDecodingError: CustomStringConvertible {
    /// The path, then what was expected and found.
    public var description: String {
        var location = path.map(\.description).joined(separator: "/")
        if let attribute {
            location += "@" + attribute.description
        }
        return (location.isEmpty ? "" : location + ": ") + "expected \(expected), found \(found)"
    }
}
