import SASL
import Testing

@Suite("SASLMechanismSelector")
struct SASLMechanismSelectorTests {
    static let password = SASLCredentials.password(username: "u", password: "p")
    static let exporter = SASLChannelBinding(kind: .tlsExporter, data: Array(repeating: 7, count: 32))
    static let unique = SASLChannelBinding(kind: .tlsUnique, data: [1, 2])
    static let endPoint = SASLChannelBinding(kind: .tlsServerEndPoint, data: [3, 4])
    static let allSCRAM: [SASLMechanismName] = [
        .scramSHA1, .scramSHA1Plus, .scramSHA256, .scramSHA256Plus, .scramSHA512, .scramSHA512Plus,
    ]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var offered: [SASLMechanismName]
        var isTLS: Bool
        var bindings: [SASLChannelBinding] = []
        var serverTypes: [SASLChannelBinding.Kind]? = nil
        var expected: SASLMechanismSelection?
        var testDescription: String { name }
    }

    static let table: [Case] = [
        Case(
            name: "strongest -PLUS with a binding", offered: allSCRAM + [.plain], isTLS: true,
            bindings: [exporter], expected: .init(mechanism: .scramSHA512Plus, channelBinding: .bound(exporter))),
        Case(
            name: "SCRAM-SHA-1-PLUS beats SCRAM-SHA-512 with a binding",
            offered: [.scramSHA1Plus, .scramSHA512], isTLS: true, bindings: [endPoint],
            expected: .init(mechanism: .scramSHA1Plus, channelBinding: .bound(endPoint))),
        Case(
            name: "tls-exporter preferred over tls-unique and tls-server-end-point",
            offered: [.scramSHA256Plus], isTLS: true, bindings: [endPoint, unique, exporter],
            expected: .init(mechanism: .scramSHA256Plus, channelBinding: .bound(exporter))),
        Case(
            name: "tls-unique preferred over tls-server-end-point",
            offered: [.scramSHA256Plus], isTLS: true, bindings: [endPoint, unique],
            expected: .init(mechanism: .scramSHA256Plus, channelBinding: .bound(unique))),
        Case(
            name: "XEP-0440 list narrows the binding type",
            offered: [.scramSHA256Plus], isTLS: true, bindings: [exporter, endPoint],
            serverTypes: [.tlsServerEndPoint, .tlsUnique],
            expected: .init(mechanism: .scramSHA256Plus, channelBinding: .bound(endPoint))),
        Case(
            name: "no common type: plain SCRAM with n, since the server does bind",
            offered: [.scramSHA256Plus, .scramSHA256], isTLS: true, bindings: [exporter],
            serverTypes: [.tlsUnique], expected: .init(mechanism: .scramSHA256, channelBinding: .notSupported)),
        Case(
            name: "y flag: binding available, server offers no -PLUS",
            offered: [.scramSHA1, .scramSHA256, .plain], isTLS: true, bindings: [exporter],
            expected: .init(mechanism: .scramSHA256, channelBinding: .notOfferedByServer)),
        Case(
            name: "n flag: server offers -PLUS, client has no binding",
            offered: allSCRAM, isTLS: true,
            expected: .init(mechanism: .scramSHA512, channelBinding: .notSupported)),
        Case(
            name: "n flag without TLS, bindings ignored", offered: allSCRAM, isTLS: false, bindings: [exporter],
            expected: .init(mechanism: .scramSHA512, channelBinding: .notSupported)),
        Case(
            name: "PLAIN over TLS when nothing better", offered: [.plain, "DIGEST-MD5"], isTLS: true,
            expected: .init(mechanism: .plain)),
        Case(name: "PLAIN never without TLS", offered: [.plain], isTLS: false, expected: nil),
        Case(
            name: "SCRAM without TLS rather than PLAIN", offered: [.plain, .scramSHA1], isTLS: false,
            expected: .init(mechanism: .scramSHA1)),
        Case(
            name: "EXTERNAL and ANONYMOUS are no fallback for passwords",
            offered: [.external, .anonymous], isTLS: true, expected: nil),
        Case(name: "-PLUS only, no binding", offered: [.scramSHA256Plus], isTLS: true, expected: nil),
        Case(
            name: "names are matched case-insensitively", offered: ["scram-sha-256"], isTLS: true,
            expected: .init(mechanism: .scramSHA256)),
    ]

    @Test("Selection table", arguments: table)
    func selection(_ testCase: Case) throws {
        let selector = SASLMechanismSelector()
        if let expected = testCase.expected {
            let selection = try selector.select(
                from: testCase.offered, credentials: Self.password, isTLS: testCase.isTLS,
                channelBindings: testCase.bindings, serverChannelBindingTypes: testCase.serverTypes)
            #expect(selection == expected)
        } else {
            expectSASLError(.noAcceptableMechanism) {
                _ = try selector.select(
                    from: testCase.offered, credentials: Self.password, isTLS: testCase.isTLS,
                    channelBindings: testCase.bindings, serverChannelBindingTypes: testCase.serverTypes)
            }
        }
    }

    @Test("PLAIN without TLS needs the insecure setting, and the error says why")
    func plainWithoutTLS() throws {
        let error = expectSASLError(.noAcceptableMechanism) {
            _ = try SASLMechanismSelector().select(from: [.plain], credentials: Self.password, isTLS: false)
        }
        #expect(error?.description.contains("PLAIN is refused without TLS") == true)
        let insecure = SASLMechanismSelector(insecureAllowPlainWithoutTLS: true)
        #expect(try insecure.select(from: [.plain], credentials: Self.password, isTLS: false).mechanism == .plain)
    }

    @Test("Excluded mechanisms are skipped")
    func exclusion() throws {
        let selector = SASLMechanismSelector(excludedMechanisms: [.scramSHA512, .scramSHA512Plus])
        let selection = try selector.select(from: Self.allSCRAM, credentials: Self.password, isTLS: true)
        #expect(selection.mechanism == .scramSHA256)
        // The server offers -PLUS (excluded or not), so the flag stays n.
        let bound = try SASLMechanismSelector(excludedMechanisms: Set(Self.allSCRAM.filter(\.isChannelBinding)))
            .select(from: Self.allSCRAM, credentials: Self.password, isTLS: true, channelBindings: [Self.exporter])
        #expect(bound == .init(mechanism: .scramSHA512, channelBinding: .notSupported))
    }

    @Test("EXTERNAL and ANONYMOUS only when the credentials ask for them")
    func externalAndAnonymous() throws {
        let offered: [SASLMechanismName] = [.external, .anonymous, .scramSHA256, .plain]
        let selector = SASLMechanismSelector()
        #expect(try selector.select(from: offered, credentials: .external(), isTLS: true).mechanism == .external)
        #expect(try selector.select(from: offered, credentials: .anonymous(), isTLS: false).mechanism == .anonymous)
        expectSASLError(.noAcceptableMechanism) {
            _ = try selector.select(from: [.plain, .scramSHA256], credentials: .external(), isTLS: true)
        }
    }

    @Test("A selection drives a client")
    func selectionDrivesClient() throws {
        let selection = try SASLMechanismSelector().select(
            from: Self.allSCRAM, credentials: Self.password, isTLS: true, channelBindings: [Self.exporter])
        var client = try SASLClient(selection: selection, credentials: Self.password)
        let first = try #require(try client.initialResponse())
        #expect(first.starts(with: [UInt8](utf8: "p=tls-exporter,,n=u,r=")))
        #expect(client.mechanism == .scramSHA512Plus)
    }
}
