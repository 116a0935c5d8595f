import Foundation
import Testing

/// The private XMPP servers that `scripts/test` starts, as described by the environment those scripts export.
/// Run alone, the live tests find no servers and are skipped; with `XMPP_LIVE_TESTS=require` a missing server is
/// a failure.
struct LiveServer: CustomTestStringConvertible, Sendable {
    var name: String
    var host: String
    var domain: String
    var startTLSPort: Int
    var directTLSPort: Int
    var caFile: String
    var password: String

    var testDescription: String { name }

    static let names = ["prosody", "ejabberd"]

    static var required: Bool { ProcessInfo.processInfo.environment["XMPP_LIVE_TESTS"] == "require" }

    static func named(_ name: String) -> LiveServer? {
        let environment = ProcessInfo.processInfo.environment
        let prefix = "XMPP_\(name.uppercased())_"
        guard let host = environment[prefix + "HOST"], let domain = environment[prefix + "DOMAIN"],
            let startTLS = environment[prefix + "STARTTLS_PORT"].flatMap(Int.init),
            let directTLS = environment[prefix + "DIRECT_TLS_PORT"].flatMap(Int.init),
            let caFile = environment[prefix + "CA_FILE"], let password = environment[prefix + "PASSWORD"]
        else { return nil }
        return LiveServer(
            name: name, host: host, domain: domain, startTLSPort: startTLS, directTLSPort: directTLS, caFile: caFile,
            password: password)
    }

    static var enabled: Bool { required || names.contains { named($0) != nil } }

    /// The server, or a recorded failure when the run requires it and it is missing.
    static func require(_ name: String) throws -> LiveServer {
        guard let server = named(name) else {
            throw LiveServerMissing(name: name)
        }
        return server
    }
}

struct LiveServerMissing: Error, CustomStringConvertible {
    var name: String
    var description: String { "no \(name) described by the environment (run scripts/test)" }
}
