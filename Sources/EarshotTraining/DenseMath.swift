import COpenBLAS

/// The few dense BLAS operations the trainers need, on row-major float
/// matrices. OpenBLAS runs them single-threaded (`configureBLAS()`): the
/// trainers parallelize over rows themselves, which keeps results identical
/// for any thread count.
enum DenseMath {
    /// Pins OpenBLAS to one thread, so it neither oversubscribes the cores the
    /// trainer's workers use nor changes summation order with the thread count.
    static func configureBLAS() {
        openblas_set_num_threads(1)
    }

    /// `AᵀA` (`dimension × dimension`, both triangles filled) of a row-major
    /// `rows × dimension` matrix.
    static func gram(_ matrix: UnsafePointer<Float>, rows: Int, dimension: Int) -> [Float] {
        var result = [Float](repeating: 0, count: dimension * dimension)
        guard rows > 0, dimension > 0 else { return result }
        result.withUnsafeMutableBufferPointer { out in
            cblas_ssyrk(
                CblasRowMajor, CblasUpper, CblasTrans, Int32(dimension), Int32(rows), 1, matrix, Int32(dimension), 0,
                out.baseAddress, Int32(dimension))
            for row in 0..<dimension {
                for column in 0..<row { out[row * dimension + column] = out[column * dimension + row] }
            }
        }
        return result
    }

    /// `out = a · b` for row-major `a` (`rows × dimension`) and a square `b`.
    static func multiply(
        _ a: UnsafePointer<Float>, rows: Int, bySquare b: UnsafePointer<Float>, dimension: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, dimension > 0 else { return }
        let n = Int32(dimension)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), n, n, 1, a, n, b, n, 0, out, n)
    }
}
