import CEarshotScorer
import Foundation

/// Describes a mapped `.npy` file in place for `earshot_tensor`: the data
/// is handed to the plugin where it lies, never copied. Accepts what the
/// snapshot writer produces: C order, `<f4` or `<i8`, rank 1 or 2.
enum MappedNPY {
    static func describe(_ bytes: UnsafeRawBufferPointer, file: String) throws(PluginTensorError) -> earshot_tensor {
        func bad(_ why: String) -> PluginTensorError { PluginTensorError("\(file): \(why)") }
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw bad("not an .npy file") }
        let headerStart = bytes[6] == 1 ? 10 : 12
        guard bytes.count >= headerStart else { throw bad("truncated header") }
        let headerLength =
            bytes[6] == 1
            ? Int(bytes[8]) | Int(bytes[9]) << 8
            : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        let dataStart = headerStart + headerLength
        guard dataStart <= bytes.count else { throw bad("truncated header") }
        let header = String(decoding: bytes[headerStart..<dataStart], as: UTF8.self)
        guard !header.contains("'fortran_order': True") else { throw bad("Fortran order is not supported") }
        var tensor = earshot_tensor()
        tensor.struct_size = UInt32(MemoryLayout<earshot_tensor>.size)
        let elementSize: Int
        if header.contains("'<f4'") {
            tensor.dtype = Int32(EARSHOT_DTYPE_F32)
            elementSize = 4
        } else if header.contains("'<i8'") {
            tensor.dtype = Int32(EARSHOT_DTYPE_I64)
            elementSize = 8
        } else {
            throw bad("dtype must be <f4 or <i8")
        }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")")
        else { throw bad("no shape") }
        let dimensions = header[open.upperBound..<close].split(separator: ",").compactMap {
            Int64($0.trimmingCharacters(in: .whitespaces))
        }
        guard dimensions.count == 1 || dimensions.count == 2, dimensions.allSatisfy({ $0 >= 0 }) else {
            throw bad("rank must be 1 or 2")
        }
        tensor.rank = Int32(dimensions.count)
        tensor.shape = (dimensions[0], dimensions.count == 2 ? dimensions[1] : 1)
        let elements = Int(tensor.shape.0 * tensor.shape.1)
        guard bytes.count - dataStart >= elements * elementSize else { throw bad("shorter than its shape") }
        tensor.data = UnsafeRawPointer(bytes.baseAddress! + dataStart)
        return tensor
    }
}
