import Logging
import NIOConcurrencyHelpers
import XMPPBaseExtensions
import XMPPCore
import XMPPExtensions

/// What the archive held that this client had not seen, read after a new session (``ArchiveCatchUpService``).
public struct ArchiveCatchUp: Sendable, Hashable {
    /// The messages, oldest first: received and sent (by the account's other clients) while this one was away.
    public var messages: [ArchivedMessage]
    /// Whether the archive was read to its end (`false` when ``ArchiveCatchUpService/maximumMessages`` stopped it).
    public var isComplete: Bool

    /// Creates the event.
    public init(messages: [ArchivedMessage], isComplete: Bool) {
        self.messages = messages
        self.isComplete = isComplete
    }
}

/// Catching up from the account's archive (XEP-0313) after a new session: stream management resumes a stream
/// without loss, but when resumption fails (the server restarted, the session expired) what arrived meanwhile is
/// only in the archive. This service notes the archive id (XEP-0359 `<stanza-id by='account'/>`) of every message it
/// sees, and after each new session reads the archive from the last one, raising ``ArchiveCatchUp``.
///
/// Persist ``lastSeen`` to catch up across restarts of the application too.
///
/// ```swift
/// let catchUp = ArchiveCatchUpService(lastSeen: storedID)
/// configuration.services = [catchUp]
/// client.observe(ArchiveCatchUp.self) { caughtUp in for entry in caughtUp.messages { show(entry.message) } }
/// ```
public final class ArchiveCatchUpService: XMPPService {
    private struct State {
        var lastSeen: String?
        /// Archive ids seen live on this session: a catch-up skips them.
        var seenLive: Set<String> = []
    }

    /// The most messages read in one catch-up.
    public let maximumMessages: Int
    private let state: NIOLockedValueBox<State>

    /// Creates the service.
    ///
    /// - Parameters:
    ///   - lastSeen: The archive id of the last message seen, from an earlier run; `nil` catches up from the first
    ///     message seen on.
    ///   - maximumMessages: The most messages read in one catch-up (pages of 100).
    public init(lastSeen: String? = nil, maximumMessages: Int = 1000) {
        self.maximumMessages = max(1, maximumMessages)
        self.state = NIOLockedValueBox(State(lastSeen: lastSeen))
    }

    /// The archive id of the last message seen (live or caught up), to persist.
    public var lastSeen: String? { state.withLockedValue { $0.lastSeen } }

    /// Notes the archive ids of inbound messages (without taking them off the stream).
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        endpoint.addInboundFilter { [weak self, weak endpoint] stanza in
            guard let self, let own = endpoint?.localJID?.bare, stanza.name == JabberClient.Message.qualifiedName,
                stanza["type"] != "groupchat", stanza["type"] != "error"
            else { return stanza }
            for child in stanza.children(named: StanzaID.StanzaId.qualifiedName) {
                guard child["by"].flatMap({ try? JID(parsing: $0) }) == own, let id = child["id"] else { continue }
                self.state.withLockedValue { state in
                    state.lastSeen = id
                    state.seenLive.insert(id)
                }
                break
            }
            return stanza
        }
    }

    /// After a new session, reads the archive from the last message seen.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        guard
            let after = state.withLockedValue({ state -> String? in
                state.seenLive = []
                return state.lastSeen
            })
        else { return }
        var messages: [ArchivedMessage] = []
        var lastRead: String?
        var complete = true
        do {
            for try await entry in endpoint.archivedMessages(matching: ArchiveQuery(after: after, pageSize: 100)) {
                if messages.count == maximumMessages {
                    complete = false
                    break
                }
                lastRead = entry.id
                if !state.withLockedValue({ $0.seenLive.contains(entry.id) }) { messages.append(entry) }
            }
        } catch {
            endpoint.core.logger.warning("catching up from the archive failed", metadata: ["error": "\(error)"])
            complete = false
        }
        // A message seen live meanwhile is newer than what was read: its id stays the mark, unless the read stopped
        // short (then the next catch-up goes on from where this one stopped: a message twice rather than none).
        state.withLockedValue { state in
            if !complete || state.seenLive.isEmpty, let lastRead { state.lastSeen = lastRead }
        }
        endpoint.raise(ArchiveCatchUp(messages: messages, isComplete: complete))
    }
}
