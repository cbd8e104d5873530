import Testing

@testable import EarshotProtocol

@Suite("JSON parser")
struct JSONParserTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    @Test("parses every JSON type and keeps member order")
    func types() throws {
        let value = try parse(#"{"b":[1,-2.5e3,true,false,null],"a":"x\u00e9\n\"","c":{}}"#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["b", "a", "c"])
        #expect(object["a"] == .string("xé\n\""))
        #expect(object["b"] == .array([.int(1), .number(JSONNumber(text: "-2.5e3", value: -2500)), .bool(true), .bool(false), .null]))
        #expect(object["c"] == .object([:]))
    }

    @Test("keeps a number's text so big ids echo exactly")
    func bigNumbers() throws {
        let value = try parse("12345678901234567890")
        #expect(JSONWriter.string(value) == "12345678901234567890")
        #expect(try parse("1e400") == .number(JSONNumber(text: "1e400", value: .infinity)))
    }

    @Test("decodes surrogate pairs and rejects lone surrogates", arguments: [
        (#""\ud83c\udfb5""#, true), (#""\ud83c""#, false), (#""\udfb5""#, false), (#""\ud83cx""#, false),
    ])
    func surrogates(text: String, valid: Bool) {
        let result = Result { () throws(JSONParseError) in try parse(text) }
        if valid {
            #expect((try? result.get()) == .string("🎵"))
        } else {
            #expect(throws: JSONParseError.self) { try result.get() }
        }
    }

    @Test("rejects what is not JSON", arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "NaN", "Infinity", "-", "01", "1.", "\"\u{01}\"", "{\"a\" 1}", "[1] 2", "tru",
        "{\"a\":1,\"a\":2}", "'x'", "\"\\x\"",
    ])
    func rejects(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test("rejects invalid UTF-8 inside and outside strings")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0xFF]) }
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test("refuses nesting beyond the limit without recursing further")
    func depth() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(throws: JSONParseError.self) { try parse(deep) }
        #expect(error.message.contains("nesting deeper than 64"))
        _ = try JSONParser.parse(Array((String(repeating: "[", count: 64) + String(repeating: "]", count: 64)).utf8))
    }

    @Test("writer escapes control characters and round-trips")
    func writer() throws {
        let value = JSONValue.object(["s": .string("a\"b\\c\u{1}\t"), "n": .double(0.5), "i": .int(-3)])
        let text = JSONWriter.string(value)
        #expect(text == #"{"s":"a\"b\\c\u0001\t","n":0.5,"i":-3}"#)
        #expect(try parse(text) == .object(["s": .string("a\"b\\c\u{1}\t"), "n": .number(JSONNumber(text: "0.5", value: 0.5)), "i": .int(-3)]))
    }

    @Test("non-finite doubles are written as null")
    func nonFinite() {
        #expect(JSONWriter.string(.double(.nan)) == "null")
        #expect(JSONWriter.string(.double(.infinity)) == "null")
    }
}
