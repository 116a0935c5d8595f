import Foundation
import NIOConcurrencyHelpers

/// A second private Prosody or ejabberd that a test may kill with SIGKILL and start again (`scripts/killable`):
/// its own directory, ports and data, so that killing it leaves the shared servers of the other suites alone.
///
/// ``start(_:)`` begins with empty data (fresh accounts); ``kill()`` crashes the process (nothing flushed or closed
/// cleanly: the kernel closes its sockets); ``restart()`` starts it again on the data it had, as a supervisor
/// restarting a crashed server would. Always ``stop()`` it at the end (`scripts/test` stops it too, as a safety net).
public final class KillableServer: Sendable {
    /// The instance as a live server (its ports and CA file), valid across kills and restarts.
    public let server: LiveServer
    /// How many times it was killed.
    public var kills: Int { state.withLockedValue { $0 } }

    private let script: String
    private let state = NIOLockedValueBox(0)

    private init(server: LiveServer, script: String) {
        self.server = server
        self.script = script
    }

    /// Starts the second instance of a server with empty data.
    ///
    /// - Parameter name: `prosody` or `ejabberd`.
    /// - Throws: ``ScriptFailed`` when the script fails, ``LiveServer/Missing`` when its `env` describes no server.
    public static func start(_ name: String) async throws -> KillableServer {
        let script = scriptsDirectory + "/killable"
        try await run(script, [name, "start"], fresh: true)
        let env = try await run(script, [name, "env"], fresh: false)
        var keys: [String: String] = [:]
        for line in env.split(separator: "\n") where !line.hasPrefix("#") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let value = line[line.index(after: equals)...]
            keys[String(line[..<equals])] = String(value.trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        guard let server = LiveServer.described(name, by: keys) else { throw LiveServer.Missing(name: name) }
        return KillableServer(server: server, script: script)
    }

    /// Kills the server process with SIGKILL and waits until it is gone.
    public func kill() async throws {
        try await Self.run(script, [server.name, "kill"], fresh: false)
        state.withLockedValue { $0 += 1 }
    }

    /// Starts the server again on the data it had (accounts, archives, offline messages).
    public func restart() async throws {
        try await Self.run(script, [server.name, "start"], fresh: false)
    }

    /// Stops the server (cleanly). Failures are printed, not thrown: this is the end of a test.
    public func stop() async {
        do { try await Self.run(script, [server.name, "stop"], fresh: false) } catch { print("\(error)") }
    }

    /// A script that exited with a failure.
    public struct ScriptFailed: Error, CustomStringConvertible {
        /// The command line.
        public var command: String
        /// Its exit status.
        public var status: Int32
        /// What it printed on standard error (its last lines).
        public var output: String
        /// The command, its status and its output.
        public var description: String { "\(command) exited with \(status): \(output)" }
    }

    /// `scripts/` of this checkout.
    static var scriptsDirectory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts").path
    }

    /// Runs a script to its end; returns its standard output.
    ///
    /// Spawned with `posix_spawn` and an empty signal mask, all signals at their defaults: `Foundation.Process`
    /// starts the child with the mask of the thread that spawns it (a Dispatch worker blocks nearly every signal),
    /// and a server started that way would inherit it and ignore `SIGTERM`. Output goes to files, not pipes: the
    /// server the script leaves running must not hold a pipe we wait on.
    @discardableResult
    static func run(_ script: String, _ arguments: [String], fresh: Bool) async throws -> String {
        var variables = ProcessInfo.processInfo.environment
        variables["XMPP_FRESH"] = fresh ? "1" : "0"
        let environment = variables
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("killable-\(UUID().uuidString)").path
        let (outputPath, errorPath) = (base + ".out", base + ".err")
        defer {
            try? FileManager.default.removeItem(atPath: outputPath)
            try? FileManager.default.removeItem(atPath: errorPath)
        }
        let command = ([script] + arguments).joined(separator: " ")
        let status = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<Int32, any Error>) in
            DispatchQueue.global().async {
                do {
                    let pid = try spawn(
                        [script] + arguments, environment: environment, output: outputPath, errors: errorPath)
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) == -1 {
                        guard errno == EINTR else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
                    }
                    // WIFEXITED / WEXITSTATUS, which Swift does not import
                    continuation.resume(returning: status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        guard status == 0 else {
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw ScriptFailed(
                command: command, status: status,
                output: errors.split(separator: "\n").suffix(20).joined(separator: "\n"))
        }
        return (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// `posix_spawn`s a command with stdin from /dev/null, stdout and stderr to files, a clean signal state.
    private static func spawn(
        _ argv: [String], environment: [String: String], output: String, errors: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let arguments = argv.map { strdup($0) } + [nil]
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in arguments + variables { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, argv[0], &actions, &attributes, arguments, variables)
        guard result == 0 else { throw POSIXError(.init(rawValue: result) ?? .EIO) }
        return pid
    }
}
