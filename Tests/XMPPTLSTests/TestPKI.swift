import Foundation

/// Certificates made by the `openssl` command-line tool in a temporary directory, once per test run: a private
/// CA and leaves signed by it, plus a self-signed leaf. All leaves share one EC P-256 key.
struct TestPKI: Sendable {
    /// The directory holding `ca.crt`, `leaf.key` and the leaf certificates.
    let directory: URL

    /// The certificates, made on first use.
    static let shared = Result { try TestPKI() }

    /// The path of a file in ``directory``.
    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }

    /// The leaf certificates by file name (`<name>.crt`) and the subjectAltName extension each carries
    /// (`nil`: none).
    static let leaves: [(name: String, subject: String, altNames: String?)] = [
        ("good", "/CN=localhost", "DNS:localhost,DNS:example.test"),
        ("wrong", "/CN=wrong.test", "DNS:wrong.test"),
        ("srv", "/CN=wrong.test", "otherName:1.3.6.1.5.5.7.8.7;IA5STRING:_xmpp-client.example.test"),
        ("cn-only", "/CN=example.test", nil),
        ("cn-with-san", "/CN=example.test", "DNS:other.test"),
        ("wildcard", "/CN=wildcard", "DNS:*.example.test"),
        ("partial-wildcard", "/CN=partial", "DNS:x*.example.test"),
    ]

    private init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("xmpp-tls-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("newcerts"), withIntermediateDirectories: true)
        try Data().write(to: directory.appendingPathComponent("index.txt"))
        try Data("1000\n".utf8).write(to: directory.appendingPathComponent("serial"))
        let configuration = """
            [ ca ]
            default_ca = testca
            [ testca ]
            dir = \(directory.path)
            database = $dir/index.txt
            new_certs_dir = $dir/newcerts
            serial = $dir/serial
            certificate = $dir/ca.crt
            private_key = $dir/ca.key
            default_md = sha256
            default_days = 30
            policy = anything
            unique_subject = no
            copy_extensions = none
            [ anything ]
            commonName = supplied

            """
        try Data(configuration.utf8).write(to: directory.appendingPathComponent("ca.cnf"))

        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        try openssl(
            ["req", "-x509"] + ec + [
                "-keyout", path("ca.key"), "-out", path("ca.crt"), "-subj", "/CN=XMPP TLS Test CA", "-days", "2",
            ])
        try openssl(["req"] + ec + ["-keyout", path("leaf.key"), "-out", path("leaf.csr"), "-subj", "/CN=leaf"])
        for leaf in Self.leaves {
            try sign(leaf.name, subject: leaf.subject, altNames: leaf.altNames)
        }
        // Expired in 2020; valid only from 2090.
        try sign(
            "expired", subject: "/CN=localhost", altNames: "DNS:localhost",
            dates: ("20200101000000Z", "20200201000000Z"))
        try sign(
            "not-yet-valid", subject: "/CN=localhost", altNames: "DNS:localhost",
            dates: ("20900101000000Z", "20900201000000Z"))
        try openssl([
            "req", "-x509", "-key", path("leaf.key"), "-out", path("self-signed.crt"), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost", "-days", "2",
        ])
    }

    private func sign(
        _ name: String, subject: String, altNames: String?, dates: (String, String)? = nil
    ) throws {
        let extensions = "[ leaf ]\nbasicConstraints = CA:FALSE\n" + (altNames.map { "subjectAltName = \($0)\n" } ?? "")
        try Data(extensions.utf8).write(to: directory.appendingPathComponent("\(name).ext"))
        var arguments = [
            "ca", "-batch", "-notext", "-config", path("ca.cnf"), "-in", path("leaf.csr"), "-out", path("\(name).crt"),
            "-subj", subject, "-extfile", path("\(name).ext"), "-extensions", "leaf",
        ]
        if let dates {
            arguments += ["-startdate", dates.0, "-enddate", dates.1]
        } else {
            arguments += ["-days", "2"]
        }
        try openssl(arguments)
    }

    /// SHA-256 of a certificate's DER encoding, computed by the `openssl` tool.
    func sha256OfDER(_ certificate: String) throws -> [UInt8] {
        let der = path(certificate + ".der")
        try openssl(["x509", "-in", path(certificate), "-outform", "DER", "-out", der])
        let output = try openssl(["dgst", "-sha256", "-r", der])
        let hex = output.prefix { $0 != " " }
        return stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
        }
    }

    /// Runs `openssl` with the arguments and returns its standard output; throws if it fails.
    @discardableResult
    func openssl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PKIError(
                message: "openssl \(arguments.joined(separator: " ")): " + String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A failed `openssl` command.
struct PKIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
