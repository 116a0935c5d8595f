import Foundation

/// An `openssl s_server` on 127.0.0.1 at a port the kernel picks, for one connection (`-naccept 1`), printing its
/// TLS states (`-state`) to a log file. Stopped by PID with ``stop()``.
final class OpenSSLServer: @unchecked Sendable {
    // @unchecked Sendable: `process` and `logFile` are set once in init; Process is used only to signal and
    // wait, which are thread-safe.
    let process: Process
    let port: Int
    private let logFile: URL

    /// Starts the server with the certificate `<certificate>.crt` of `pki` and `leaf.key`, plus extra arguments
    /// (`-tls1_2`, `-alpn xmpp-client`...), and waits (at most 10 s) until it accepts connections.
    ///
    /// - Parameters:
    ///   - echo: Whether to answer each line reversed (`-rev`); without it, the server prints what it receives
    ///     and the connection details (such as `-keymatexport` output).
    ///   - environment: Extra environment for the server (`OPENSSL_CONF`).
    init(
        pki: TestPKI, certificate: String, arguments: [String] = [], echo: Bool = true,
        environment: [String: String] = [:]
    ) async throws {
        logFile = pki.directory.appendingPathComponent("s_server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept", "1", "-state",
                "-cert", pki.path("\(certificate).crt"), "-key", pki.path("leaf.key"),
            ] + (echo ? ["-rev"] : []) + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let log = try FileHandle(forWritingTo: logFile)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = Pipe()
        try process.run()
        self.process = process

        let deadline = ContinuousClock.now + .seconds(10)
        var port: Int?
        while port == nil, ContinuousClock.now < deadline, process.isRunning {
            let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }),
                let number = line.split(separator: ":").last.flatMap({ Int($0) })
            {
                port = number
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        guard let port else {
            process.terminate()
            let log = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
            throw PKIError(message: "openssl s_server did not start: \(log)")
        }
        self.port = port
    }

    /// What the server printed so far.
    var logText: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Waits (at most `timeout`) until the log contains `text`; returns the log.
    func waitForLog(containing text: String, timeout: Duration = .seconds(5)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        var log = logText
        while !log.contains(text), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            log = logText
        }
        return log
    }

    /// Waits (at most `timeout`) for the server to exit by itself, as it does after its one connection.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(5)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return !process.isRunning
    }

    /// Stops the server (SIGTERM to its PID) if it still runs.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
        }
        process.waitUntilExit()
    }
}
