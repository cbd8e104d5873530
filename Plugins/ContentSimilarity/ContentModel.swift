import EarshotScoring

/// Unit-length item vectors over the catalogue's tracks that have audio
/// features: a dense part (standardized audio features) and a sparse part
/// (TF-IDF over genres), so cosine similarity is one dot product.
struct ContentModel: Sendable {
    /// Audio features used, in vector order (the seed notebook's eleven).
    static let featureNames = [
        "danceability", "energy", "tempo", "acousticness", "instrumentalness", "liveness", "valence",
        "speechiness", "loudness", "key", "mode",
    ]

    /// Catalogue id of each item.
    let itemIDs: IDList
    let rowOfID: [String: Int32]
    /// Dense part of each unit vector (11 features, zero padded to 16 lanes).
    let features: [SIMD16<Float>]
    /// Sparse genre part, CSR: item i's genres are `genreIndex[genreStart[i]..<genreStart[i+1]]`.
    let genreStart: [Int32]
    let genreIndex: [Int32]
    let genreValue: [Float]
    let genreCount: Int

    init(catalogue: TrackCatalogue, featureWeight: Float, genreWeight: Float) {
        let tracks = catalogue.tracks.filter { $0.features != nil }
        let raw = tracks.map { Self.rawFeatures($0.features!) }
        let (mean, scale) = Self.standardization(raw)

        var genreIDs: [String: Int32] = [:]
        var documentFrequency: [Int] = []
        for track in tracks {
            for genre in Set(track.genres) {
                if let id = genreIDs[genre] {
                    documentFrequency[Int(id)] += 1
                } else {
                    genreIDs[genre] = Int32(documentFrequency.count)
                    documentFrequency.append(1)
                }
            }
        }
        // Smoothed IDF, as scikit-learn's TfidfVectorizer computes it.
        let count = Float(tracks.count)
        let idf = documentFrequency.map { logf((1 + count) / (1 + Float($0))) + 1 }

        var ids: [String] = []
        var rows: [String: Int32] = [:]
        var dense: [SIMD16<Float>] = []
        var start: [Int32] = [0]
        var index: [Int32] = []
        var value: [Float] = []
        ids.reserveCapacity(tracks.count)
        dense.reserveCapacity(tracks.count)
        for (item, track) in tracks.enumerated() {
            var vector = SIMD16<Float>()
            for lane in 0..<Self.featureNames.count {
                vector[lane] = (raw[item][lane] - mean[lane]) * scale[lane]
            }
            vector *= featureWeight
            let genres = Set(track.genres).map { genreIDs[$0]! }.sorted()
            var genreVector = genres.map { idf[Int($0)] }
            let genreNorm = genreVector.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if genreNorm > 0 { genreVector = genreVector.map { $0 / genreNorm * genreWeight } }
            let norm = ((vector * vector).sum() + genreVector.reduce(0) { $0 + $1 * $1 }).squareRoot()
            let inverse: Float = norm > 0 ? 1 / norm : 0
            rows[track.id] = Int32(item)
            ids.append(track.id)
            dense.append(vector * inverse)
            index.append(contentsOf: genres)
            value.append(contentsOf: genreVector.map { $0 * inverse })
            start.append(Int32(index.count))
        }
        itemIDs = IDList(ids)
        rowOfID = rows
        features = dense
        genreStart = start
        genreIndex = index
        genreValue = value
        genreCount = documentFrequency.count
    }

    static func rawFeatures(_ f: AudioFeatures) -> [Float] {
        [
            f.danceability, f.energy, f.tempo, f.acousticness, f.instrumentalness, f.liveness, f.valence,
            f.speechiness, f.loudness, f.key, f.mode,
        ]
    }

    /// Per-feature mean and 1/standard deviation (1 where a feature is constant).
    static func standardization(_ rows: [[Float]]) -> (mean: [Float], scale: [Float]) {
        let width = featureNames.count
        guard !rows.isEmpty else { return ([Float](repeating: 0, count: width), [Float](repeating: 1, count: width)) }
        var mean = [Double](repeating: 0, count: width)
        for row in rows { for lane in 0..<width { mean[lane] += Double(row[lane]) } }
        mean = mean.map { $0 / Double(rows.count) }
        var variance = [Double](repeating: 0, count: width)
        for row in rows {
            for lane in 0..<width {
                let delta = Double(row[lane]) - mean[lane]
                variance[lane] += delta * delta
            }
        }
        let scale = variance.map { total -> Float in
            let deviation = (total / Double(rows.count)).squareRoot()
            return deviation > 0 ? Float(1 / deviation) : 1
        }
        return (mean.map(Float.init), scale)
    }
}

#if canImport(Glibc)
    import Glibc
#endif
