import Testing
import XMPPXML

/// A hostile or broken input and the stream error it must produce.
struct HostileInput: CustomTestStringConvertible, Sendable {
    var name: String
    var condition: XMLStreamError.Condition
    var configuration: XMLStreamParser.Configuration = .xmppStream
    /// Produces the input chunk by chunk, so inputs far larger than any limit need not exist in memory.
    var chunks: @Sendable () -> AnySequence<[UInt8]>

    var testDescription: String { name }

    init(_ name: String, _ condition: XMLStreamError.Condition, _ input: [UInt8]) {
        self.name = name
        self.condition = condition
        self.chunks = { AnySequence([input]) }
    }

    init(_ name: String, _ condition: XMLStreamError.Condition, stanza: String) {
        self.init(name, condition, stream(stanza))
    }

    init(_ name: String, _ condition: XMLStreamError.Condition, bytes: [UInt8]) {
        self.init(name, condition, stream("<message><body>") + bytes + Array("</body></message>".utf8))
    }

    init(
        _ name: String,
        _ condition: XMLStreamError.Condition,
        prefix: [UInt8],
        repeating unit: [UInt8],
        times: Int,
        configuration: XMLStreamParser.Configuration = .xmppStream
    ) {
        self.name = name
        self.condition = condition
        self.configuration = configuration
        self.chunks = {
            // 64 KiB chunks of the repeated unit, after the prefix.
            let perChunk = max(1, (64 << 10) / unit.count)
            let chunk = Array([[UInt8]](repeating: unit, count: perChunk).joined())
            let full = times / perChunk
            let rest = Array([[UInt8]](repeating: unit, count: times % perChunk).joined())
            return AnySequence([prefix] + AnySequence(repeatElement(chunk, count: full)) + [rest])
        }
    }
}

private let billionLaughs = """
    <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">\
    <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\
    <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\
    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\
    <stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>\
    <message><body>&lol3;</body></message>
    """

