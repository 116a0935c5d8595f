import NIOConcurrencyHelpers
public import XMPPBaseExtensions
public import XMPPCore
import XMPPExtensions
import XMPPStream

/// A message from an archive (XEP-0313 Message Archive Management).
public struct ArchivedMessage: Sendable, Hashable {
    /// The archive's id for it: its stanza id (XEP-0359) in that archive, and the cursor to page from.
    public var id: String
    /// The archived message, as it was sent.
    public var message: Message
    /// When the archive received it (the forwarded `<delay/>`), if the archive said.
    public var timestamp: XMLDateTime?
    /// Whose archive: the account's bare JID, or the room's.
    public var archive: JID

    /// Creates an archived message.
    public init(id: String, message: Message, timestamp: XMLDateTime?, archive: JID) {
        self.id = id
        self.message = message
        self.timestamp = timestamp
        self.archive = archive
    }
}

/// Which archived messages to read, and in what order (XEP-0313 §4: filtered by a form, paged with RSM).
public struct ArchiveQuery: Sendable, Hashable {
    /// Oldest first (paging forward from the start, or from ``after``) or newest first (paging back from the end,
    /// or from ``before``).
    public enum Order: Sendable, Hashable {
        /// Oldest first.
        case oldestFirst
        /// Newest first.
        case newestFirst
    }

    /// Only messages exchanged with this JID (a bare JID matches all its resources).
    public var with: JID?
    /// Only messages archived at or after this time.
    public var start: XMLDateTime?
    /// Only messages archived at or before this time.
    public var end: XMLDateTime?
    /// Only messages after the one with this archive id (for ``Order/oldestFirst``): where a previous read ended.
    public var after: String?
    /// Only messages before the one with this archive id (for ``Order/newestFirst``).
    public var before: String?
    /// The order.
    public var order: Order
    /// How many messages to ask for per page, 1 to ``maximumPageSize``; a page is all that is held in memory.
    public var pageSize: Int

    /// The largest page size asked for.
    public static let maximumPageSize = 500

    /// Creates a query; all messages, oldest first, 50 per page by default.
    public init(
        with: JID? = nil, start: XMLDateTime? = nil, end: XMLDateTime? = nil, after: String? = nil,
        before: String? = nil, order: Order = .oldestFirst, pageSize: Int = 50
    ) {
        self.with = with
        self.start = start
        self.end = end
        self.after = after
        self.before = before
        self.order = order
        self.pageSize = pageSize
    }

    /// The `<query/>` for one page.
    func element(queryID: String, cursor: String?) -> MAM.Query {
        var fields = [
            DataForms.Field(var: "FORM_TYPE", type: .hidden, values: [MAM.namespace])
        ]
        if let with { fields.append(DataForms.Field(var: "with", values: [with.description])) }
        if let start { fields.append(DataForms.Field(var: "start", values: [start.xmlValue])) }
        if let end { fields.append(DataForms.Field(var: "end", values: [end.xmlValue])) }
        let size = UInt(min(max(pageSize, 1), Self.maximumPageSize))
        let set =
            switch order {
            case .oldestFirst: RSM.Set(max: size, after: cursor ?? after)
            // An empty <before/> asks for the last page.
            case .newestFirst: RSM.Set(max: size, before: cursor ?? before ?? "")
            }
        return MAM.Query(queryid: queryID, x: DataForms.X(type: .submit, fields: fields), set: set)
    }
}

/// What went wrong reading an archive, besides the errors of a request (``StanzaError``, ``XMPPClientError``).
public struct ArchiveError: Error, Hashable, CustomStringConvertible {
    /// Why.
    public enum Code: Sendable, Hashable {
        /// The archive sent more messages for a page than were asked for.
        case pageTooLarge
        /// The archive answered a page with a cursor it had already given: paging on would not end.
        case pageLoop
        /// The archive's answer had no `<fin/>`.
        case malformedAnswer
    }

    /// Why.
    public var code: Code
    /// What happened.
    public var message: String

    /// The error's text.
    public var description: String { message }
}

