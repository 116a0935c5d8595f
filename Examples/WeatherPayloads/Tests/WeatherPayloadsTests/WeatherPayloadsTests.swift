import Testing
import WeatherPayloads
import XMPPCore

@Test func aReportTravelsInsideAMessage() throws {
    let report = Weather.Report(
        city: "Verona",
        observed: XMLDateTime(year: 2026, month: 11, day: 21, hour: 9, minute: 30, second: 0),
        sky: .cloudy,
        temperature: 12.5,
        wind: .init(speed: 14, direction: "NE"),
        warnings: ["fog at dawn"])
    var message = Message(to: JID("juliet@example.com"), type: .chat, bodies: [.init(value: "Weather for you")])
    message.addPayload(report)

    let xml = XMLSerializer().string(for: message.xmlElement())
    #expect(xml.contains("<report xmlns='urn:example:weather:0' city='Verona'"))

    // Parse the XML as it would arrive, and read the payload back.
    let parser = XMLStreamParser(configuration: .document)
    var received: XMLElement?
    for event in try parser.parse(Array(xml.utf8)) {
        if case .element(let element) = event { received = element }
    }
    let arrived = try Message(xml: try #require(received))
    let decoded = try #require(try arrived.payload(Weather.Report.self))
    #expect(decoded == report)
    #expect(decoded.sky == .cloudy)
    #expect(decoded.wind?.speed == 14)
    #expect(decoded.hasWarnings)
    #expect(Weather.payloadTypes.map { $0.qualifiedName.localName } == ["report"])
}

@Test func aBrokenReportSaysWhere() throws {
    let parser = XMLStreamParser(configuration: .document)
    var received: XMLElement?
    let xml = "<report xmlns='urn:example:weather:0' city='Verona' observed='yesterday'><temperature>1</temperature></report>"
    for event in try parser.parse(Array(xml.utf8)) {
        if case .element(let element) = event { received = element }
    }
    #expect(throws: XMLDecodingError.self) { try Weather.Report(xml: try #require(received)) }
}
