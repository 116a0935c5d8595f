import FoundationEssentials
public import NIOCore
import NIOHTTP1
import NIOPosix
public import XMPPTLS
import XMPPXML

/// The alternative connection methods a domain publishes in its host-meta (XEP-0156 1.4.0, RFC 6415): WebSocket and
/// BOSH endpoints, fetched over HTTPS only and kept only when they use TLS themselves (`wss://`, `https://`).
public struct HostMeta: Sendable, Hashable {
    /// The link relation of a WebSocket endpoint (RFC 7395).
    public static let webSocketRelation = "urn:xmpp:alt-connections:websocket"
    /// The link relation of a BOSH endpoint (XEP-0206).
    public static let boshRelation = "urn:xmpp:alt-connections:xbosh"
    /// The XRD namespace.
    public static let xrdNamespace = "http://docs.oasis-open.org/ns/xri/xrd-1.0"

    /// The `wss://` endpoints, in document order (which XEP-0156 §3 says carries no preference).
    public var webSocketURLs: [WebSocketURL]
    /// The `https://` BOSH endpoints, in document order.
    public var boshURLs: [String]

    /// Creates a value from its endpoints.
    public init(webSocketURLs: [WebSocketURL] = [], boshURLs: [String] = []) {
        self.webSocketURLs = webSocketURLs
        self.boshURLs = boshURLs
    }

    /// Reads an XRD document (`/.well-known/host-meta`), with the parser's limits (no DTD, no entities).
    ///
    /// - Throws: ``XMPPClientError/Code/badInput`` when it is not XML or not an XRD.
    public init(xrd bytes: some Collection<UInt8>) throws(XMPPClientError) {
        let root: XMLElement
        do {
            let events = try XMLStreamParser(configuration: .document).parse(bytes)
            guard let element = events.lazy.compactMap({ if case .element(let e) = $0 { e } else { nil } }).first
            else { throw XMPPClientError(.badInput, "the host-meta document has no root element") }
            root = element
        } catch let error as XMPPClientError {
            throw error
        } catch {
            throw XMPPClientError(.badInput, "the host-meta document is not well-formed: \(error)")
        }
        guard root.name == XMLName(namespace: Self.xrdNamespace, localName: "XRD") else {
            throw XMPPClientError(.badInput, "the host-meta document's root is \(root.name), not an XRD")
        }
        self.init(
            links: root.elements.filter { $0.name == XMLName(namespace: Self.xrdNamespace, localName: "Link") }
                .map { ($0["rel"], $0["href"]) })
    }

