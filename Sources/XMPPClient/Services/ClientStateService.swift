import NIOConcurrencyHelpers
import XMPPCore
import XMPPExtensions

/// Client state indication (XEP-0352 1.0.0): tells the server when the user is not looking (an app in the
/// background, a locked screen), so that it may hold back what is not urgent (presence floods, chat states) and save
/// the device's radio and battery.
///
/// The state is sent only where the server offers `<csi/>` in its stream features, and again after a new session
/// (a resumed stream keeps it).
///
/// ```swift
/// let state = ClientStateService()
/// configuration.services = [state]
/// try await state.setActive(false)   // the app went to the background
/// ```
public final class ClientStateService: XMPPService {
    private let state = NIOLockedValueBox((active: true, client: XMPPClient?.none))

    /// Creates the service; the client starts active (the server's default).
    public init() {}

    /// Whether the client is active (the user is looking).
    public var isActive: Bool { state.withLockedValue { $0.active } }

    /// Whether the server of the current stream offers client state indication.
    public var isOffered: Bool {
        guard let client = state.withLockedValue({ $0.client }) else { return false }
        return client.streamFeatures?.firstChild(named: CSI.Csi.qualifiedName) != nil
    }

    /// Keeps the client. Only for clients.
    public func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
        guard let client = endpoint as? XMPPClient else {
            throw XMPPClientError(.invalidConfiguration, "ClientStateService works on an XMPPClient only")
        }
        state.withLockedValue { $0.client = client }
    }

    /// After a new session, which starts active, says again that the client is inactive, if it is.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {
        guard !isActive, isOffered else { return }
        try? await endpoint.send(CSI.Inactive())
    }

    /// Says whether the user is looking: sent at once when connected and the server offers it, kept otherwise (and
    /// sent after the next login).
    ///
    /// - Parameter active: `true` in the foreground, `false` in the background.
    /// - Throws: An error of sending.
    public func setActive(_ active: Bool) async throws {
        let (changed, client) = state.withLockedValue { state -> (Bool, XMPPClient?) in
            defer { state.active = active }
            return (state.active != active, state.client)
        }
        guard changed, let client, client.boundJID != nil, isOffered else { return }
        if active { try await client.send(CSI.Active()) } else { try await client.send(CSI.Inactive()) }
    }
}
