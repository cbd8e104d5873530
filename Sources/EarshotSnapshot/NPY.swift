import Foundation

/// Reads and writes NumPy `.npy` files (format 1.0/2.0/3.0 on read, 1.0 on write):
/// little-endian, C order, `<f4` for float tensors and `<i8`/`<i4` for integer ones.
public enum NPY {
    /// A tensor as stored: its shape and its elements in C order.
    public enum Tensor: Sendable, Equatable {
        case float32(shape: [Int], values: [Float])
        case int64(shape: [Int], values: [Int64])
        /// Written as `<i4`; read back as `int64` by `read`.
        case int32(shape: [Int], values: [Int32])

        public var shape: [Int] {
            switch self {
            case .float32(let shape, _), .int64(let shape, _), .int32(let shape, _): shape
            }
        }
    }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Parses `.npy` bytes; `name` only labels errors.
    public static func read(_ data: Data, name: String) throws(SnapshotError) -> Tensor {
        // Read in place: a snapshot's tensors are mapped files, and a copy
        // would double the memory a large model needs while it loads.
        let result = data.withUnsafeBytes { raw in
            Result { () throws(SnapshotError) in try read(UnsafeRawBufferPointer(raw), name: name) }
        }
        return try result.get()
    }

    /// Where an `.npy` file's data is and what it holds, without reading the data.
    struct Layout {
        /// `'<f4'`, `'<i8'` or `'<i4'`.
        let descr: String
        let shape: [Int]
        /// Offset of element 0.
        let dataOffset: Int
        var count: Int { shape.reduce(1, *) }
        var width: Int { descr == "'<i4'" || descr == "'<f4'" ? 4 : 8 }
    }

    /// Parses and checks the header of `.npy` bytes (the data size included).
    static func layout(_ bytes: UnsafeRawBufferPointer, name: String) throws(SnapshotError) -> Layout {
        func bad(_ why: String) -> SnapshotError { .badTensor(file: name, reason: why) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw bad("not an .npy file (bad magic)") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw bad("truncated header") }
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
            headerStart = 12
        default:
            throw bad("unsupported .npy version \(major)")
        }
        guard headerStart + headerLength <= bytes.count else { throw bad("truncated header") }
        let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
        guard let descr = field("descr", in: header), let order = field("fortran_order", in: header),
            let shapeText = field("shape", in: header)
        else { throw bad("header lacks descr, fortran_order or shape") }
        guard order == "False" else { throw bad("Fortran order is not supported; save with C order") }
        guard ["'<f4'", "'<i8'", "'<i4'"].contains(descr) else {
            throw bad("unsupported dtype \(descr); use float32 ('<f4'), int64 ('<i8') or int32 ('<i4')")
        }
        let layout = Layout(descr: descr, shape: try parseShape(shapeText, bad: bad), dataOffset: headerStart + headerLength)
        let available = bytes.count - layout.dataOffset
        guard available == layout.count * layout.width else {
            throw bad("expected \(layout.count * layout.width) data bytes for shape \(layout.shape), found \(available) (truncated?)")
        }
        return layout
    }

    private static func read(_ bytes: UnsafeRawBufferPointer, name: String) throws(SnapshotError) -> Tensor {
        let layout = try layout(bytes, name: name)
        let count = layout.count
        let body = layout.dataOffset
        switch layout.descr {
        case "'<f4'":
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count {
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: body + 4 * i, as: UInt32.self)))
                }
                initialized = count
            }
            return .float32(shape: layout.shape, values: values)
        default:
            let width = layout.width
            let values = (0..<count).map { i -> Int64 in
                width == 8
                    ? Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: body + 8 * i, as: Int64.self))
                    : Int64(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: body + 4 * i, as: Int32.self)))
            }
            return .int64(shape: layout.shape, values: values)
        }
    }

    /// Serializes a tensor as `.npy` version 1.0.
    public static func write(_ tensor: Tensor) -> Data {
        let descr: String
        switch tensor {
        case .float32: descr = "<f4"
        case .int64: descr = "<i8"
        case .int32: descr = "<i4"
        }
        let shape = tensor.shape
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Pad so the data starts on a 64-byte boundary, as NumPy does.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data(magic + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        switch tensor {
        case .float32(_, let values):
            values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        case .int64(_, let values):
            values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: $0.count * 8)) }
        case .int32(_, let values):
            values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress)?.assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        }
        return data
    }

    /// The text of `'key': value` in a NumPy header dict.
    private static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") else { return nil }
        var rest = header[keyRange.upperBound...].drop(while: { $0 == " " })
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        rest = rest.prefix(while: { $0 != "," && $0 != "}" })
        return rest.trimmingCharacters(in: .whitespaces)
    }

    private static func parseShape(
        _ text: String, bad: (String) -> SnapshotError
    ) throws(SnapshotError) -> [Int] {
        let inner = text.dropFirst().dropLast()
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard let dim = Int(trimmed), dim >= 0 else { throw bad("bad shape \(text)") }
            shape.append(dim)
        }
        guard shape.reduce(1, { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 }) < Int.max / 8 else {
            throw bad("shape \(text) is too large")
        }
        return shape
    }
}
