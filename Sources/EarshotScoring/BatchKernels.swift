import CEarshotKernels

/// The blocked kernels batched passes use (C, with an AVX2 path chosen at
/// run time): the Swift compiler targets baseline x86-64 here, which has no
/// 256-bit vectors. Rounding is fixed and matches `VectorKernels.dot4` and
/// SIMD16 `(a * b).sum()`, so a batched score equals the unbatched one.
public enum BatchKernels {
    /// `out[q * rows + r]` = query `q` · row `r` (both row-major, `dimension` wide).
    @inlinable
    public static func dotBlock(
        queries: UnsafePointer<Float>, count: Int, rows: UnsafePointer<Float>, rowCount: Int, dimension: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        earshot_dot_block(queries, count, rows, rowCount, dimension, out)
    }

    /// `out[r]` = the best over `count` 16-float seeds of seed · row `r`, each
    /// summed over the first `lanes` lanes in order.
    @inlinable
    public static func maxDot16(
        seeds: UnsafePointer<Float>, count: Int, rows: UnsafePointer<Float>, rowCount: Int, lanes: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        earshot_max_dot16(seeds, count, rows, rowCount, lanes, out)
    }

    /// True when the 256-bit path runs on this CPU.
    public static var vectorized: Bool { earshot_kernels_vectorized() != 0 }
}
