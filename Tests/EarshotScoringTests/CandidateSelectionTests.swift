import Testing

@testable import EarshotScoring

@Suite("Song and artist rules inside the scan")
struct CandidateSelectionTests {
    /// Items 0..<n: three versions per song, songs by 40 artists, every 11th item outside the catalogue.
    static func rules(items: Int, excluded: Set<Int32>, maxPerArtist: Int?) -> CandidateRules {
        let songs = (0..<items).map { $0 % 11 == 5 ? Int32(-1) : Int32($0 / 3) }
        let artists = songs.map { $0 < 0 ? Int32(-1) : $0 % 40 }
        return CandidateRules(songOfItem: songs, artistOfItem: artists, excludedSongs: excluded, maxPerArtist: maxPerArtist)
    }

    /// What the daemon did before the rules moved into the scan: walk the
    /// candidates best first, skip taken songs (a song is taken by its first
    /// version even when the artist limit then drops it), count artists.
    static func walk(_ scores: [Float], rules: CandidateRules, k: Int) -> [ScoredItem] {
        let ranked = scores.enumerated()
            .sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
        var songs = rules.excludedSongs
        var perArtist: [Int32: Int] = [:]
        var kept: [ScoredItem] = []
        for (item, score) in ranked {
            let song = rules.songOfItem[item]
            if song >= 0 {
                guard songs.insert(song).inserted else { continue }
                if let limit = rules.maxPerArtist {
                    let artist = rules.artistOfItem[item]
                    guard perArtist[artist, default: 0] < limit else { continue }
                    perArtist[artist, default: 0] += 1
                }
            }
            kept.append(ScoredItem(item: Int32(item), score: score))
            if kept.count == k { break }
        }
        return kept
    }

    static func scores(count: Int, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        // Coarse scores: many ties, so the tie rule is exercised too.
        return (0..<count).map { _ in Float(generator.next() % 500) / 10 }
    }

    @Test(
        "one pass equals walking the ranked candidates",
        arguments: [(1, nil), (10, nil), (10, 1), (50, 2), (200, 3)] as [(Int, Int?)])
    func onePassEqualsWalk(k: Int, maxPerArtist: Int?) {
        let scores = Self.scores(count: 6_000, seed: UInt64(k))
        let rules = Self.rules(items: scores.count, excluded: [0, 7, 300, 1_000], maxPerArtist: maxPerArtist)
        var selection = CandidateSelection(k: k, rules: rules)
        for (item, score) in scores.enumerated() { selection.offer(item: Int32(item), score: score) }
        #expect(selection.sorted() == Self.walk(scores, rules: rules, k: k))
    }

    @Test("parts scanned apart (in any order) and merged equal one pass", arguments: [1, 2, 5])
    func mergedPartsEqualWalk(maxPerArtist: Int) {
        let scores = Self.scores(count: 9_000, seed: 99)
        let rules = Self.rules(items: scores.count, excluded: [3, 4, 5], maxPerArtist: maxPerArtist)
        let k = 40
        var parts = (0..<3).map { _ in CandidateSelection(k: k, rules: rules) }
        for item in (0..<scores.count).reversed() { parts[item % 3].offer(item: Int32(item), score: scores[item]) }
        var merged = parts[0]
        merged.merge(parts[1])
        merged.merge(parts[2])
        #expect(merged.sorted() == Self.walk(scores, rules: rules, k: k))
    }

    @Test("without rules the selection is the plain top-k")
    func plain() {
        let scores = Self.scores(count: 3_000, seed: 5)
        var selection = CandidateSelection(k: 25, rules: nil)
        for (item, score) in scores.enumerated() { selection.offer(item: Int32(item), score: score) }
        var top = TopK(k: 25)
        for (item, score) in scores.enumerated() { top.insert(item: Int32(item), score: score) }
        #expect(selection.sorted() == top.sorted())
    }

    @Test("the default pass (ask, then widen) applies the same rules")
    func widening() throws {
        let scores = Self.scores(count: 4_000, seed: 17)
        let rules = Self.rules(items: scores.count, excluded: [1, 2], maxPerArtist: 1)
        let ranked = Self.walk(scores, rules: CandidateRules(songOfItem: rules.songOfItem.map { _ in -1 }, artistOfItem: rules.artistOfItem.map { _ in -1 }), k: scores.count)
        var asks = 0
        let request = ScoringRequest(query: .seeds([0], .average), k: 30, exclusion: ItemExclusion(count: scores.count), rules: rules)
        let result = try RequestByRequestPass<NoScorer>.select(request: request, total: scores.count) { fetch in
            asks += 1
            return Array(ranked.prefix(fetch))
        }
        #expect(result == Self.walk(scores, rules: rules, k: 30))
        #expect(asks >= 1)
    }
}

/// Only a type for `RequestByRequestPass`'s static helper.
struct NoScorer: LoadedScorer {
    var facts: [String: Int] { [:] }
    var itemIDs: IDList { IDList([]) }
    func item(of id: String) -> Int32? { nil }
    func recommend(for listener: Listener, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] { [] }
    func similar(to seeds: [Int32], strategy: SeedStrategy, k: Int, excluding exclusion: ItemExclusion) throws(ScoringError) -> [ScoredItem] { [] }
    func score(_ items: [Int32], for listener: Listener) throws(ScoringError) -> [Float] { [] }
}
