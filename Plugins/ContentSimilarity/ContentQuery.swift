import EarshotScoring

/// A query point in the content space: a dense feature part and a dense
/// genre part (a profile mixes many genres).
struct ContentQuery: Sendable {
    var features = SIMD16<Float>()
    var genres: [Float]

    init(genreCount: Int) {
        genres = [Float](repeating: 0, count: genreCount)
    }

    /// The weighted sum of item vectors, scaled to unit length so scores are cosines.
    init(model: ContentModel, items: [WeightedItem]) {
        self.init(genreCount: model.genreCount)
        for entry in items {
            add(item: Int(entry.item), weight: entry.weight, model: model)
        }
        normalize()
    }

    mutating func add(item: Int, weight: Float, model: ContentModel) {
        features += model.features[item] * weight
        for position in Int(model.genreStart[item])..<Int(model.genreStart[item + 1]) {
            genres[Int(model.genreIndex[position])] += model.genreValue[position] * weight
        }
    }

    mutating func normalize() {
        let norm = ((features * features).sum() + genres.reduce(0) { $0 + $1 * $1 }).squareRoot()
        guard norm > 0 else { return }
        features /= norm
        genres = genres.map { $0 / norm }
    }

    /// Cosine similarity with `item` (both are unit length).
    @inline(__always)
    func score(_ item: Int, in model: ContentModel) -> Float {
        var total = (features * model.features[item]).sum()
        for position in Int(model.genreStart[item])..<Int(model.genreStart[item + 1]) {
            total += genres[Int(model.genreIndex[position])] * model.genreValue[position]
        }
        return total
    }
}
