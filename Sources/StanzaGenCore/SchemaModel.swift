/// The XSD components the compiler understands, as read from the files, with references still by name.

/// A namespace-qualified name of a schema component.
package struct QName: Hashable, Sendable, Comparable, CustomStringConvertible {
    package var namespace: String
    package var name: String

    package init(_ namespace: String, _ name: String) {
        self.namespace = namespace
        self.name = name
    }

    package var description: String { namespace.isEmpty ? name : "{\(namespace)}\(name)" }

    package static func < (lhs: QName, rhs: QName) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}

/// Where a component was declared.
package struct SourceLocation: Hashable, Sendable {
    package var file: String
    package var line: Int
}

/// `minOccurs` / `maxOccurs`; `max == nil` is unbounded.
package struct Occurs: Hashable, Sendable {
    package var min: Int
    package var max: Int?

    package static let one = Occurs(min: 1, max: 1)

    package var isRepeated: Bool { max == nil || max! > 1 }

    /// The occurrence of a particle nested in one that occurs `outer` times.
    package func times(_ outer: Occurs) -> Occurs {
        let max: Int? = if let a = self.max, let b = outer.max { a * b } else { nil }
        return Occurs(min: min * outer.min, max: max)
    }
}

/// A reference to a type: a named one, or one declared in place.
package indirect enum TypeReference: Hashable, Sendable {
    case named(QName)
    case complex(ComplexType)
    case simple(SimpleType)
    /// No type given: `xs:anyType` for elements, `xs:anySimpleType` for attributes.
    case unspecified
}

package struct ElementDeclaration: Hashable, Sendable {
    /// The element's name (local name and its namespace, after `form`).
    package var name: QName
    /// Set for `<xs:element ref=…>`; the other fields are then unused.
    package var reference: QName?
    package var type: TypeReference
    package var occurs: Occurs
    package var defaultValue: String?
    package var fixedValue: String?
    package var isAbstract: Bool
    package var documentation: String?
    package var location: SourceLocation
}

package struct AttributeDeclaration: Hashable, Sendable {
    package enum Use: String, Hashable, Sendable { case optional, required, prohibited }

    package var name: QName
    package var reference: QName?
    package var type: TypeReference
    package var use: Use
    package var defaultValue: String?
    package var fixedValue: String?
    package var documentation: String?
    package var location: SourceLocation
}

/// Which namespaces a wildcard accepts, as written.
package enum NamespaceConstraint: Hashable, Sendable {
    case any
    case other
    /// `""` stands for `##local`; `##targetNamespace` is resolved when read.
    case list([String])
}

package struct Wildcard: Hashable, Sendable {
    package var namespaces: NamespaceConstraint
    package var targetNamespace: String
    package var occurs: Occurs
    package var documentation: String?
    package var location: SourceLocation
}

package indirect enum Particle: Hashable, Sendable {
    case element(ElementDeclaration)
    case group(ModelGroup)
    case groupReference(QName, Occurs, SourceLocation)
    case any(Wildcard)
}

package struct ModelGroup: Hashable, Sendable {
    package enum Compositor: String, Hashable, Sendable { case sequence, choice, all }

    package var compositor: Compositor
    package var particles: [Particle]
    package var occurs: Occurs
    package var location: SourceLocation
}

package struct AttributeGroupContent: Hashable, Sendable {
    package var attributes: [AttributeDeclaration] = []
    package var groupReferences: [QName] = []
    package var anyAttribute: Bool = false
}

package struct ComplexType: Hashable, Sendable {
    package enum Content: Hashable, Sendable {
        /// No children (attributes only, or nothing).
        case empty
        /// Text of a simple type, with attributes (`simpleContent`, or an element of a simple type).
        case simple(TypeReference)
        /// Child elements, maybe mixed with text.
        case elements(ModelGroup)
    }

    package var name: QName?
    package var content: Content
    /// The base of `complexContent`/`simpleContent` extension or restriction, when it is a named type whose
    /// content and attributes must be merged in.
    package var base: QName?
    package var isExtension: Bool
    package var isMixed: Bool
    package var isAbstract: Bool
    package var attributes: AttributeGroupContent
    package var documentation: String?
    package var location: SourceLocation
}

package struct SimpleType: Hashable, Sendable {
    package enum Variety: Hashable, Sendable {
        case restriction(base: TypeReference, enumeration: [EnumerationValue])
        case list(item: TypeReference)
        case union(members: [TypeReference])
    }

    package struct EnumerationValue: Hashable, Sendable {
        package var value: String
        package var documentation: String?
    }

    package var name: QName?
    package var variety: Variety
    package var documentation: String?
    package var location: SourceLocation
}

/// One `.xsd` file.
package struct SchemaDocument: Sendable {
    package var file: String
    /// The file name without directories, e.g. `disco-info.xsd`.
    package var fileName: String
    package var targetNamespace: String
    package var documentation: String?
    package var imports: [String] = []
    package var includes: [String] = []
    package var elements: [String: ElementDeclaration] = [:]
    package var elementOrder: [String] = []
    package var complexTypes: [String: ComplexType] = [:]
    package var complexTypeOrder: [String] = []
    package var simpleTypes: [String: SimpleType] = [:]
    package var simpleTypeOrder: [String] = []
    package var groups: [String: ModelGroup] = [:]
    package var attributeGroups: [String: AttributeGroupContent] = [:]
    package var attributes: [String: AttributeDeclaration] = [:]
}
