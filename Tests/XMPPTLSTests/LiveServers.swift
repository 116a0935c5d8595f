import Foundation
import Testing

/// The private XMPP servers that `scripts/test` starts (`scripts/prosody`, `scripts/ejabberd`), as described by
/// the environment those scripts export (`scripts/prosody env`).
///
/// Run alone (plain `swift test`), the live tests find no servers and are skipped. With
/// `XMPP_LIVE_TESTS=require`, as `scripts/test` sets it, a missing server is a failure.
struct LiveServer: CustomTestStringConvertible, Sendable {
    /// `prosody` or `ejabberd`: the prefix of the environment keys (`XMPP_PROSODY_...`).
    var name: String
    var host: String
    var domain: String
    var directTLSPort: Int
    var caFile: String

    var testDescription: String { name }

    static let names = ["prosody", "ejabberd"]

    /// Whether the run demands the live servers.
    static var required: Bool {
        ProcessInfo.processInfo.environment["XMPP_LIVE_TESTS"] == "require"
    }

    /// The server described by the environment, or `nil` when it is not there.
    static func named(_ name: String) -> LiveServer? {
        let environment = ProcessInfo.processInfo.environment
        let prefix = "XMPP_\(name.uppercased())_"
        guard let host = environment[prefix + "HOST"], let domain = environment[prefix + "DOMAIN"],
            let port = environment[prefix + "DIRECT_TLS_PORT"].flatMap(Int.init),
            let caFile = environment[prefix + "CA_FILE"]
        else {
            return nil
        }
        return LiveServer(name: name, host: host, domain: domain, directTLSPort: port, caFile: caFile)
    }

    /// Whether live tests run at all: some server is described, or the run requires them.
    static var enabled: Bool {
        required || names.contains { named($0) != nil }
    }
}
