// echo-bot --jid JID --password-env VAR [--host H] [--port P] [--ca-file F]
// Runs the EchoBot until SIGINT or SIGTERM, then closes its stream cleanly.

import EchoBot
import Logging
import ServiceLifecycle
import XMPPClient
import XMPPServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}

guard let jidText = option("--jid"), let jid = try? JID(parsing: jidText), let variable = option("--password-env"),
    let password = getenv(variable).map({ String(cString: $0) })
else {
    print("usage: echo-bot --jid JID --password-env VAR [--host H] [--port P] [--ca-file F]")
    exit(64)
}
var configuration = XMPPClient.Configuration(jid: jid, password: password)
configuration.host = option("--host")
configuration.port = option("--port").flatMap(Int.init)
if let caFile = option("--ca-file") { configuration.trust = .caFile(caFile) }

let logger = Logger(label: "echo-bot")
do {
    let bot = try EchoBot.makeClient(configuration)
    let group = ServiceGroup(services: [bot], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    try await group.run()
} catch {
    print("echo-bot: \(error)")
    exit(1)
}
