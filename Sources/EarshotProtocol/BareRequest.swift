/// A request line that is nothing but `op` and perhaps a simple `id`, such as
/// `{"op":"ping"}` or `{"id":7,"op":"ping"}`, recognized in place without
/// building a document: pipelined cheap requests are mostly this, and for
/// them parsing and encoding were most of the cost.
///
/// Anything else (another field, escapes, a fractional id, a repeated key)
/// is not matched and goes through `RequestDecoder`, which gives every
/// answer, error or not, so matching changes no response.
public struct BareRequest: Sendable, Equatable {
    public let op: Op
    /// The id's JSON text as sent (an integer, a string without escapes, or
    /// `null`), empty when the line has none.
    public let idText: ArraySlice<UInt8>

    /// Matches one line (without its terminator).
    public static func match(_ line: UnsafeRawBufferPointer) -> BareRequest? {
        var scanner = Scanner(bytes: line)
        scanner.skipSpace()
        guard scanner.take(UInt8(ascii: "{")) else { return nil }
        var op: Op?
        var id: Range<Int>?
        repeat {
            scanner.skipSpace()
            guard let key = scanner.plainString() else { return nil }
            scanner.skipSpace()
            guard scanner.take(UInt8(ascii: ":")) else { return nil }
            scanner.skipSpace()
            switch key.count {
            case 2 where line[key.lowerBound] == UInt8(ascii: "o") && line[key.lowerBound + 1] == UInt8(ascii: "p"):
                guard op == nil, let name = scanner.plainString() else { return nil }
                op = Op(bytes: UnsafeRawBufferPointer(rebasing: line[name]))
                guard op != nil else { return nil }
            case 2 where line[key.lowerBound] == UInt8(ascii: "i") && line[key.lowerBound + 1] == UInt8(ascii: "d"):
                guard id == nil, let value = scanner.simpleScalar() else { return nil }
                id = value
            default:
                return nil
            }
            scanner.skipSpace()
        } while scanner.take(UInt8(ascii: ","))
        guard scanner.take(UInt8(ascii: "}")) else { return nil }
        scanner.skipSpace()
        guard scanner.atEnd, let op, op.isBare else { return nil }
        return BareRequest(op: op, idText: id.map { ArraySlice(line[$0]) } ?? [])
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        var atEnd: Bool { position == bytes.count }

        mutating func skipSpace() {
            while position < bytes.count, bytes[position] == 0x20 || bytes[position] == 0x09 || bytes[position] == 0x0D {
                position += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        /// A string of printable ASCII without escapes; returns its contents' range.
        mutating func plainString() -> Range<Int>? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    return start..<(position - 1)
                }
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
                position += 1
            }
            return nil
        }

        /// `null`, an integer without leading zeros, or a plain string: its text's range.
        mutating func simpleScalar() -> Range<Int>? {
            let start = position
            if position < bytes.count, bytes[position] == UInt8(ascii: "\"") {
                guard plainString() != nil else { return nil }
                return start..<position
            }
            if bytes.count - position >= 4, bytes[position] == UInt8(ascii: "n"), bytes[position + 1] == UInt8(ascii: "u"),
                bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l")
            {
                position += 4
                return start..<position
            }
            _ = take(UInt8(ascii: "-"))
            let digits = position
            while position < bytes.count, bytes[position] >= 0x30, bytes[position] <= 0x39 { position += 1 }
            let count = position - digits
            guard count >= 1, count <= 15, !(count > 1 && bytes[digits] == 0x30) else { return nil }
            return start..<position
        }
    }
}

extension Op {
    /// The bare op named by `bytes`.
    init?(bytes: UnsafeRawBufferPointer) {
        guard bytes.elementsEqual("ping".utf8) else { return nil }
        self = .ping
    }

    /// Ops answered from a bare request without more decoding.
    var isBare: Bool { self == .ping }
}

extension Response {
    /// `{"id":…,"ok":true,"result":{"pong":true}}\n` for a bare `ping`.
    public static func pong(idText: ArraySlice<UInt8>, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        if idText.isEmpty { out.append(contentsOf: "null".utf8) } else { out.append(contentsOf: idText) }
        out.append(contentsOf: #","ok":true,"result":{"pong":true}}"#.utf8)
        out.append(0x0A)
    }
}
