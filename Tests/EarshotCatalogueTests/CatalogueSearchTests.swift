import Testing

@testable import EarshotCatalogue

@Suite("Catalogue search")
struct CatalogueSearchTests {
    let rows = [
        tracksHeader,
        plainRow(id: "halo", artists: "Beyoncé", album: "I Am... Sasha Fierce", name: "Halo", popularity: 80),
        plainRow(id: "hoppipolla", artists: "Sigur Rós", album: "Takk...", name: "Hoppípolla"),
        plainRow(id: "yoru", artists: "YOASOBI", album: "THE BOOK", name: "夜に駆ける"),
        plainRow(id: "back-in-black", artists: "AC/DC", album: "Back in Black", name: "Back in Black"),
        plainRow(id: "hells-bells", artists: "AC/DC", album: "Back in Black", name: "Hells Bells", popularity: 70),
        // Scores the same as "halo" (same text lengths), so popularity decides.
        plainRow(id: "halo-cover", artists: "Someone", album: "I Am... Sasha Fierce", name: "Halo", popularity: 10),
    ]

    func withSearchableStore(_ body: (CatalogueStore) throws -> Void) throws {
        try withTemporaryStore { store, directory in
            _ = try importCSV(try writeCSV(rows, in: directory), into: store)
            try body(store)
        }
    }

    @Test func findsByNameArtistAndAlbum() throws {
        try withSearchableStore { store throws in
            #expect(try store.search("halo", limit: 10) == ["halo", "halo-cover"], "equal scores: the more popular first")
            #expect(try store.search("beyonce", limit: 10) == ["halo"], "accents do not matter")
            #expect(try store.search("sigur ros", limit: 10) == ["hoppipolla"])
            #expect(try store.search("takk", limit: 10) == ["hoppipolla"])
            #expect(try store.search("夜に駆ける", limit: 10) == ["yoru"])
        }
    }

    @Test func lastWordIsAPrefixAndNameMatchesRankFirst() throws {
        try withSearchableStore { store throws in
            #expect(try store.search("hoppíp", limit: 10) == ["hoppipolla"])
            #expect(try store.search("AC/DC hel", limit: 10) == ["hells-bells"])
            // Both are by AC/DC on "Back in Black"; only one is named so.
            #expect(try store.search("back in black", limit: 10) == ["back-in-black", "hells-bells"])
            #expect(try store.search("back in black", limit: 1) == ["back-in-black"])
        }
    }

    @Test(arguments: [
        "AC/DC \"", "NOT (", "\"", "*", ")", "name:halo", "halo OR", "NEAR(halo", "^halo", "'; DROP TABLE tracks; --",
        "-halo", "halo\"*", "{name}: halo", "AND", "💿",
    ])
    func hostileInputIsSafe(text: String) throws {
        try withSearchableStore { store throws in
            _ = try store.search(text, limit: 10)
            #expect(try store.trackCount() == 6)
        }
    }

    @Test func emptyQueriesFindNothing() throws {
        try withSearchableStore { store throws in
            #expect(try store.search("", limit: 10) == [])
            #expect(try store.search("  \t ", limit: 10) == [])
            #expect(try store.search("?!", limit: 10) == [])
            #expect(try store.search("halo", limit: 0) == [])
        }
    }

    @Test func queryQuotesEveryWord() {
        #expect(CatalogueStore.ftsQuery("AC/DC \"live") == "\"AC/DC\" \"\"\"live\"*")
        #expect(CatalogueStore.ftsQuery("NOT ( x") == "\"NOT\" \"x\"*")
        #expect(CatalogueStore.ftsQuery(" ( ) ") == nil)
    }
}
