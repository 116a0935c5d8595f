// Generated types are extended here, never edited. This file imports Foundation: `Data` is Foundation's, and the
// generated `AvatarData.Data` (an element named `data`) is reached through its namespace enum.
public import Foundation

extension AvatarData.Data {
    /// Creates the `<data/>` payload of an avatar image.
    ///
    /// - Parameter image: The image's bytes.
    public init(image: Foundation.Data) {
        self.init(value: Array(image))
    }

    /// The image's bytes.
    public var image: Foundation.Data { Foundation.Data(value) }
}

extension AvatarMetadata.Info {
    /// The metadata of an avatar image: its SHA-1 as `id`, its size and type.
    ///
    /// - Parameters:
    ///   - image: The image's bytes.
    ///   - sha1: The hexadecimal SHA-1 of the bytes, which XEP-0084 makes the id.
    ///   - type: The image's media type.
    public init(image: Data, sha1: String, type: String = "image/png") {
        self.init(bytes: UInt16(clamping: image.count), id: sha1, type: type)
    }
}

/// A date as the generated `ExampleShadows.Date` holds it (`xs:date` text), from Foundation's `Date`.
///
/// - Parameter date: The day, in UTC.
/// - Returns: The element.
public func shadowsDate(_ date: Date) -> ExampleShadows.Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
    let day = calendar.dateComponents([.year, .month, .day], from: date)
    let text = String(format: "%04d-%02d-%02d", day.year ?? 0, day.month ?? 0, day.day ?? 0)
    return ExampleShadows.Date(value: text)
}
