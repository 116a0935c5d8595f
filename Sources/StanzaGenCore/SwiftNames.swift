/// The one place where XML names become Swift names.
///
/// Element and type names become UpperCamelCase (`item-not-found` → `ItemNotFound`), attributes, children and
/// enumeration cases lowerCamelCase (`xml:lang` → `lang`, `max-file-size` → `maxFileSize`). Characters Swift
/// cannot use are dropped and start new words; a name that starts with a digit gets a leading `_`; keywords are
/// escaped with backticks where they are used as identifiers; an empty result becomes `_`.
package enum SwiftNames {
    /// Words that cannot be used bare as identifiers in declarations.
    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init", "inout",
        "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue", "default", "defer",
        "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch", "where",
        "while", "Any", "as", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "await",
        "Type", "Protocol", "some", "any", "consume", "copy", "discard", "each", "borrowing", "consuming",
    ]

    /// Names generated code uses for its own members and types, which schema names must not take.
    static let reservedMembers: Set<String> = [
        "qualifiedName", "unknownAttributes", "unknownChildren", "xmlElement", "alternatives", "unknown",
        "payloadTypes", "namespace", "init", "hashValue", "hash", "description",
    ]

    /// Type names that generated code uses unqualified (or that mean something else after a dot, like
    /// `Foo.Type`); a schema type with one of these names gets `Value` appended.
    static let reservedTypeNames: Set<String> = [
        "Type", "Protocol", "Self", "Any", "Never", "String", "Bool", "Int", "Int8", "Int16", "Int32", "Int64", "UInt",
        "UInt8", "UInt16", "UInt32", "UInt64", "Double", "Float", "Array", "Optional", "Sendable", "Hashable",
        "Equatable", "XMLElement", "XMLName", "XMLAttribute", "XMLNode", "XMLDateTime", "XMLValueElement",
        "XMLDecodingError", "XMLElementReader", "XMLElementWriter", "XMLLexicalForms", "XMLWildcard",
        "XMLElementCodable", "XMLContentCodable", "XMLChoiceCodable", "XMLValueCodable",
    ]

    /// The words of an XML name: split at characters that are not letters or digits, and at lower-to-upper
    /// case changes.
    static func words(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousIsLower = false
        for character in name {
            let isAlphanumeric = character.isASCII && (character.isLetter || character.isNumber)
            if !isAlphanumeric {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousIsLower = false
                continue
            }
            if character.isUppercase && previousIsLower && !current.isEmpty {
                words.append(current)
                current = ""
            }
            current.append(character)
            previousIsLower = character.isLowercase || character.isNumber
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `item-not-found` → `ItemNotFound`.
    package static func typeName(_ name: String) -> String {
        let joined = finish(words(name).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())
        return reservedTypeNames.contains(joined) ? joined + "Value" : joined
    }

    /// `max-file-size` → `maxFileSize`; an all-uppercase word becomes lowercase (`FN` → `fn`).
    package static func memberName(_ name: String) -> String {
        let parts = words(name)
        guard let first = parts.first else { return "_" }
        let head = first == first.uppercased() ? first.lowercased() : first.prefix(1).lowercased() + first.dropFirst()
        let tail = parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst().lowercased() }
        return finish(head + tail.joined())
    }

    private static func finish(_ name: String) -> String {
        guard let first = name.first else { return "_" }
        return first.isNumber ? "_" + name : name
    }

    /// The identifier as written in a declaration or a reference: backticks around keywords.
    package static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// A simple plural for array properties: `item` → `items`, `identity` → `identities`, `status` → `statuses`.
    package static func plural(_ name: String) -> String {
        let lower = name.lowercased()
        if name.count == 1 { return name + "List" }
        if lower.hasSuffix("s") && !lower.hasSuffix("ss") && !lower.hasSuffix("us") { return name }  // already plural
        if lower.hasSuffix("s") || lower.hasSuffix("x") || lower.hasSuffix("ch") || lower.hasSuffix("sh") {
            return name + "es"
        }
        if lower.hasSuffix("y"), let beforeY = lower.dropLast().last, !"aeiou".contains(beforeY) {
            return name.dropLast() + "ies"
        }
        if name.last?.isNumber == true || name.last?.isUppercase == true {
            return name + "List"
        }
        return name + "s"
    }

    /// A name not in `taken`: the name itself, or the name followed by 2, 3, ...
    package static func unique(_ name: String, in taken: Set<String>) -> String {
        guard taken.contains(name) else { return name }
        var index = 2
        while taken.contains("\(name)\(index)") { index += 1 }
        return "\(name)\(index)"
    }

    /// A Swift string literal for any text.
    package static func literal(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
