import Foundation
import Testing

@testable import EarshotServer

@Suite("Config file")
struct ConfigurationTests {
    let defaults = DaemonConfiguration.defaults(environment: ["HOME": "/home/u", "XDG_RUNTIME_DIR": "/run/user/1"], isRoot: false)

    @Test("defaults follow XDG for users, /run and /var/lib for root, systemd's directories when set")
    func defaultPaths() {
        #expect(defaults.socketPath == "/run/user/1/earshot/earshot.sock")
        #expect(defaults.cataloguePath == "/home/u/.local/state/earshot/catalogue.db")
        let root = DaemonConfiguration.defaults(environment: [:], isRoot: true)
        #expect(root.socketPath == "/run/earshot/earshot.sock")
        #expect(root.snapshotPath == "/var/lib/earshot/snapshots/current")
        let service = DaemonConfiguration.defaults(
            environment: ["RUNTIME_DIRECTORY": "/run/earshot", "STATE_DIRECTORY": "/var/lib/private/earshot"], isRoot: false)
        #expect(service.cataloguePath == "/var/lib/private/earshot/catalogue.db")
    }

    @Test("the shipped config/earshot.toml parses and matches the built-in defaults")
    func shippedConfig() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("config/earshot.toml"), encoding: .utf8)
        var configuration = defaults
        try configuration.apply(configText: text, from: "earshot.toml")
        #expect(configuration == defaults)
    }

    @Test("every kind of value is applied")
    func applies() throws {
        var configuration = defaults
        try configuration.apply(
            configText: """
                # comment
                [server]
                socket = "/tmp/e.sock"   # trailing comment
                socket_mode = '0600'
                max_connections = 1_000
                shutdown_grace_s = 2.5
                [limits]
                max_k = 50
                [data]
                catalogue = "/tmp/c.db"
                [log]
                level = "debug"
                [scorers]
                enabled = ["content", "mf"]
                default = "mf"
                [scorer.content]
                genre_weight = 0.5
                """, from: "t.toml")
        #expect(configuration.socketPath == "/tmp/e.sock")
        #expect(configuration.socketMode == 0o600)
        #expect(configuration.maxConnections == 1000)
        #expect(configuration.shutdownGraceSeconds == 2.5)
        #expect(configuration.limits.maxK == 50)
        #expect(configuration.cataloguePath == "/tmp/c.db")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.enabledScorers == ["content", "mf"])
        #expect(configuration.defaultScorer == "mf")
        #expect(configuration.scorerSettings["content"]?["genre_weight"] == "0.5")
    }

    @Test("mistakes are reported with the file, the line or the key", arguments: [
        ("[server]\nsockit = \"x\"", "unknown setting server.sockit"),
        ("[server]\nmax_connections = \"many\"", "server.max_connections must be an integer"),
        ("[server]\nmax_connections = 0", "server.max_connections must be an integer from 1"),
        ("[server]\nsocket_mode = \"999\"", "server.socket_mode must be an octal mode"),
        ("[log]\nlevel = \"loud\"", "unknown log level"),
        ("[server\n", "line 1: bad table header"),
        ("a = 1\na = 2", "line 2: a is set twice"),
        ("x = [1,\n2]", "line 1:"),
        ("x = \"open", "line 1: unterminated string"),
    ])
    func mistakes(text: String, message: String) {
        var configuration = defaults
        do {
            try configuration.apply(configText: text, from: "bad.toml")
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix("bad.toml: "))
            #expect(error.description.contains(message), "\(error.description)")
        }
    }

    @Test("restart-only settings are reported when a reload changes them")
    func restartOnly() {
        var changed = defaults
        changed.socketPath = "/elsewhere.sock"
        changed.limits.maxK = 5
        #expect(changed.restartOnlyDifferences(from: defaults) == ["server.socket"])
    }
}
