import Foundation

/// Strict, allocation-free parsing of the two timestamp forms the catalogue
/// reads: ISO 8601 with a zone (Extended history `ts`, the `listens.ts` column)
/// and the account-data export's `endTime`.
///
/// Hand-written instead of `Date.ISO8601FormatStyle`: loading every listen at
/// each daemon reload parses tens of thousands of them, and the format styles
/// cost microseconds per call.
enum UTCTimestamp {
    /// `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or `±HH:MM`,
    /// e.g. `2024-08-02T11:56:55Z` or `2024-05-01T12:00:00.250Z`; `nil` otherwise.
    static func parseISO8601(_ text: UnsafeBufferPointer<UInt8>) -> Date? {
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

    /// ``parseISO8601(_:)`` for a string.
    static func parseISO8601(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parseISO8601($0) }
    }

    /// `YYYY-MM-DD HH:MM` read as UTC, e.g. `2020-01-02 13:45`; `nil` otherwise.
    static func parseMinute(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { bytes in
            var cursor = Cursor(bytes: bytes)
            guard let seconds = cursor.dateAndMinute(timeSeparator: UInt8(ascii: " ")), cursor.atEnd else { return nil }
            return Date(timeIntervalSince1970: Double(seconds))
        }
    }

    /// Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
    static func civil(fromDaysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
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
                let day = number(digits: 2), day >= 1, day <= UTCTimestamp.daysIn(month: month, year: year),
                take(timeSeparator),
                let hour = number(digits: 2), hour < 24, take(UInt8(ascii: ":")),
                let minute = number(digits: 2), minute < 60
            else { return nil }
            return UTCTimestamp.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60
        }
    }
}
