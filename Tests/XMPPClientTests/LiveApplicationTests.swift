import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import Testing
import XMPPClient
import XMPPServiceLifecycle
import XMPPTesting

/// The application API against the private Prosody and ejabberd: roster versioning, subscriptions, presence of
/// several resources, components, the simple API and running in a ServiceGroup.
@Suite("Application API against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveApplicationTests {
    func client(
        _ server: LiveServer,
        _ account: String,
        resource: String? = nil,
        services: [any XMPPService]
    ) throws -> XMPPClient {
        var configuration = try server.clientConfiguration(account: account, resource: resource)
        configuration.services = services
        configuration.logger.logLevel = .warning
        return try XMPPClient(configuration: configuration)
    }

    @Test(arguments: LiveServer.names)
    func rosterVersioningAcrossTwoLogins(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let store = InMemoryRosterStore()
        let contact = try JID(parsing: "versioned-contact@\(server.domain)")

        // First login: the whole roster, then a contact added (its push carries a new version).
        let first = try client(server, "user1", services: [RosterService(store: store)])
        let loads = first.events(of: RosterEvent.self)
        try await first.connect()
        #expect(first.streamFeatures?.firstChild(named: RosterVersioning.Ver.qualifiedName) != nil)
        for await event in loads {
            #expect(event == .loaded(version: first.roster.version, full: true))
            break
        }
        let updates = first.events(of: RosterEvent.self)
        try await first.roster.set(Roster.Item(jid: contact, name: "Versioned", groups: ["Tests"]))
        for await event in updates {
            if case .updated(let item) = event, item.jid == contact { break }
        }
        let version = try #require(first.roster.version)
        #expect(first.roster.item(for: contact)?.name == "Versioned")
        await first.close()

        // Second login with the same store: the client sends the version, the server confirms it is current, and
        // the roster comes from the store.
        let second = try client(server, "user1", services: [RosterService(store: store)])
        let secondLoads = second.events(of: RosterEvent.self)
        try await second.connect()
        for await event in secondLoads {
            if case .loaded(let loadedVersion, let full) = event {
                #expect(!full, "the server sent the whole roster again instead of confirming version \(version)")
                #expect(loadedVersion == version)
                break
            }
        }
        #expect(second.roster.item(for: contact)?.name == "Versioned")
        #expect(second.roster.item(for: contact)?.groups == ["Tests"])
        try await second.roster.remove(contact)
        await second.close()
    }

    @Test(arguments: LiveServer.names)
    func aFullSubscriptionHandshakeBetweenTwoClients(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let juliet = try client(
            server, "user2",
            services: [RosterService(), PresenceService(availability: .available, policy: .approveAll)])
        let romeo = try client(
            server, "user3", services: [RosterService(), PresenceService(availability: .away("in the orchard"))])
        try await juliet.connect()
        try await romeo.connect()
        let julietBare = try #require(juliet.boundJID?.bare)
        let romeoBare = try #require(romeo.boundJID?.bare)

        // Juliet asks; Romeo's application approves (his policy is to ask it).
        let requests = romeo.events(of: SubscriptionRequest.self)
        let julietRoster = juliet.events(of: RosterEvent.self)
        let julietSees = juliet.events(of: PresenceChanged.self)
        try await juliet.subscribe(to: romeoBare)
        for await request in requests {
            #expect(request.from == julietBare)
            try await romeo.approveSubscription(from: request.from)
            break
        }
        for await event in julietRoster {
            if case .updated(let item) = event, item.jid == romeoBare, item.subscription == .to { break }
        }
        // With the subscription, the server sends Romeo's current presence to Juliet.
        for await change in julietSees where change.from.bare == romeoBare && change.presence != nil {
            #expect(change.presence?.show == .away)
            break
        }
        #expect(juliet.presence.mostAvailable(of: romeoBare)?.statuses.first?.value == "in the orchard")

        // Romeo asks back; Juliet's policy approves at once.
        let romeoRoster = romeo.events(of: RosterEvent.self)
        try await romeo.subscribe(to: julietBare)
        for await event in romeoRoster {
            if case .updated(let item) = event, item.jid == julietBare, item.subscription == .both { break }
        }
        #expect(romeo.roster.item(for: julietBare)?.subscription == .both)

        try await juliet.roster.remove(romeoBare)
        await juliet.close()
        await romeo.close()
    }

    @Test(arguments: LiveServer.names)
    func presenceOfSeveralResources(_ name: String) async throws {
        let server = try LiveServer.require(name)
        // The server broadcasts each resource's presence to the account's other available resources.
        let watcher = try client(
            server, "user4", resource: "watcher",
            services: [PresenceService(availability: Availability(priority: -1))])
        let account = try JID(parsing: "user4@\(server.domain)")
        let changes = watcher.events(of: PresenceChanged.self)
        try await watcher.connect()
        let phone = try client(
            server, "user4", resource: "phone",
            services: [PresenceService(availability: Availability(show: .away, priority: 1))])
        let desk = try client(
            server, "user4", resource: "desk",
            services: [PresenceService(availability: Availability(show: .chat, status: "at my desk", priority: 5))])
        try await phone.connect()
        try await desk.connect()
        var online: Set<String> = []
        for await change in changes where change.presence != nil {
            online.insert(change.from.resourcepart ?? "")
            if online.isSuperset(of: ["phone", "desk"]) { break }
        }
        #expect(watcher.presence.mostAvailable(of: account)?.from?.resourcepart == "desk")

        let offline = watcher.events(of: PresenceChanged.self)
        await desk.close()
        for await change in offline where change.from.resourcepart == "desk" {
            #expect(change.presence == nil)
            break
        }
        #expect(watcher.presence.mostAvailable(of: account)?.from?.resourcepart == "phone")
        await phone.close()
        await watcher.close()
    }

    @Test(arguments: LiveServer.names)
    func aComponentHandshakesAndReceivesMessagesRoutedToIt(_ name: String) async throws {
        let server = try LiveServer.require(name)
        var configuration = try #require(try server.componentConfiguration())
        configuration.logger.logLevel = .warning
        let component = try XMPPComponent(configuration: configuration)
        component.onMessage(.message(.chat)) { message, component in
            var reply = message.reply(body: "component heard: \(message.body ?? "")")
            reply.from = message.to
            try await component.send(reply)
        }
        try await component.connect()
        #expect(component.localJID?.description == configuration.domain.description)

        let user = try client(server, "user5", services: [DiscoService(), PingService()])
        let replies = user.stanzas(matching: .message(.chat))
        try await user.connect()
        try await user.send(Presence())
        let bot = try JID(parsing: "bot@\(configuration.domain)")
        try await user.send(Message.chat(to: bot, body: "hello component"))
        for await stanza in replies {
            let message = try Message(xml: stanza)
            #expect(message.from == bot)
            #expect(message.body == "component heard: hello component")
            break
        }
        // The component answers disco itself (its default services), through the server.
        let info = try await user.discoInfo(of: try JID(parsing: configuration.domain.description))
        #expect(info.identities.contains { $0.category == "component" })
        await user.close()
        await component.close()

        // A wrong secret is refused with the reason, and the secret is not in it.
        var wrong = configuration
        wrong.secret = "not-the-secret"
        do {
            try await XMPPComponent(configuration: wrong).connect()
            Issue.record("a wrong component secret was accepted")
        } catch let error as XMPPClientError {
            #expect(error.code == .authenticationFailed || error.code == .connectionClosed)
            #expect(!error.description.contains("not-the-secret"))
        }
    }

    @Test func theSimpleAPISendsOneMessageAndReturnsWhenTheServerHasIt() async throws {
        let server = try LiveServer.require("prosody")
        let receiver = try client(server, "user6", services: [])
        let inbox = receiver.stanzas(matching: .message())
        try await receiver.connect()
        try await receiver.send(Presence())
        let to = try #require(receiver.boundJID)
        try await XMPPClient.sendMessage(
            "Backup done ☕", to: to, as: try JID(parsing: "user7@\(server.domain)"), password: server.password
        ) {
            $0.host = server.host
            $0.port = server.startTLSPort
            $0.trust = .caFile(server.caFile)
            $0.logger.logLevel = .warning
        }
        for await stanza in inbox {
            #expect(try Message(xml: stanza).body == "Backup done ☕")
            break
        }
        await receiver.close()
    }

    @Test func aServiceGroupRunsTheClientAndShutsItDownGracefully() async throws {
        let server = try LiveServer.require("prosody")
        let client = try client(server, "user7", services: [PingService()])
        let events = client.events
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: client)], logger: client.configuration.logger))
        var ending: ConnectionEvent?
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = events.makeAsyncIterator()
            while let event = await iterator.next() {
                if case .bound = event { break }
            }
            try await client.ping(nil, timeout: .seconds(10))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            while let event = await iterator.next() {
                if case .disconnected = event {
                    ending = event
                    break
                }
            }
        }
        #expect(client.boundJID == nil)
        #expect(ending == .disconnected(reason: nil), "a graceful shutdown is a close the application asked for")
    }

    @Test func aGracefulShutdownWhileConnectingEndsTheServiceWithoutAnError() async throws {
        let server = try LiveServer.require("ejabberd")
        let client = try client(server, "user7", resource: "early", services: [])
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: client)], logger: client.configuration.logger))
        let seen = NIOLockedValueBox<[ConnectionEvent]>([])
        client.observe(ConnectionEvent.self) { event in
            seen.withLockedValue { $0.append(event) }
            // The TCP connection is up; TLS, SASL and bind are still to come.
            if case .connected = event { Task { await group.triggerGracefulShutdown() } }
        }
        try await group.run()
        let events = seen.withLockedValue { $0 }
        #expect(events.first.map { if case .connected = $0 { true } else { false } } == true)
        #expect(events.last == .disconnected(reason: nil))
        #expect(client.boundJID == nil)
    }

    @Test func cancellingServeClosesTheStreamCleanly() async throws {
        let server = try LiveServer.require("ejabberd")
        let client = try client(server, "user7", resource: "served", services: [PingService()])
        let events = client.events
        let serving = Task { try await client.serve() }
        var iterator = events.makeAsyncIterator()
        while let event = await iterator.next() {
            if case .bound = event { break }
        }
        try await client.ping(nil, timeout: .seconds(10))
        serving.cancel()
        try await serving.value
        var ending: ConnectionEvent?
        while let event = await iterator.next() {
            if case .disconnected = event {
                ending = event
                break
            }
        }
        #expect(ending == .disconnected(reason: nil))
        #expect(client.boundJID == nil)
    }
}

extension LiveApplicationTests {
    struct BodyFailed: Error {}

    @Test func aScopedConnectionClosesCleanlyAlsoWhenItsBodyThrows() async throws {
        let server = try LiveServer.require("ejabberd")
        let watcher = try client(server, "user8", resource: "watcher", services: [PresenceService()])
        let changes = watcher.events(of: PresenceChanged.self)
        try await watcher.connect()
        let scoped = try client(server, "user8", resource: "scoped", services: [PresenceService()])
        do {
            try await scoped.withConnection { scoped in
                #expect(scoped.boundJID?.resourcepart == "scoped")
                throw BodyFailed()
            }
            Issue.record("the body's error was not rethrown")
        } catch is BodyFailed {}
        #expect(scoped.boundJID == nil)
        // The other resource saw it come and go.
        var seen: [Bool] = []
        for await change in changes where change.from.resourcepart == "scoped" {
            seen.append(change.presence != nil)
            if change.presence == nil { break }
        }
        #expect(seen == [true, false])
        await watcher.close()
    }
}
