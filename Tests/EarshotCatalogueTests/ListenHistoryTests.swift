import Foundation
import Testing

@testable import EarshotCatalogue

@Suite("All listens")
struct ListenHistoryTests {
    let noon = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z

    @Test func returnsEveryListenByUserThenTime() throws {
        try withTemporaryStore { store, _ in
            #expect(try store.allListens() == [])
            let events = [
                ListenEvent(user: "bo", trackID: "t2", timestamp: noon, source: "daemon"),
                ListenEvent(user: "ana", trackID: "t1", timestamp: noon.addingTimeInterval(60), msPlayed: 1000, skipped: true, source: "daemon"),
                ListenEvent(user: "ana", trackID: "t9", timestamp: noon.addingTimeInterval(0.5), msPlayed: 0, skipped: false, source: "daemon"),
                ListenEvent(user: "ana", trackID: "t3", timestamp: noon.addingTimeInterval(0.5), source: "import"),
                ListenEvent(user: "Zoë", trackID: "t1", timestamp: noon.addingTimeInterval(-86_400), source: "daemon"),
            ]
            for event in events { _ = try store.recordListen(event) }
            #expect(try store.allListens() == [
                StoredListen(user: "Zoë", trackID: "t1", timestamp: noon.addingTimeInterval(-86_400)),
                StoredListen(user: "ana", trackID: "t3", timestamp: noon.addingTimeInterval(0.5)),
                StoredListen(user: "ana", trackID: "t9", timestamp: noon.addingTimeInterval(0.5), msPlayed: 0, skipped: false),
                StoredListen(user: "ana", trackID: "t1", timestamp: noon.addingTimeInterval(60), msPlayed: 1000, skipped: true),
                StoredListen(user: "bo", trackID: "t2", timestamp: noon),
            ])
        }
    }

    @Test func refusesATimeItCannotRead() throws {
        try withTemporaryStore { store, _ in
            _ = try store.recordListen(ListenEvent(user: "ana", trackID: "t1", timestamp: noon, source: "daemon"))
            try store.database.execute("UPDATE listens SET ts = '1 May 2024'")
            #expect(throws: UnreadableListenTimestamp(user: "ana", trackID: "t1", text: "1 May 2024")) {
                try store.allListens()
            }
        }
    }

    @Test("50,000 listens of 100 users come back grouped by user, in time order")
    func loadsFiftyThousandListensInOrder() throws {
        try withTemporaryStore { store, _ in
            try store.database.transaction {
                let writer = try ListenWriter(store.database, clock: store.clock)
                for index in 0..<50_000 {
                    _ = try writer.insert(
                        ListenEvent(
                            user: "user\(index % 100)", trackID: "track\(index % 5_000)",
                            timestamp: noon.addingTimeInterval(Double(index)), msPlayed: index, skipped: index % 3 == 0,
                            source: "test"))
                }
            }
            var listens: [StoredListen] = []
            let elapsed = try ContinuousClock().measure { listens = try store.allListens() }
            print("allListens: 50,000 listens in \(elapsed)")
            #expect(listens.count == 50_000)
            #expect(zip(listens, listens.dropFirst()).allSatisfy {
                $0.user < $1.user || ($0.user == $1.user && $0.timestamp <= $1.timestamp)
            })
        }
    }
}
