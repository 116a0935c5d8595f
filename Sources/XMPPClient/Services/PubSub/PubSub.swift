import Logging
import NIOConcurrencyHelpers
public import XMPPBaseExtensions
public import XMPPCore
public import XMPPExtensions

/// An item of a publish-subscribe node (XEP-0060): its id, who published it, and its payload.
public struct PubSubItem: Sendable, Hashable {
    /// The item's id.
    public var id: String?
    /// Who published it, when the service says.
    public var publisher: JID?
    /// The payload element.
    public var payload: XMLElement?

    /// Creates an item.
    public init(id: String?, publisher: JID? = nil, payload: XMLElement?) {
        self.id = id
        self.publisher = publisher
        self.payload = payload
    }

    /// The payload, decoded as a generated type; `nil` when it is of another type.
    public func payload<Payload: XMLElementCodable>(_ type: Payload.Type) throws -> Payload? {
        guard let payload, payload.name == Payload.qualifiedName else { return nil }
        return try Payload(xml: payload)
    }
}

/// A node's news: items published or retracted, or the node purged or deleted (XEP-0060 §7.1.2, §8.4, §8.5);
/// from a pubsub service or, for the personal eventing of a contact (PEP, XEP-0163), from their bare JID.
public struct PubSubNotification: Sendable, Hashable {
    /// What happened to the node.
    public enum Change: Sendable, Hashable {
        /// Items were published (or, for a last published item on subscribing, sent).
        case published([PubSubItem])
        /// Items were retracted, by id.
        case retracted([String])
        /// Every item was removed.
        case purged
        /// The node is gone.
        case deleted
    }

    /// The service, or the contact whose PEP node it is.
    public var service: JID
    /// The node.
    public var node: String
    /// What happened.
    public var change: Change
    /// When, for a notification the service held back (`<delay/>`).
    public var timestamp: XMLDateTime?

    /// Creates a notification.
    public init(service: JID, node: String, change: Change, timestamp: XMLDateTime? = nil) {
        self.service = service
        self.node = node
        self.change = change
        self.timestamp = timestamp
    }

    /// The published items' payloads of a generated type.
    public func payloads<Payload: XMLElementCodable>(_ type: Payload.Type) -> [Payload] {
        guard case .published(let items) = change else { return [] }
        return items.compactMap { try? $0.payload(type) }
    }
}

/// Publish-subscribe notifications (XEP-0060 1.30.0) and personal eventing (XEP-0163 1.2.2): notifications arrive
/// as ``PubSubNotification`` events; ``interests`` are announced as `node+notify` features (through entity
/// capabilities, the server then sends the contacts' PEP items of those nodes).
///
/// The requests themselves (publish, retract, items, subscribe, node configuration) are on every endpoint:
/// ``XMPPEndpoint/publish(_:to:itemID:on:options:)`` and the rest.
///
/// ```swift
/// configuration.services = [DiscoService(), EntityCapabilitiesService(), PubSubService(interests: ["urn:xmpp:avatar:metadata"])]
/// client.observe(PubSubNotification.self) { news in print(news.service, news.node, news.change) }
/// ```
public final class PubSubService: XMPPService {
    /// The nodes whose PEP notifications this client wants.
    public let interests: [String]

    /// Creates the service.
    ///
    /// - Parameter interests: The PEP nodes to ask notifications for (`+notify`).
    public init(interests: [String] = []) {
        self.interests = interests
    }

    /// The `+notify` features of the interests.
    public var features: [String] { interests.map { $0 + "+notify" } }

    /// Raises notifications from messages with a pubsub `<event/>`.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        endpoint.on(.message() && .payload(PubSubEvent.Event.self)) { stanza, endpoint in
            let message = try Message(xml: stanza)
            // A service is a bare JID or a domain; a full JID's "notification" is nobody's node.
            guard message.type != .error, let from = message.from ?? endpoint.localJID?.bare, from.resourcepart == nil,
                let event = try message.payload(PubSubEvent.Event.self)
            else { return }
            let stamp = try message.payload(Delay.Delay.self)?.stamp
            let notification: PubSubNotification
            switch event.choice {
            case .items(let items):
                let change: PubSubNotification.Change =
                    items.items.isEmpty && !items.retracts.isEmpty
                    ? .retracted(items.retracts.map(\.id))
                    : .published(
                        items.items.map { PubSubItem(id: $0.id, publisher: $0.publisher, payload: $0.payloads.first) })
                notification = PubSubNotification(service: from, node: items.node, change: change, timestamp: stamp)
            case .purge(let purge):
                notification = PubSubNotification(service: from, node: purge.node, change: .purged, timestamp: stamp)
            case .delete(let delete):
                notification = PubSubNotification(service: from, node: delete.node, change: .deleted, timestamp: stamp)
            default:
                return
            }
            endpoint.raise(notification)
        }
    }
}