let hostileInputs: [HostileInput] = [
    // RFC 6120 §11.1: restricted XML.
    HostileInput("billion laughs (entity expansion)", .restrictedXML, Array(billionLaughs.utf8)),
    HostileInput(
        "external entity (XXE)", .restrictedXML,
        Array("<?xml version='1.0'?><!DOCTYPE s [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]><s>&xxe;</s>".utf8)
    ),
    HostileInput(
        "internal DTD subset", .restrictedXML,
        Array("<!DOCTYPE stream:stream [<!ELEMENT stream:stream ANY>]>".utf8) + stream("").dropFirst(21)
    ),
    HostileInput(
        "external DTD", .restrictedXML,
        Array("<!DOCTYPE stream SYSTEM 'http://127.0.0.1:9/x.dtd'>".utf8) + stream("").dropFirst(21)
    ),
    HostileInput("undeclared entity reference", .restrictedXML, stanza: "<message><body>&xxe;</body></message>"),
    HostileInput("entity reference in an attribute", .restrictedXML, stanza: "<message id='&xxe;'/>"),
    HostileInput("comment inside a stanza", .restrictedXML, stanza: "<message><!-- hi --></message>"),
    HostileInput("comment between stanzas", .restrictedXML, stanza: "<!-- hi --><message/>"),
    HostileInput("comment before the stream", .restrictedXML, Array("<!-- hi -->".utf8) + stream("")),
    HostileInput("processing instruction", .restrictedXML, stanza: "<message><?php echo 1 ?></message>"),
    HostileInput("second XML declaration mid-stream", .notWellFormed, stanza: "<?xml version='1.0'?><message/>"),

    // Well-formedness and namespaces.
    HostileInput("undeclared prefix", .notWellFormed, stanza: "<foo:message/>"),
    HostileInput("undeclared attribute prefix", .notWellFormed, stanza: "<message foo:bar='1'/>"),
    HostileInput("mismatched tags", .notWellFormed, stanza: "<message><body></message></body>"),
    HostileInput("duplicate attribute", .notWellFormed, stanza: "<message id='1' id='2'/>"),
    HostileInput("'<' in an attribute value", .notWellFormed, stanza: "<message id='a<b'/><presence/>"),
    HostileInput("rebinding the xml prefix", .notWellFormed, stanza: "<message xmlns:xml='urn:other'/>"),
    HostileInput("content after the stream's end", .notWellFormed, stanza: "</stream:stream><message/>"),
    HostileInput("character reference to NUL", .notWellFormed, stanza: "<message><body>&#0;</body></message>"),
    HostileInput("character reference to a C0 control", .notWellFormed, stanza: "<message><body>&#1;</body></message>"),

    // Bytes that are not UTF-8 or not XML characters.
    HostileInput("NUL byte", .notWellFormed, bytes: [0x61, 0x00, 0x62]),
    HostileInput("overlong UTF-8 ('/' as C0 AF)", .notWellFormed, bytes: [0xC0, 0xAF]),
    HostileInput("overlong UTF-8 (E0 80 AF)", .notWellFormed, bytes: [0xE0, 0x80, 0xAF]),
    HostileInput("UTF-8 encoded surrogate (ED A0 80)", .notWellFormed, bytes: [0xED, 0xA0, 0x80]),
    HostileInput("truncated UTF-8 sequence", .notWellFormed, bytes: [0xE2, 0x82]),
    HostileInput("code point above U+10FFFF", .notWellFormed, bytes: [0xF4, 0x90, 0x80, 0x80]),
    HostileInput("lone continuation byte", .notWellFormed, bytes: [0x80]),
    HostileInput("byte 0xFF", .notWellFormed, bytes: [0xFF]),

    // Encodings.
    HostileInput("UTF-16 with a byte order mark", .unsupportedEncoding, [0xFE, 0xFF, 0x00, 0x3C, 0x00, 0x3F]),
    HostileInput("UTF-16LE without a byte order mark", .unsupportedEncoding, [0x3C, 0x00, 0x3F, 0x00]),
    HostileInput(
        "declared ISO-8859-1", .unsupportedEncoding,
        Array("<?xml version='1.0' encoding='ISO-8859-1'?>".utf8) + stream("").dropFirst(21)
    ),

    // The stream's root.
    HostileInput(
        "wrong stream namespace", .invalidNamespace,
        Array("<stream:stream xmlns:stream='http://etherx.jabber.org/streamz' xmlns='jabber:client'>".utf8)
    ),
    HostileInput("stream root without a namespace", .invalidNamespace, Array("<stream>".utf8)),
    HostileInput(
        "wrong root element", .badFormat,
        Array("<stream:flow xmlns:stream='http://etherx.jabber.org/streams'>".utf8)
    ),
    HostileInput("text at stream level", .badFormat, stanza: "hello<message/>"),

    // Limits.
    HostileInput(
        "100 MB stanza against a 1 MB limit", .policyViolation,
        prefix: stream("<message><body>"), repeating: Array(repeating: UInt8(ascii: "a"), count: 1024),
        times: 100 * 1024
    ),
    HostileInput(
        "100 MB of child elements against a 1 MB limit", .policyViolation,
        prefix: stream("<message>"), repeating: Array("<x a='b'>y</x>".utf8), times: 7_500_000
    ),
    HostileInput(
        "100,000-deep nesting", .policyViolation,
        prefix: stream(""), repeating: Array("<a>".utf8), times: 100_000
    ),
    HostileInput(
        "100,000 attributes", .policyViolation,
        prefix: stream("<message"), repeating: Array(" a='1'".utf8), times: 100_000
    ),
    HostileInput(
        "129 attributes against a limit of 128", .policyViolation,
        stanza: "<message " + (0..<129).map { "a\($0)='1'" }.joined(separator: " ") + "/>"
    ),
    HostileInput(
        "a 2 KB element name", .policyViolation,
        stanza: "<" + String(repeating: "n", count: 2048) + "/>"
    ),
    HostileInput(
        "70,000 distinct element names in one stanza", .policyViolation,
        stanza: "<message>" + (0..<70_000).map { "<n\($0)/>" }.joined() + "</message>"
    ),
    HostileInput(
        "text longer than the text limit", .policyViolation,
        prefix: stream("<message><body>"), repeating: Array("0123456789".utf8), times: 2000,
        configuration: XMLStreamParser.Configuration(maxTextBytes: 10_000)
    ),
]

@Suite("XMLStreamParser: hostile and broken input", .timeLimit(.minutes(2)))
struct XMLStreamParserHostileInputTests {
    @Test func theTableIsLargeEnough() {
        #expect(hostileInputs.count >= 25)
    }

    @Test(arguments: hostileInputs)
    func isRefusedWithTheMatchingCondition(_ input: HostileInput) throws {
        let parser = XMLStreamParser(configuration: input.configuration)
        var fed = 0
        var failure: XMLStreamError?
        var elementsSeen = 0
        for chunk in input.chunks() {
            do {
                for event in try parser.parse(chunk) {
                    if case .element = event { elementsSeen += 1 }
                }
            } catch let error as XMLStreamError {
                failure = error
                break
            }
            fed += chunk.count
        }
        let error = try #require(failure, "\(input.name): accepted (\(elementsSeen) elements)")
        #expect(error.condition == input.condition, "\(input.name): \(error)")
        #expect(!error.message.isEmpty)
        // Bounded: the error comes before much more than the element limit (plus one read) was fed.
        #expect(fed <= input.configuration.maxElementBytes + (128 << 10), "\(input.name): fed \(fed) bytes")
    }
}
