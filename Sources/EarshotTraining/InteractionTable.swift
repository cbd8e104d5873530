import Foundation

/// Interactions `user → item` with a positive weight (a play count), the
/// input of the trainers and of offline evaluation.
///
/// Users and items get dense indexes in order of first appearance, so the
/// same input always gives the same model rows. A (user, item) pair given
/// twice is one interaction with the weights added.
public struct InteractionTable: Sendable {
    /// User id of each user index.
    public private(set) var userIDs: [String] = []
    /// Item id of each item index.
    public private(set) var itemIDs: [String] = []
    /// Entry `n` is user `users[n]` playing item `items[n]` with weight `weights[n]`.
    public private(set) var users: [Int32] = []
    public private(set) var items: [Int32] = []
    public private(set) var weights: [Float] = []

    private var userIndex: [String: Int32] = [:]
    private var itemIndex: [String: Int32] = [:]
    private var entryOfPair: [UInt64: Int] = [:]

    public init() {}

    /// The number of distinct (user, item) pairs.
    public var count: Int { weights.count }

    public func user(of id: String) -> Int32? { userIndex[id] }
    public func item(of id: String) -> Int32? { itemIndex[id] }

    /// Adds one interaction; a repeated pair adds its weight to the earlier one.
    public mutating func add(user: String, item: String, weight: Float) {
        let userRow = Self.intern(user, in: &userIndex, ids: &userIDs)
        let itemRow = Self.intern(item, in: &itemIndex, ids: &itemIDs)
        let pair = UInt64(UInt32(userRow)) << 32 | UInt64(UInt32(itemRow))
        if let entry = entryOfPair[pair] {
            weights[entry] += weight
            return
        }
        entryOfPair[pair] = weights.count
        users.append(userRow)
        items.append(itemRow)
        weights.append(weight)
    }

    private static func intern(_ id: String, in index: inout [String: Int32], ids: inout [String]) -> Int32 {
        if let row = index[id] { return row }
        let row = Int32(ids.count)
        index[id] = row
        ids.append(id)
        return row
    }

    /// Reads an interactions TSV: a header line, then `user<TAB>item<TAB>weight`
    /// lines (weight > 0; `\r\n` and blank lines accepted).
    public static func read(tsv path: String) throws(TrainingError) -> InteractionTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file"
            throw .cannotRead(path: path, reason: reason)
        }
        var table = InteractionTable()
        table.reserve(data.count / 16)
        var failure: TrainingError?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lineStart = 0
            var lineNumber = 0
            var sawHeader = false
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                lineNumber += 1
                defer { lineStart = lineEnd + 1 }
                var end = lineEnd
                if end > lineStart, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                guard end > lineStart else { continue }
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<end])
                switch parseLine(line) {
                case .entry(let user, let item, let weight):
                    guard weight > 0, weight.isFinite else {
                        failure = .badLine(path: path, line: lineNumber, reason: "weight must be a finite number > 0")
                        return
                    }
                    table.add(user: user, item: item, weight: Float(weight))
                case .header where !sawHeader && table.count == 0:
                    sawHeader = true
                case .header, .malformed:
                    failure = .badLine(path: path, line: lineNumber, reason: "not three tab-separated fields with a numeric weight")
                    return
                }
            }
        }
        if let failure { throw failure }
        guard table.count > 0 else { throw .noInteractions(path: path) }
        return table
    }

    private mutating func reserve(_ entries: Int) {
        users.reserveCapacity(entries)
        items.reserveCapacity(entries)
        weights.reserveCapacity(entries)
        entryOfPair.reserveCapacity(entries)
    }

    private enum Line {
        case entry(user: String, item: String, weight: Double)
        /// Three fields whose weight is not a number: the header.
        case header
        case malformed
    }

    private static func parseLine(_ line: UnsafeBufferPointer<UInt8>) -> Line {
        var first = -1
        var second = -1
        for (offset, byte) in line.enumerated() where byte == UInt8(ascii: "\t") {
            if first < 0 {
                first = offset
            } else if second < 0 {
                second = offset
            } else {
                return .malformed
            }
        }
        guard first > 0, second > first + 1 else { return .malformed }
        let user = String(decoding: UnsafeBufferPointer(rebasing: line[0..<first]), as: UTF8.self)
        let item = String(decoding: UnsafeBufferPointer(rebasing: line[(first + 1)..<second]), as: UTF8.self)
        let weightBytes = UnsafeBufferPointer(rebasing: line[(second + 1)...])
        guard let weight = parseNumber(weightBytes) else { return .header }
        return .entry(user: user, item: item, weight: weight)
    }

    /// Plain decimal integers (the common case, play counts) without going
    /// through `String`; anything else through `Double(_:)`.
    private static func parseNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard !bytes.isEmpty else { return nil }
        if bytes.count <= 15 {
            var value: Int64 = 0
            var allDigits = true
            for byte in bytes {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                    allDigits = false
                    break
                }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            if allDigits { return Double(value) }
        }
        return Double(String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces))
    }
}
