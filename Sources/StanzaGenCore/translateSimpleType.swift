/// A simple type as Swift: one value, or a space-separated list of them.
enum ValueType {
    case single(String)
    case list(String)
}

extension SchemaTranslator {
    /// The Swift types of the XSD built-in types.
    static let builtins: [String: String] = [
        "boolean": "Bool",
        "byte": "Int8", "short": "Int16", "int": "Int32", "long": "Int64", "integer": "Int",
        "nonNegativeInteger": "UInt", "positiveInteger": "UInt", "nonPositiveInteger": "Int", "negativeInteger": "Int",
        "unsignedByte": "UInt8", "unsignedShort": "UInt16", "unsignedInt": "UInt32", "unsignedLong": "UInt64",
        "decimal": "Double", "float": "Double", "double": "Double",
        "dateTime": "XMLDateTime",
        "base64Binary": "[UInt8]",
    ]

    /// The Swift value type of a simple type; enumerations declared in place are added to `nested` as enums
    /// named `nestedName`.
    func valueType(
        of type: TypeReference,
        nestedName: String,
        scope: String,
        closedKey: String,
        into nested: inout [DeclarationModel],
        depth: Int = 0,
        location: SourceLocation? = nil
    ) -> ValueType {
        guard depth < 16 else { return .single("String") }
        switch type {
        case .unspecified:
            return .single("String")
        case .complex(let complex):
            warn(complex.location, "a complex type where a simple type is expected; the value is read as text")
            return .single("String")
        case .named(let name):
            if name.namespace == SchemaReader.xsdNamespace {
                return .single(Self.builtins[name.name] ?? "String")
            }
            guard let simple = set.simpleType(name), let swiftName = set.swiftName(ofSimpleType: name) else {
                if set.complexType(name) == nil {
                    diagnostics.warning(
                        document.fileName, location?.line ?? 0, "unknown simple type \(name); the value is read as text"
                    )
                }
                return .single("String")
            }
            // Lists and unions of a named type are written in place; enumerations and restrictions by name.
            switch simple.variety {
            case .list(let item):
                var ignored: [DeclarationModel] = []
                if case .single(let itemType) = valueType(
                    of: item, nestedName: swiftName + "Item", scope: scope, closedKey: closedKey, into: &ignored,
                    depth: depth + 1),
                    ignored.isEmpty
                {
                    return .list(itemType)
                }
                return .single("String")
            case .union:
                return .single("String")
            case .restriction(let base, let values):
                if !values.isEmpty && !isEmptyValue(type) {
                    return .single(reference(swiftName, in: name.namespace))
                }
                var ignored: [DeclarationModel] = []
                return valueType(
                    of: base, nestedName: nestedName, scope: scope, closedKey: closedKey, into: &ignored,
                    depth: depth + 1)
            }
        case .simple(let simple):
            switch simple.variety {
            case .restriction(let base, let values):
                let nonEmpty = values.filter { !$0.value.isEmpty }
                if !nonEmpty.isEmpty {
                    nested.append(
                        .valueEnum(
                            enumeration(
                                named: nestedName, values: values, documentation: simple.documentation,
                                closed: set.config.closedTypes.contains(closedKey), remark: "")))
                    return .single(scope + "." + nestedName)
                }
                return valueType(
                    of: base, nestedName: nestedName, scope: scope, closedKey: closedKey, into: &nested,
                    depth: depth + 1)
            case .list(let item):
                if case .single(let itemType) = valueType(
                    of: item, nestedName: nestedName + "Item", scope: scope, closedKey: closedKey, into: &nested,
                    depth: depth + 1)
                {
                    return .list(itemType)
                }
                return .single("String")
            case .union:
                return .single("String")
            }
        }
    }

    /// An enum for enumerated values.
    func enumeration(
        named name: String,
        values: [SimpleType.EnumerationValue],
        documentation: String?,
        closed: Bool,
        remark: String
    ) -> ValueEnumModel {
        var taken: Set<String> = ["unknown", "init", "xmlValue", "allCases"]
        var cases: [ValueEnumModel.Case] = []
        var seen: Set<String> = []
        for value in values where seen.insert(value.value).inserted {
            let caseName = SwiftNames.unique(
                value.value.isEmpty ? "empty" : SwiftNames.memberName(value.value), in: taken)
            taken.insert(caseName)
            cases.append(ValueEnumModel.Case(name: caseName, value: value.value, documentation: value.documentation))
        }
        return ValueEnumModel(name: name, documentation: documentation, remark: remark, cases: cases, isOpen: !closed)
    }

    /// Whether a simple type only allows the empty string (the XSF schemas' `empty` idiom).
    func isEmptyValue(_ type: TypeReference, depth: Int = 0) -> Bool {
        guard depth < 16 else { return false }
        switch type {
        case .simple(let simple):
            if case .restriction(_, let values) = simple.variety, !values.isEmpty {
                return values.allSatisfy { $0.value.isEmpty }
            }
            return false
        case .named(let name):
            guard name.namespace != SchemaReader.xsdNamespace, let simple = set.simpleType(name) else { return false }
            return isEmptyValue(.simple(simple), depth: depth + 1)
        default:
            return false
        }
    }
}
