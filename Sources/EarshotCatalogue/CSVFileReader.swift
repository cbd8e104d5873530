import Foundation

/// Reads a CSV file in fixed-size chunks through a ``CSVParser``, so memory
/// use does not grow with the file.
enum CSVFileReader {
    /// Calls `body` with each record of the file at `path`, in order.
    ///
    /// A leading UTF-8 byte-order mark (as spreadsheet exports write) is skipped.
    /// Throws ``CatalogueError/unreadableFile(path:reason:)`` when the file
    /// cannot be opened or read, and whatever `body` throws.
    static func forEachRecord(inFileAt path: String, _ body: (CSVRecord) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(path) }
        defer { close(descriptor) }

        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 20)
        defer { buffer.deallocate() }
        var parser = CSVParser()
        var atStart = true
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw unreadable(path)
            }
            if count == 0 { break }
            var chunk = UnsafeBufferPointer(rebasing: buffer[..<count])
            if atStart {
                atStart = false
                if chunk.starts(with: [0xEF, 0xBB, 0xBF]) { chunk = UnsafeBufferPointer(rebasing: chunk.dropFirst(3)) }
            }
            try parser.parse(chunk, body)
        }
        try parser.finish(body)
    }

    /// The error for the current `errno`, e.g. "No such file or directory".
    private static func unreadable(_ path: String) -> CatalogueError {
        .unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }
}
