import Testing

@testable import EarshotTraining

@Suite("Interactions TSV")
struct InteractionTableTests {
    @Test("header, CRLF, blank lines, decimals; repeated pairs add up")
    func reads() throws {
        let folder = try Fixtures.TemporaryDirectory()
        let path = folder.path("i.tsv")
        try Fixtures.write("user\titem\tweight\r\nann\tx\t3\r\n\nann\ty\t0.5\nbob\tx\t2\nann\tx\t1e1\n", to: path)
        let table = try InteractionTable.read(tsv: path)
        #expect(table.userIDs == ["ann", "bob"])
        #expect(table.itemIDs == ["x", "y"])
        #expect(table.count == 3)
        #expect(table.users == [0, 0, 1] && table.items == [0, 1, 0])
        #expect(table.weights == [13, 0.5, 2])
    }

    @Test("bad lines are refused with their line number")
    func refuses() throws {
        let folder = try Fixtures.TemporaryDirectory()
        let cases = [
            ("user\titem\tweight\nann\tx\t0\n", 2), ("user\titem\tweight\nann\tx\n", 2),
            ("user\titem\tweight\nann\tx\t1\nbob\ty\tmany\n", 3), ("ann\tx\t1\tfour\n", 1),
        ]
        for (text, line) in cases {
            try Fixtures.write(text, to: folder.path("bad.tsv"))
            #expect {
                try InteractionTable.read(tsv: folder.path("bad.tsv"))
            } throws: { error in
                guard case .badLine(_, let found, _)? = error as? TrainingError else { return false }
                return found == line
            }
        }
        try Fixtures.write("user\titem\tweight\n", to: folder.path("empty.tsv"))
        #expect(throws: TrainingError.noInteractions(path: folder.path("empty.tsv"))) {
            try InteractionTable.read(tsv: folder.path("empty.tsv"))
        }
        #expect(throws: TrainingError.cannotRead(path: folder.path("none.tsv"), reason: "no such file")) {
            try InteractionTable.read(tsv: folder.path("none.tsv"))
        }
    }

    @Test("CSR transpose sorts columns within rows")
    func transpose() {
        let rows = SparseRows(rows: [1, 0, 1, 0], columns: [2, 1, 0, 0], values: [1, 2, 3, 4], rowCount: 2, columnCount: 3)
        #expect(rows.offsets == [0, 2, 4] && rows.columns == [1, 0, 2, 0])
        let sorted = rows.transposed().transposed()
        #expect(sorted.columns == [0, 1, 0, 2] && sorted.values == [4, 2, 3, 1])
        let transposed = rows.transposed()
        #expect(transposed.offsets == [0, 2, 3, 4] && transposed.columns == [0, 1, 0, 1] && transposed.values == [4, 3, 2, 1])
    }
}
