import NIOConcurrencyHelpers
import NIOCore
import XMPPCore
import XMPPStream

/// Registering and removing handlers, IQ responders and filters.
extension EndpointCore {
    // MARK: - Registration

    func token() -> Int {
        state.withLockedValue {
            $0.nextToken += 1
            return $0.nextToken
        }
    }

    func addHandler(_ matcher: StanzaMatcher, once: Bool, run: @escaping Run) -> HandlerToken {
        let token = token()
        state.withLockedValue { $0.handlers.append(Handler(token: token, matcher: matcher, once: once, run: run)) }
        return HandlerToken(value: token)
    }

    func addResponder(type: JabberClient.IQType, name: XMLName, respond: @escaping Respond) -> HandlerToken {
        let token = token()
        let replaced = state.withLockedValue {
            $0.responders.updateValue((token, respond), forKey: ResponderKey(type: type.xmlValue, name: name))
        }
        _ = replaced  // released outside the lock
        return HandlerToken(value: token)
    }

    func addFilter(inbound: Bool, _ filter: @escaping Filter) -> HandlerToken {
        let token = token()
        state.withLockedValue {
            if inbound { $0.inboundFilters.append((token, filter)) } else { $0.outboundFilters.append((token, filter)) }
        }
        return HandlerToken(value: token)
    }

    func remove(_ token: HandlerToken) {
        let value = token.value
        // What is removed is released after the lock: a closure may hold the last reference to a stream's
        // continuation, whose termination handler removes a registration in turn.
        let removed = state.withLockedValue { state -> [Any] in
            var removed: [Any] = []
            removed += state.handlers.filter { $0.token == value } as [Any]
            state.handlers.removeAll { $0.token == value }
            removed += state.inboundFilters.filter { $0.token == value }.map(\.filter) as [Any]
            state.inboundFilters.removeAll { $0.token == value }
            removed += state.outboundFilters.filter { $0.token == value }.map(\.filter) as [Any]
            state.outboundFilters.removeAll { $0.token == value }
            if let key = state.responders.first(where: { $0.value.token == value })?.key {
                removed.append(state.responders.removeValue(forKey: key) as Any)
            }
            for key in state.observers.keys {
                removed += (state.observers[key] ?? []).filter { $0.token == value } as [Any]
                state.observers[key]?.removeAll { $0.token == value }
            }
            return removed
        }
        _ = removed.count
    }
}
