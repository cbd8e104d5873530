import Foundation

/// Strict, allocation-free reading of the timestamps Earshot meets: ISO 8601
/// with a zone (a request's `ts`, the Extended history's `ts`, the catalogue's
/// `listens.ts` column) and the account-data export's `endTime`; and the
/// millisecond UTC form the daemon reports times in.
///
/// Hand-written instead of `Date.ISO8601FormatStyle`: loading every listen at
/// each daemon reload parses tens of thousands of them, and the format styles
/// cost microseconds per call.
public enum ISO8601Timestamp {
    /// `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or `±HH:MM`,
    /// e.g. `2024-08-02T11:56:55Z` or `2024-05-01T12:00:00.250Z`; `nil` otherwise.
    public static func parse(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
        var cursor = Cursor(bytes: text)
        guard let date = cursor.dateAndMinute(timeSeparator: UInt8(ascii: "T")),
            cursor.take(UInt8(ascii: ":")), let second = cursor.number(digits: 2), second < 60
        else { return nil }
        var fraction = 0.0
        if cursor.take(UInt8(ascii: ".")) {
            var scale = 0.1
            var digits = 0
            while let digit = cursor.digit() {
                fraction += Double(digit) * scale
                scale /= 10
                digits += 1
            }
            guard digits > 0 else { return nil }
        }
        var offset = 0
        if cursor.take(UInt8(ascii: "Z")) {
            offset = 0
        } else {
            let sign: Int
            if cursor.take(UInt8(ascii: "+")) { sign = 1 } else if cursor.take(UInt8(ascii: "-")) { sign = -1 } else { return nil }
            guard let hours = cursor.number(digits: 2), hours < 24, cursor.take(UInt8(ascii: ":")),
                let minutes = cursor.number(digits: 2), minutes < 60
            else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        guard cursor.atEnd else { return nil }
        return Date(timeIntervalSince1970: Double(date + second - offset) + fraction)
    }

    /// ``parse(_:)-(UnsafeBufferPointer<UInt8>)`` for a string.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// `YYYY-MM-DD HH:MM` read as UTC, e.g. `2020-01-02 13:45`; `nil` otherwise.
    public static func parseMinute(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes in
            var cursor = Cursor(bytes: bytes)
            guard let seconds = cursor.dateAndMinute(timeSeparator: UInt8(ascii: " ")), cursor.atEnd else { return nil }
            return Date(timeIntervalSince1970: Double(seconds))
        }
    }

    /// `2024-05-01T12:30:00.123Z`: always UTC, with milliseconds (rounded down).
    public static func format(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let (day, msOfDay) = CivilDate.floorDivision(millis, by: 86_400_000)
        let (year, month, dayOfMonth) = CivilDate.civil(fromDaysSinceEpoch: day)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let time = "\(pad(msOfDay / 3_600_000, 2)):\(pad(msOfDay / 60_000 % 60, 2)):\(pad(msOfDay / 1000 % 60, 2))"
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))T\(time).\(pad(msOfDay % 1000, 3))Z"
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func digit() -> Int? {
            guard index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 else { return nil }
            defer { index += 1 }
            return Int(bytes[index] &- UInt8(ascii: "0"))
        }

        mutating func number(digits: Int) -> Int? {
            var value = 0
            for _ in 0..<digits {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        /// `YYYY-MM-DD<separator>HH:MM` as seconds since the epoch, checked for range.
        mutating func dateAndMinute(timeSeparator: UInt8) -> Int? {
            guard let year = number(digits: 4), take(UInt8(ascii: "-")),
                let month = number(digits: 2), (1...12).contains(month), take(UInt8(ascii: "-")),
                let day = number(digits: 2), day >= 1, day <= CivilDate.daysIn(month: month, year: year),
                take(timeSeparator),
                let hour = number(digits: 2), hour < 24, take(UInt8(ascii: ":")),
                let minute = number(digits: 2), minute < 60
            else { return nil }
            return CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60
        }
    }
}