    /// Reads a JRD document (`/.well-known/host-meta.json`).
    ///
    /// - Throws: ``XMPPClientError/Code/badInput`` when it is not such JSON.
    public init(jrd bytes: [UInt8]) throws(XMPPClientError) {
        struct Document: Decodable {
            struct Link: Decodable {
                var rel: String?
                var href: String?
            }
            var links: [Link]?
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch {
            throw XMPPClientError(.badInput, "the host-meta.json document is not a JRD: \(error)")
        }
        self.init(links: (document.links ?? []).map { ($0.rel, $0.href) })
    }

    private init(links: [(rel: String?, href: String?)]) {
        var webSocket: [WebSocketURL] = []
        var bosh: [String] = []
        for link in links {
            guard let href = link.href else { continue }
            switch link.rel {
            case Self.webSocketRelation:
                // XEP-0156 §3: only endpoints protected by TLS.
                if let url = WebSocketURL(href), url.isSecure { webSocket.append(url) }
            case Self.boshRelation:
                if href.lowercased().hasPrefix("https://") { bosh.append(href) }
            default:
                break
            }
        }
        self.init(webSocketURLs: webSocket, boshURLs: bosh)
    }

    /// Fetches a domain's host-meta over HTTPS: the XRD document, else the JRD one.
    ///
    /// - Parameters:
    ///   - domain: The XMPP domain; the certificate must be valid for it.
    ///   - port: The HTTPS port; 443 unless the domain serves it elsewhere.
    ///   - trustRoots: What may sign the certificate.
    ///   - group: The event loops; the shared singleton group by default.
    ///   - timeout: For each request.
    /// - Throws: ``XMPPClientError``: `.tlsFailed`, `.connectFailed` (also for an HTTP error), `.badInput`.
    public static func lookUp(
        domain: String,
        port: Int = 443,
        trustRoots: TLSConfiguration.TrustRoots = .systemDefault,
        group: (any EventLoopGroup)? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> HostMeta {
        let tls = TLSConfiguration(domain: domain, trustRoots: trustRoots, applicationProtocols: ["http/1.1"])
        let group = group ?? MultiThreadedEventLoopGroup.singleton
        let xrdError: any Error
        do {
            let body = try await HTTPSGet.fetch(
                host: domain, port: port, path: "/.well-known/host-meta", tls: tls, group: group, timeout: timeout)
            return try HostMeta(xrd: body)
        } catch let error as XMPPClientError where error.code == .tlsFailed {
            throw error
        } catch {
            xrdError = error
        }
        do {
            let body = try await HTTPSGet.fetch(
                host: domain, port: port, path: "/.well-known/host-meta.json", tls: tls, group: group, timeout: timeout)
            return try HostMeta(jrd: body)
        } catch {
            throw XMPPClientError(
                .connectFailed, "no host-meta for \(domain): XRD: \(xrdError); JRD: \(error)")
        }
    }
}

/// One HTTPS GET over ``TLSClientHandler``: the body of a 200 answer, at most 64 KiB; redirects are not followed.
enum HTTPSGet {
    static let maximumBody = 64 * 1024

    static func fetch(
        host: String, port: Int, path: String, tls: TLSConfiguration, group: any EventLoopGroup, timeout: TimeAmount
    ) async throws -> [UInt8] {
        let loop = group.any()
        let promise = loop.makePromise(of: [UInt8].self)
        let bootstrap = ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let operations = channel.pipeline.syncOperations
                    try operations.addHandler(TLSClientHandler(configuration: tls))
                    try operations.addHTTPClientHandlers()
                    try operations.addHandler(Getter(host: host, port: port, path: path, promise: promise))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: host, port: port).get()
        } catch {
            promise.fail(error)
            throw XMPPClientError(.connectFailed, "cannot connect to \(host):\(port): \(error)")
        }
        let timer = loop.scheduleTask(in: timeout) {
            promise.fail(XMPPClientError(.timeout, "https://\(host):\(port)\(path) took too long"))
        }
        defer {
            timer.cancel()
            channel.close(promise: nil)
        }
        return try await promise.futureResult.get()
    }

    final class Getter: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        typealias OutboundOut = HTTPClientRequestPart

        let host: String
        let port: Int
        let path: String
        let promise: EventLoopPromise<[UInt8]>
        private var status: HTTPResponseStatus?
        private var body: [UInt8] = []

        init(host: String, port: Int, path: String, promise: EventLoopPromise<[UInt8]>) {
            (self.host, self.port, self.path, self.promise) = (host, port, path, promise)
        }

        func channelActive(context: ChannelHandlerContext) {
            var headers = HTTPHeaders()
            headers.add(name: "Host", value: port == 443 ? host : "\(host):\(port)")
            headers.add(name: "Accept", value: path.hasSuffix(".json") ? "application/json" : "application/xrd+xml")
            headers.add(name: "Connection", value: "close")
            context.write(
                wrapOutboundOut(.head(HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers))),
                promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let head):
                status = head.status
            case .body(let buffer):
                guard body.count + buffer.readableBytes <= HTTPSGet.maximumBody else {
                    promise.fail(XMPPClientError(.badInput, "https://\(host):\(port)\(path) is over 64 KiB"))
                    context.close(promise: nil)
                    return
                }
                body += buffer.readableBytesView
            case .end:
                if status == .ok {
                    promise.succeed(body)
                } else {
                    promise.fail(
                        XMPPClientError(
                            .connectFailed,
                            "https://\(host):\(port)\(path) answered \(status.map { "\($0.code)" } ?? "nothing")"))
                }
                context.close(promise: nil)
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            if let tls = error as? TLSError {
                promise.fail(XMPPClientError(.tlsFailed, "\(tls)", condition: tls.code.rawValue))
            } else {
                promise.fail(XMPPClientError(.connectFailed, "https://\(host):\(port)\(path): \(error)"))
            }
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            promise.fail(XMPPClientError(.connectFailed, "https://\(host):\(port)\(path) closed before answering"))
            context.fireChannelInactive()
        }
    }
}
