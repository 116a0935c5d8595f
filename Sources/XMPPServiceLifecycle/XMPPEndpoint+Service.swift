public import ServiceLifecycle
public import XMPPClient

// Kept out of XMPPClient so that an application without a ServiceGroup does not link swift-service-lifecycle and
// swift-async-algorithms (about 1.2 MB of code, all of it paged in at start).

/// A client runs in a `ServiceGroup`: `run()` connects and serves until the connection ends; on graceful shutdown
/// (a signal the group handles) it closes the stream cleanly and returns.
///
/// ```swift
/// import XMPPServiceLifecycle
///
/// let group = ServiceGroup(services: [client], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
extension XMPPClient: Service {
    /// ``XMPPClient/serve()``, with a graceful shutdown as its cancellation.
    ///
    /// - Throws: What `serve()` throws.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.serve() }
    }
}

/// A component runs in a `ServiceGroup` as a client does.
extension XMPPComponent: Service {
    /// ``XMPPComponent/serve()``, with a graceful shutdown as its cancellation.
    ///
    /// - Throws: What `serve()` throws.
    public func run() async throws {
        try await cancelWhenGracefulShutdown { try await self.serve() }
    }
}
