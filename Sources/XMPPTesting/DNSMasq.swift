import Foundation
public import XMPPStream

/// A private dnsmasq serving only the given SRV records (and NXDOMAIN for the rest of its local domains, `.test` by
/// default), on 127.0.0.1 at a free port,
/// in the foreground; stopped by PID.
///
/// Started with `posix_spawn`, not Foundation's `Process`: dnsmasq closes the descriptors it inherits at start-up,
/// which Foundation takes for the child's exit and answers with a blocking `waitpid` on its one monitoring thread,
/// stalling every other `Process` of the test run until dnsmasq ends. The child gets an empty signal mask (the test
/// process blocks SIGTERM in its threads, and a spawned child would inherit that).
public final class DNSMasq: @unchecked Sendable {
    // @unchecked Sendable: every property is set once in init; the PID is only signalled and waited for.
    /// The dnsmasq executable, when installed.
    public static var executable: String? {
        ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private let pid: pid_t
    /// The UDP port it listens on, on 127.0.0.1.
    public let port: UInt16
    private let log: URL

    /// A resolver that asks this server.
    public var resolver: SRVResolver { SRVResolver(nameserver: .init(address: "127.0.0.1", port: port)) }

    /// Starts the server and waits (at most 10 s) until it has bound its port.
    ///
    /// - Parameters:
    ///   - srvHosts: `--srv-host` values: `_service._tcp.domain[,target,port,priority,weight]`.
    ///   - localDomains: The domains it answers for alone (NXDOMAIN for names it does not serve).
    /// - Throws: ``DNSMasqFailed`` when it is not installed or does not start.
    public init(srvHosts: [String], localDomains: [String] = ["test"]) async throws {
        guard let executable = Self.executable else {
            throw DNSMasqFailed(log: "dnsmasq is not installed (Debian package dnsmasq-base)")
        }
        port = try Self.freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("dnsmasq-\(UUID().uuidString).log")
        let arguments =
            [
                executable, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--pid-file",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--port=\(port)", "--log-facility=-",
            ] + localDomains.map { "--local=/\($0)/" } + (getuid() == 0 ? ["--user=nobody", "--group=nogroup"] : [])
            + srvHosts.map { "--srv-host=\($0)" }
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

    /// What it logged.
    public var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    private var isRunning: Bool { kill(pid, 0) == 0 }

    /// Stops the server and reaps it.
    public func stop() {
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
    public static func freePort() throws -> UInt16 {
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

/// dnsmasq did not start.
public struct DNSMasqFailed: Error, CustomStringConvertible {
    /// What it logged, or why it could not be run.
    public var log: String
    /// A readable form.
    public var description: String { "dnsmasq did not start: \(log)" }
}
