import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Builds the example scorer plugins the way their READMEs say, with only
/// `cc` (or `swift`) and the project's include/ folder.
enum PluginBuilds {
    static let include = Paths.packageRoot.appendingPathComponent("include").path
    static let cExample = Paths.packageRoot.appendingPathComponent("examples/scorer-c")
    static let swiftExample = Paths.packageRoot.appendingPathComponent("examples/scorer-swift")

    /// `make -C examples/scorer-c EARSHOT_INCLUDE=<project>/include` and the
    /// one library it builds in that folder, copied to `folder`.
    static func affinity(in folder: TemporaryFolder, version: String? = nil, name: String = "libearshot-affinity.so")
        throws -> String
    {
        var arguments = ["-C", cExample.path, "EARSHOT_INCLUDE=\(include)"]
        let target = folder.path(name)
        if let version { arguments += ["VERSION=\(version)", "OUT=\(target)"] }
        try run("/usr/bin/make", arguments)
        if version == nil {
            try? FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(
                atPath: cExample.appendingPathComponent("libearshot-affinity.so").path, toPath: target)
        }
        chmod(target, 0o755)
        return target
    }

    /// A C file compiled as a shared library into `folder`.
    static func compile(_ source: String, named name: String, in folder: TemporaryFolder) throws -> String {
        let file = folder.path(name + ".c")
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        let library = folder.path(name + ".so")
        try run("/usr/bin/cc", ["-std=c99", "-fPIC", "-shared", "-I\(include)", "-o", library, file])
        chmod(library, 0o755)
        return library
    }

    /// `make -C examples/scorer-swift EARSHOT_INCLUDE=<project>/include` (debug: faster to build).
    static func genrePopularity(in folder: TemporaryFolder) throws -> String {
        try run("/usr/bin/make", ["-C", swiftExample.path, "EARSHOT_INCLUDE=\(include)", "CONFIGURATION=debug"])
        let target = folder.path("libearshot-genre-popularity.so")
        try FileManager.default.copyItem(
            atPath: swiftExample.appendingPathComponent("libearshot-genre-popularity.so").path, toPath: target)
        chmod(target, 0o755)
        return target
    }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw E2EError("\(tool) \(arguments.joined(separator: " ")) failed: \(text)")
        }
    }
}

/// A config that loads `plugins` and nothing else special.
func pluginConfig(_ plugins: [String], extra: String = "") -> String {
    "[scorers]\nplugins = [\(plugins.map { "\"\($0)\"" }.joined(separator: ", "))]\n" + extra
}
