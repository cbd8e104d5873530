import Foundation

/// Imports implicit feedback from a `user<TAB>item<TAB>weight` TSV with a
/// header line (the Last.fm split's format), e.g. play counts.
///
/// A (user, item) pair is stored once: importing the file again changes
/// nothing, and a later file's weight replaces an earlier one's. Rows that
/// cannot be read are reported with their line numbers.
public struct InteractionsImporter {
    private let store: CatalogueStore

    public init(store: CatalogueStore) {
        self.store = store
    }

    /// Imports one file in one transaction.
    public func importFile(atPath path: String) throws -> ImportSummary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CatalogueError.unreadableFile(path: path, reason: "no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CatalogueError.unreadableFile(path: path, reason: "not UTF-8 text")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        if lines.last == "" { lines.removeLast() }
        let header = lines.first.map(String.init) ?? ""
        guard header.split(separator: "\t").map({ $0.lowercased() }) == InteractionsTSV.columns else {
            throw CatalogueError.notInteractionsTSV(path: path, found: header)
        }
        var summary = ImportSummary()
        try store.database.transaction {
            let writer = try InteractionWriter(store.database)
            var seen = Set<String>()
            for (offset, line) in lines.enumerated().dropFirst() {
                guard !line.isEmpty else { continue }
                summary.rows += 1
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                    summary.skipped += 1
                    summary.problems.append(ImportProblem(line: offset + 1, reason: "expected user<TAB>item<TAB>weight"))
                    continue
                }
                guard let weight = Double(fields[2]), weight.isFinite, weight > 0 else {
                    summary.skipped += 1
                    summary.problems.append(ImportProblem(line: offset + 1, reason: "weight \"\(fields[2])\" is not a number > 0"))
                    continue
                }
                guard seen.insert(fields[0] + "\t" + fields[1]).inserted else {
                    summary.duplicates += 1
                    summary.problems.append(ImportProblem(line: offset + 1, reason: "the pair was already given above; the first row counts"))
                    continue
                }
                switch try writer.store(user: String(fields[0]), item: String(fields[1]), weight: weight) {
                case .inserted: summary.imported += 1
                case .updated: summary.updated += 1
                case .unchanged: break
                }
            }
        }
        return summary
    }
}

/// Upserts interactions through statements prepared once per import.
private final class InteractionWriter {
    enum Outcome { case inserted, updated, unchanged }

    private let database: SQLiteDatabase
    private let selectWeight: SQLiteDatabase.Statement
    private let upsert: SQLiteDatabase.Statement
    private let users: UserDirectory

    init(_ database: SQLiteDatabase) throws {
        self.database = database
        selectWeight = try database.prepare("SELECT weight FROM interactions WHERE user_id = ?1 AND item = ?2")
        upsert = try database.prepare(
            """
            INSERT INTO interactions (user_id, item, weight) VALUES (?1, ?2, ?3)
            ON CONFLICT (user_id, item) DO UPDATE SET weight = excluded.weight
            """)
        users = try UserDirectory(database)
    }

    func store(user: String, item: String, weight: Double) throws -> Outcome {
        let userID = try users.id(of: user)
        defer { selectWeight.reset() }
        try selectWeight.bind(userID, at: 1)
        try selectWeight.bind(item, at: 2)
        let existing: Double? = try selectWeight.step() ? selectWeight.double(at: 0) : nil
        guard existing != weight else { return .unchanged }
        defer { upsert.reset() }
        try upsert.bind(userID, at: 1)
        try upsert.bind(item, at: 2)
        try upsert.bind(weight, at: 3)
        try upsert.step()
        return existing == nil ? .inserted : .updated
    }
}
