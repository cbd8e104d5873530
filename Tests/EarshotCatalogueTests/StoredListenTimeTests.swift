import EarshotTime
import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("Stored listen times")
struct StoredListenTimeTests {
    @Test("the catalogue reads back every time it writes")
    func readsWhatTheCatalogueWrites() {
        for seconds in [0.0, 1_714_564_800, 1_714_564_800.25, 1_714_564_800.999, 4_102_444_799.5, -0.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let parsed = ISO8601Timestamp.parse(ListenTime(date).text)
            #expect(parsed.map { abs($0.timeIntervalSince(date)) < 0.001 } == true, "\(seconds)")
        }
    }
}
