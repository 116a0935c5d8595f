import NIOConcurrencyHelpers
import XMPPClient
import XMPPTesting

/// Juliet's client, connected to a scripted server.
func scriptedClient(
    services: [any XMPPService] = [],
    clock: (any Clock<Duration>)? = nil,
    streamFeatures: String? = nil,
    connect: Bool = true
) async throws -> (XMPPClient, ScriptedServer) {
    var configuration = XMPPClient.Configuration(jid: try JID(parsing: "juliet@example.com"), password: "secret")
    configuration.services = services
    if let clock { configuration.clock = clock }
    let client = try XMPPClient(configuration: configuration)
    let server = ScriptedServer()
    if connect {
        try await server.connect(
            client, as: try JID(parsing: "juliet@example.com/balcony"), streamFeatures: streamFeatures)
    }
    return (client, server)
}

/// Collects what handlers record, in order, for a test to await.
final class Recorder<Value: Sendable>: Sendable {
    private struct State {
        var values: [Value] = []
        var waiter: (count: Int, continuation: CheckedContinuation<[Value], Never>)?
    }

    private let state = NIOLockedValueBox(State())

    func record(_ value: Value) {
        let ready = state.withLockedValue { state -> (CheckedContinuation<[Value], Never>, [Value])? in
            state.values.append(value)
            guard let waiter = state.waiter, state.values.count >= waiter.count else { return nil }
            state.waiter = nil
            let taken = Array(state.values.prefix(waiter.count))
            state.values.removeFirst(waiter.count)
            return (waiter.continuation, taken)
        }
        if let (continuation, values) = ready { continuation.resume(returning: values) }
    }

    /// The next `count` values recorded, waiting for them (one reader at a time).
    func next(_ count: Int) async -> [Value] {
        await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { state -> [Value]? in
                if state.values.count >= count {
                    defer { state.values.removeFirst(count) }
                    return Array(state.values.prefix(count))
                }
                state.waiter = (count, continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}

extension XMLElement {
    /// Parses a stanza as written in a client stream.
    init(stanza: String) throws {
        try self.init(parsing: stanza, defaultNamespace: "jabber:client")
    }
}
