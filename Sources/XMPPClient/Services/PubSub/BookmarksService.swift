import Logging
import NIOConcurrencyHelpers
import XMPPBaseExtensions
public import XMPPCore
public import XMPPExtensions

/// The account's bookmarks changed: on this client or another (a PEP notification).
public struct BookmarksChanged: Sendable, Hashable {
    /// The bookmarks now, by room.
    public var bookmarks: [JID: Bookmarks.Conference]

    /// Creates the event.
    public init(bookmarks: [JID: Bookmarks.Conference]) {
        self.bookmarks = bookmarks
    }
}

/// Bookmarks (XEP-0402 1.2.0): the account's rooms, kept on its PEP node `urn:xmpp:bookmarks:1` (one item per room,
/// readable by the account only), shared by all its clients.
///
/// Read after each new session and followed through notifications (`+notify`); with ``autojoins`` and a
/// ``MUCService``, the rooms marked autojoin are joined after reading.
///
/// ```swift
/// let bookmarks = BookmarksService()
/// configuration.services = [DiscoService(), EntityCapabilitiesService(), MUCService(), bookmarks]
/// try await bookmarks.add(try JID(parsing: "garden@rooms.example.com"), name: "The garden", nick: "juliet")
/// ```
public final class BookmarksService: XMPPService {
    /// The node.
    public static let node = "urn:xmpp:bookmarks:1"
    /// The publish options every bookmark is published with (XEP-0402 §3.3): private, persistent, unlimited.
    static let options: [String: [String]] = [
        "pubsub#persist_items": ["true"], "pubsub#max_items": ["max"],
        "pubsub#send_last_published_item": ["never"], "pubsub#access_model": ["whitelist"],
    ]
    /// What is kept when a server refuses some of ``options`` (ejabberd 23.01 knows no `pubsub#max_items` there):
    /// never the privacy.
    static let essentialOptions: [String: [String]] = [
        "pubsub#persist_items": ["true"], "pubsub#access_model": ["whitelist"],
    ]

    /// Whether rooms marked autojoin are joined after the bookmarks are read (needs a ``MUCService``).
    public let autojoins: Bool
    private let state = NIOLockedValueBox((bookmarks: [JID: Bookmarks.Conference](), client: XMPPClient?.none))

    /// Creates the service.
    ///
    /// - Parameter autojoins: Join the autojoin rooms after each new session's read.
    public init(autojoins: Bool = false) {
        self.autojoins = autojoins
    }

    /// `urn:xmpp:bookmarks:1+notify`: the server sends changes.
    public var features: [String] { [Self.node + "+notify"] }

    /// The bookmarks, by room.
    public var bookmarks: [JID: Bookmarks.Conference] { state.withLockedValue { $0.bookmarks } }

    /// Follows the account's own notifications of the node. Only for clients.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        guard let client = endpoint as? XMPPClient else {
            throw XMPPClientError(.invalidConfiguration, "BookmarksService works on an XMPPClient only")
        }
        state.withLockedValue { $0.client = client }
        client.observe(PubSubNotification.self) { [weak self, weak client] notification in
            guard let self, let client, notification.node == Self.node,
                notification.service == client.boundJID?.bare
            else { return }
            let changed = self.state.withLockedValue { state -> [JID: Bookmarks.Conference]? in
                switch notification.change {
                case .published(let items):
                    for item in items {
                        guard let id = item.id, let room = try? JID(parsing: id),
                            let conference = try? item.payload(Bookmarks.Conference.self)
                        else { continue }
                        state.bookmarks[room] = conference
                    }
                case .retracted(let ids):
                    for id in ids { if let room = try? JID(parsing: id) { state.bookmarks[room] = nil } }
                case .purged, .deleted:
                    state.bookmarks = [:]
                }
                return state.bookmarks
            }
            if let changed { client.raise(BookmarksChanged(bookmarks: changed)) }
        }
    }

    /// Needs the pubsub notifications.
    public static var dependencies: [any XMPPService.Type] { [PubSubService.self] }

    /// Reads the bookmarks, and joins the autojoin rooms when asked to.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        do {
            let read = try await fetch()
            guard autojoins, let client = endpoint as? XMPPClient, client.service(MUCService.self) != nil else {
                return
            }
            for (room, conference) in read where conference.autojoin == true {
                let nick = conference.nick ?? client.boundJID?.localpart ?? "guest"
                Task { _ = try? await client.joinRoom(room, nick: nick, password: conference.password) }
            }
        } catch {
            endpoint.core.logger.info("no bookmarks", metadata: ["error": "\(error)"])
        }
    }

    /// Reads the bookmarks from the server.
    @discardableResult
    public func fetch() async throws -> [JID: Bookmarks.Conference] {
        let client = try connectedClient()
        var read: [JID: Bookmarks.Conference] = [:]
        do {
            for item in try await client.items(of: Self.node) {
                guard let id = item.id, let room = try? JID(parsing: id),
                    let conference = try? item.payload(Bookmarks.Conference.self)
                else { continue }
                read[room] = conference
            }
        } catch let error as StanzaError where error.condition == .itemNotFound {
            // No node yet: no bookmarks.
        }
        state.withLockedValue { $0.bookmarks = read }
        return read
    }

    /// Adds a bookmark, or replaces the room's.
    ///
    /// - Parameters:
    ///   - room: The room's bare JID.
    ///   - name: A name for people.
    ///   - nick: The nickname to join with.
    ///   - password: The room's password.
    ///   - autojoin: Whether clients join it on logging in.
    public func add(
        _ room: JID, name: String? = nil, nick: String? = nil, password: String? = nil, autojoin: Bool = false
    ) async throws {
        let conference = Bookmarks.Conference(autojoin: autojoin, name: name, nick: nick, password: password)
        let client = try connectedClient()
        do {
            try await client.publish(conference, to: Self.node, itemID: room.bare.description, options: Self.options)
        } catch let error as StanzaError where ![.forbidden, .notAuthorized, .notAllowed].contains(error.condition) {
            // A server that does not know every option: again with the essential ones only.
            client.core.logger.info(
                "bookmark publish options refused; publishing with the essential ones",
                metadata: ["error": "\(error)"])
            try await client.publish(
                conference, to: Self.node, itemID: room.bare.description, options: Self.essentialOptions)
        }
        state.withLockedValue { $0.bookmarks[room.bare] = conference }
    }

    /// Removes a room's bookmark.
    public func remove(_ room: JID) async throws {
        try await connectedClient().retract(room.bare.description, from: Self.node)
        _ = state.withLockedValue { $0.bookmarks.removeValue(forKey: room.bare) }
    }

    private func connectedClient() throws -> XMPPClient {
        guard let client = state.withLockedValue({ $0.client }), client.boundJID != nil else {
            throw XMPPClientError(.connectionClosed, "not connected")
        }
        return client
    }
}
