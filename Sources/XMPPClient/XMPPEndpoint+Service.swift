public import ServiceLifecycle

/// A client runs in a `ServiceGroup`: `run()` connects and serves until the connection ends; on graceful
/// shutdown (a signal the group handles) it closes cleanly and returns.
///
/// ```swift
/// let group = ServiceGroup(services: [client], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
extension XMPPClient: Service {}

/// A component runs in a `ServiceGroup` as a client does.
extension XMPPComponent: Service {}
