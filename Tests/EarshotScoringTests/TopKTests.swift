import Testing

@testable import EarshotScoring

@Suite("Top-k selection")
struct TopKTests {
    @Test("matches a full sort on random scores", arguments: [1, 5, 10, 100])
    func matchesSort(k: Int) {
        var generator = SplitMix64(seed: UInt64(k))
        let scores = (0..<2000).map { _ in Float(generator.next() % 1000) / 10 }
        var top = TopK(k: k)
        for (item, score) in scores.enumerated() { top.insert(item: Int32(item), score: score) }
        let expected = scores.enumerated()
            .sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
            .prefix(k).map { ScoredItem(item: Int32($0.offset), score: $0.element) }
        #expect(top.sorted() == Array(expected))
    }

    @Test("keeps fewer than k when fewer were offered")
    func fewer() {
        var top = TopK(k: 10)
        top.insert(item: 3, score: 1)
        top.insert(item: 1, score: 2)
        #expect(top.sorted() == [ScoredItem(item: 1, score: 2), ScoredItem(item: 3, score: 1)])
        #expect(top.threshold == -.infinity)
    }

    @Test("ties keep the lower index")
    func ties() {
        var top = TopK(k: 2)
        for item in [5, 2, 9, 1] { top.insert(item: Int32(item), score: 1) }
        #expect(top.sorted().map(\.item) == [1, 2])
    }
}

@Suite("Item exclusion")
struct ItemExclusionTests {
    @Test("bits are independent and out-of-range is ignored")
    func bits() {
        var exclusion = ItemExclusion(count: 130)
        for item: Int32 in [0, 63, 64, 129] { exclusion.exclude(item) }
        exclusion.exclude(500)
        exclusion.exclude(-1)
        #expect((0..<130).filter { exclusion.contains(Int32($0)) } == [0, 63, 64, 129])
        #expect(!exclusion.contains(500))
    }
}

@Suite("Song identity")
struct SongKeyTests {
    @Test("versions of one song share a key", arguments: [
        ("Ghost", "Ghost - Acoustic"), ("Ghost", "Ghost (Remastered 2011)"), ("Ghost", "GHOST [Live]"),
        ("Café", "Cafe"), ("Rock & Roll", "Rock and Roll"),
    ])
    func versions(a: String, b: String) {
        #expect(SongKey(title: a, primaryArtist: "Ben Woodward") == SongKey(title: b, primaryArtist: "ben woodward"))
    }

    @Test("different songs or artists differ")
    func different() {
        #expect(SongKey(title: "Ghost", primaryArtist: "A") != SongKey(title: "Ghosts", primaryArtist: "A"))
        #expect(SongKey(title: "Ghost", primaryArtist: "A") != SongKey(title: "Ghost", primaryArtist: "B"))
    }

    @Test("a title that is all decoration keeps its text")
    func decorationOnly() {
        #expect(TextNormalization.songTitle("(Intro)") == "intro")
    }

    @Test("the catalogue groups rows into songs")
    func catalogueSongs() {
        func track(_ id: String, _ name: String, _ artist: String) -> TrackRecord {
            TrackRecord(id: id, name: name, artists: [artist], album: "", genres: [], popularity: 0, durationMs: 0, explicit: false, features: nil)
        }
        let catalogue = TrackCatalogue(
            tracks: [track("a", "Ghost", "X"), track("b", "Ghost - Acoustic", "X"), track("c", "Ghost", "Y")],
            fingerprint: "t")
        #expect(catalogue.songOfRow == [0, 0, 1])
        #expect(catalogue.row(of: "c") == 2)
        #expect(catalogue.row(of: "z") == nil)
    }

    @Test("genre rows match any of the wanted genres regardless of case; explicit flags by row")
    func catalogueGenres() {
        func track(_ id: String, _ genres: [String], explicit: Bool = false) -> TrackRecord {
            TrackRecord(
                id: id, name: id, artists: ["A"], album: "", genres: genres, popularity: 0, durationMs: 0, explicit: explicit,
                features: nil)
        }
        let catalogue = TrackCatalogue(
            tracks: [track("a", ["Post-Rock", "rock"]), track("b", ["jazz"], explicit: true), track("c", []), track("d", ["ROCK"])],
            fingerprint: "t")
        #expect(catalogue.rows(inAnyOf: ["rock"]) == [true, false, false, true])
        #expect(catalogue.rows(inAnyOf: ["post-rock", "JAZZ"]) == [true, true, false, false])
        #expect(catalogue.rows(inAnyOf: ["polka"]) == [false, false, false, false])
        #expect(catalogue.rows(inAnyOf: [String]()) == [false, false, false, false])
        #expect(catalogue.explicitOfRow == [false, true, false, false])
    }
}

/// A small deterministic generator for tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Name normalization")
struct NameNormalizationTests {
    @Test("ASCII and Unicode paths agree", arguments: [
        ("AC/DC", "ac dc"), ("  Rock & Roll!! ", "rock and roll"), ("Beyoncé", "beyonce"), ("Sigur Rós", "sigur ros"),
        ("ÉLAN & Co", "elan and co"), ("100% Pure", "100 pure"),
    ])
    func normalizes(text: String, expected: String) {
        #expect(TextNormalization.name(text) == expected)
    }
}
