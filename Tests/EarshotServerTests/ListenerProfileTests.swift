import EarshotCatalogue
import EarshotScoring
import Foundation
import Testing

@testable import EarshotServer

@Suite("Listener profiles from stored listens")
struct ListenerProfileTests {
    let catalogue = TrackCatalogue(
        tracks: ["a", "b", "c"].map {
            TrackRecord(id: $0, name: $0, artists: ["x"], album: "", genres: [], popularity: 0, durationMs: 200_000, explicit: false, features: nil)
        }, fingerprint: "t")
    let now = Date(timeIntervalSince1970: 1_700_000_000)

    func weights(_ profile: ListenerProfile?) -> [Int32: Float] {
        Dictionary(uniqueKeysWithValues: (profile?.weightedRows ?? []).map { ($0.row, $0.weight) })
    }

    @Test("full plays count 1, partial plays their fraction, skips a quarter, repeats add up")
    func playWeights() {
        let listens = [
            StoredListen(user: "u", trackID: "a", timestamp: now, msPlayed: 200_000, skipped: false),
            StoredListen(user: "u", trackID: "a", timestamp: now, msPlayed: 100_000, skipped: false),
            StoredListen(user: "u", trackID: "b", timestamp: now, msPlayed: 200_000, skipped: true),
            StoredListen(user: "u", trackID: "c", timestamp: now, msPlayed: 1_000, skipped: nil),
            StoredListen(user: "u", trackID: "not-in-catalogue", timestamp: now),
        ]
        let profile = ListenerProfile.build(from: listens, catalogue: catalogue)["u"]
        let w = weights(profile)
        #expect(abs(w[0]! - 1.5) < 1e-5)
        #expect(abs(w[1]! - 0.25) < 1e-5)
        #expect(abs(w[2]! - 0.1) < 1e-5, "a play counts at least 10%")
        #expect(profile?.heardRows == [0, 1, 2])
    }

    @Test("a play 180 days before the latest counts half")
    func recency() {
        let listens = [
            StoredListen(user: "u", trackID: "a", timestamp: now.addingTimeInterval(-180 * 86_400)),
            StoredListen(user: "u", trackID: "b", timestamp: now),
        ]
        let w = weights(ListenerProfile.build(from: listens, catalogue: catalogue)["u"])
        #expect(abs(w[0]! - 0.5) < 1e-4)
        #expect(abs(w[1]! - 1) < 1e-5)
    }

    @Test("users are kept apart")
    func users() {
        let listens = [
            StoredListen(user: "u", trackID: "a", timestamp: now),
            StoredListen(user: "v", trackID: "b", timestamp: now),
            StoredListen(user: "v", trackID: "c", timestamp: now),
        ]
        let profiles = ListenerProfile.build(from: listens, catalogue: catalogue)
        #expect(profiles["u"]?.heardRows == [0])
        #expect(profiles["v"]?.heardRows == [1, 2])
    }
}
