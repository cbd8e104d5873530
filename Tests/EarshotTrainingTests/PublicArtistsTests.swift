import EarshotScoring
import EarshotSnapshot
import EarshotTraining
import Foundation
import Testing

@Suite("public artists stored in the artists part")
struct PublicArtistsTests {
    static func artists() throws -> PublicArtists {
        var table = InteractionTable()
        for user in 0..<6 {
            for artist in ["a1", "a2", "a3"] where user % 3 != 0 || artist != "a2" {
                table.add(user: "u\(user)", item: artist, weight: Float(5 + user))
            }
        }
        var configuration = ALSConfiguration()
        configuration.factors = 3
        let model = try ALSTrainer(interactions: table, configuration: configuration).train()
        return PublicArtists(model: model, names: ["a1": "Alpha", "a3": "Line\nBreak"], table: table)
    }

    @Test("the part reads back the artists it was written with; an unnamed artist stays unnamed")
    func roundTrip() throws {
        let artists = try Self.artists()
        let byID = Dictionary(uniqueKeysWithValues: artists.ids.indices.map { (artists.ids[$0], (artists.names[$0], artists.listeners[$0])) })
        #expect(byID["a1"]! == ("Alpha", 6) && byID["a2"]! == ("", 4) && byID["a3"]! == ("Line Break", 6))
        let part = ArtistMapping(artists: artists, catalogue: .empty).snapshotPart(priorWeight: 0.5, ownWeight: 1)
        let read = try #require(try PublicArtists(part: part.files, manifest: part.part))
        #expect(read.ids == artists.ids && read.names == artists.names && read.listeners == artists.listeners)
        #expect(read.factors == artists.factors && read.dimension == 3 && read.users == 6)
    }

    @Test("a part written before names were stored gives nil (carried as it is); a short names file is refused")
    func olderAndBrokenParts() throws {
        let part = ArtistMapping(artists: try Self.artists(), catalogue: .empty).snapshotPart(priorWeight: 0, ownWeight: 0)
        var older = part.files
        older["artist_names.txt"] = nil
        older["artist_listeners.npy"] = nil
        #expect(try PublicArtists(part: older, manifest: part.part) == nil)
        var broken = part.files
        broken["artist_names.txt"] = Data("Alpha\n".utf8)
        #expect(throws: TrainingError.self) { try PublicArtists(part: broken, manifest: part.part) }
    }
}
