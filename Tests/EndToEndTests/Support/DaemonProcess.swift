import EarshotClient
import EarshotProtocol
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Paths shared by the end-to-end tests.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binaries = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["EARSHOT_BIN_DIR"]
            ?? packageRoot.appendingPathComponent(".build/debug").path)
    static let data = packageRoot.appendingPathComponent("../shared/data").standardizedFileURL
    static let tracksCSV = data.appendingPathComponent("spotify-tracks/tracks.csv")
    static var hasRealData: Bool { FileManager.default.fileExists(atPath: tracksCSV.path) }
}

/// A temporary folder removed when the value is released.
final class TemporaryFolder {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Runs `earshot` with arguments; returns exit status, stdout and stderr.
@discardableResult
func runCLI(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = Paths.binaries.appendingPathComponent("earshot")
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read stderr concurrently so a chatty command cannot fill its pipe and block.
    let errData = LockedData()
    let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
    reader.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errData.isSet { usleep(1000) }
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData.value, as: UTF8.self))
}

/// Data handed from a reader thread.
final class LockedData: Sendable {
    private let data = Mutex<Data?>(nil)

    func set(_ value: Data) { data.withLock { $0 = value } }
    var isSet: Bool { data.withLock { $0 != nil } }
    var value: Data { data.withLock { $0 ?? Data() } }
}

/// The real tracks CSV imported once per test process, shared read-only.
enum SharedCatalogue {
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("earshot-e2e-catalogue-\(getpid())")

    static let database: Result<String, any Error> = Result {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: SharedCatalogue.folder) }
        let path = folder.appendingPathComponent("catalogue.db").path
        let result = try runCLI(["import", "catalogue", "--db", path, Paths.tracksCSV.path])
        guard result.status == 0 else { throw E2EError("import failed: \(result.stderr)") }
        return path
    }

    /// A private copy, for tests that change the catalogue.
    static func copy(to path: String) throws {
        try FileManager.default.copyItem(atPath: try database.get(), toPath: path)
    }
}

struct E2EError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A real `earshotd` process on a socket in a temporary folder, terminated
/// when the value is released.
final class DaemonProcess {
    let folder: TemporaryFolder
    let process = Process()
    let socket: String
    let logPath: String

    /// Starts `earshotd`; with a `launcher` (e.g. `["/usr/bin/unshare", "-m", …]`),
    /// that command runs first and must `exec` the daemon path and arguments it is given.
    init(catalogue: String?, snapshot: String? = nil, config: String? = nil, launcher: [String] = []) throws {
        folder = try TemporaryFolder()
        socket = folder.path("earshot.sock")
        logPath = folder.path("earshotd.log")
        let daemon = Paths.binaries.appendingPathComponent("earshotd")
        process.executableURL = launcher.first.map(URL.init(fileURLWithPath:)) ?? daemon
        var arguments = [
            "--socket", socket, "--catalogue", catalogue ?? folder.path("no-catalogue.db"),
            "--snapshot", snapshot ?? folder.path("no-snapshot"),
        ]
        if let config {
            let path = folder.path("earshot.toml")
            try config.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--config", path]
        }
        process.arguments = launcher.isEmpty ? arguments : launcher.dropFirst() + [daemon.path] + arguments
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardError = log
        process.standardOutput = log
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            if (try? LineClient(path: socket)) != nil { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        throw E2EError("earshotd did not start listening: \(self.log())")
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func connect() throws -> LineClient {
        let client = try LineClient(path: socket)
        client.setReadTimeout(seconds: 60)
        return client
    }

    /// Sends one request on a new connection and returns the parsed response.
    func request(_ json: String) throws -> JSONObject {
        try parseResponse(try connect().request(json))
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit; returns its status, or nil on timeout.
    func waitForExit(seconds: Double = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// Rows of an SQL query against the database at `path`, read by Python's
/// sqlite3 module (an independent reader), each column as text; inside the
/// mount namespace of process `namespace` when given.
func sqliteRows(_ path: String, _ sql: String, namespace: Int32? = nil) throws -> [[String]] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = (namespace.map { ["nsenter", "-t", "\($0)", "-m"] } ?? []) + ["python3", "-c", """
        import sqlite3, sys
        db = sqlite3.connect(sys.argv[1])
        for row in db.execute(sys.argv[2]):
            print('\\t'.join('' if v is None else str(v) for v in row))
        """, path, sql]
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw E2EError("sqlite query failed: \(sql)") }
    return text.split(separator: "\n", omittingEmptySubsequences: true).map {
        $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }
}

func parseResponse(_ line: String) throws -> JSONObject {
    guard case .object(let object) = try JSONParser.parse(Array(line.utf8)) else { throw E2EError("not an object: \(line)") }
    return object
}

extension JSONObject {
    var ok: Bool { self["ok"] == .bool(true) }

    var errorCode: String? { string("error.code") }
    var errorMessage: String? { string("error.message") }

    func value(_ path: String) -> JSONValue? {
        var current: JSONValue? = .object(self)
        for key in path.split(separator: ".") {
            guard case .object(let object)? = current else { return nil }
            current = object[String(key)]
        }
        return current
    }

    func int(_ path: String) -> Int? {
        if case .number(let number)? = value(path) { number.exactInt } else { nil }
    }

    func string(_ path: String) -> String? {
        if case .string(let text)? = value(path) { text } else { nil }
    }

    func items(_ path: String = "result.items") -> [JSONObject] {
        guard case .array(let elements)? = value(path) else { return [] }
        return elements.compactMap { if case .object(let item) = $0 { item } else { nil } }
    }
}
