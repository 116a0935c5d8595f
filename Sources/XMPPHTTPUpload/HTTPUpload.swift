public import AsyncHTTPClient
public import NIOCore
import NIOHTTP1
import XMPPBaseExtensions
public import XMPPClient
public import XMPPCore
import XMPPExtensions

/// An HTTP upload service (XEP-0363 1.1.0) found on the server: its JID and the largest file it takes.
public struct UploadService: Sendable, Hashable {
    /// The service's JID (a component such as `upload.example.com`).
    public var jid: JID
    /// The largest file it takes, in bytes, when it says (`max-file-size`).
    public var maximumFileSize: UInt?

    /// Creates a description.
    public init(jid: JID, maximumFileSize: UInt? = nil) {
        self.jid = jid
        self.maximumFileSize = maximumFileSize
    }
}

/// A slot for one file: where to PUT it (with which headers) and where it will be served.
public struct UploadSlot: Sendable, Hashable {
    /// The URL to PUT the file to.
    public var putURL: String
    /// The headers to send with the PUT: only `Authorization`, `Cookie` and `Expires`, as XEP-0363 §5 allows;
    /// others the service names are dropped.
    public var headers: [String: String]
    /// The URL the file will be served at, to share.
    public var getURL: String

    /// Creates a slot.
    public init(putURL: String, headers: [String: String], getURL: String) {
        self.putURL = putURL
        self.headers = headers
        self.getURL = getURL
    }
}

/// What went wrong uploading.
public struct UploadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// The server has no upload service.
        case noService
        /// The file is larger than the service takes (with its maximum, when it said).
        case fileTooLarge(maximum: UInt?)
        /// The slot's URL is not `https` (and plain HTTP was not allowed), or not a URL.
        case insecureURL
        /// The HTTP server answered the PUT with this status.
        case httpStatus(Int)
    }

    /// What went wrong.
    public var code: Code
    /// More about it.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// A readable form.
    public var description: String { "upload: \(message)" }
}

extension XMPPClient {
    /// Finds the server's upload service by a disco walk (XEP-0363 §2): the server's items, the first one whose
    /// info has `urn:xmpp:http:upload:0` (or the server itself).
    ///
    /// - Returns: The service, or `nil` when the server has none.
    public func findUploadService() async throws -> UploadService? {
        guard let (jid, info) = try await services(supporting: HTTPUpload.namespace).first else { return nil }
        let form = info.extensions.first { form in
            form.fields.contains { $0.var == "FORM_TYPE" && $0.values == [HTTPUpload.namespace] }
        }
        let size = form?.fields.first { $0.var == "max-file-size" }?.values.first.flatMap { UInt($0) }
        return UploadService(jid: jid, maximumFileSize: size)
    }

    /// Asks a service for a slot for a file (XEP-0363 §4).
    ///
    /// - Parameters:
    ///   - filename: The file's name.
    ///   - size: Its size in bytes.
    ///   - contentType: Its MIME type.
    ///   - service: The upload service.
    /// - Throws: ``UploadError`` (`fileTooLarge`) when the service says so, ``StanzaError`` for other refusals.
    public func requestUploadSlot(
        filename: String, size: UInt, contentType: String?, from service: UploadService
    ) async throws -> UploadSlot {
        if let maximum = service.maximumFileSize, size > maximum {
            throw UploadError(.fileTooLarge(maximum: maximum), "\(size) bytes; the service takes \(maximum)")
        }
        let answer: HTTPUpload.Slot
        do {
            answer = try await query(
                HTTPUpload.Request(filename: filename, size: size, contentType: contentType), to: service.jid,
                expecting: HTTPUpload.Slot.self)
        } catch let error as StanzaError {
            if let tooLarge = error.applicationConditions.first(where: {
                $0.name == HTTPUpload.FileTooLarge.qualifiedName
            }) {
                let maximum = (try? HTTPUpload.FileTooLarge(xml: tooLarge))?.maxFileSize
                throw UploadError(.fileTooLarge(maximum: maximum), "the service refused \(size) bytes")
            }
            throw error
        }
        var headers: [String: String] = [:]
        for header in answer.put.headers {
            let name: String
            switch header.name {
            case .authorization: name = "Authorization"
            case .cookie: name = "Cookie"
            case .expires: name = "Expires"
            case .unknown: continue
            }
            // A header value with a line break would split the request (§5): refused.
            guard !header.value.contains(where: { $0 == "\r" || $0 == "\n" }) else { continue }
            headers[name] = header.value
        }
        return UploadSlot(putURL: answer.put.url, headers: headers, getURL: answer.get.url)
    }

    /// Uploads a file: finds the service (unless given), asks for a slot, PUTs the bytes, and returns the URL to
    /// share.
    ///
    /// - Parameters:
    ///   - data: The file's bytes.
    ///   - filename: Its name.
    ///   - contentType: Its MIME type.
    ///   - service: The upload service; found by ``findUploadService()`` when `nil`.
    ///   - allowsPlainHTTP: Accept a slot whose URLs are plain `http` (a test server on loopback); `https` only by
    ///     default.
    ///   - httpClient: The HTTP client; the shared one by default.
    ///   - timeout: How long the PUT may take.
    /// - Returns: The GET URL.
    /// - Throws: ``UploadError``, ``StanzaError``, or the HTTP client's errors.
    public func upload(
        _ data: ByteBuffer, filename: String, contentType: String? = nil, to service: UploadService? = nil,
        allowsPlainHTTP: Bool = false, httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(60)
    ) async throws -> String {
        var found = service
        if found == nil { found = try await findUploadService() }
        guard let found else { throw UploadError(.noService, "the server has no HTTP upload service") }
        let slot = try await requestUploadSlot(
            filename: filename, size: UInt(data.readableBytes), contentType: contentType, from: found)
        for url in [slot.putURL, slot.getURL] {
            let scheme = url.prefix { $0 != ":" }.lowercased()
            guard scheme == "https" || (allowsPlainHTTP && scheme == "http") else {
                throw UploadError(.insecureURL, "the slot's URL \(url) is not https")
            }
        }
        var request = HTTPClientRequest(url: slot.putURL)
        request.method = .PUT
        for (name, value) in slot.headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "Content-Length", value: "\(data.readableBytes)")
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        request.body = .bytes(data)
        let response = try await httpClient.execute(request, timeout: timeout)
        guard (200..<300).contains(response.status.code) else {
            throw UploadError(.httpStatus(Int(response.status.code)), "the PUT was answered \(response.status)")
        }
        return slot.getURL
    }
}
