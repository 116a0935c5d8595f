import Testing

@testable import StanzaGenCore

/// Emptiability ("Particle Emptiable", XSD 1.0 Part 1 §3.9.6) over the combinations: each case is the body of a
/// complex type `T`, read with a few global groups and base types beside it, and whether its content can match
/// no element at all.
@Suite struct EmptiabilityTests {
    static let globals = """
        <xs:element name='g' type='xs:string'/>
        <xs:group name='optionalPair'><xs:sequence>
          <xs:element name='a' type='xs:string' minOccurs='0'/><xs:element name='b' type='xs:string' minOccurs='0'/>
        </xs:sequence></xs:group>
        <xs:group name='requiredPair'><xs:sequence>
          <xs:element name='a' type='xs:string'/><xs:element name='b' type='xs:string'/>
        </xs:sequence></xs:group>
        <xs:group name='optionalChoice'><xs:choice>
          <xs:element name='a' type='xs:string' minOccurs='0'/><xs:element name='b' type='xs:string' minOccurs='0'/>
        </xs:choice></xs:group>
        <xs:group name='viaGroup'><xs:sequence><xs:group ref='optionalChoice'/></xs:sequence></xs:group>
        <xs:complexType name='OptionalBase'><xs:sequence>
          <xs:element name='x' type='xs:string' minOccurs='0'/>
        </xs:sequence></xs:complexType>
        <xs:complexType name='RequiredBase'><xs:sequence>
          <xs:element name='x' type='xs:string'/>
        </xs:sequence></xs:complexType>
        <xs:complexType name='EmptyBase'><xs:attribute name='id' type='xs:string'/></xs:complexType>
        """

    /// `<xs:element name=…/>`, with occurrence attributes such as `minOccurs='0'`.
    static func element(_ name: String, _ occurs: String = "") -> String {
        "<xs:element name='\(name)' type='xs:string' \(occurs)/>"
    }

    /// A model group of the given compositor around its particles.
    static func group(_ compositor: String, _ occurs: String = "", _ particles: String...) -> String {
        "<xs:\(compositor) \(occurs)>" + particles.joined() + "</xs:\(compositor)>"
    }

    /// An extension of a named base type by a content group.
    static func extending(_ base: String, _ content: String = "") -> String {
        "<xs:complexContent><xs:extension base='\(base)'>\(content)</xs:extension></xs:complexContent>"
    }

    static let (a, b) = (element("a"), element("b"))
    static let (optionalA, optionalB) = (element("a", "minOccurs='0'"), element("b", "minOccurs='0'"))

