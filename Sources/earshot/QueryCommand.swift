import ArgumentParser
import EarshotClient
import EarshotProtocol
import Foundation

/// Where the daemon's socket is, shared by every command that talks to it.
struct SocketOptions: ParsableArguments {
    @Option(help: "The daemon's socket. Default: $EARSHOT_SOCKET, else /run/earshot/earshot.sock as root or $XDG_RUNTIME_DIR/earshot/earshot.sock.")
    var socket: String?

    var path: String {
        if let socket { return socket }
        let environment = ProcessInfo.processInfo.environment
        if let fromEnvironment = environment["EARSHOT_SOCKET"] { return fromEnvironment }
        if getuid() == 0 { return "/run/earshot/earshot.sock" }
        return (environment["XDG_RUNTIME_DIR"] ?? "/tmp") + "/earshot/earshot.sock"
    }
}

/// Sends one request and prints the response; exits 1 when the response is an error.
func send(_ request: JSONValue, socket: SocketOptions, raw: Bool) throws {
    let client: LineClient
    do {
        client = try LineClient(path: socket.path)
    } catch {
        throw CLIError(error.description)
    }
    let line: String
    do {
        line = try client.request(JSONWriter.string(request))
    } catch {
        throw CLIError(error.description)
    }
    let response = try? JSONParser.parse(Array(line.utf8), maxDepth: 10_000)
    print(raw ? line : PrettyJSON.format(response ?? .string(line)))
    if case .object(let object)? = response, object["ok"] == .bool(false) {
        throw ExitCode(1)
    }
}

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query", abstract: "Send one JSON request to the daemon and print the response.")

    @OptionGroup var socket: SocketOptions

    @Flag(help: "Print the response line exactly as received.")
    var raw = false

    @Argument(help: #"The request, e.g. '{"op":"info"}'."#)
    var request: String

    func run() throws {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(Array(request.utf8))
        } catch {
            throw CLIError("the request is not valid JSON: \(error)")
        }
        try send(parsed, socket: socket, raw: raw)
    }
}

struct RecommendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "recommend", abstract: "Recommend tracks for a user or a history.")

    @OptionGroup var socket: SocketOptions
    @Option(help: "User name.") var user: String?
    @Option(parsing: .upToNextOption, help: "Track ids (or Spotify URIs/links) the listener played.") var history: [String] = []
    @Option(help: "Scorer name.") var scorer: String?
    @Option(help: "Number of results.") var k = 10
    @Flag(help: "Print the raw response line.") var raw = false

    func run() throws {
        var request: JSONObject = ["op": "recommend", "k": .int(k)]
        if let user { request["user"] = .string(user) }
        if !history.isEmpty { request["history"] = .array(history.map(JSONValue.string)) }
        if let scorer { request["scorer"] = .string(scorer) }
        try send(.object(request), socket: socket, raw: raw)
    }
}

struct SimilarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "similar", abstract: "Tracks similar to one or more tracks.")

    @OptionGroup var socket: SocketOptions
    @Argument(help: "Seed track ids (or Spotify URIs/links).") var tracks: [String]
    @Option(help: "average, weighted or max.") var strategy: String?
    @Option(help: "Scorer name.") var scorer: String?
    @Option(help: "Number of results.") var k = 10
    @Flag(help: "Print the raw response line.") var raw = false

    func run() throws {
        var request: JSONObject = ["op": "similar", "tracks": .array(tracks.map(JSONValue.string)), "k": .int(k)]
        if let strategy { request["strategy"] = .string(strategy) }
        if let scorer { request["scorer"] = .string(scorer) }
        try send(.object(request), socket: socket, raw: raw)
    }
}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search the catalogue by name, artist or album.")

    @OptionGroup var socket: SocketOptions
    @Argument(help: "Words to search for.") var words: [String]
    @Option(help: "Number of results.") var k = 10
    @Flag(help: "Print the raw response line.") var raw = false

    func run() throws {
        try send(.object(["op": "search", "q": .string(words.joined(separator: " ")), "k": .int(k)]), socket: socket, raw: raw)
    }
}
