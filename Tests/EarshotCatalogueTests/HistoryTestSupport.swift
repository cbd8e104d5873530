import Foundation

@testable import EarshotCatalogue

/// Writes `text` as `name` in `directory`; returns the path.
func writeFile(_ text: String, named name: String, in directory: URL) throws -> String {
    let url = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: url)
    return url.path
}

/// `text` (e.g. `2024-01-01T10:00:00Z`) read by Foundation, independently of the code under test.
func utc(_ text: String) -> Date {
    try! Date(text, strategy: .iso8601)
}

/// `../shared/data/<relative>` beside the package root, three levels above this file.
func sharedDataPath(_ relative: String) -> String {
    URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("../shared/data/\(relative)").standardizedFileURL.path
}
