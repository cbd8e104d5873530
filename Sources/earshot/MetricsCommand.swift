import ArgumentParser
import EarshotClient
import EarshotProtocol
import EarshotSnapshot
import Foundation

/// `earshot metrics [--textfile DIR]`: the daemon's Prometheus exposition
/// (`{"op":"stats","format":"prometheus"}`), on stdout or written
/// atomically as DIR/earshot.prom for node_exporter's textfile collector.
struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Print the daemon's Prometheus metrics, or write them atomically for node_exporter's textfile collector.")

    @OptionGroup var daemon: DaemonConfigOption

    @Option(help: ArgumentHelp("Socket of the daemon (default: server.socket of the config).", valueName: "PATH"))
    var socket: String?

    @Option(help: ArgumentHelp("Write DIR/earshot.prom (a temporary file renamed into place) instead of printing.", valueName: "DIR"))
    var textfile: String?

    /// The file name node_exporter's collector reads (it reads `*.prom`).
    static let fileName = "earshot.prom"

    func run() throws {
        let path = try socket ?? daemon.load().socketPath
        let line: String
        do {
            let client = try LineClient(path: path)
            client.setReadTimeout(seconds: 30)
            line = try client.request(#"{"op":"stats","format":"prometheus"}"#)
        } catch {
            throw CLIError(error.description)
        }
        guard case .object(let response)? = try? JSONParser.parse(Array(line.utf8), maxDepth: 64),
            case .object(let result)? = response["result"], case .string(let text)? = result["text"]
        else {
            throw CLIError("the daemon did not answer with Prometheus text: \(line)")
        }
        guard let textfile else {
            print(text, terminator: "")
            return
        }
        let target = URL(fileURLWithPath: textfile).appendingPathComponent(Self.fileName).path
        do {
            try AtomicFile.write(Data(text.utf8), to: target)
        } catch {
            throw CLIError(error.description)
        }
        FileHandle.standardError.write(Data("wrote \(target)\n".utf8))
    }
}
