import Testing

@testable import EarshotCatalogue

@Suite("PostgreSQL COPY text format")
struct PostgresCopyTextTests {
    func fields(_ line: String) throws -> [String?] {
        var line = line
        return try line.withUTF8 { try PostgresCopyText.fields(of: $0) }
    }

    @Test func splitsOnTabsAndReadsNull() throws {
        #expect(try fields("a\tb c\t\\N\t") == ["a", "b c", nil, ""])
        #expect(try fields("") == [""])
        #expect(try fields("\\N") == [nil])
        #expect(try fields("\\\\N\t\\Nx") == ["\\N", "Nx"], "an escaped backslash before N is text")
    }

    @Test func undoesEscapes() throws {
        #expect(try fields(#"tab\there\nnew \\ back \"q\" \r\b\f\v"#) == ["tab\there\nnew \\ back \"q\" \r\u{8}\u{C}\u{B}"])
        #expect(try fields(#"\101\x42\x4a\7"#) == ["ABJ\u{7}"], "octal and hex bytes")
        #expect(try fields(#"\303\251t\303\251"#) == ["été"], "escaped UTF-8 bytes")
        #expect(try fields("Sigur Rós\t夜に駆ける") == ["Sigur Rós", "夜に駆ける"])
    }

    @Test func rejectsBrokenFields() {
        #expect(throws: RowRejection.self) { try fields("ok\tends with \\") }
        #expect(throws: RowRejection.self) { try fields(#"\377"#) }  // not UTF-8
    }

    @Test func readsArrayLiterals() throws {
        #expect(try PostgresCopyText.array("{}") == [])
        #expect(try PostgresCopyText.array("{ }") == [])
        #expect(try PostgresCopyText.array("{rock}") == ["rock"])
        #expect(try PostgresCopyText.array(#"{rock,"hip hop",NULL,"NULL",null}"#) == ["rock", "hip hop", nil, "NULL", nil])
        #expect(try PostgresCopyText.array(#"{"rock, indie","say \"hi\"","back\\slash"}"#)
            == ["rock, indie", "say \"hi\"", "back\\slash"])
        #expect(try PostgresCopyText.array("{ spaced out , x }") == ["spaced out", "x"])
        #expect(try PostgresCopyText.array("{\"\"}") == [""])
        #expect(try PostgresCopyText.array("[0:1]={a,b}") == ["a", "b"])
        #expect(try PostgresCopyText.array("{j-pop,r&b,música}") == ["j-pop", "r&b", "música"])
    }

    @Test(arguments: ["rock", "{rock", "{\"rock}", "{{a},{b}}", "{a\"b\"}", "{\"a\"b}"])
    func rejectsMalformedArrays(_ literal: String) {
        #expect(throws: RowRejection.self) { try PostgresCopyText.array(literal) }
    }
}
