import Testing

@testable import EarshotProtocol

@Suite("Bare requests recognized in place")
struct BareRequestTests {
    static func match(_ line: String) -> BareRequest? {
        Array(line.utf8).withUnsafeBytes { BareRequest.match($0) }
    }

    @Test(
        "a bare ping answers byte for byte what the full decoder's path answers",
        arguments: [
            #"{"op":"ping"}"#, #" { "op" : "ping" } "#, #"{"id":7,"op":"ping"}"#, #"{"op":"ping","id":"req-1"}"#,
            #"{"id":null,"op":"ping"}"#, #"{"id":-42,"op":"ping"}"#, "{\"op\":\"ping\"}\r",
        ])
    func sameAnswer(line: String) throws {
        let bare = try #require(Self.match(line))
        var fast: [UInt8] = []
        Response.pong(idText: bare.idText, into: &fast)
        let decoded = RequestDecoder().decode(line: Array(line.utf8))
        #expect(try decoded.request.get() == .ping)
        var full: [UInt8] = []
        Response.success(id: decoded.id, result: .object(["pong": .bool(true)]), into: &full)
        #expect(fast == full)
    }

    @Test(
        "anything more goes through the full decoder",
        arguments: [
            #"{"op":"info"}"#, #"{"op":"ping","k":1}"#, #"{"op":"ping","op":"ping"}"#, #"{"op":"p\u0069ng"}"#,
            #"{"id":1.5,"op":"ping"}"#, #"{"id":007,"op":"ping"}"#, #"{"id":[1],"op":"ping"}"#, #"{"op":"ping"} x"#,
            #"{"op":"ping""#, #"{"id":"a\"b","op":"ping"}"#, #"{}"#, #"["op","ping"]"#, "",
        ])
    func notMatched(line: String) {
        #expect(Self.match(line) == nil)
    }
}
