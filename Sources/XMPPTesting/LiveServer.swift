import Foundation
public import XMPPStream

/// A private XMPP server that `scripts/test` starts (`scripts/prosody`, `scripts/ejabberd`), as described by the
/// environment those scripts export (`scripts/prosody env`).
///
/// Run alone (plain `swift test`), live tests find no servers and should skip (``enabled``); with
/// `XMPP_LIVE_TESTS=require`, as `scripts/test` sets it, a missing server is a failure (``require(_:)``).
public struct LiveServer: Sendable, CustomStringConvertible {
    /// `prosody` or `ejabberd`: the prefix of the environment keys (`XMPP_PROSODY_...`).
    public var name: String
    /// The address to connect to (127.0.0.1).
    public var host: String
    /// The XMPP domain the server serves.
    public var domain: String
    /// The port for STARTTLS.
    public var startTLSPort: Int
    /// The port for direct TLS (XEP-0368).
    public var directTLSPort: Int
    /// A port whose listener offers no STARTTLS at all (ejabberd's, `XMPP_EJABBERD_PLAINTEXT_PORT`), or `nil` when
    /// the server has none.
    public var plaintextPort: Int?
    /// The PEM file of the CA that signed the server's certificate.
    public var caFile: String
    /// The password of every test account.
    public var password: String
    /// The XEP-0114 component port, domain and secret, when the server has a component configured.
    public var component: (port: Int, domain: String, secret: String)?
    /// The domain of the server's multi-user chat service (XEP-0045), when it has one.
    public var mucDomain: String?
    /// Whether the server offers SASL2 with Bind 2 and FAST (`XMPP_PROSODY_SASL2=1`: Prosody with the
    /// prosody-modules that `scripts/prosody` loads when they work).
    public var offersSASL2 = false
    /// The server's WebSocket endpoint over TLS (RFC 7395), `wss://localhost:…/xmpp-websocket`, when it has one.
    public var webSocketURL: WebSocketURL?
    /// The server's BOSH connection manager over TLS (XEP-0206), `https://localhost:…/http-bind`, when it has one.
    public var boshURL: BOSHURL?

    /// The server's name.
    public var description: String { name }

    /// The servers the scripts can start.
    public static let names = ["prosody", "ejabberd"]

    /// Whether the run demands the live servers (`XMPP_LIVE_TESTS=require`).
    public static var required: Bool {
        ProcessInfo.processInfo.environment["XMPP_LIVE_TESTS"] == "require"
    }

    /// The server described by the environment, or `nil` when it is not there.
    ///
    /// - Parameter name: `prosody` or `ejabberd`.
    public static func named(_ name: String) -> LiveServer? {
        described(name, by: ProcessInfo.processInfo.environment)
    }

    /// The server that a set of `server.env` keys describes, or `nil` when they do not.
    ///
    /// - Parameters:
    ///   - name: `prosody` or `ejabberd`.
    ///   - environment: the keys and values (`XMPP_PROSODY_HOST` ...).
    public static func described(_ name: String, by environment: [String: String]) -> LiveServer? {
        let prefix = "XMPP_\(name.uppercased())_"
        guard let host = environment[prefix + "HOST"], let domain = environment[prefix + "DOMAIN"],
            let startTLS = environment[prefix + "STARTTLS_PORT"].flatMap(Int.init),
            let directTLS = environment[prefix + "DIRECT_TLS_PORT"].flatMap(Int.init),
            let caFile = environment[prefix + "CA_FILE"], let password = environment[prefix + "PASSWORD"]
        else { return nil }
        var component: (Int, String, String)?
        if let port = environment[prefix + "COMPONENT_PORT"].flatMap(Int.init),
            let componentDomain = environment[prefix + "COMPONENT_DOMAIN"],
            let secret = environment[prefix + "COMPONENT_SECRET"]
        {
            component = (port, componentDomain, secret)
        }
        var server = LiveServer(
            name: name, host: host, domain: domain, startTLSPort: startTLS, directTLSPort: directTLS,
            plaintextPort: environment[prefix + "PLAINTEXT_PORT"].flatMap(Int.init), caFile: caFile,
            password: password, component: component, mucDomain: environment[prefix + "MUC_DOMAIN"])
        server.offersSASL2 = environment[prefix + "SASL2"] == "1"
        server.webSocketURL = environment[prefix + "SECURE_WEBSOCKET_URL"].flatMap(WebSocketURL.init)
        server.boshURL = environment[prefix + "SECURE_BOSH_URL"].flatMap(BOSHURL.init)
        return server
    }

    /// Whether live tests run at all: some server is described, or the run requires them.
    public static var enabled: Bool {
        required || names.contains { named($0) != nil }
    }

    /// The server described by the environment.
    ///
    /// - Parameter name: `prosody` or `ejabberd`.
    /// - Throws: ``Missing`` when the environment does not describe it.
    public static func require(_ name: String) throws -> LiveServer {
        guard let server = named(name) else { throw Missing(name: name) }
        return server
    }

    /// A live server the environment does not describe.
    public struct Missing: Error, CustomStringConvertible {
        /// The server's name.
        public var name: String
        /// What to do about it.
        public var description: String { "no \(name) described by the environment (run scripts/test)" }
    }
}
