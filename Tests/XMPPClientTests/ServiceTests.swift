import NIOConcurrencyHelpers
import Testing
import XMPPClient
import XMPPTesting

/// Records the order services attach in.
let attachOrder = NIOLockedValueBox<[String]>([])

final class Storage: XMPPService {
    func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        attachOrder.withLockedValue { $0.append("Storage") }
    }
}

final class Index: XMPPService {
    static var dependencies: [any XMPPService.Type] { [Storage.self] }
    func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        attachOrder.withLockedValue { $0.append("Index") }
    }
}

final class Search: XMPPService {
    static var dependencies: [any XMPPService.Type] { [Index.self, Storage.self] }
    var features: [String] { ["urn:example:search"] }
    func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        attachOrder.withLockedValue { $0.append("Search") }
    }
}

final class Chicken: XMPPService {
    static var dependencies: [any XMPPService.Type] { [Egg.self] }
    func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {}
}

final class Egg: XMPPService {
    static var dependencies: [any XMPPService.Type] { [Chicken.self] }
    func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {}
}

@Suite("Services: dependency order, cycles, disco, caps", .serialized, .timeLimit(.minutes(1)))
struct ServiceTests {
    @Test func servicesStartAfterTheirDependencies() async throws {
        attachOrder.withLockedValue { $0 = [] }
        let (client, _) = try await scriptedClient(services: [Search(), Index(), Storage()], connect: false)
        #expect(attachOrder.withLockedValue { $0 } == ["Storage", "Index", "Search"])
        #expect(client.service(Index.self) != nil)
        #expect(client.service(DiscoService.self) == nil)
    }

    @Test func aCycleOrAMissingDependencyIsRefusedAtConfiguration() async throws {
        do {
            _ = try await scriptedClient(services: [Chicken(), Egg()], connect: false)
            Issue.record("a cycle was accepted")
        } catch let error as XMPPClientError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("cycle"))
            #expect(error.message.contains("Chicken") && error.message.contains("Egg"))
        }
        do {
            _ = try await scriptedClient(services: [EntityCapabilitiesService(node: "urn:x")], connect: false)
            Issue.record("a missing dependency was accepted")
        } catch let error as XMPPClientError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("DiscoService"))
        }
        do {
            _ = try await scriptedClient(services: [Storage(), Storage()], connect: false)
            Issue.record("a service configured twice was accepted")
        } catch let error as XMPPClientError {
            #expect(error.code == .invalidConfiguration)
        }
    }

    @Test func discoAnswersWithWhatTheServicesDeclare() async throws {
        let (_, server) = try await scriptedClient(services: [
            DiscoService(identity: .init(category: "client", type: "bot", name: "Tester")), PingService(),
            SoftwareVersionService(name: "t", version: "1"), Storage(), Index(), Search(),
        ])
        try await server.deliver(
            "<iq type='get' id='d1' from='romeo@example.net/orchard'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>",
            "<iq type='get' id='d2' from='romeo@example.net/orchard'><query xmlns='http://jabber.org/protocol/disco#info' node='nope'/></iq>"
        )
        var replies: [String: IQ] = [:]
        for _ in 0..<2 {
            let reply = try IQ(xml: try await server.nextSent())
            replies[reply.id] = reply
        }
        let info = try #require(try replies["d1"]?.payload(DiscoInfo.Query.self))
        #expect(info.identities == [DiscoInfo.Identity(category: "client", type: "bot", name: "Tester")])
        #expect(
            info.features.map(\.var) == [
                "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items", "jabber:iq:version",
                "urn:example:search", "urn:xmpp:ping",
            ])
        #expect(replies["d2"]?.error?.condition == .itemNotFound)
    }

    @Test func capsVerMatchesXEP0115sSimpleExample() throws {
        let info = DiscoInfo.Query(
            identities: [DiscoInfo.Identity(category: "client", type: "pc", name: "Exodus 0.9.1")],
            features: [
                "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
                "http://jabber.org/protocol/muc", "http://jabber.org/protocol/caps",
            ].map { DiscoInfo.Feature(var: $0) })
        #expect(EntityCapabilitiesService.ver(of: info) == "QgayPKawpkPSDYmwT/WM94uAlu0=")
    }

    @Test func capsVerMatchesXEP0115sComplexExample() throws {
        let form = try DataForms.X(
            xml: XMLElement(
                parsing: """
                    <x xmlns='jabber:x:data' type='result'>
                      <field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field>
                      <field var='ip_version' type='text-multi'><value>ipv4</value><value>ipv6</value></field>
                      <field var='os'><value>Mac</value></field>
                      <field var='os_version'><value>10.5.1</value></field>
                      <field var='software'><value>Psi</value></field>
                      <field var='software_version'><value>0.11</value></field>
                    </x>
                    """))
        let info = DiscoInfo.Query(
            identities: [
                DiscoInfo.Identity(category: "client", type: "pc", name: "Psi 0.11", lang: "en"),
                DiscoInfo.Identity(category: "client", type: "pc", name: "Ψ 0.11", lang: "el"),
            ],
            features: [
                "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/disco#items",
                "http://jabber.org/protocol/muc", "http://jabber.org/protocol/caps",
            ].map { DiscoInfo.Feature(var: $0) },
            extensions: [form])
        #expect(
            EntityCapabilitiesService.verificationString(of: info)
                == "client/pc/el/Ψ 0.11<client/pc/en/Psi 0.11<http://jabber.org/protocol/caps<"
                + "http://jabber.org/protocol/disco#info<http://jabber.org/protocol/disco#items<"
                + "http://jabber.org/protocol/muc<urn:xmpp:dataforms:softwareinfo<ip_version<ipv4<ipv6<os<Mac<"
                + "os_version<10.5.1<software<Psi<software_version<0.11<")
        #expect(EntityCapabilitiesService.ver(of: info) == "q07IKJEyjvHSyhy//CH0CxmKi8w=")
    }

    @Test func capsAreAdvertisedAndAnsweredAndOthersVerified() async throws {
        let caps = EntityCapabilitiesService(node: "https://example.org/tester")
        let (client, server) = try await scriptedClient(services: [DiscoService(), caps])
        try await client.send(Presence())
        let presence = try await server.nextSent()
        let c = try #require(
            try presence.firstChild(named: EntityCapabilities.C.qualifiedName).map { try EntityCapabilities.C(xml: $0) }
        )
        #expect(c.node == "https://example.org/tester")
        #expect(c.hash2 == "sha-1")
        #expect(c.ver == caps.ver)
        // The node#ver query is answered with the same information.
        try await server.deliver(
            "<iq type='get' id='n1' from='romeo@example.net/orchard'><query xmlns='http://jabber.org/protocol/disco#info' node='\(c.node)#\(c.ver)'/></iq>"
        )
        let answer = try #require(try IQ(xml: try await server.nextSent()).payload(DiscoInfo.Query.self))
        #expect(EntityCapabilitiesService.ver(of: answer) == c.ver)
        #expect(answer.node == "\(c.node)#\(c.ver)")

        // Romeo advertises the simple example's ver: the client asks once, checks the hash, and caches.
        let romeo = try JID(parsing: "romeo@example.net/orchard")
        try await server.deliver(
            "<presence from='romeo@example.net/orchard'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://code.google.com/p/exodus' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>"
        )
        let query = try IQ(xml: try await server.nextSent())
        let verifications = client.events(of: CapabilitiesVerified.self)
        #expect(query.to == romeo)
        #expect(
            try query.payload(DiscoInfo.Query.self)?.node
                == "http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0=")
        try await server.deliver(
            """
            <iq type='result' id='\(query.id)' from='romeo@example.net/orchard'>\
            <query xmlns='http://jabber.org/protocol/disco#info' node='http://code.google.com/p/exodus#QgayPKawpkPSDYmwT/WM94uAlu0='>\
            <identity category='client' type='pc' name='Exodus 0.9.1'/>\
            <feature var='http://jabber.org/protocol/caps'/><feature var='http://jabber.org/protocol/disco#info'/>\
            <feature var='http://jabber.org/protocol/disco#items'/><feature var='http://jabber.org/protocol/muc'/>\
            </query></iq>
            """)
        for await verified in verifications {
            #expect(verified.jid == romeo)
            #expect(verified.matched)
            break
        }
        #expect(caps.capabilities(of: romeo)?.features.count == 4)
    }
}

