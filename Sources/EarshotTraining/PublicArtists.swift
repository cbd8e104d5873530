import EarshotSnapshot
import Foundation

/// The public listeners' artist model an `artists` part maps onto a
/// catalogue: each Last.fm artist's id, name, listeners (its rows in
/// `user_artists.dat`) and ALS factors, with the fold-in settings. The part
/// stores all of it (`artists.txt`, `artist_names.txt`,
/// `artist_listeners.npy`, `artist_factors.npy`), so a retrain maps it onto
/// a grown catalogue without the Last.fm files.
public struct PublicArtists: Sendable {
    public let ids: [String]
    /// Names aligned with `ids`; empty where `artists.dat` lacks the id.
    public let names: [String]
    public let listeners: [Int]
    /// Row-major `ids.count × dimension`.
    public let factors: [Float]
    public let dimension: Int
    /// The trained ALS's manifest hyperparameters (fold-in settings).
    public let hyperparameters: [String: Double]
    /// Public listeners the factors were trained on.
    public let users: Int

    /// The model `earshot train artists` trained on `table` (user_artists.dat), named by `names` (artists.dat).
    public init(model: ALSModel, names: [String: String], table: InteractionTable) {
        var listeners = [Int](repeating: 0, count: model.itemIDs.count)
        for item in table.items { listeners[Int(item)] += 1 }
        ids = model.itemIDs
        // One name per line in the part: a line break inside a name would split it.
        self.names = model.itemIDs.map { id in
            (names[id] ?? "").replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
        }
        self.listeners = listeners
        factors = model.itemFactors
        dimension = model.factors
        hyperparameters = model.configuration.hyperparameters
        users = model.userIDs.count
    }

    /// The model an `artists` part holds, or nil for a part written before
    /// names and listeners were stored (it can only be carried as it is).
    public init?(part files: [String: Data], manifest: Manifest.Part) throws(TrainingError) {
        guard let listenersFile = files[ArtistMapping.File.listeners], files[ArtistMapping.File.names] != nil else { return nil }
        func lines(_ file: String) throws(TrainingError) -> [String] {
            guard let data = files[file] else { throw .cannotRead(path: "artists/\(file)", reason: "missing") }
            var lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
            if lines.last == "" { lines.removeLast() }
            return lines
        }
        func tensor(_ file: String, _ data: Data) throws(TrainingError) -> NPY.Tensor {
            do { return try NPY.read(data, name: "artists/\(file)") } catch { throw .cannotRead(path: "artists/\(file)", reason: "\(error)") }
        }
        let ids = try lines(ArtistMapping.File.ids)
        let names = try lines(ArtistMapping.File.names)
        guard case .int64(_, let listeners) = try tensor(ArtistMapping.File.listeners, listenersFile), names.count == ids.count,
            listeners.count == ids.count
        else {
            throw .cannotRead(
                path: "artists/\(ArtistMapping.File.names)", reason: "names and listeners must have one entry per line of artists/\(ArtistMapping.File.ids)")
        }
        guard let factorsFile = files[ArtistMapping.File.factors], case .float32(let shape, let factors) = try tensor(ArtistMapping.File.factors, factorsFile),
            shape.count == 2, shape[0] == ids.count
        else { throw .cannotRead(path: "artists/\(ArtistMapping.File.factors)", reason: "must be float32 artists × factors") }
        self.ids = ids
        self.names = names
        self.listeners = listeners.map { Int($0) }
        self.factors = factors
        dimension = shape[1]
        hyperparameters = manifest.hyperparameters
        users = manifest.training["listeners"] ?? 0
    }
}
