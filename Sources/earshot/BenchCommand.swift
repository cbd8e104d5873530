import ArgumentParser
import EarshotClient
import EarshotProtocol
import Foundation
import Histogram
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `earshot bench`: a load generator for the daemon over its socket.
///
/// One thread drives every connection with poll(2). Each connection writes
/// `--pipeline` requests at once and the next window when all are answered
/// (as `redis-benchmark -P` does); a request's latency runs from its write to
/// its response line, recorded in an HdrHistogram (microsecond resolution).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Drive the daemon with concurrent, pipelined requests and report throughput and latency.")

    @OptionGroup var socket: SocketOptions

    @Option(help: "Concurrent connections.")
    var connections = 1

    @Option(help: "Requests written at once on each connection; the next window goes when all are answered.")
    var pipeline = 1

    @Option(help: "Total requests (default 10000 unless --duration is given).")
    var requests: Int?

    @Option(help: "Run for this many seconds instead of a request count.")
    var duration: Double?

    @Option(help: #"The request to send, e.g. '{"op":"recommend","user":"2","scorer":"mf","k":10}'."#)
    var op = #"{"op":"ping"}"#

    @Option(help: "Requests sent and discarded on each connection before measuring.")
    var warmup = 0

    func validate() throws {
        guard connections >= 1, pipeline >= 1 else { throw ValidationError("--connections and --pipeline must be at least 1") }
        if let requests, requests < 1 { throw ValidationError("--requests must be at least 1") }
        if let duration, duration <= 0 { throw ValidationError("--duration must be positive") }
        if requests != nil, duration != nil { throw ValidationError("give --requests or --duration, not both") }
        guard case .object? = try? JSONParser.parse(Array(op.utf8)) else { throw ValidationError("--op must be a JSON object") }
    }

    func run() throws {
        let line = Array((op + "\n").utf8)
        let plan = BenchPlan(
            total: duration == nil ? (requests ?? 10_000) : nil,
            deadline: duration.map { Date().addingTimeInterval($0) })
        let results = BenchResults()
        let started = DispatchTime.now()
        let path = socket.path
        do {
            _ = try LineClient(path: path)
        } catch {
            throw CLIError(error.description)
        }
        let group = DispatchGroup()
        group.enter()
        Thread { [connections, pipeline, warmup] in
            defer { group.leave() }
            var worker = BenchWorker(
                path: path, connections: connections, line: line, pipeline: pipeline, warmup: warmup, plan: plan,
                results: results)
            worker.run()
        }.start()
        let showProgress = isatty(STDERR_FILENO) == 1
        while group.wait(timeout: .now() + 1) == .timedOut {
            if showProgress { FileHandle.standardError.write(Data("\r\(results.completed) requests…".utf8)) }
        }
        if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        let report = results.report(seconds: seconds, connections: connections, pipeline: pipeline)
        if isatty(STDOUT_FILENO) == 1 { print(report.table) }
        print(JSONWriter.string(report.json))
        if results.failed > 0 { throw ExitCode(1) }
    }
}

/// How much work the run does: a request count or a deadline.
struct BenchPlan: Sendable {
    private var issued = 0
    let total: Int?
    let deadline: Date?

    init(total: Int?, deadline: Date?) {
        self.total = total
        self.deadline = deadline
    }

    /// Claims one more request to send; false when the run is over.
    mutating func claim() -> Bool {
        if let deadline { return Date() < deadline }
        guard issued < total! else { return false }
        issued += 1
        return true
    }
}

/// Latencies and counts from every connection.
final class BenchResults: Sendable {
    private struct Totals {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var done = 0
        var failures = 0
        var firstError: String?
    }

    private let totals = Mutex(Totals())

    var completed: Int { totals.withLock { $0.done } }
    var failed: Int { totals.withLock { $0.failures } }

    func merge(_ local: Histogram<UInt64>, completed: Int, failed: Int, error: String?) {
        totals.withLock { totals in
            totals.histogram.add(local)
            totals.done += completed
            totals.failures += failed
            if totals.firstError == nil { totals.firstError = error }
        }
    }

