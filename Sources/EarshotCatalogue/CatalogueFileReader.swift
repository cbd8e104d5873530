import Foundation

/// Reads whole files and lines of files for the importers, turning system
/// errors into ``CatalogueError/unreadableFile(path:reason:)``.
enum CatalogueFileReader {
    /// The whole file at `path`.
    static func contents(ofFileAt path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachChunk(ofFileAt: path) {
            bytes.append(contentsOf: $0)
            return true
        }
        return bytes
    }

    /// The first bytes of the file at `path`: `count` of them, or fewer in a shorter file.
    static func prefix(ofFileAt path: String, count: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try forEachChunk(ofFileAt: path) { chunk in
            bytes.append(contentsOf: chunk.prefix(count - bytes.count))
            return bytes.count < count
        }
        return bytes
    }

    /// Calls `body` with each line of the file at `path` (without its `\n`
    /// and without a `\r` before it) and the line's 1-based number. The last
    /// line need not end with `\n`. The bytes are valid only during the call.
    static func forEachLine(
        ofFileAt path: String, _ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void
    ) throws {
        var pending: [UInt8] = []  // the start of a line that continues in the next chunk
        var number = 0
        func emit(_ line: UnsafeBufferPointer<UInt8>) throws {
            number += 1
            let end = line.last == UInt8(ascii: "\r") ? line.count - 1 : line.count
            try body(UnsafeBufferPointer(rebasing: line[..<end]), number)
        }
        try forEachChunk(ofFileAt: path) { chunk in
            guard let base = chunk.baseAddress else { return true }
            var start = 0
            // memchr: a dump is megabytes, and a byte loop is slow in debug builds.
            while start < chunk.count, let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), chunk.count - start) {
                let newline = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(hit))
                if pending.isEmpty {
                    try emit(UnsafeBufferPointer(rebasing: chunk[start..<newline]))
                } else {
                    pending.append(contentsOf: chunk[start..<newline])
                    try pending.withUnsafeBufferPointer { try emit($0) }
                    pending.removeAll(keepingCapacity: true)
                }
                start = newline + 1
            }
            pending.append(contentsOf: chunk[start...])
            return true
        }
        if !pending.isEmpty { try pending.withUnsafeBufferPointer { try emit($0) } }
    }

    /// Calls `body` with successive chunks of the file at `path`, at most 1 MiB
    /// each, until the file ends or `body` returns `false`.
    private static func forEachChunk(ofFileAt path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Bool) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(path) }
        defer { close(descriptor) }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 20)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw unreadable(path)
            }
            if count == 0 { return }
            guard try body(UnsafeBufferPointer(rebasing: buffer[..<count])) else { return }
        }
    }

    /// The error for the current `errno`, e.g. "No such file or directory".
    private static func unreadable(_ path: String) -> CatalogueError {
        .unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }
}
