import CEarshotKernels

/// Dot products for the graph: the only distance it uses (`-dot`, so the
/// nearest neighbour is the maximum inner product).
@usableFromInline
enum InnerProduct {
    /// Whether `fastDot` may use the AVX2/FMA kernel on this CPU.
    static let fused = earshot_kernels_fma_available() == 1

    /// The graph walk's dot product: the fused kernel where the CPU has it.
    @inline(__always)
    static func fastDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        fused ? earshot_dot_fma(a, b, count) : dot(a, b, count: count)
    }

    @inlinable @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var index = 0
        var sum = Float(0)
        if count >= 16 {
            let ra = UnsafeRawPointer(a)
            let rb = UnsafeRawPointer(b)
            var s0 = SIMD8<Float>()
            var s1 = SIMD8<Float>()
            while index + 16 <= count {
                s0 += ra.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
                    * rb.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
                s1 += ra.loadUnaligned(fromByteOffset: index * 4 + 32, as: SIMD8<Float>.self)
                    * rb.loadUnaligned(fromByteOffset: index * 4 + 32, as: SIMD8<Float>.self)
                index += 16
            }
            sum = (s0 + s1).sum()
        }
        while index < count {
            sum += a[index] * b[index]
            index += 1
        }
        return sum
    }
}
