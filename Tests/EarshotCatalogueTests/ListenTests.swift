import EarshotTime
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

    @Test func timesAreFixedWidthUTCMicroseconds() {
        #expect(ListenTime(noon).text == "2024-05-01T12:00:00.000000Z")
        #expect(ListenTime(noon.addingTimeInterval(0.25)).text == "2024-05-01T12:00:00.250000Z")
        #expect(ListenTime(microseconds: 1_714_564_800_000_001).text == "2024-05-01T12:00:00.000001Z")
        #expect(ListenTime(microseconds: -1).text == "1969-12-31T23:59:59.999999Z")
        #expect(ListenTime(Date(timeIntervalSince1970: 951_782_400)).text == "2000-02-29T00:00:00.000000Z")
        let parsed = ListenTime(microseconds: 1_714_564_800_123_456).text
        #expect(ISO8601Timestamp.parse(parsed).map(ListenTime.init)?.microseconds == 1_714_564_800_123_456)
    }

    @Test("listens without a time never merge, even 3,000 in one burst for one track")
    func stampedListensAreDistinct() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("catalogue.db").path
            let store = try CatalogueStore.open(path: path, create: true)
            let events = (0..<3_000).map {
                ListenEvent(user: "ana", trackID: "t1", timestamp: nil, msPlayed: $0, source: "earshotd")
            }
            #expect(try store.recordListens(Array(events[..<1_000])) == 1_000)
            for event in events[1_000...] { #expect(try store.recordListen(event)) }
            let rows = try store.database.prepare("SELECT ts, ms_played FROM listens ORDER BY id")
            var times: [String] = []
            var played: [Int] = []
            while try rows.step() {
                times.append(rows.string(at: 0))
                played.append(rows.int(at: 1))
            }
            #expect(played == Array(0..<3_000), "every event keeps its own ms_played")
            #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 }, "stamps strictly increase")
            // A new connection continues after the stored stamps, even if the clock were behind.
            let reopened = try CatalogueStore.open(path: path, create: false)
            #expect(try reopened.recordListen(ListenEvent(user: "ana", trackID: "t1", timestamp: nil, source: "earshotd")))
            let last = try reopened.database.prepare("SELECT ts FROM listens ORDER BY id DESC LIMIT 1")
            try last.step()
            #expect(last.string(at: 0) > times.last!)
        }
    }

    @Test("the same client time or event id is a duplicate; a different event id at the same time is not")
    func clientIdentity() throws {
        try withTemporaryDirectory { directory in
            let store = try CatalogueStore.open(path: directory.appendingPathComponent("c.db").path, create: true)
            let play = ListenEvent(user: "ana", trackID: "t1", timestamp: noon, msPlayed: 1, source: "earshotd")
            #expect(try store.recordListen(play))
            var retry = play
            retry.msPlayed = 2
            #expect(try store.recordListen(retry) == false, "same user, track, time: a retry")
            var identified = play
            identified.eventID = "e1"
            #expect(try store.recordListen(identified), "an event id makes it a different event")
            var sameID = identified
            sameID.timestamp = noon.addingTimeInterval(60)
            sameID.trackID = "t2"
            #expect(try store.recordListen(sameID) == false, "the same event id for that user")
            var otherUser = sameID
            otherUser.user = "bo"
            #expect(try store.recordListen(otherUser), "event ids are per user")
        }
    }

    @Test("a version-2 catalogue migrates in place: millisecond times gain three zeros and still sort")
    func migratesVersionTwo() throws {
        try withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("old.db").path
            do {
                // The listens table as schema versions 1 and 2 wrote it, beside the
                // track tables a version-2 file has (their columns matter not here).
                let old = try SQLiteDatabase.open(path: path, mode: .create)
                try old.execute(
                    """
                    CREATE TABLE tracks (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, album TEXT NOT NULL, popularity INTEGER NOT NULL);
                    CREATE TABLE artists (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE track_artists (track_id TEXT NOT NULL, artist_id INTEGER NOT NULL, position INTEGER NOT NULL);
                    CREATE TABLE genres (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE track_genres (track_id TEXT NOT NULL, genre_id INTEGER NOT NULL);
                    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE listens (
                        id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id),
                        track_id TEXT NOT NULL, ts TEXT NOT NULL, ms_played INTEGER, skipped INTEGER,
                        source TEXT NOT NULL, UNIQUE (user_id, track_id, ts, source));
                    INSERT INTO users (id, name) VALUES (1, 'ana');
                    INSERT INTO listens (user_id, track_id, ts, ms_played, source) VALUES
                        (1, 't1', '2024-05-01T12:00:00.000Z', 10, 'earshotd'),
                        (1, 't1', '2024-05-01T12:00:00.001Z', 20, 'earshotd'),
                        (1, 't2', '2024-05-01T11:59:59.999Z', 30, 'import');
                    PRAGMA user_version = 2;
                    """)
            }
            let store = try CatalogueStore.open(path: path, create: false)
            // A new row between two old ones, at microsecond resolution.
            let between = Date(timeIntervalSince1970: 1_714_564_800.0005)
            #expect(try store.recordListen(ListenEvent(user: "ana", trackID: "t3", timestamp: between, source: "earshotd")))
            #expect(try store.recordListen(
                ListenEvent(user: "ana", trackID: "t1", timestamp: noon, msPlayed: 99, source: "earshotd")) == false,
                "an old row still identifies its event")
            let rows = try store.database.prepare("SELECT track_id, ts FROM listens ORDER BY ts")
            var order: [String] = []
            var times: [String] = []
            while try rows.step() {
                order.append(rows.string(at: 0))
                times.append(rows.string(at: 1))
            }
            #expect(order == ["t2", "t1", "t3", "t1"])
            #expect(times.first == "2024-05-01T11:59:59.999000Z")
            let version = try store.database.prepare("PRAGMA user_version")
            try version.step()
            #expect(version.int(at: 0) == CatalogueSchema.version)
            // Opening again changes nothing.
            _ = try CatalogueStore.open(path: path, create: false)
            #expect(try store.listens(forUser: "ana") == ["t1", "t2", "t3"])
        }
    }
}
