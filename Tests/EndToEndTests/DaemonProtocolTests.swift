import EarshotClient
import EarshotProtocol
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real earshotd on the real 114k-row Spotify catalogue, over its socket.
@Suite(
    "Daemon over its socket (real catalogue)", .serialized,
    .enabled(if: Paths.hasRealData, "needs ../shared/data/spotify-tracks/tracks.csv"))
struct DaemonProtocolTests {
    let daemon: DaemonProcess

    init() throws {
        daemon = try DaemonProcess(catalogue: try SharedCatalogue.database.get())
    }

    @Test("info reports the 89,741 distinct tracks of the CSV")
    func info() throws {
        let info = try daemon.request(#"{"id":1,"op":"info"}"#)
        #expect(info.ok)
        #expect(info["id"] == .int(1))
        #expect(info.int("result.catalogue.tracks") == 89_741)
        guard case .array(let scorers)? = info.value("result.scorers") else { Issue.record("no scorers in \(info)"); return }
        #expect(scorers.first == .object(["name": .string("content"), "ready": .bool(true)]))
    }

    @Test("2,000 pings written at once on one connection come back in order")
    func pipelinedPings() throws {
        let client = try daemon.connect()
        try client.write((0..<2000).map { #"{"id":\#($0),"op":"ping"}"# + "\n" }.joined())
        for expected in 0..<2000 {
            let response = try parseResponse(try #require(try client.readLine()))
            #expect(response["id"] == .int(expected))
            #expect(response.ok)
        }
    }

    @Test("bad requests get their error code and leave the connection usable")
    func errorsKeepConnection() throws {
        let client = try daemon.connect()
        let cases: [(String, String)] = [
            ("{not json", "parse_error"),
            (#"{"id":2,"op":"dance"}"#, "unknown_op"),
            (#"{"id":3,"op":"recommend","user":"a","k":0}"#, "invalid_request"),
            (#"{"id":4,"op":"similar","track":"nope","scorer":"content"}"#, "unknown_track"),
            (#"{"id":5,"op":"recommend","user":"a","scorer":"magic"}"#, "unknown_scorer"),
            (#"{"id":6,"op":"recommend","user":"nobody-at-all"}"#, "unknown_user"),
        ]
        for (line, code) in cases {
            let response = try parseResponse(try client.request(line))
            #expect(response.errorCode == code, "\(line)")
            #expect(try parseResponse(try client.request(#"{"op":"ping"}"#)).ok)
        }
        let invalid = try parseResponse(try client.request(#"{"op":"recommend","user":"a","k":0}"#))
        #expect(invalid.errorMessage?.hasPrefix("k:") == true)
    }

    @Test("invalid UTF-8 gets an error response; blank lines and CRLF are fine")
    func bytes() throws {
        let client = try daemon.connect()
        try client.write([UInt8](#"{"id":1,"op":"search","q":""#.utf8) + [0xC3, 0x28] + [UInt8]("\"}\n".utf8))
        let invalid = try parseResponse(try #require(try client.readLine()))
        #expect(invalid.errorCode == "parse_error")
        try client.write("\n   \n\t\r\n" + #"{"id":"crlf","op":"ping"}"# + "\r\n")
        let pong = try parseResponse(try #require(try client.readLine()))
        #expect(pong["id"] == .string("crlf"))
        #expect(pong.ok)
    }

    @Test("a 2 MiB line gets line_too_long, then the connection closes")
    func longLine() throws {
        let client = try daemon.connect()
        let huge = #"{"op":"ping","pad":""# + String(repeating: "x", count: 2 << 20) + "\"}\n"
        try? client.write(huge)
        let response = try parseResponse(try #require(try client.readLine()))
        #expect(response.errorCode == "line_too_long")
        #expect(try client.readLine() == nil)
        #expect(try daemon.request(#"{"op":"ping"}"#).ok)
    }

    @Test("64 connections × 200 pipelined requests are all answered")
    func manyConnections() throws {
        let answered = LockedCounter()
        let failures = LockedMessages()
        let socket = daemon.socket
        DispatchQueue.concurrentPerform(iterations: 64) { connection in
            do {
                let client = try LineClient(path: socket)
                client.setReadTimeout(seconds: 60)
                let ops = ["ping", "info", "stats", "scorers"]
                try client.write((0..<200).map { #"{"id":\#($0),"op":"\#(ops[$0 % ops.count])"}"# + "\n" }.joined())
                for expected in 0..<200 {
                    guard let line = try client.readLine() else {
                        failures.append("connection \(connection): closed before answer \(expected)")
                        return
                    }
                    let response = try parseResponse(line)
                    guard response.ok, response["id"] == .int(expected) else {
                        failures.append("connection \(connection): answer \(expected) was \(line.prefix(200))")
                        return
                    }
                    answered.increment()
                }
            } catch {
                failures.append("connection \(connection): \(error)")
            }
        }
        #expect(answered.value == 64 * 200, "\(failures.all)")
        let stats = try daemon.request(#"{"op":"stats"}"#)
        #expect((stats.int("result.requests.ping") ?? 0) >= 3200)
        #expect(stats.int("result.connections.total").map { $0 >= 64 } == true)
    }

    @Test("search finds tracks by name and artist, and survives FTS syntax")
    func search() throws {
        let byName = try daemon.request(#"{"op":"search","q":"wicked games","k":5}"#)
        #expect(byName.items().contains { $0.string("track") == "6JrAEmBFd61eYIGVOSPnT4" })
        let byArtist = try daemon.request(#"{"op":"search","q":"parra for cuva","k":50}"#)
        #expect(byArtist.items().contains { $0.string("track") == "6JrAEmBFd61eYIGVOSPnT4" })
        let hostile = try daemon.request(#"{"op":"search","q":"AC/DC \" NOT ( OR *","k":5}"#)
        #expect(hostile.ok)
    }

    @Test("recommend from a history: k items, none of the history, one version per song")
    func recommendFromHistory() throws {
        let history = ["6JrAEmBFd61eYIGVOSPnT4", "spotify:track:4qPNDBW1i3p13qLCt0Ki3A"]
        let response = try daemon.request(
            #"{"op":"recommend","history":["\#(history[0])","\#(history[1])"],"k":50}"#)
        let items = response.items()
        #expect(items.count == 50)
        let ids = items.compactMap { $0.string("track") }
        #expect(Set(ids).isDisjoint(with: ["6JrAEmBFd61eYIGVOSPnT4", "4qPNDBW1i3p13qLCt0Ki3A"]))
        let songs = items.map { ($0.string("name") ?? "").lowercased() + "|" + (($0.value("artists").flatMap { if case .array(let a) = $0 { a.first } else { nil } }).map { JSONWriter.string($0) } ?? "") }
        #expect(Set(songs).count == songs.count)
        #expect(items.allSatisfy { $0.string("album") != nil && $0.string("genre") != nil })
    }

    @Test("similar to Wicked Games returns k tracks without the seed or another version of it")
    func similarWickedGames() throws {
        let response = try daemon.request(#"{"op":"similar","track":"spotify:track:6JrAEmBFd61eYIGVOSPnT4","k":20}"#)
        let items = response.items()
        #expect(items.count == 20)
        #expect(!items.contains { $0.string("track") == "6JrAEmBFd61eYIGVOSPnT4" })
        #expect(!items.contains { ($0.string("name") ?? "").lowercased().hasPrefix("wicked games") })
    }

    @Test("a stored listen counts as heard in the very next request")
    func listenThenRecommend() throws {
        let copy = try TemporaryFolder()
        try SharedCatalogue.copy(to: copy.path("catalogue.db"))
        let own = try DaemonProcess(catalogue: copy.path("catalogue.db"))
        let client = try own.connect()
        let seed = "6JrAEmBFd61eYIGVOSPnT4"
        #expect(try parseResponse(try client.request(#"{"op":"listen","user":"eve","track":"\#(seed)","ms_played":200000}"#)).ok)
        let first = try parseResponse(try client.request(#"{"op":"recommend","user":"eve","k":5}"#)).items()
        #expect(first.count == 5)
        let next = try #require(first.first?.string("track"))
        #expect(try parseResponse(try client.request(#"{"op":"listen","user":"eve","track":"\#(next)"}"#)).ok)
        let second = try parseResponse(try client.request(#"{"op":"recommend","user":"eve","k":5}"#)).items()
        #expect(!second.contains { $0.string("track") == next })
        let unknown = try parseResponse(try client.request(#"{"op":"listen","user":"eve","track":"notatrack"}"#))
        #expect(unknown.errorCode == "unknown_track")
    }
}

/// A counter shared by `concurrentPerform` workers.
final class LockedCounter: Sendable {
    private let count = Mutex(0)

    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Messages collected from worker threads.
final class LockedMessages: Sendable {
    private let messages = Mutex<[String]>([])

    func append(_ message: String) { messages.withLock { $0.append(message) } }
    var all: [String] { messages.withLock { $0 } }
}
