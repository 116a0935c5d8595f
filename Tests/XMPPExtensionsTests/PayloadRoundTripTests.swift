import Foundation
import Testing
import XMPPExtensions
import XMPPTesting

/// Every table of generated payload types, core and extensions.
let allPayloadTables: [[any XMLElementCodable.Type]] = [
    JabberClient.payloadTypes, Streams.payloadTypes, StreamErrors.payloadTypes, StanzaErrors.payloadTypes,
    StartTLS.payloadTypes, SASL.payloadTypes, Bind.payloadTypes, Session.payloadTypes, Roster.payloadTypes,
    RosterVersioning.payloadTypes,
    DataForms.payloadTypes, LastActivity.payloadTypes, DiscoInfo.payloadTypes, DiscoItems.payloadTypes,
    MUC.payloadTypes, MUCUser.payloadTypes, MUCAdmin.payloadTypes, MUCOwner.payloadTypes, VCardTemp.payloadTypes,
    RSM.payloadTypes, PubSub.payloadTypes, PubSubEvent.payloadTypes, PubSubOwner.payloadTypes, OOB.payloadTypes,
    OOBIQ.payloadTypes, ChatStates.payloadTypes, SoftwareVersion.payloadTypes, EntityCapabilities.payloadTypes,
    Receipts.payloadTypes, Blocking.payloadTypes, BlockingErrors.payloadTypes, StreamManagement.payloadTypes,
    Ping.payloadTypes, EntityTime.payloadTypes, Delay.payloadTypes, Carbons.payloadTypes, Forwarding.payloadTypes,
    MessageCorrection.payloadTypes, MAM.payloadTypes, CSI.payloadTypes, StanzaID.payloadTypes,
    HTTPUpload.payloadTypes, Bookmarks.payloadTypes, ProcessingHints.payloadTypes, DirectMUCInvitations.payloadTypes,
    ChatMarkers.payloadTypes, MessageRetraction.payloadTypes, FallbackIndication.payloadTypes,
]

let registry = PayloadRegistry(tables: allPayloadTables)

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// One fixture file.
struct Fixture: CustomTestStringConvertible, Sendable {
    var url: URL
    var testDescription: String { url.deletingLastPathComponent().lastPathComponent + "/" + url.lastPathComponent }

    func element() throws -> XMLElement {
        try XMLElement(parsing: String(contentsOf: url, encoding: .utf8))
    }
}

func fixtures(under folder: String) -> [Fixture] {
    let base = repositoryRoot.appendingPathComponent(folder)
    let manager = FileManager.default
    let folders = ((try? manager.contentsOfDirectory(atPath: base.path)) ?? []).sorted()
    return folders.flatMap { name -> [Fixture] in
        let directory = base.appendingPathComponent(name)
        let files = ((try? manager.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.hasSuffix(".xml") }
        return files.sorted().map { Fixture(url: directory.appendingPathComponent($0)) }
    }
}

let allFixtures =
    fixtures(under: "Tests/XMPPCoreTests/Fixtures") + fixtures(under: "Tests/XMPPExtensionsTests/Fixtures")

@Suite("Generated payloads: every fixture decodes through the registry and encodes back unchanged")
struct PayloadRoundTripTests {
    @Test func thereAreFixturesAndTypes() {
        #expect(allFixtures.count >= 200)
        #expect(registry.count >= 150)
    }

    @Test(arguments: allFixtures)
    func roundTrip(_ fixture: Fixture) throws {
        let input = try fixture.element()
        let type = try #require(registry.type(for: input.name), "no generated type for \(input.name)")
        let value = try type.init(xml: input)
        let output = value.xmlElement()
        #expect(
            output.isEquivalent(to: input),
            "re-encoded differently:\n\(XMLSerializer().string(for: output))\ninput:\n\(XMLSerializer().string(for: input))"
        )
        // Decoding what was encoded gives the same typed value.
        let again = try type.init(xml: output)
        #expect(again.xmlElement().isEquivalent(to: output))
    }
}
