import NIOConcurrencyHelpers
import NIOCore
import XMPPCore
import XMPPStream

/// Events raised to observers, and work scheduled on the endpoint's clock.
extension EndpointCore {
    // MARK: - Events

    func raise<Event: Sendable>(_ event: Event) {
        let observers = state.withLockedValue { $0.observers[ObjectIdentifier(Event.self)] ?? [] }
        for observer in observers {
            observer.deliver(event)
        }
    }

    func observe<Event: Sendable>(_ type: Event.Type, _ body: @escaping @Sendable (Event) -> Void) -> HandlerToken {
        let token = token()
        let observer = Observer(token: token) { event in
            if let event = event as? Event { body(event) }
        }
        state.withLockedValue { $0.observers[ObjectIdentifier(Event.self), default: []].append(observer) }
        return HandlerToken(value: token)
    }

    func events<Event: Sendable>(of type: Event.Type) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        let token = observe(type) { continuation.yield($0) }
        let core = self
        continuation.onTermination = { _ in core.remove(token) }
        return stream
    }

    func next<Event: Sendable>(
        _ type: Event.Type,
        timeout: Duration,
        where predicate: @escaping @Sendable (Event) -> Bool
    ) async throws -> Event {
        let stream = events(of: type)
        let clock = self.clock
        return try await withThrowingTaskGroup(of: Event?.self) { group in
            group.addTask {
                for await event in stream where predicate(event) { return event }
                return nil
            }
            group.addTask {
                try await clock.sleep(for: timeout)
                throw XMPPClientError(.timeout, "no \(Event.self) event within \(timeout)")
            }
            defer { group.cancelAll() }
            guard let event = try await group.next() ?? nil else {
                throw CancellationError()
            }
            return event
        }
    }

    // MARK: - Scheduling

    func schedule(
        _ name: String,
        after delay: Duration,
        repeating: Bool,
        endpoint: Endpoint,
        work: @escaping @Sendable (Endpoint) async -> Void
    ) {
        let clock = self.clock
        let id = token()
        let core = self
        let task = Task { [weak endpoint] in
            repeat {
                do {
                    try await clock.sleep(for: delay)
                } catch {
                    return
                }
                guard let endpoint, !Task.isCancelled else { return }
                await work(endpoint)
            } while repeating && !Task.isCancelled
            core.state.withLockedValue { state in
                if state.scheduled[name]?.id == id { state.scheduled[name] = nil }
            }
        }
        let replaced = state.withLockedValue { state in
            defer { state.scheduled[name] = (id, task) }
            return state.scheduled[name]?.task
        }
        replaced?.cancel()
    }

    func cancelScheduled(_ name: String) {
        state.withLockedValue { $0.scheduled.removeValue(forKey: name) }?.task.cancel()
    }

    func cancelAllScheduled() {
        let tasks = state.withLockedValue { state in
            defer { state.scheduled = [:] }
            return state.scheduled.values.map(\.task)
        }
        for task in tasks { task.cancel() }
    }

    var scheduledNames: [String] {
        state.withLockedValue { $0.scheduled.keys.sorted() }
    }
}
