import EarshotTime
import Foundation

/// A listen's time as the catalogue stores it: whole microseconds since the
/// Unix epoch, written as fixed-width ISO 8601 UTC text
/// (`2024-05-01T12:00:00.000000Z`) so that times sort correctly as text.
public struct ListenTime: Sendable, Hashable, Comparable {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    public init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// `date` rounded to the nearest microsecond.
    public init(_ date: Date) {
        microseconds = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The time as a `Date`.
    public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

    /// The next representable time, one microsecond later.
    public var successor: ListenTime { ListenTime(microseconds: microseconds + 1) }

    public static func < (lhs: ListenTime, rhs: ListenTime) -> Bool { lhs.microseconds < rhs.microseconds }

    /// The stored form: `YYYY-MM-DDTHH:MM:SS.ffffffZ`, always 27 characters
    /// for years 0000–9999.
    public var text: String {
        let (wholeSeconds, micros) = CivilDate.floorDivision(Int(microseconds), by: 1_000_000)
        let (day, second) = CivilDate.floorDivision(wholeSeconds, by: 86_400)
        let (year, month, dayOfMonth) = CivilDate.civil(fromDaysSinceEpoch: day)
        var bytes = [UInt8](repeating: 0, count: 27)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var value = value
            for index in stride(from: offset + width - 1, through: offset, by: -1) {
                bytes[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        put(month, 2, at: 5)
        put(dayOfMonth, 2, at: 8)
        put(second / 3600, 2, at: 11)
        put(second / 60 % 60, 2, at: 14)
        put(second % 60, 2, at: 17)
        put(Int(micros), 6, at: 20)
        for (offset, character) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (26, "Z")] {
            bytes[offset] = UInt8(ascii: Unicode.Scalar(character)!)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
