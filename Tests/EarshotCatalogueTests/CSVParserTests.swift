import Testing

@testable import EarshotCatalogue

@Suite("CSV parser")
struct CSVParserTests {
    struct Parsed: Equatable {
        var line: Int
        var fields: [String?]
        var defect: CSVDefect?
    }

    /// Parses `bytes` fed in chunks of `chunkSize`, as a file reader would.
    func parse(_ bytes: [UInt8], chunkSize: Int) -> [Parsed] {
        var parser = CSVParser()
        var records: [Parsed] = []
        let collect = { (record: CSVRecord) in
            records.append(Parsed(
                line: record.line, fields: (0..<record.count).map { record.string(at: $0) }, defect: record.defect))
        }
        bytes.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = min(start + chunkSize, all.count)
                parser.parse(UnsafeBufferPointer(rebasing: all[start..<end]), collect)
                start = end
            }
        }
        parser.finish(collect)
        return records
    }

    /// Parses `text` in every chunking from 1 byte to all at once; all must agree.
    func parse(_ text: String) -> [Parsed] {
        let bytes = Array(text.utf8)
        let whole = parse(bytes, chunkSize: max(bytes.count, 1))
        for chunkSize in [1, 2, 3, 5, 7] {
            #expect(parse(bytes, chunkSize: chunkSize) == whole, "chunk size \(chunkSize)")
        }
        return whole
    }

    @Test func plainFieldsAndLineEndings() {
        #expect(parse("a,b,c\n1,2,3\n") == [
            Parsed(line: 1, fields: ["a", "b", "c"]), Parsed(line: 2, fields: ["1", "2", "3"]),
        ])
        #expect(parse("a,b\r\n1,2\r\n") == [Parsed(line: 1, fields: ["a", "b"]), Parsed(line: 2, fields: ["1", "2"])])
        #expect(parse("a,b\n1,2") == [Parsed(line: 1, fields: ["a", "b"]), Parsed(line: 2, fields: ["1", "2"])])
        #expect(parse("a,\n,b\n") == [Parsed(line: 1, fields: ["a", ""]), Parsed(line: 2, fields: ["", "b"])])
        #expect(parse("") == [])
    }

    @Test func quotedFields() {
        let records = parse("\"a, b\",\"say \"\"hi\"\"\",\"\"\n\"x\",y\n")
        #expect(records == [
            Parsed(line: 1, fields: ["a, b", "say \"hi\"", ""]), Parsed(line: 2, fields: ["x", "y"]),
        ])
    }

    @Test func newlinesInsideQuotesCountAsLines() {
        let records = parse("h1,h2\r\n\"two\r\nlines\",x\r\n\"three\nmore\nlines\",y\r\nlast,z\r\n")
        #expect(records.map(\.line) == [1, 2, 4, 7])
        #expect(records[1].fields == ["two\r\nlines", "x"])
        #expect(records[2].fields == ["three\nmore\nlines", "y"])
    }

    @Test func blankLinesAreSkippedButCounted() {
        #expect(parse("a\n\n\r\nb\n\n") == [Parsed(line: 1, fields: ["a"]), Parsed(line: 4, fields: ["b"])])
    }

    @Test func quoteInsideUnquotedFieldIsLiteral() {
        #expect(parse("5\" vinyl,x\n") == [Parsed(line: 1, fields: ["5\" vinyl", "x"])])
    }

    @Test func malformedQuoting() {
        #expect(parse("\"abc\"def,x\nok,y\n") == [
            Parsed(line: 1, fields: ["abcdef", "x"], defect: .textAfterClosingQuote),
            Parsed(line: 2, fields: ["ok", "y"]),
        ])
        #expect(parse("ok,y\n\"never\nclosed,z\n") == [
            Parsed(line: 1, fields: ["ok", "y"]),
            Parsed(line: 2, fields: ["never\nclosed,z\n"], defect: .unterminatedQuote),
        ])
    }

    @Test func nonASCIIAndInvalidUTF8() {
        #expect(parse("Beyoncé,Sigur Rós,夜に駆ける\n") == [Parsed(line: 1, fields: ["Beyoncé", "Sigur Rós", "夜に駆ける"])])
        let invalid: [UInt8] = Array("ok,".utf8) + [0xC3, 0x28] + Array(",x\n".utf8)
        #expect(parse(invalid, chunkSize: 64) == [Parsed(line: 1, fields: ["ok", nil, "x"])])
    }
}
