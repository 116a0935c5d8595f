/// The Swift declarations the translator produces and the renderer writes.

/// How many of a child a property holds.
enum Cardinality: Hashable {
    case required, optional, array

    init(_ occurs: Occurs) {
        if occurs.isRepeated {
            self = .array
        } else if occurs.min == 0 {
            self = .optional
        } else {
            self = .required
        }
    }

    func wrap(_ type: String) -> String {
        switch self {
        case .required: type
        case .optional: type + "?"
        case .array: "[\(type)]"
        }
    }
}

/// One stored property of a generated struct and how it maps to XML.
struct PropertyModel {
    enum Kind {
        /// An attribute with a simple value.
        case attribute(QName, valueType: String, required: Bool)
        /// A space-separated list attribute.
        case listAttribute(QName, itemType: String, required: Bool)
        /// A child element whose content is a generated (or `XMLElement`) type.
        case child(QName, type: String, Cardinality)
        /// A child element holding a simple value as text.
        case childValue(QName, valueType: String, Cardinality)
        /// An optional empty child element.
        case flag(QName)
        /// A choice of child elements.
        case choice(type: String, unknownNamespaces: [String], Cardinality)
        /// Children matched by `xs:any`.
        case wildcard(String)
        /// The element's text as a simple value.
        case text(valueType: String)
        /// Everything inside the element, kept as it is (mixed content, `xs:anyType`).
        case content
    }

    var name: String
    var kind: Kind
    var documentation: String?

    var swiftType: String {
        switch kind {
        case .attribute(_, let type, let required): required ? type : type + "?"
        case .listAttribute(_, let type, let required): required ? "[\(type)]" : "[\(type)]?"
        case .child(_, let type, let cardinality): cardinality.wrap(type)
        case .childValue(_, let type, let cardinality): cardinality.wrap(type)
        case .flag: "Bool"
        case .choice(let type, _, let cardinality): cardinality.wrap(type)
        case .wildcard: "[XMLElement]"
        case .text(let type): type
        case .content: "[XMLNode]"
        }
    }

    /// The default in the memberwise initializer, if any.
    var defaultValue: String? {
        switch kind {
        case .attribute(_, _, let required), .listAttribute(_, _, let required): required ? nil : "nil"
        case .child(_, _, let cardinality), .childValue(_, _, let cardinality), .choice(_, _, let cardinality):
            switch cardinality {
            case .required: nil
            case .optional: "nil"
            case .array: "[]"
            }
        case .flag: "false"
        case .wildcard, .content: "[]"
        case .text: nil
        }
    }
}

/// A struct for an element or a named complex type.
final class StructModel {
    var name: String
    /// The full Swift path, e.g. `JabberClient.Message`, used in every reference to the type.
    var path: String
    var documentation: String?
    var remark: String
    /// The element's name for types that are one element (``XMLElementCodable``); `nil` for named complex types.
    var qualifiedName: QName?
    var properties: [PropertyModel] = []
    var nested: [DeclarationModel] = []
    /// Whether unknown children are kept (element-only content) or everything is in a `content` property.
    var keepsUnknownChildren = true

    init(name: String, path: String, documentation: String?, remark: String, qualifiedName: QName?) {
        self.name = name
        self.path = path
        self.documentation = documentation
        self.remark = remark
        self.qualifiedName = qualifiedName
    }
}

/// An enum for an enumerated simple type.
struct ValueEnumModel {
    struct Case {
        var name: String
        var value: String
        var documentation: String?
    }

    var name: String
    var documentation: String?
    var remark: String
    var cases: [Case]
    /// Whether values outside the list are kept in `unknown(String)`.
    var isOpen: Bool
}

/// An enum for a choice of elements.
struct ChoiceEnumModel {
    struct Case {
        var name: String
        var element: QName
        /// The alternative's content type, or `nil` for an empty element.
        var payloadType: String?
        var documentation: String?
    }

    var name: String
    var remark: String
    var cases: [Case]
}

indirect enum DeclarationModel {
    case structure(StructModel)
    case valueEnum(ValueEnumModel)
    case choiceEnum(ChoiceEnumModel)
    case alias(name: String, target: String, documentation: String?, remark: String)
}

/// Everything generated from one schema file.
struct FileModel {
    var schemaFile: String
    var namespace: String
    var namespaceEnum: String
    var documentation: String?
    var declarations: [DeclarationModel] = []
    /// The global elements, for the payload table.
    var payloadTypes: [String] = []
    /// The modules whose types the declarations use.
    var imports: [String] = []
}
