import Logging
import NIOConcurrencyHelpers
public import XMPPBaseExtensions
public import XMPPCore
import XMPPExtensions

/// A copy of a message that another client of the account sent or received (XEP-0280 Message Carbons).
public struct CarbonCopy: Sendable, Hashable {
    /// Which way the original went.
    public enum Direction: Sendable, Hashable {
        /// Another client of the account received it: `from` is the sender, `to` that client.
        case received
        /// Another client of the account sent it: `from` is that client, `to` the recipient.
        case sent
    }

    /// Which way the original went.
    public var direction: Direction
    /// The original message, as it was sent or received.
    public var message: Message
    /// When, if the server stamped the copy (a forwarded `<delay/>`).
    public var timestamp: XMLDateTime?

    /// Creates a copy.
    public init(direction: Direction, message: Message, timestamp: XMLDateTime? = nil) {
        self.direction = direction
        self.message = message
        self.timestamp = timestamp
    }
}

/// A message that claimed to be a carbon copy but did not come from the account's own bare JID, and was refused:
/// anyone can wrap a forged message in `<received/>` (XEP-0280 §11), only the account's server copies.
public struct RefusedCarbonCopy: Sendable, Hashable {
    /// Who sent the claim (`nil` when it had no `from`).
    public var from: JID?

    /// Creates the report.
    public init(from: JID?) {
        self.from = from
    }
}

/// Message carbons (XEP-0280): the account's other clients' conversations, copied to this one, so that every client
/// of a user shows the whole conversation.
///
/// Enabled after each new session (a resumed stream keeps it enabled), when ``enablesOnConnect`` is set; a copy
/// arrives as a ``CarbonCopy`` event, and only from the account's own bare JID (or with no `from`, which is the
/// server on the account's behalf): a claimed copy from anyone else, another resource of the account included, is
/// refused (``RefusedCarbonCopy``, logged, dropped). ``isEnabled`` says whether the server agreed.
///
/// ```swift
/// let carbons = CarbonsService()
/// configuration.services = [carbons]
/// client.observe(CarbonCopy.self) { copy in print(copy.direction, copy.message.body ?? "") }
/// ```
///
/// A message that should stay on this client only is sent ``Message/withoutCarbons()``. Servers copy to the
/// account's *available* clients (ejabberd to no other): a client that wants copies sends presence
/// (``PresenceService``).
public final class CarbonsService: XMPPService {
    /// Whether carbons are asked for after each new session.
    public let enablesOnConnect: Bool
    private let enabled = NIOLockedValueBox(false)

    /// Creates the service.
    ///
    /// - Parameter enablesOnConnect: Enable carbons after each new session.
    public init(enablesOnConnect: Bool = true) {
        self.enablesOnConnect = enablesOnConnect
    }

    /// Whether the server agreed to send copies on the current session.
    public var isEnabled: Bool { enabled.withLockedValue { $0 } }

    /// Takes copies off the stream: checked, decoded and raised as events.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        endpoint.addInboundFilter { [weak endpoint] stanza in
            guard let endpoint, stanza.name == JabberClient.Message.qualifiedName, stanza["type"] != "error",
                let wrapper =
                    stanza.firstChild(named: Carbons.Received.qualifiedName)
                    ?? stanza.firstChild(named: Carbons.Sent.qualifiedName)
            else { return stanza }
            let from = stanza["from"].flatMap { try? JID(parsing: $0) }
            // Only the account's server copies, from the account's bare JID (or with no `from`: RFC 6120 §8.1.2.1).
            guard let own = endpoint.localJID?.bare, stanza["from"] == nil || from == own else {
                endpoint.core.logger.warning(
                    "refused a carbon copy that is not from the account",
                    metadata: ["from": "\(stanza["from"] ?? "none")"])
                endpoint.raise(RefusedCarbonCopy(from: from))
                return nil
            }
            do {
                let direction: CarbonCopy.Direction =
                    wrapper.name == Carbons.Received.qualifiedName ? .received : .sent
                let forwarded =
                    direction == .received
                    ? try Carbons.Received(xml: wrapper).forwarded : try Carbons.Sent(xml: wrapper).forwarded
                guard let message = forwarded.message else { throw CarbonsError.noMessage }
                endpoint.raise(CarbonCopy(direction: direction, message: message, timestamp: forwarded.delay?.stamp))
            } catch {
                endpoint.core.logger.warning(
                    "dropped a malformed carbon copy", metadata: ["error": "\(error)"])
            }
            return nil
        }
    }

    /// Enables carbons on each new session, when asked to.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        enabled.withLockedValue { $0 = false }
        guard enablesOnConnect else { return }
        if let client = endpoint as? XMPPClient,
            client.sasl2Outcome?.enabledInline.contains(SASL2.carbonsNamespace) == true
        {
            // Bind 2 enabled them with the login (XEP-0386 §3.2): no request needed.
            setEnabled(true)
            return
        }
        do {
            try await endpoint.enableCarbons()
        } catch {
            endpoint.core.logger.warning("enabling carbons failed", metadata: ["error": "\(error)"])
        }
    }

    fileprivate func setEnabled(_ value: Bool) {
        enabled.withLockedValue { $0 = value }
    }
}

private enum CarbonsError: Error, CustomStringConvertible {
    case noMessage

    var description: String { "the copy forwards no message" }
}

extension XMPPEndpoint {
    /// Asks the server to copy the account's other conversations to this client (XEP-0280 §4).
    ///
    /// - Throws: ``StanzaError`` when the server refuses (`feature-not-implemented` where it has no carbons), or
    ///   ``XMPPClientError``.
    public func enableCarbons() async throws {
        _ = try await request(.set(Carbons.Enable(), to: nil))
        service(CarbonsService.self)?.setEnabled(true)
    }

    /// Asks the server to stop copying (XEP-0280 §5).
    ///
    /// - Throws: ``StanzaError`` or ``XMPPClientError``.
    public func disableCarbons() async throws {
        _ = try await request(.set(Carbons.Disable(), to: nil))
        service(CarbonsService.self)?.setEnabled(false)
    }
}

extension Message {
    /// This message, marked to be kept off the account's other clients (XEP-0280 §7: `<private/>` with the
    /// XEP-0334 `<no-copy/>` hint).
    public func withoutCarbons() -> Message {
        var message = self
        if (try? message.payload(Carbons.Private.self)) == nil {
            message.payloads.append(Carbons.Private().xmlElement())
        }
        if (try? message.payload(ProcessingHints.NoCopy.self)) == nil {
            message.payloads.append(ProcessingHints.NoCopy().xmlElement())
        }
        return message
    }
}
