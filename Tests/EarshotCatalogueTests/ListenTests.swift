import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("Listens")
struct ListenTests {
    let noon = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z

    @Test func recordsIgnoresDuplicatesAndSurvivesReopening() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("catalogue.db").path
            do {
                let store = try CatalogueStore.open(path: path, create: true)
                let play = ListenEvent(user: "ana", trackID: "t1", timestamp: noon, msPlayed: 180_000, skipped: false, source: "daemon")
                #expect(try store.recordListen(play))
                #expect(try store.recordListen(play) == false, "same user, track, time and source")
                var elsewhere = play
                elsewhere.source = "Streaming_History_Audio_2024.json"
                #expect(try store.recordListen(elsewhere))
                var later = play
                later.timestamp = noon.addingTimeInterval(0.25)
                #expect(try store.recordListen(later))
                #expect(try store.recordListen(
                    ListenEvent(user: "bo", trackID: "t2", timestamp: noon, source: "daemon")))
                #expect(try store.recordListen(
                    ListenEvent(user: "ana", trackID: "t0", timestamp: noon, skipped: true, source: "daemon")))
            }
            let reopened = try CatalogueStore.open(path: path, create: false)
            #expect(try reopened.userNames() == ["ana", "bo"])
            #expect(try reopened.listens(forUser: "ana") == ["t0", "t1"])
            #expect(try reopened.listens(forUser: "bo") == ["t2"])
            #expect(try reopened.listens(forUser: "nobody") == [])
            let count = try reopened.database.prepare("SELECT count(*) FROM listens")
            try count.step()
            #expect(count.int(at: 0) == 5)
        }
    }

    @Test func timestampsAreFixedWidthUTC() {
        #expect(CatalogueStore.timestampText(noon) == "2024-05-01T12:00:00.000Z")
        #expect(CatalogueStore.timestampText(noon.addingTimeInterval(0.25)) == "2024-05-01T12:00:00.250Z")
    }
}
