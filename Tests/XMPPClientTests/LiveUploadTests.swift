import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Testing
import XMPPClient
import XMPPExtensions
import XMPPHTTPUpload
import XMPPTesting

/// HTTP upload against the real servers (Prosody's http_file_share, ejabberd's mod_http_upload): the service found
/// by a disco walk, 100 KB uploaded with AsyncHTTPClient and fetched back equal.
@Suite("HTTP upload against live servers", .enabled(if: LiveServer.enabled), .timeLimit(.minutes(2)))
struct LiveUploadTests {
    @Test(arguments: LiveServer.names)
    func aFileGoesUpAndComesBackEqual(_ name: String) async throws {
        let server = try LiveServer.require(name)
        let client = try XMPPClient(configuration: try server.clientConfiguration(account: "user23", resource: name))
        try await client.connect()
        let service = try #require(try await client.findUploadService())
        #expect(service.jid.description.hasPrefix("upload."))
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &random) }
        // The private servers serve plain HTTP on loopback; https is the default.
        let url = try await client.upload(
            ByteBuffer(bytes: bytes), filename: "roses-\(name).bin", contentType: "application/octet-stream",
            to: service, allowsPlainHTTP: true)
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        #expect(response.status.code == 200)
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(Array(body.readableBytesView) == bytes)

        if let maximum = service.maximumFileSize {
            let error = await #expect(throws: UploadError.self) {
                _ = try await client.requestUploadSlot(
                    filename: "huge", size: maximum + 1, contentType: nil, from: UploadService(jid: service.jid))
            }
            #expect(error?.code == .fileTooLarge(maximum: maximum))
        }
        print(
            "[figures] \(name) upload: service \(service.jid), max \(service.maximumFileSize.map { "\($0)" } ?? "unsaid") bytes"
        )
        await client.close()
    }
}
