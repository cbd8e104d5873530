/// Catalogue rules applied inside a scan, so a filtered request is still one
/// pass: at most one item per song (the best version), none of the songs
/// already heard or given as seeds, and at most `maxPerArtist` per artist.
///
/// Songs and artists are dense ids the daemon assigns per load; -1 means the
/// item has no catalogue row, and such an item is subject to neither rule.
public struct CandidateRules: Sendable {
    /// Song id of each item (all versions of one song share it), or -1.
    public let songOfItem: [Int32]
    /// Primary-artist id of each item (by normalized name, as songs are keyed, so
    /// all versions of a song share their artist), or -1.
    public let artistOfItem: [Int32]
    public var excludedSongs: Set<Int32>
    public var maxPerArtist: Int?

    public init(songOfItem: [Int32], artistOfItem: [Int32], excludedSongs: Set<Int32> = [], maxPerArtist: Int? = nil) {
        precondition(songOfItem.count == artistOfItem.count, "one song and one artist per item")
        self.songOfItem = songOfItem
        self.artistOfItem = artistOfItem
        self.excludedSongs = excludedSongs
        self.maxPerArtist = maxPerArtist
    }

    @inlinable
    func song(of item: Int32) -> Int32 { Int(item) < songOfItem.count ? songOfItem[Int(item)] : -1 }

    @inlinable
    func artist(of item: Int32) -> Int32 { Int(item) < artistOfItem.count ? artistOfItem[Int(item)] : -1 }
}

/// The best `k` items under optional `CandidateRules`, kept while scanning.
///
/// The result equals walking all items best first and keeping an item when
/// its song is not excluded and not yet taken (the song is taken by its best
/// version even when the artist rule then drops that version) and its artist
/// has fewer than `maxPerArtist` kept items, until `k` are kept. Only items
/// above the current threshold are looked at (the threshold never falls),
/// and what is kept stays within about `k` entries. Selections of disjoint
/// parts merge exactly (`merge`), so a scan can be split across threads.
public struct CandidateSelection: Sendable {
    public let k: Int
    let rules: CandidateRules?
    /// Without rules: a plain bounded heap.
    var heap: TopK
    /// With rules: the kept items (unordered), and every song's best version seen.
    var kept: [ScoredItem] = []
    var songBest: [Int32: ScoredItem] = [:]
    /// Score an item must reach to be looked at (`-infinity` until `k` are kept).
    public private(set) var threshold: Float = -.infinity

    public init(k: Int, rules: CandidateRules?) {
        self.k = k
        self.rules = rules
        heap = TopK(k: k)
    }

    /// Offers one item; items must be offered at most once per selection.
    @inlinable
    public mutating func offer(item: Int32, score: Float) {
        guard score >= threshold else { return }
        insert(ScoredItem(item: item, score: score))
    }

    @usableFromInline
    mutating func insert(_ candidate: ScoredItem) {
        guard let rules else {
            heap.insert(item: candidate.item, score: candidate.score)
            threshold = heap.threshold
            return
        }
        if kept.count == k, let lowest = lowestIndex(), !Self.ranks(candidate, above: kept[lowest]) { return }
        let song = rules.song(of: candidate.item)
        if song >= 0 {
            if rules.excludedSongs.contains(song) { return }
            if let best = songBest[song], Self.ranks(best, above: candidate) { return }
            songBest[song] = candidate
            kept.removeAll { $0.item != candidate.item && rules.song(of: $0.item) == song }
        }
        admit(candidate, rules: rules)
    }

    /// Adds what `other` (a selection over a disjoint part of the items) kept.
    public mutating func merge(_ other: CandidateSelection) {
        guard rules != nil else {
            for item in other.heap.sorted() { offer(item: item.item, score: item.score) }
            return
        }
        for (song, best) in other.songBest {
            if let mine = songBest[song], Self.ranks(mine, above: best) { continue }
            songBest[song] = best
            // A better version elsewhere takes the song from what this part kept.
            kept.removeAll { $0.item != best.item && rules!.song(of: $0.item) == song }
        }
        if kept.count < k { threshold = -.infinity }
        for candidate in other.kept.sorted(by: Self.ranks) where candidate.score >= threshold {
            insertMerged(candidate)
        }
    }

    /// `insert` for an item that is already its song's best in `songBest`.
    private mutating func insertMerged(_ candidate: ScoredItem) {
        guard let rules else { return }
        let song = rules.song(of: candidate.item)
        if song >= 0, let best = songBest[song], best.item != candidate.item { return }
        if kept.count == k, let lowest = lowestIndex(), !Self.ranks(candidate, above: kept[lowest]) { return }
        admit(candidate, rules: rules)
    }

    /// The steps `insert` and `insertMerged` share once the song is settled:
    /// the per-artist limit (the artist's lowest kept item makes way for a
    /// better one), then `k`.
    private mutating func admit(_ candidate: ScoredItem, rules: CandidateRules) {
        let artist = rules.artist(of: candidate.item)
        if let limit = rules.maxPerArtist, artist >= 0 {
            let same = kept.indices.filter { rules.artist(of: kept[$0].item) == artist }
            if same.count >= limit {
                let lowest = same.min { Self.ranks(kept[$1], above: kept[$0]) }!
                guard Self.ranks(candidate, above: kept[lowest]) else { return }
                kept.remove(at: lowest)
            }
        }
        if kept.contains(where: { $0.item == candidate.item }) { return }
        kept.append(candidate)
        if kept.count > k, let lowest = lowestIndex() { kept.remove(at: lowest) }
        if kept.count == k, let lowest = lowestIndex() { threshold = kept[lowest].score }
    }

    /// The kept items, best first.
    public func sorted() -> [ScoredItem] {
        rules == nil ? heap.sorted() : kept.sorted(by: Self.ranks)
    }

    private func lowestIndex() -> Int? {
        kept.indices.min { Self.ranks(kept[$1], above: kept[$0]) }
    }

    /// The ranking every scan uses: higher score first, then lower item index.
    @inlinable
    static func ranks(_ a: ScoredItem, above b: ScoredItem) -> Bool {
        a.score > b.score || (a.score == b.score && a.item < b.item)
    }
}
