import Testing

@testable import StanzaGenCore

@Suite struct SwiftNamesTests {
    @Test(arguments: [
        ("item-not-found", "ItemNotFound"), ("query", "Query"), ("vCard", "VCard"), ("FN", "FN"),
        ("x", "X"), ("disco#info", "DiscoInfo"), ("3d-model", "_3dModel"), ("---", "_"), ("Type", "TypeValue"),
        ("string", "StringValue"), ("ns:name", "NsName"), ("naïve", "NaVe"), ("", "_"),
    ])
    func typeNames(_ input: String, _ expected: String) {
        #expect(SwiftNames.typeName(input) == expected)
    }

    @Test(arguments: [
        ("max-file-size", "maxFileSize"), ("FN", "fn"), ("JABBERID", "jabberid"), ("xml:lang", "xmlLang"),
        ("default", "default"), ("1st", "_1st"), ("self", "self"), ("ID", "id"), ("subjectID", "subjectId"),
    ])
    func memberNames(_ input: String, _ expected: String) {
        #expect(SwiftNames.memberName(input) == expected)
    }

    @Test func keywordsAreEscapedWhereUsed() {
        #expect(SwiftNames.escaped("default") == "`default`")
        #expect(SwiftNames.escaped("self") == "`self`")
        #expect(SwiftNames.escaped("Type") == "`Type`")
        #expect(SwiftNames.escaped("query") == "query")
    }

    @Test func pluralsAndUniqueNames() {
        #expect(SwiftNames.plural("item") == "items")
        #expect(SwiftNames.plural("identity") == "identities")
        #expect(SwiftNames.plural("status") == "statuses")
        #expect(SwiftNames.plural("key") == "keys")
        #expect(SwiftNames.plural("x") == "xList")
        #expect(SwiftNames.plural("instructions") == "instructions")
        #expect(SwiftNames.plural("address") == "addresses")
        #expect(SwiftNames.unique("value", in: ["value", "value2"]) == "value3")
    }

    @Test func literalsEscapeEverything() {
        #expect(SwiftNames.literal("a\"b\\c\nd\u{1}") == "\"a\\\"b\\\\c\\nd\\u{1}\"")
        #expect(SwiftNames.literal("\\(x)") == "\"\\\\(x)\"")
    }
}