/// The messages of an archive, read a page at a time as they are consumed
/// (``XMPPEndpoint/archivedMessages(in:matching:)``).
///
/// Each page is one IQ query (XEP-0313 §4); the archive's result messages for it are taken off the stream (handlers
/// do not see them) and only those from the archive asked, with this page's query id, count. A page holds at most
/// ``ArchiveQuery/pageSize`` messages; an archive that sends more, or that answers with a cursor it gave before,
/// ends the sequence with an ``ArchiveError``.
public struct ArchivedMessages<Endpoint: XMPPEndpoint>: AsyncSequence {
    /// Archived messages.
    public typealias Element = ArchivedMessage

    let endpoint: Endpoint
    let archive: JID?
    let query: ArchiveQuery

    /// Reads the pages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let endpoint: Endpoint
        let archive: JID?
        let query: ArchiveQuery
        var page: [ArchivedMessage] = []
        var cursor: String?
        var cursors: Set<String> = []
        var finished = false

        /// The next message, fetching the next page when this one is read.
        public mutating func next() async throws -> ArchivedMessage? {
            while page.isEmpty {
                guard !finished else { return nil }
                try await fetch()
            }
            return page.removeFirst()
        }

        private mutating func fetch() async throws {
            let queryID = "mam-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let own = endpoint.localJID?.bare
            let archive = self.archive
            guard let whose = archive?.bare ?? own else { throw XMPPClientError(.connectionClosed, "not connected") }
            let limit = Swift.min(Swift.max(query.pageSize, 1), ArchiveQuery.maximumPageSize)
            let collected = NIOLockedValueBox((results: [XMLElement](), overflow: false))
            // Result messages from the archive for this query: taken off the stream; anything else passes.
            let filter = endpoint.addInboundFilter { stanza in
                guard stanza.name.localName == "message",
                    let result = stanza.firstChild(named: MAM.Result.qualifiedName), result["queryid"] == queryID
                else { return stanza }
                let from = stanza["from"].flatMap { try? JID(parsing: $0) }
                let authentic =
                    if let archive { from?.bare == archive.bare } else { from == nil || from == own }
                guard authentic else { return stanza }
                collected.withLockedValue { collected in
                    if collected.results.count < limit {
                        collected.results.append(result)
                    } else {
                        collected.overflow = true
                    }
                }
                return nil
            }
            defer { endpoint.remove(filter) }
            let answer = try await endpoint.request(
                .set(query.element(queryID: queryID, cursor: cursor), to: archive))
            guard let fin = try answer.payload(MAM.Fin.self) else {
                throw ArchiveError(code: .malformedAnswer, message: "the archive's answer has no <fin/>")
            }
            let (results, overflow) = collected.withLockedValue { ($0.results, $0.overflow) }
            if overflow {
                throw ArchiveError(
                    code: .pageTooLarge, message: "the archive sent more than the \(limit) messages asked for")
            }
            var messages: [ArchivedMessage] = []
            for element in results {
                let result = try MAM.Result(xml: element)
                guard let message = result.forwarded.message else { continue }
                messages.append(
                    ArchivedMessage(
                        id: result.id, message: message, timestamp: result.forwarded.delay?.stamp, archive: whose))
            }
            let next = query.order == .oldestFirst ? fin.set.last : fin.set.first?.value
            if fin.complete == true || results.isEmpty || next == nil {
                finished = true
            } else if let next {
                guard cursors.insert(next).inserted else {
                    throw ArchiveError(
                        code: .pageLoop, message: "the archive gave the cursor '\(next.prefix(64))' twice")
                }
                cursor = next
            }
            page = query.order == .oldestFirst ? messages : messages.reversed()
        }
    }

    /// Starts reading.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(endpoint: endpoint, archive: archive, query: query)
    }
}

extension XMPPEndpoint {
    /// The messages of an archive (XEP-0313), a page at a time as they are read.
    ///
    /// ```swift
    /// // What arrived while we were away, after the last message we had.
    /// for try await archived in client.archivedMessages(matching: ArchiveQuery(after: lastSeenID)) {
    ///     print(archived.timestamp, archived.message.body ?? "")
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - archive: A room's JID, or `nil` for the account's own archive.
    ///   - query: Which messages, in what order, how many per page.
    /// - Returns: The messages; iterating throws ``StanzaError`` or ``XMPPClientError`` for a failed request and
    ///   ``ArchiveError`` for an archive that answers wrongly.
    public func archivedMessages(
        in archive: JID? = nil, matching query: ArchiveQuery = ArchiveQuery()
    )
        -> ArchivedMessages<Self>
    {
        ArchivedMessages(endpoint: self, archive: archive, query: query)
    }
}