extension XMPPEndpoint {
    /// Publishes an item to a node (XEP-0060 §7.1), creating the node where the service does so (PEP does).
    ///
    /// - Parameters:
    ///   - payload: The item's payload.
    ///   - node: The node.
    ///   - itemID: The item's id; the service gives one when `nil`.
    ///   - service: The pubsub service; the account's own PEP service when `nil`.
    ///   - options: Publish options (XEP-0060 §7.1.5), such as `["pubsub#access_model": ["whitelist"]]`: the node
    ///     must have them (or get them, when created), or the publish fails with `conflict`.
    /// - Returns: The item's id, as the service says (or as given).
    @discardableResult
    public func publish(
        _ payload: some XMLElementCodable, to node: String, itemID: String? = nil, on service: JID? = nil,
        options: [String: [String]] = [:]
    ) async throws -> String? {
        let item = PubSub.Item(id: itemID, payloads: [payload.xmlElement()])
        let publishOptions =
            options.isEmpty ? nil : PubSub.PublishOptions(x: Self.form("publish-options", options))
        let request = PubSub.Pubsub(
            publish: PubSub.Publish(node: node, items: [item]), publishOptions: publishOptions)
        let result = try await self.request(.set(request, to: service))
        return (try result.payload(PubSub.Pubsub.self))?.publish?.items.first?.id ?? itemID
    }

    /// Retracts an item (XEP-0060 §7.2).
    public func retract(_ itemID: String, from node: String, on service: JID? = nil, notify: Bool = true) async throws {
        let retract = PubSub.Retract(node: node, notify: notify ? true : nil, items: [PubSub.Item(id: itemID)])
        _ = try await request(.set(PubSub.Pubsub(retract: retract), to: service))
    }

    /// A node's items (XEP-0060 §6.5): all, the ones with these ids, or the last `maximum`.
    ///
    /// - Parameters:
    ///   - node: The node.
    ///   - service: The pubsub service, or a contact's bare JID for their PEP; the account's own when `nil`.
    ///   - ids: Only these items.
    ///   - maximum: Only the last so many.
    public func items(
        of node: String, on service: JID? = nil, ids: [String] = [], maximum: Int? = nil
    ) async throws -> [PubSubItem] {
        let items = PubSub.Items(
            node: node, maxItems: maximum.map { UInt(max(1, $0)) }, items: ids.map { PubSub.Item(id: $0) })
        let answer = try await query(PubSub.Pubsub(items: items), to: service, expecting: PubSub.Pubsub.self)
        return (answer.items?.items ?? []).map {
            PubSubItem(id: $0.id, publisher: $0.publisher, payload: $0.payloads.first)
        }
    }

    /// Subscribes the account's bare JID to a node (XEP-0060 §6.1).
    ///
    /// - Returns: The subscription, as the service gives it (`subscribed`, or `pending` for approval).
    @discardableResult
    public func subscribe(to node: String, on service: JID) async throws -> PubSub.Subscription? {
        guard let jid = localJID?.bare else { throw XMPPClientError(.connectionClosed, "not connected") }
        let answer = try await request(
            .set(PubSub.Pubsub(subscribe: PubSub.Subscribe(node: node, jid: jid)), to: service))
        return try answer.payload(PubSub.Pubsub.self)?.subscription
    }

    /// Ends the account's subscription to a node (XEP-0060 §6.2).
    public func unsubscribe(from node: String, on service: JID) async throws {
        guard let jid = localJID?.bare else { throw XMPPClientError(.connectionClosed, "not connected") }
        _ = try await request(.set(PubSub.Pubsub(unsubscribe: PubSub.Unsubscribe(node: node, jid: jid)), to: service))
    }

    /// Creates a node (XEP-0060 §8.1), with configuration values if any.
    public func createNode(_ node: String, on service: JID? = nil, configuration: [String: [String]] = [:]) async throws
    {
        let configure = configuration.isEmpty ? [] : [PubSub.Configure(x: Self.form("node_config", configuration))]
        _ = try await request(
            .set(PubSub.Pubsub(create: PubSub.Create(node: node), configures: configure), to: service))
    }

    /// Deletes a node (XEP-0060 §8.4): its subscribers are told.
    public func deleteNode(_ node: String, on service: JID? = nil) async throws {
        _ = try await request(.set(PubSubOwner.Pubsub(choice: .delete(PubSubOwner.Delete(node: node))), to: service))
    }

    /// A node's configuration form (XEP-0060 §8.2), for its owner.
    public func nodeConfiguration(_ node: String, on service: JID? = nil) async throws -> DataForms.X {
        let answer = try await query(
            PubSubOwner.Pubsub(choice: .configure(PubSubOwner.Configure(node: node))), to: service,
            expecting: PubSubOwner.Pubsub.self)
        guard case .configure(let configure) = answer.choice, let form = configure.x else {
            throw XMLDecodingError(
                path: [PubSubOwner.Pubsub.qualifiedName], expected: "a configuration form", found: "none")
        }
        return form
    }

    /// A submitted form of `http://jabber.org/protocol/pubsub#KIND`.
    static func form(_ kind: String, _ values: [String: [String]]) -> DataForms.X {
        var fields = [
            DataForms.Field(var: "FORM_TYPE", type: .hidden, values: ["http://jabber.org/protocol/pubsub#\(kind)"])
        ]
        for (name, value) in values.sorted(by: { $0.key < $1.key }) {
            fields.append(DataForms.Field(var: name, values: value))
        }
        return DataForms.X(type: .submit, fields: fields)
    }
}