    static let cases: [(String, String, Bool)] = [
        // Elements and wildcards: their own minOccurs.
        ("required element", group("sequence", "", a), false),
        ("optional element", group("sequence", "", optionalA), true),
        ("optional repeated element", group("sequence", "", element("a", "minOccurs='0' maxOccurs='9'")), true),
        ("element at least twice", group("sequence", "", element("a", "minOccurs='2' maxOccurs='5'")), false),
        ("required reference", group("sequence", "", "<xs:element ref='g'/>"), false),
        ("optional reference", group("sequence", "", "<xs:element ref='g' minOccurs='0'/>"), true),
        ("required wildcard", group("sequence", "", "<xs:any namespace='##other'/>"), false),
        ("optional wildcard", group("sequence", "", "<xs:any namespace='##other' minOccurs='0'/>"), true),
        // Sequences and alls: every member emptiable.
        ("empty sequence", "<xs:sequence/>", true),
        ("sequence of optional elements", group("sequence", "", optionalA, optionalB), true),
        ("sequence with one required element", group("sequence", "", optionalA, b), false),
        ("optional sequence of required elements", group("sequence", "minOccurs='0'", a, b), true),
        ("repeated sequence of optional elements", group("sequence", "maxOccurs='unbounded'", optionalA), true),
        ("all of optional elements", group("all", "", optionalA, optionalB), true),
        ("all with a required element", group("all", "", optionalA, b), false),
        // Choices: any alternative emptiable.
        ("choice of required elements", group("choice", "", a, b), false),
        ("choice of optional elements (jabber:iq:auth)", group("choice", "", optionalA, optionalB), true),
        ("choice with one optional alternative", group("choice", "", a, optionalB), true),
        ("optional choice", group("choice", "minOccurs='0'", a, b), true),
        ("repeated choice of required elements", group("choice", "maxOccurs='unbounded'", a, b), false),
        ("repeated choice, an optional alternative", group("choice", "maxOccurs='unbounded'", a, optionalB), true),
        ("choice holding an emptiable sequence", group("choice", "", a, group("sequence", "", optionalB)), true),
        ("choice holding a required sequence", group("choice", "", a, group("sequence", "", b)), false),
        ("choice holding an optional wildcard", group("choice", "", a, "<xs:any minOccurs='0'/>"), true),
        // Nested.
        (
            "sequence holding an emptiable choice",
            group("sequence", "", group("choice", "", optionalA, b), optionalB), true
        ),
        ("sequence holding a required choice", group("sequence", "", group("choice", "", a, b), optionalB), false),
        (
            "choice of a choice of a choice with an optional leaf",
            group("choice", "", a, group("choice", "", b, group("choice", "", optionalA, b))), true
        ),
        (
            "choice of sequences that each require an element",
            group("choice", "", group("sequence", "", a), group("sequence", "", optionalA, b)), false
        ),
        // Groups.
        ("reference to an emptiable group", group("sequence", "", "<xs:group ref='optionalPair'/>"), true),
        ("reference to a required group", group("sequence", "", "<xs:group ref='requiredPair'/>"), false),
        (
            "optional reference to a required group",
            group("sequence", "", "<xs:group ref='requiredPair' minOccurs='0'/>"), true
        ),
        (
            "repeated reference to a required group",
            group("sequence", "", "<xs:group ref='requiredPair' maxOccurs='unbounded'/>"), false
        ),
        ("group holding an emptiable choice", "<xs:group ref='optionalChoice'/>", true),
        (
            "group referring to an emptiable group",
            group("sequence", "", "<xs:group ref='viaGroup'/>", optionalB), true
        ),
        ("choice of an emptiable group and an element", group("choice", "", a, "<xs:group ref='optionalPair'/>"), true),
        ("choice of a required group and an element", group("choice", "", a, "<xs:group ref='requiredPair'/>"), false),
        ("unknown group (cannot be checked, so not refused)", group("sequence", "", "<xs:group ref='nope'/>"), true),
        // Extensions (the base's content, then the type's own).
        ("optional base, emptiable choice", extending("OptionalBase", group("choice", "", optionalA, optionalB)), true),
        ("optional base, required choice", extending("OptionalBase", group("choice", "", a, b)), false),
        ("required base, emptiable choice", extending("RequiredBase", group("choice", "", optionalA, b)), false),
        ("empty base, emptiable choice", extending("EmptyBase", group("choice", "", a, optionalB)), true),
        ("empty base, required choice", extending("EmptyBase", group("choice", "", a, b)), false),
        ("required base, nothing added", extending("RequiredBase"), false),
        (
            "restriction of a required base to optional content",
            "<xs:complexContent><xs:restriction base='RequiredBase'>"
                + group("sequence", "", element("x", "minOccurs='0'")) + "</xs:restriction></xs:complexContent>",
            true
        ),
        // No element content at all.
        ("attributes only", "<xs:attribute name='id' type='xs:string'/>", true),
        ("simple content", "<xs:simpleContent><xs:extension base='xs:string'/></xs:simpleContent>", true),
    ]

    @Test(arguments: cases)
    func contentEmptiability(_ description: String, _ body: String, _ expected: Bool) throws {
        let (set, diagnostics) = try schemaSet(
            """
            <xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:example:e'
                       xmlns='urn:example:e' elementFormDefault='qualified'>
            \(Self.globals)
            <xs:complexType name='T'>\(body)</xs:complexType>
            </xs:schema>
            """)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        let type = try #require(set.complexType(QName("urn:example:e", "T")))
        #expect(set.isEmptiable(contentOf: type) == expected, "\(description)")
        if case .elements(let group) = type.content, type.base == nil {
            // The group as a particle says the same as the content.
            #expect(set.isEmptiable(.group(group)) == expected, "\(description), as a particle")
        }
    }

    @Test func anElementParticleIsEmptiableOnlyThroughItsOwnMinOccurs() throws {
        let (set, _) = try schemaSet(
            """
            <xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema' targetNamespace='urn:example:e'>
            <xs:element name='holder'><xs:complexType><xs:sequence>
              <xs:element name='empty'><xs:complexType><xs:sequence/></xs:complexType></xs:element>
              <xs:element name='optional' minOccurs='0'/>
            </xs:sequence></xs:complexType></xs:element>
            </xs:schema>
            """)
        let holder = try #require(set.element(QName("urn:example:e", "holder")))
        guard case .complex(let type) = holder.type, case .elements(let group) = type.content else {
            Issue.record("holder has no element content")
            return
        }
        // An element whose own content can be empty still has to be there.
        #expect(!set.isEmptiable(group.particles[0]))
        #expect(set.isEmptiable(group.particles[1]))
    }

    private func schemaSet(_ schema: String) throws -> (SchemaSet, [Diagnostic]) {
        let path = try temporaryFile("emptiability.xsd", schema)
        let diagnostics = DiagnosticCollector()
        var reader = SchemaReader(file: path, diagnostics: diagnostics)
        let set = SchemaSet(config: GeneratorConfig(), diagnostics: diagnostics)
        set.add(try reader.read())
        return (set, diagnostics.diagnostics)
    }
}