    func report(seconds: Double, connections: Int, pipeline: Int) -> (table: String, json: JSONValue) {
        let (histogram, done, failures, firstError) = totals.withLock { ($0.histogram, $0.done, $0.failures, $0.firstError) }
        func ms(_ value: UInt64) -> Double { Double(value) / 1000 }
        let empty = histogram.totalCount == 0
        let p50 = empty ? 0 : ms(histogram.valueAtPercentile(50))
        let p90 = empty ? 0 : ms(histogram.valueAtPercentile(90))
        let p99 = empty ? 0 : ms(histogram.valueAtPercentile(99))
        let max = empty ? 0 : ms(histogram.max)
        let throughput = Double(done) / seconds
        let table = """
            connections \(connections), pipeline \(pipeline): \(done) requests in \(String(format: "%.2f", seconds)) s, \(failures) failed
            throughput  \(String(format: "%10.0f", throughput)) requests/s
            p50         \(String(format: "%10.3f", p50)) ms
            p90         \(String(format: "%10.3f", p90)) ms
            p99         \(String(format: "%10.3f", p99)) ms
            max         \(String(format: "%10.3f", max)) ms
            """ + (firstError.map { "\nfirst error: \($0)" } ?? "")
        var json: JSONObject = [
            "requests": .int(done), "failed": .int(failures), "seconds": .double(seconds),
            "connections": .int(connections), "pipeline": .int(pipeline),
            "throughput_rps": .double(throughput.rounded()),
            "p50_ms": .double(p50), "p90_ms": .double(p90), "p99_ms": .double(p99), "max_ms": .double(max),
        ]
        if let firstError { json["first_error"] = .string(firstError) }
        return (table, .object(json))
    }
}

/// All connections driven from one thread with `poll(2)`: a load generator
/// that spends its CPU on the daemon's answers, not on switching between
/// one thread per connection.
struct BenchWorker {
    let path: String
    let connections: Int
    let line: [UInt8]
    let pipeline: Int
    let warmup: Int
    var plan: BenchPlan
    let results: BenchResults

    /// One connection's state: send times of requests in flight, oldest first.
    final class Connection {
        let client: LineClient
        var sent: [UInt64] = []
        var next = 0
        var received: [UInt8] = []
        var closed = false

        init(client: LineClient) { self.client = client }
        var inFlight: Int { sent.count - next }
    }

    mutating func run() {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var completed = 0
        var failed = 0
        var error: String?
        defer { results.merge(histogram, completed: completed, failed: failed, error: error) }
        var open: [Connection] = []
        do {
            for _ in 0..<connections {
                let client = try LineClient(path: path)
                client.setReadTimeout(seconds: 60)
                for _ in 0..<warmup { _ = try client.request(String(decoding: line.dropLast(), as: UTF8.self)) }
                open.append(Connection(client: client))
            }
            for connection in open { try sendWindow(connection) }
            var descriptors = open.map { pollfd(fd: $0.client.fd, events: Int16(POLLIN), revents: 0) }
            var chunk = [UInt8](repeating: 0, count: 1 << 16)
            while open.contains(where: { !$0.closed && $0.inFlight > 0 }) {
                guard poll(&descriptors, nfds_t(descriptors.count), 60_000) > 0 else {
                    error = "no answer from the daemon for 60 s"
                    return
                }
                for (index, connection) in open.enumerated() where descriptors[index].revents != 0 && !connection.closed {
                    let count = chunk.withUnsafeMutableBytes { recv(connection.client.fd, $0.baseAddress, $0.count, 0) }
                    guard count > 0 else {
                        connection.closed = true
                        failed += connection.inFlight
                        if error == nil { error = "the daemon closed a connection" }
                        continue
                    }
                    connection.received.append(contentsOf: chunk[..<count])
                    var start = 0
                    while let newline = connection.received[start...].firstIndex(of: 0x0A) {
                        let now = DispatchTime.now().uptimeNanoseconds
                        _ = histogram.record((now - connection.sent[connection.next]) / 1000)
                        connection.next += 1
                        completed += 1
                        if !Self.isSuccess(connection.received[start..<newline]) {
                            failed += 1
                            if error == nil { error = String(decoding: connection.received[start..<newline].prefix(300), as: UTF8.self) }
                        }
                        start = newline + 1
                    }
                    // Like redis-benchmark -P: the next window goes out when the last one is answered.
                    if connection.inFlight == 0 { try sendWindow(connection) }
                    connection.received.removeFirst(start)
                    if connection.next > 4096 {
                        connection.sent.removeFirst(connection.next)
                        connection.next = 0
                    }
                }
            }
        } catch let failure {
            error = "\(failure)"
            failed += 1
        }
    }

    /// Writes up to `pipeline` requests at once.
    private mutating func sendWindow(_ connection: Connection) throws {
        var window: [UInt8] = []
        let now = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<pipeline where plan.claim() {
            window.append(contentsOf: line)
            connection.sent.append(now)
        }
        if !window.isEmpty { try connection.client.write(window) }
    }

    private static let success = Array(#""ok":true"#.utf8)

    /// Whether a response line reports success, without decoding it.
    static func isSuccess(_ line: ArraySlice<UInt8>) -> Bool {
        guard line.count >= success.count else { return false }
        var index = line.startIndex
        while index + success.count <= line.endIndex {
            if line[index] == success[0], line[index..<index + success.count].elementsEqual(success) { return true }
            index += 1
        }
        return false
    }
}
