import Foundation
import Testing
import XMPPStream
import XMPPTesting

/// Real SRV lookups through glibc's resolver, pointed at a private dnsmasq on 127.0.0.1 that serves a few `.test`
/// zones. Runs when dnsmasq is installed (Debian `dnsmasq-base`, which `scripts/test` installs); with
/// `XMPP_LIVE_TESTS=require` its absence is a failure.
@Suite(
    "SRV lookups against dnsmasq", .enabled(if: DNSMasq.executable != nil || LiveServer.required),
    .timeLimit(.minutes(1)))
struct SRVResolverLiveTests {
    /// The records served: `_xmpps-client` and `_xmpp-client` for example.test; direct TLS declined (target `.`)
    /// for plain.test; the whole service declined for closed.test; nothing for any other `.test` name (NXDOMAIN).
    static let records = [
        "_xmpps-client._tcp.example.test,xmpp1.example.test,5223,5,0",
        "_xmpp-client._tcp.example.test,xmpp1.example.test,5222,10,60",
        "_xmpp-client._tcp.example.test,xmpp2.example.test,5222,10,40",
        "_xmpps-client._tcp.plain.test",
        "_xmpp-client._tcp.plain.test,xmpp.plain.test,5222,0,0",
        "_xmpp-client._tcp.closed.test",
    ]

    @Test func recordsComeBackAsServed() async throws {
        let server = try await DNSMasq(srvHosts: Self.records)
        defer { server.stop() }
        let records = try server.resolver.records(named: "_xmpp-client._tcp.example.test")
        #expect(
            Set(records) == [
                SRVRecord(priority: 10, weight: 60, port: 5222, target: "xmpp1.example.test"),
                SRVRecord(priority: 10, weight: 40, port: 5222, target: "xmpp2.example.test"),
            ])
        #expect(try server.resolver.records(named: "_xmpp-client._tcp.nothing.test").isEmpty)
    }

    @Test func bothServicesMixedByPriority() async throws {
        let server = try await DNSMasq(srvHosts: Self.records)
        defer { server.stop() }
        let targets = try server.resolver.clientTargets(for: "example.test")
        #expect(targets.first?.description == "xmpp1.example.test:5223 (direct TLS)")
        #expect(
            Set(targets.dropFirst().map(\.description)) == [
                "xmpp1.example.test:5222 (STARTTLS)", "xmpp2.example.test:5222 (STARTTLS)",
            ])
        #expect(targets.count == 3)
    }

    @Test func declinedAndMissingServices() async throws {
        let server = try await DNSMasq(srvHosts: Self.records)
        defer { server.stop() }
        #expect(
            try server.resolver.clientTargets(for: "plain.test").map(\.description) == [
                "xmpp.plain.test:5222 (STARTTLS)"
            ])
        #expect(try server.resolver.clientTargets(for: "nothing.test").isEmpty)
        do {
            let targets = try server.resolver.clientTargets(for: "closed.test")
            Issue.record("closed.test declines the service, yet gave \(targets)")
        } catch {
            #expect(error.code == .serviceNotAvailable)
        }
    }
}

/// A dnsmasq serving only the given SRV records (and NXDOMAIN for the rest of `.test`), on 127.0.0.1 at a free port,
/// in the foreground; stopped by PID.
///
/// Started with `posix_spawn`, not Foundation's `Process`: dnsmasq closes the descriptors it inherits at start-up,
/// which Foundation takes for the child's exit and answers with a blocking `waitpid` on its one monitoring thread,
/// stalling every other `Process` of the test run until dnsmasq ends. The child gets an empty signal mask (the test
/// process blocks SIGTERM in its threads, and a spawned child would inherit that).
final class DNSMasq: @unchecked Sendable {
    // @unchecked Sendable: every property is set once in init; the PID is only signalled and waited for.
    static var executable: String? {
        ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    let pid: pid_t
    let port: UInt16
    private let log: URL

    /// A resolver that asks this server.
    var resolver: SRVResolver { SRVResolver(nameserver: .init(address: "127.0.0.1", port: port)) }

    /// Starts the server and waits (at most 10 s) until it has bound its port.
    ///
    /// - Parameter srvHosts: `--srv-host` values: `_service._tcp.domain[,target,port,priority,weight]`.
    init(srvHosts: [String]) async throws {
        let executable = try #require(Self.executable, "dnsmasq is not installed (Debian package dnsmasq-base)")
        port = try Self.freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("dnsmasq-\(UUID().uuidString).log")
        let arguments =
            [
                executable, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--port=\(port)", "--log-facility=-",
                "--local=/test/",
            ] + (getuid() == 0 ? ["--user=nobody", "--group=nogroup"] : []) + srvHosts.map { "--srv-host=\($0)" }
        pid = try Self.spawn(arguments, output: log.path)
        let deadline = ContinuousClock.now + .seconds(10)
        while !logText.contains("started, version"), isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard logText.contains("started, version"), isRunning else {
            let text = logText
            stop()
            throw DNSMasqFailed(log: text)
        }
    }

    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    private var isRunning: Bool { kill(pid, 0) == 0 }

    /// Stops the server and reaps it.
    func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        try? FileManager.default.removeItem(at: log)
    }

    /// Runs `arguments` (the executable first) with stdin from /dev/null and stdout and stderr to `output`.
    private static func spawn(_ arguments: [String], output: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var terminate = sigset_t()
        sigemptyset(&terminate)
        sigaddset(&terminate, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &terminate)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else { throw DNSMasqFailed(log: "posix_spawn failed: \(String(cString: strerror(result)))") }
        return pid
    }

    /// A UDP port on 127.0.0.1 that the kernel says is free now.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw DNSMasqFailed(log: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw DNSMasqFailed(log: "bind() failed") }
        return UInt16(bigEndian: address.sin_port)
    }
}

struct DNSMasqFailed: Error, CustomStringConvertible {
    var log: String
    var description: String { "dnsmasq did not start: \(log)" }
}