@Suite("Ping keep-alive and entity time", .timeLimit(.minutes(1)))
struct KeepAliveAndTimeTests {
    @Test func anUnansweredKeepAlivePingClosesTheConnectionWithTheReason() async throws {
        let clock = TestClock()
        let (client, server) = try await scriptedClient(
            services: [PingService(keepAliveInterval: .seconds(30), timeout: .seconds(5))], clock: clock)
        let events = client.events
        #expect(client.scheduledTasks == [PingService.keepAliveTaskName])
        func at(_ seconds: Int64) -> TestClock.Instant { TestClock.Instant(offset: .seconds(seconds)) }
        // The first ping is answered: the connection stays.
        await clock.waitForSleeper(until: at(30))
        clock.advance(by: .seconds(30))
        let first = try IQ(xml: try await server.nextSent())
        #expect(try first.payload(Ping.Ping.self) != nil)
        #expect(first.to?.description == nil)
        try await server.deliver("<iq type='result' id='\(first.id)' from='juliet@example.com'/>")
        // The second is not: after the timeout the client closes the connection, saying why.
        await clock.waitForSleeper(until: at(60))
        clock.advance(by: .seconds(30))
        _ = try await server.nextSent()
        await clock.waitForSleeper(until: at(65))
        clock.advance(by: .seconds(5))
        for await event in events {
            if case .disconnected(let reason) = event {
                #expect(reason?.contains("keep-alive") == true)
                break
            }
        }
        #expect(client.boundJID == nil)
    }

    @Test func entityTimeAnswersWithUTCAndTheOffset() async throws {
        let now = try XMLDateTime(xmlValue: "2026-11-21T08:30:00.250Z")
        let (_, server) = try await scriptedClient(services: [EntityTimeService(now: { (now, -330) })])
        try await server.deliver(
            "<iq type='get' id='t1' from='romeo@example.net/orchard'><time xmlns='urn:xmpp:time'/></iq>")
        let time = try #require(try IQ(xml: try await server.nextSent()).payload(EntityTime.Time.self))
        #expect(time.utc?.xmlValue == "2026-11-21T08:30:00.250Z")
        #expect(time.tzo == "-05:30")
    }
}
