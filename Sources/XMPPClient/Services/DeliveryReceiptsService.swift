import NIOConcurrencyHelpers
import XMPPBaseExtensions
public import XMPPCore
import XMPPExtensions

/// A receipt for a message we sent arrived (XEP-0184): the recipient's client has it.
public struct DeliveryReceipt: Sendable, Hashable {
    /// The id of the message it confirms.
    public var id: String
    /// Who confirmed it.
    public var from: JID

    /// Creates a receipt.
    public init(id: String, from: JID) {
        self.id = id
        self.from = from
    }
}

/// Message delivery receipts (XEP-0184): end-to-end confirmation that a message reached the recipient's client,
/// which stream management's acknowledgements (one hop: client to server) cannot give.
///
/// Outbound chat and normal messages that have a body and an id get a receipt request and are tracked until their
/// receipt arrives (``DeliveryReceipt`` is raised as an event then); ``unconfirmed`` is what is still waiting, for an
/// application to send again after a server lost them (a server that crashed after acknowledging, say). Receipts
/// count only from the bare JID the message was sent to. Inbound requests are answered.
///
/// ```swift
/// let receipts = DeliveryReceiptsService()
/// configuration.services = [receipts]
/// client.observe(DeliveryReceipt.self) { receipt in print("delivered:", receipt.id) }
/// ```
public final class DeliveryReceiptsService: XMPPService {
    private struct State {
        var pending: [String: (sequence: Int, message: XMLElement, to: JID)] = [:]
        var sequence = 0
        var forgotten = 0
    }

    /// Whether outbound messages get a receipt request.
    public let requestsReceipts: Bool
    /// Whether inbound requests are answered.
    public let answersRequests: Bool
    /// How many unconfirmed messages are kept at most; past it, the oldest is forgotten (and counted in
    /// ``forgottenCount``).
    public let maximumTracked: Int
    private let state = NIOLockedValueBox(State())

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - requestsReceipts: Ask for receipts on outbound messages.
    ///   - answersRequests: Answer requests for receipts (and announce the feature).
    ///   - maximumTracked: How many unconfirmed messages to keep at most.
    public init(requestsReceipts: Bool = true, answersRequests: Bool = true, maximumTracked: Int = 10_000) {
        self.requestsReceipts = requestsReceipts
        self.answersRequests = answersRequests
        self.maximumTracked = max(1, maximumTracked)
    }

    /// `urn:xmpp:receipts` when requests are answered.
    public var features: [String] { answersRequests ? [Receipts.namespace] : [] }

    /// The messages sent with a receipt request whose receipt has not arrived, oldest first.
    public var unconfirmed: [Message] {
        let elements = state.withLockedValue { state in
            state.pending.values.sorted { $0.sequence < $1.sequence }.map(\.message)
        }
        return elements.compactMap { try? Message(xml: $0) }
    }

    /// How many unconfirmed messages were forgotten because ``maximumTracked`` were waiting.
    public var forgottenCount: Int { state.withLockedValue { $0.forgotten } }

    /// Stops waiting for a message's receipt.
    ///
    /// - Parameter id: The message's id.
    public func forget(_ id: String) {
        state.withLockedValue { _ = $0.pending.removeValue(forKey: id) }
    }

    /// Adds the outbound filter (requests), and the handlers for receipts and requests.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        if requestsReceipts {
            endpoint.addOutboundFilter { [weak self] stanza in
                self?.requesting(stanza) ?? stanza
            }
        }
        endpoint.on(.message() && .payload(Receipts.Received.self)) { [weak self] stanza, endpoint in
            guard let self, let message = try? Message(xml: stanza), message.type != .error,
                let received = try message.payload(Receipts.Received.self), let from = message.from
            else { return }
            if self.confirm(received.id, from: from) {
                endpoint.raise(DeliveryReceipt(id: received.id, from: from))
            }
        }
        guard answersRequests else { return }
        endpoint.on(.message() && .payload(Receipts.Request.self)) { stanza, endpoint in
            let message = try Message(xml: stanza)
            // §5.4: not for errors or group chat, and only a message with an id can be confirmed.
            guard message.type != .error, message.type != .groupchat, let id = message.id, !id.isEmpty,
                let from = message.from
            else { return }
            try await endpoint.send(Message(to: from, payloads: [Receipts.Received(id: id).xmlElement()]))
        }
    }

    /// Adds a request to a message that should have one, and tracks it.
    private func requesting(_ stanza: XMLElement) -> XMLElement {
        guard stanza.name == JabberClient.Message.qualifiedName, let id = stanza["id"], !id.isEmpty,
            let to = stanza["to"].flatMap({ try? JID(parsing: $0) }),
            stanza.firstChild("body", namespace: JabberClient.namespace) != nil,
            stanza.firstChild(named: Receipts.Received.qualifiedName) == nil
        else { return stanza }
        let type = stanza["type"] ?? "normal"
        guard type == "chat" || type == "normal" else { return stanza }
        var element = stanza
        if element.firstChild(named: Receipts.Request.qualifiedName) == nil {
            element.append(Receipts.Request().xmlElement())
        }
        let tracked = element
        state.withLockedValue { state in
            if state.pending[id] == nil, state.pending.count >= maximumTracked,
                let oldest = state.pending.min(by: { $0.value.sequence < $1.value.sequence })?.key
            {
                state.pending.removeValue(forKey: oldest)
                state.forgotten += 1
            }
            state.sequence += 1
            state.pending[id] = (state.pending[id]?.sequence ?? state.sequence, tracked, to)
        }
        return element
    }

    /// Marks a message delivered when the receipt comes from the JID it was sent to.
    private func confirm(_ id: String, from: JID) -> Bool {
        state.withLockedValue { state in
            guard let entry = state.pending[id], entry.to.bare == from.bare else { return false }
            state.pending.removeValue(forKey: id)
            return true
        }
    }
}
