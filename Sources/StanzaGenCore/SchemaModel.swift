/// The XSD components the compiler understands, as read from the files, with references still by name.

/// A namespace-qualified name of a schema component.
public struct QName: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var namespace: String
    public var name: String

    public init(_ namespace: String, _ name: String) {
        self.namespace = namespace
        self.name = name
    }

    public var description: String { namespace.isEmpty ? name : "{\(namespace)}\(name)" }

    public static func < (lhs: QName, rhs: QName) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

/// Where a component was declared.
public struct SourceLocation: Hashable, Sendable {
    public var file: String
    public var line: Int
}

/// `minOccurs` / `maxOccurs`; `max == nil` is unbounded.
public struct Occurs: Hashable, Sendable {
    public var min: Int
    public var max: Int?

    public static let one = Occurs(min: 1, max: 1)

    public var isOptional: Bool { min == 0 && max == 1 }
    public var isRepeated: Bool { max == nil || max! > 1 }

    /// The occurrence of a particle nested in one that occurs `outer` times.
    public func times(_ outer: Occurs) -> Occurs {
        let max: Int? = if let a = self.max, let b = outer.max { a * b } else { nil }
        return Occurs(min: min * outer.min, max: max)
    }
}

/// A reference to a type: a named one, or one declared in place.
public indirect enum TypeReference: Hashable, Sendable {
    case named(QName)
    case complex(ComplexType)
    case simple(SimpleType)
    /// No type given: `xs:anyType` for elements, `xs:anySimpleType` for attributes.
    case unspecified
}

public struct ElementDeclaration: Hashable, Sendable {
    /// The element's name (local name and its namespace, after `form`).
    public var name: QName
    /// Set for `<xs:element ref=…>`; the other fields are then unused.
    public var reference: QName?
    public var type: TypeReference
    public var occurs: Occurs
    public var defaultValue: String?
    public var fixedValue: String?
    public var isAbstract: Bool
    public var documentation: String?
    public var location: SourceLocation
}

public struct AttributeDeclaration: Hashable, Sendable {
    public enum Use: String, Hashable, Sendable { case optional, required, prohibited }

    public var name: QName
    public var reference: QName?
    public var type: TypeReference
    public var use: Use
    public var defaultValue: String?
    public var fixedValue: String?
    public var documentation: String?
    public var location: SourceLocation
}

/// Which namespaces a wildcard accepts, as written.
public enum NamespaceConstraint: Hashable, Sendable {
    case any
    case other
    /// `""` stands for `##local`; `##targetNamespace` is resolved when read.
    case list([String])
}

public struct Wildcard: Hashable, Sendable {
    public var namespaces: NamespaceConstraint
    public var targetNamespace: String
    public var occurs: Occurs
    public var documentation: String?
    public var location: SourceLocation
}

public indirect enum Particle: Hashable, Sendable {
    case element(ElementDeclaration)
    case group(ModelGroup)
    case groupReference(QName, Occurs, SourceLocation)
    case any(Wildcard)
}

public struct ModelGroup: Hashable, Sendable {
    public enum Compositor: String, Hashable, Sendable { case sequence, choice, all }

    public var compositor: Compositor
    public var particles: [Particle]
    public var occurs: Occurs
    public var location: SourceLocation
}

public struct AttributeGroupContent: Hashable, Sendable {
    public var attributes: [AttributeDeclaration] = []
    public var groupReferences: [QName] = []
    public var anyAttribute: Bool = false
}

public struct ComplexType: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        /// No children (attributes only, or nothing).
        case empty
        /// Text of a simple type, with attributes (`simpleContent`, or an element of a simple type).
        case simple(TypeReference)
        /// Child elements, maybe mixed with text.
        case elements(ModelGroup)
    }

    public var name: QName?
    public var content: Content
    /// The base of `complexContent`/`simpleContent` extension or restriction, when it is a named type whose
    /// content and attributes must be merged in.
    public var base: QName?
    public var isExtension: Bool
    public var isMixed: Bool
    public var isAbstract: Bool
    public var attributes: AttributeGroupContent
    public var documentation: String?
    public var location: SourceLocation
}

public struct SimpleType: Hashable, Sendable {
    public enum Variety: Hashable, Sendable {
        case restriction(base: TypeReference, enumeration: [EnumerationValue])
        case list(item: TypeReference)
        case union(members: [TypeReference])
    }

    public struct EnumerationValue: Hashable, Sendable {
        public var value: String
        public var documentation: String?
    }

    public var name: QName?
    public var variety: Variety
    public var documentation: String?
    public var location: SourceLocation
}

/// One `.xsd` file.
public struct SchemaDocument: Sendable {
    public var file: String
    /// The file name without directories, e.g. `disco-info.xsd`.
    public var fileName: String
    public var targetNamespace: String
    public var documentation: String?
    public var imports: [String] = []
    public var includes: [String] = []
    public var elements: [String: ElementDeclaration] = [:]
    public var elementOrder: [String] = []
    public var complexTypes: [String: ComplexType] = [:]
    public var complexTypeOrder: [String] = []
    public var simpleTypes: [String: SimpleType] = [:]
    public var simpleTypeOrder: [String] = []
    public var groups: [String: ModelGroup] = [:]
    public var attributeGroups: [String: AttributeGroupContent] = [:]
    public var attributes: [String: AttributeDeclaration] = [:]
}
