/// One DNS SRV record (RFC 2782): where a service runs, with the owner's preferences among several places.
public struct SRVRecord: Sendable, Hashable, CustomStringConvertible {
    /// Lower is tried first.
    public var priority: UInt16
    /// Among records of equal priority, the relative share of connections this one should get.
    public var weight: UInt16
    /// The TCP port.
    public var port: UInt16
    /// The host name, without the trailing dot; `"."` for "the service is decidedly not available here".
    public var target: String

    /// Creates a record.
    ///
    /// - Parameters:
    ///   - priority: Lower is tried first.
    ///   - weight: The relative share among records of equal priority.
    ///   - port: The TCP port.
    ///   - target: The host name; `"."` when the service is not offered.
    public init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }

    /// Whether this is the record that says the service is not available (target `.`, RFC 2782).
    public var isServiceNotAvailable: Bool { target == "." }

    /// `priority weight port target`, as in a zone file.
    public var description: String { "\(priority) \(weight) \(port) \(target)" }
}

extension SRVRecord {
    /// Orders records for connection attempts as RFC 2782 says: by priority, lowest first; within a priority, by
    /// repeated weighted random selection, where a record of weight 0 is picked only rarely when others have weight.
    ///
    /// - Parameters:
    ///   - records: The records, in any order.
    ///   - generator: The source of randomness.
    /// - Returns: The records in the order to try them.
    public static func ordered(
        _ records: [SRVRecord], using generator: inout some RandomNumberGenerator
    ) -> [SRVRecord] {
        ordered(records) { total in Int.random(in: 0...total, using: &generator) }
    }

    /// Orders records as ``ordered(_:using:)`` does, with the system's random number generator.
    ///
    /// - Parameter records: The records, in any order.
    /// - Returns: The records in the order to try them.
    public static func ordered(_ records: [SRVRecord]) -> [SRVRecord] {
        var generator = SystemRandomNumberGenerator()
        return ordered(records, using: &generator)
    }

    /// The ordering, with the random choice made by `pick`: given the sum of the remaining weights, it returns a
    /// number in `0...sum`, and the first remaining record whose running sum of weights reaches it is taken.
    package static func ordered(_ records: [SRVRecord], pick: (Int) -> Int) -> [SRVRecord] {
        orderedByPriorityAndWeight(records, record: { $0 }, pick: pick)
    }
}

/// RFC 2782's order over anything that carries an SRV record (see ``SRVRecord/ordered(_:pick:)``).
func orderedByPriorityAndWeight<Item>(
    _ items: [Item], record: (Item) -> SRVRecord, pick: (Int) -> Int
) -> [Item] {
    var result: [Item] = []
    result.reserveCapacity(items.count)
    for priority in Set(items.map { record($0).priority }).sorted() {
        let group = items.filter { record($0).priority == priority }
        // RFC 2782: the records of weight 0 go first, so that they are chosen only when the number is 0.
        var remaining = group.filter { record($0).weight == 0 } + group.filter { record($0).weight != 0 }
        while !remaining.isEmpty {
            let total = remaining.reduce(0) { $0 + Int(record($1).weight) }
            let number = min(max(pick(total), 0), total)
            var running = 0
            let index =
                remaining.firstIndex { item in
                    running += Int(record(item).weight)
                    return running >= number
                } ?? remaining.count - 1
            result.append(remaining.remove(at: index))
        }
    }
    return result
}
