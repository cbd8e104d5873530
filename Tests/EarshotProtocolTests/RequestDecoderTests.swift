import Foundation
import Testing

@testable import EarshotProtocol

@Suite("Request decoder")
struct RequestDecoderTests {
    let decoder = RequestDecoder()

    func decode(_ text: String) -> DecodedLine { decoder.decode(line: Array(text.utf8)) }

    func error(_ text: String) -> ProtocolError? {
        if case .failure(let error) = decode(text).request { return error }
        return nil
    }

    @Test("echoes scalar ids and decodes simple ops")
    func simpleOps() throws {
        let line = decode(#"{"id":"abc","op":"ping"}"#)
        #expect(line.id == .string("abc"))
        #expect(try line.request.get() == .ping)
        #expect(try decode(#"{"op":"info"}"#).request.get() == .info)
        #expect(decode(#"{"op":"stats","id":7}"#).id == .int(7))
    }

    @Test("stats takes an optional format: json by default, or prometheus")
    func statsFormat() throws {
        #expect(try decode(#"{"op":"stats"}"#).request.get() == .stats(.json))
        #expect(try decode(#"{"op":"stats","format":"json"}"#).request.get() == .stats(.json))
        #expect(try decode(#"{"op":"stats","format":"prometheus"}"#).request.get() == .stats(.prometheus))
        #expect(error(#"{"op":"stats","format":"xml"}"#)?.message == #"format: must be json or prometheus, found "xml""#)
        #expect(error(#"{"op":"stats","format":1}"#)?.code == .invalidRequest)
    }

    @Test("a non-scalar id is invalid and not echoed")
    func objectID() {
        let line = decode(#"{"id":{"a":1},"op":"ping"}"#)
        #expect(line.id == .null)
        #expect(error(#"{"id":[1],"op":"ping"}"#)?.code == .invalidRequest)
    }

    @Test("parse errors, unknown ops and non-objects have their codes")
    func codes() {
        #expect(error("{nope")?.code == .parseError)
        #expect(error(#"{"op":"dance"}"#)?.code == .unknownOp)
        #expect(error("[1]")?.code == .invalidRequest)
        #expect(error(#"{"id":1}"#)?.message == "op: is required")
    }

    @Test("recommend: full request with every field")
    func recommend() throws {
        let request = try decode(
            #"{"op":"recommend","user":"alice","history":["spotify:track:abc",{"track":"https://open.spotify.com/track/def?si=x","weight":2}],"scorer":"mf","k":25,"exclude_heard":false,"exclude":["ghi"],"max_per_artist":2,"filter":{"genres":["rock"],"explicit":false}}"#
        ).request.get()
        var expected = RecommendRequest()
        expected.user = "alice"
        expected.history = [HistoryItem(track: "abc"), HistoryItem(track: "def", weight: 2)]
        expected.scorer = "mf"
        expected.k = 25
        expected.excludeHeard = false
        expected.exclude = ["ghi"]
        expected.maxPerArtist = 2
        expected.filter = ResultFilter(genres: ["rock"], explicit: false)
        #expect(request == .recommend(expected))
    }

    @Test("invalid fields are named in the message", arguments: [
        (#"{"op":"recommend","user":"a","k":0}"#, "k:"),
        (#"{"op":"recommend","user":"a","k":1001}"#, "k:"),
        (#"{"op":"recommend","user":"a","k":2.5}"#, "k:"),
        (#"{"op":"recommend","user":"a","k":"10"}"#, "k:"),
        (#"{"op":"recommend","user":"a","k":1e400}"#, "k:"),
        (#"{"op":"recommend"}"#, "user:"),
        (#"{"op":"recommend","user":5}"#, "user:"),
        (#"{"op":"recommend","user":"a","history":"x"}"#, "history:"),
        (#"{"op":"recommend","user":"a","history":[1]}"#, "history[0]:"),
        (#"{"op":"recommend","user":"a","history":[{"track":"x","weight":-1}]}"#, "history[0].weight:"),
        (#"{"op":"recommend","user":"a","exclude_heard":1}"#, "exclude_heard:"),
        (#"{"op":"recommend","user":"a","filter":{"mood":"x"}}"#, "filter.mood:"),
        (#"{"op":"recommend","user":"a","colour":"x"}"#, "colour:"),
        (#"{"op":"similar"}"#, "track:"),
        (#"{"op":"similar","track":"a","strategy":"median"}"#, "strategy:"),
        (#"{"op":"score","user":"a"}"#, "tracks:"),
        (#"{"op":"listen","user":"a"}"#, "track:"),
        (#"{"op":"listen","user":"a","track":"t","ts":"yesterday"}"#, "ts:"),
        (#"{"op":"listen","user":"a","track":"t","ms_played":-5}"#, "ms_played:"),
        (#"{"op":"search"}"#, "q:"),
        (#"{"op":"similar","track":"spotify:album:xyz"}"#, "track:"),
    ])
    func invalidFields(text: String, prefix: String) {
        let problem = error(text)
        #expect(problem?.code == .invalidRequest)
        #expect(problem?.message.hasPrefix(prefix) == true, "\(problem?.message ?? "no error")")
    }

    @Test("list lengths are bounded by the limits")
    func limits() {
        var limits = ProtocolLimits()
        limits.maxHistory = 3
        let strict = RequestDecoder(limits: limits)
        let line = strict.decode(line: Array(#"{"op":"recommend","history":["a","b","c","d"]}"#.utf8))
        guard case .failure(let error) = line.request else { Issue.record("accepted"); return }
        #expect(error.message.hasPrefix("history:"))
    }

    @Test("listen: timestamp and flags")
    func listen() throws {
        let request = try decode(#"{"op":"listen","user":"u","track":"t","ts":"2024-05-01T12:30:00Z","ms_played":1000,"skipped":true,"event_id":"e-1"}"#).request.get()
        guard case .listen(let listen) = request, let play = listen.events.first else { Issue.record("not a listen"); return }
        #expect(listen.events.count == 1 && !listen.isBatch)
        #expect(play.timestamp == Date(timeIntervalSince1970: 1_714_566_600))
        #expect(play.msPlayed == 1000)
        #expect(play.skipped == true)
        #expect(play.eventID == "e-1")
        let bare = try decode(#"{"op":"listen","user":"u","track":"t"}"#).request.get()
        guard case .listen(let minimal) = bare else { Issue.record("not a listen"); return }
        #expect(minimal.events == [PlayEvent(track: "t")], "no ts: the daemon stamps it")
    }

    @Test("listen events: each entry decoded in order; errors name the entry")
    func listenEvents() throws {
        let request = try decode(
            #"{"op":"listen","user":"u","events":[{"track":"a","ms_played":5},{"track":"b","ts":"2024-05-01T12:30:00.5Z","event_id":"x"}]}"#
        ).request.get()
        guard case .listen(let listen) = request else { Issue.record("not a listen"); return }
        #expect(listen.isBatch)
        #expect(listen.events.map(\.track) == ["a", "b"])
        #expect(listen.events[0].msPlayed == 5 && listen.events[0].timestamp == nil)
        #expect(listen.events[1].eventID == "x")
        for (line, field) in [
            (#"{"op":"listen","user":"u","events":[]}"#, "events:"),
            (#"{"op":"listen","user":"u","events":[{"track":"a"},{"ms_played":1}]}"#, "events[1].track:"),
            (#"{"op":"listen","user":"u","events":[{"track":"a","ts":"soon"}]}"#, "events[0].ts:"),
            (#"{"op":"listen","user":"u","events":[{"track":"a","rating":5}]}"#, "events[0].rating:"),
            (#"{"op":"listen","user":"u","events":["a"]}"#, "events[0]:"),
            (#"{"op":"listen","user":"u","track":"a","events":[{"track":"a"}]}"#, "track:"),
            (#"{"op":"listen","user":"u","track":"a","event_id":""}"#, "event_id:"),
            (#"{"op":"forget"}"#, "user:"),
        ] {
            let error = decode(line).request
            guard case .failure(let failure) = error else { Issue.record("accepted \(line)"); continue }
            #expect(failure.code == .invalidRequest)
            #expect(failure.message.hasPrefix(field), "\(line): \(failure.message)")
        }
    }
}

@Suite("Track references")
struct TrackReferenceTests {
    @Test("accepts ids, URIs and links", arguments: [
        ("6JrAEmBFd61eYIGVOSPnT4", "6JrAEmBFd61eYIGVOSPnT4"),
        ("spotify:track:6JrAEmBFd61eYIGVOSPnT4", "6JrAEmBFd61eYIGVOSPnT4"),
        ("https://open.spotify.com/track/6JrAEmBFd61eYIGVOSPnT4?si=abc", "6JrAEmBFd61eYIGVOSPnT4"),
        ("https://open.spotify.com/intl-de/track/6JrAEmBFd61eYIGVOSPnT4", "6JrAEmBFd61eYIGVOSPnT4"),
        ("289", "289"),
    ])
    func accepts(text: String, id: String) {
        #expect(TrackReference.id(from: text) == id)
    }

    @Test("rejects empty ids, other Spotify links and control characters", arguments: [
        "", "spotify:track:", "https://open.spotify.com/album/x", "a b", "x\u{7}",
    ])
    func rejects(text: String) {
        #expect(TrackReference.id(from: text) == nil)
    }
}

@Suite("Responses")
struct ResponseTests {
    @Test("success and failure lines")
    func lines() {
        var bytes: [UInt8] = []
        Response.success(id: .int(1), result: .object(["pong": .bool(true)]), into: &bytes)
        Response.failure(id: .null, error: ProtocolError(.invalidRequest, "k: bad \"x\""), into: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == """
            {"id":1,"ok":true,"result":{"pong":true}}
            {"id":null,"ok":false,"error":{"code":"invalid_request","message":"k: bad \\"x\\""}}

            """)
    }
}
