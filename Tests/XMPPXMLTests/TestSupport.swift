import XMPPXML

/// The stream header most tests start from: a server's answer to a client.
let serverHeader = """
    <?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
    from='example.org' id='s-1' version='1.0' xml:lang='en'>
    """

/// `serverHeader` plus `body`, as bytes.
func stream(_ body: String) -> [UInt8] {
    Array((serverHeader + body).utf8)
}

/// Feeds `bytes` to a new parser in chunks of `chunkSize` (all at once when `nil`) and returns every event.
func parseAll(
    _ bytes: [UInt8],
    chunkSize: Int? = nil,
    configuration: XMLStreamParser.Configuration = .xmppStream
) throws -> [XMLStreamEvent] {
    let parser = XMLStreamParser(configuration: configuration)
    return try feed(parser, bytes, chunkSize: chunkSize)
}

/// Feeds `bytes` to `parser` in chunks of `chunkSize` and returns every event.
func feed(_ parser: XMLStreamParser, _ bytes: [UInt8], chunkSize: Int? = nil) throws -> [XMLStreamEvent] {
    let size = max(1, chunkSize ?? bytes.count)
    var events: [XMLStreamEvent] = []
    var start = 0
    while start < bytes.count {
        let end = min(bytes.count, start + size)
        events += try parser.parse(bytes[start..<end])
        start = end
    }
    return events
}

/// The elements among `events`.
func elements(_ events: [XMLStreamEvent]) -> [XMLElement] {
    events.compactMap { event in
        if case .element(let element) = event { return element }
        return nil
    }
}

/// The one element a standalone document parses to.
func element(_ xml: String) throws -> XMLElement {
    let events = try parseAll(Array(xml.utf8), configuration: .document)
    guard events.count == 1, case .element(let element) = events[0] else {
        throw TestFailure("expected one element, got \(events)")
    }
    return element
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
