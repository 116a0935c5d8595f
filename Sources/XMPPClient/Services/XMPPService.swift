public import XMPPBaseExtensions
import XMPPCore
import XMPPStream

/// An extension's behaviour on an endpoint: the handlers and IQ responders it registers, the disco identities and
/// features it adds, and the other services it needs.
///
/// Services are given to the configuration as instances. The endpoint orders them so that each comes after the
/// services it depends on, attaches them in that order when it is created, and calls ``endpointDidConnect(_:)`` in
/// that order after each connection is established. A missing dependency or a cycle is refused when the endpoint
/// is created.
///
/// ```swift
/// final class Greeter: XMPPService {
///     static var dependencies: [any XMPPService.Type] { [DiscoService.self] }
///     var features: [String] { ["urn:example:greeting"] }
///     func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws {
///         endpoint.onMessage(.message(.chat)) { message, endpoint in ... }
///     }
/// }
/// ```
public protocol XMPPService: AnyObject, Sendable {
    /// The services that must be configured too, and start before this one.
    static var dependencies: [any XMPPService.Type] { get }
    /// The disco features this service adds (XEP-0030).
    var features: [String] { get }
    /// The disco identities this service adds.
    var identities: [DiscoInfo.Identity] { get }

    /// Registers the service's handlers, responders and filters. Called once, when the endpoint is created.
    ///
    /// - Parameter endpoint: The endpoint.
    /// - Throws: When the service cannot work on this endpoint.
    func attach<Endpoint: XMPPEndpoint>(to endpoint: Endpoint) throws

    /// Called after each connection is established, in dependency order (a roster fetch, initial presence).
    ///
    /// - Parameter endpoint: The endpoint.
    func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async
}

extension XMPPService {
    /// None.
    public static var dependencies: [any XMPPService.Type] { [] }
    /// None.
    public var features: [String] { [] }
    /// None.
    public var identities: [DiscoInfo.Identity] { [] }
    /// Does nothing.
    public func endpointDidConnect<Endpoint: XMPPEndpoint>(_ endpoint: Endpoint) async {}
}

/// Orders services so that each comes after its dependencies.
enum ServiceOrder {
    /// The services in an order that respects their dependencies, otherwise in the order given.
    ///
    /// - Throws: ``XMPPClientError`` (`invalidConfiguration`) for a missing dependency, a cycle, or a service type
    ///   configured twice.
    static func resolve(_ services: [any XMPPService]) throws(XMPPClientError) -> [any XMPPService] {
        let ids = services.map { ObjectIdentifier(type(of: $0)) }
        var index: [ObjectIdentifier: Int] = [:]
        for (position, id) in ids.enumerated() {
            guard index.updateValue(position, forKey: id) == nil else {
                throw XMPPClientError(
                    .invalidConfiguration, "\(type(of: services[position])) is configured twice")
            }
        }
        var dependencies: [[Int]] = []
        for service in services {
            var edges: [Int] = []
            for dependency in type(of: service).dependencies {
                guard let position = index[ObjectIdentifier(dependency)] else {
                    throw XMPPClientError(
                        .invalidConfiguration,
                        "\(type(of: service)) needs \(dependency), which is not configured")
                }
                edges.append(position)
            }
            dependencies.append(edges)
        }
        // Depth-first, visiting in configuration order: white 0, grey 1, black 2.
        var mark = [Int](repeating: 0, count: services.count)
        var order: [any XMPPService] = []
        var path: [Int] = []
        func visit(_ node: Int) throws(XMPPClientError) {
            if mark[node] == 2 { return }
            if mark[node] == 1 {
                let cycle = path[(path.firstIndex(of: node) ?? 0)...].map { "\(type(of: services[$0]))" }
                throw XMPPClientError(
                    .invalidConfiguration,
                    "services depend on each other in a cycle: \((cycle + ["\(type(of: services[node]))"]).joined(separator: " → "))"
                )
            }
            mark[node] = 1
            path.append(node)
            for dependency in dependencies[node] { try visit(dependency) }
            path.removeLast()
            mark[node] = 2
            order.append(services[node])
        }
        for node in services.indices { try visit(node) }
        return order
    }
}
