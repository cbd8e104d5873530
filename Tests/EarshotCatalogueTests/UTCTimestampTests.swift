import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("UTC timestamps")
struct UTCTimestampTests {
    @Test func readsISO8601WithAZone() {
        #expect(UTCTimestamp.parseISO8601("2024-08-02T11:56:55Z") == utc("2024-08-02T11:56:55Z"))
        #expect(UTCTimestamp.parseISO8601("2024-05-01T12:00:00.250Z") == Date(timeIntervalSince1970: 1_714_564_800.25))
        #expect(UTCTimestamp.parseISO8601("2024-05-01T14:00:00+02:00") == utc("2024-05-01T12:00:00Z"))
        #expect(UTCTimestamp.parseISO8601("2024-05-01T11:30:00-00:30") == utc("2024-05-01T12:00:00Z"))
        #expect(UTCTimestamp.parseISO8601("1969-12-31T23:59:59Z") == Date(timeIntervalSince1970: -1))
        #expect(UTCTimestamp.parseISO8601("2024-02-29T00:00:00Z") == utc("2024-02-29T00:00:00Z"))
        #expect(UTCTimestamp.parseISO8601("2000-03-01T00:00:00Z") == utc("2000-03-01T00:00:00Z"))
    }

    @Test(arguments: [
        "", "2024-08-02", "2024-08-02T11:56:55", "2024-08-02 11:56:55Z", "2024-13-01T00:00:00Z",
        "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-08-02T24:00:00Z", "2024-08-02T11:60:00Z",
        "2024-08-02T11:56:60Z", "2024-08-02T11:56:55.Z", "2024-08-02T11:56:55Zjunk", "2024-8-02T11:56:55Z",
    ])
    func refusesOtherText(_ text: String) {
        #expect(UTCTimestamp.parseISO8601(text) == nil)
    }

    @Test func readsTheAccountDataMinuteAsUTC() {
        #expect(UTCTimestamp.parseMinute("2020-01-02 13:45") == utc("2020-01-02T13:45:00Z"))
        #expect(UTCTimestamp.parseMinute("2020-01-02T13:45") == nil)
        #expect(UTCTimestamp.parseMinute("2020-01-02 13:45:00") == nil)
    }

    @Test func readsWhatTheCatalogueWrites() {
        for seconds in [0.0, 1_714_564_800, 1_714_564_800.25, 1_714_564_800.999, 4_102_444_799.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let parsed = UTCTimestamp.parseISO8601(ListenTime(date).text)
            #expect(parsed.map { abs($0.timeIntervalSince(date)) < 0.001 } == true, "\(seconds)")
        }
    }
}
