import EarshotTime
import Foundation
import Testing

@Suite("ISO 8601 timestamps")
struct ISO8601TimestampTests {
    private func utc(_ text: String) -> Date { try! Date(text, strategy: .iso8601) }

    @Test("reads ISO 8601 with a zone, fractions and dates before 1970", arguments: [
        ("2024-08-02T11:56:55Z", 1_722_599_815.0),
        ("2024-05-01T12:00:00.250Z", 1_714_564_800.25),
        ("2024-05-01T14:00:00+02:00", 1_714_564_800.0),
        ("2024-05-01T11:30:00-00:30", 1_714_564_800.0),
        ("1969-12-31T23:59:59Z", -1.0),
        ("2024-02-29T00:00:00.250Z", 1_709_164_800.25),
        ("2000-03-01T00:00:00Z", 951_868_800.0),
    ])
    func reads(text: String, seconds: Double) {
        #expect(ISO8601Timestamp.parse(text)?.timeIntervalSince1970 == seconds)
        #expect(ISO8601Timestamp.parse(text) == utc(text))
    }

    @Test("refuses text that is not one exact instant", arguments: [
        "", "2024-08-02", "2024-08-02T11:56:55", "2024-08-02 11:56:55Z", "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-08-02T24:00:00Z", "2024-08-02T11:60:00Z",
        "2024-08-02T11:56:60Z", "2024-08-02T11:56:55.Z", "2024-08-02T11:56:55Zjunk", "2024-8-02T11:56:55Z",
    ])
    func refuses(_ text: String) {
        #expect(ISO8601Timestamp.parse(text) == nil)
    }

    @Test("reads the account-data export's minute as UTC")
    func minute() {
        #expect(ISO8601Timestamp.parseMinute("2020-01-02 13:45") == utc("2020-01-02T13:45:00Z"))
        #expect(ISO8601Timestamp.parseMinute("2020-01-02T13:45") == nil)
        #expect(ISO8601Timestamp.parseMinute("2020-01-02 13:45:00") == nil)
    }

    @Test("formats in UTC with milliseconds, and reads back what it formats")
    func format() {
        #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: 1_714_566_600.5)) == "2024-05-01T12:30:00.500Z")
        #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000Z")
        #expect(ISO8601Timestamp.format(Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750Z")
        for seconds in [0.0, 951_782_400, 1_714_564_800.125, 4_102_444_799.5, -86_400 * 365.0] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(ISO8601Timestamp.parse(ISO8601Timestamp.format(date)) == date, "\(seconds)")
        }
    }

    @Test("days and dates convert both ways across centuries and leap days")
    func civil() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (year, month, day) = CivilDate.civil(fromDaysSinceEpoch: days)
            #expect((1...12).contains(month) && day >= 1 && day <= CivilDate.daysIn(month: month, year: year))
            #expect(CivilDate.daysSinceEpoch(year: year, month: month, day: day) == days)
        }
        #expect(CivilDate.daysSinceEpoch(year: 2000, month: 2, day: 29) == 11_016)
        #expect(CivilDate.daysIn(month: 2, year: 1900) == 28 && CivilDate.daysIn(month: 2, year: 2000) == 29)
        #expect(CivilDate.floorDivision(-1, by: 86_400) == (-1, 86_399))
    }
}
