/// Finds the generated type for an element by its name, so that a program can decode any payload without
/// knowing its type at compile time.
///
/// Each generated schema file has a table of its payload types (`DiscoInfo.payloadTypes`); a registry is built
/// from the tables an application uses, explicitly. Nothing registers itself at import time.
///
/// ```swift
/// let registry = PayloadRegistry(DiscoInfo.payloadTypes, Ping.payloadTypes)
/// if let payload = try registry.decode(element) { print(type(of: payload)) }
/// ```
public struct PayloadRegistry: Sendable {
    private var types: [XMLName: any XMLElementCodable.Type] = [:]

    /// Creates a registry from payload tables. When two tables have a type for the same name, the first wins.
    ///
    /// - Parameter tables: The tables.
    public init(_ tables: [any XMLElementCodable.Type]...) {
        self.init(tables: tables)
    }

    /// Creates a registry from payload tables. When two tables have a type for the same name, the first wins.
    ///
    /// - Parameter tables: The tables.
    public init(tables: [[any XMLElementCodable.Type]]) {
        for table in tables {
            for type in table where types[type.qualifiedName] == nil {
                types[type.qualifiedName] = type
            }
        }
    }

    /// The number of element names the registry knows.
    public var count: Int { types.count }

    /// The type generated for elements with this name, if any.
    ///
    /// - Parameter name: The element name.
    /// - Returns: The type.
    public func type(for name: XMLName) -> (any XMLElementCodable.Type)? {
        types[name]
    }

    /// Decodes an element into its generated type.
    ///
    /// - Parameter element: The element.
    /// - Returns: The typed value, or `nil` when the registry has no type for the element's name.
    /// - Throws: ``XMLDecodingError`` when the element does not match its type.
    public func decode(_ element: XMLElement) throws(XMLDecodingError) -> (any XMLElementCodable)? {
        guard let type = types[element.name] else { return nil }
        return try type.init(xml: element)
    }
}
