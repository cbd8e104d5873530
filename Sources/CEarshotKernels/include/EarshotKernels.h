#ifndef EARSHOT_KERNELS_H
#define EARSHOT_KERNELS_H

#include <stddef.h>
#include <immintrin.h>

// Blocked dot-product kernels for serving many queries in one pass over an
// item matrix. Pure functions: no allocation, no global state beyond the
// CPU-feature check made once. Every function may be called from any number
// of threads at once; the caller owns every buffer.
//
// Rounding is fixed, so results do not depend on the CPU path, the batch a
// query is in, or its position: each dot product of d floats is summed in
// 8 lanes (lane l accumulates a[l] * b[l], a[l + 8] * b[l + 8], … with a
// separate multiply and add), and the lanes are then added in order
// 0, 1, …, 7 — the order of EarshotScoring's Swift kernels (`dot4`).

#ifdef __cplusplus
extern "C" {
#endif

/// out[q * rows + r] = dot(queries + q * dim, items + r * dim)
/// for q < count, r < rows; both matrices row-major.
void earshot_dot_block(
    const float *queries, long count, const float *items, long rows, long dim, float *out);

/// out[r] = max over s < seeds of the dot product of the 16 floats at
/// seeds + 16 s and items + 16 r, each summed as `lanes` products added in
/// order (Swift's `(a * b).sum()` over SIMD16 when lanes 16; lanes ≤ 16 may
/// be given when the later lanes are zero in every vector).
void earshot_max_dot16(
    const float *seeds, long count, const float *items, long rows, long lanes, float *out);

/// Asks the CPU to bring the cache line at `address` in for reading (a
/// hint; no effect on results). Inline, so a graph walk can issue it for
/// each neighbour before scoring any of them.
static inline void earshot_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/// The dot product of the `count` floats at `a` and `b`, with AVX2 and FMA:
/// call it only when `earshot_kernels_fma_available()` is 1. For the graph
/// walk, where one call per neighbour makes a call through the dispatch of
/// the blocked kernels too dear. Its rounding is its own (fused, 16 lanes).
__attribute__((target("avx2,fma"))) static inline float earshot_dot_fma(const float *a, const float *b, long count) {
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 16 <= count; i += 16) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    }
    __m256 s = _mm256_add_ps(s0, s1);
    __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
    h = _mm_add_ps(h, _mm_movehl_ps(h, h));
    h = _mm_add_ss(h, _mm_shuffle_ps(h, h, 1));
    float sum = _mm_cvtss_f32(h);
    for (; i < count; i++) sum += a[i] * b[i];
    return sum;
}

/// 1 when the CPU has AVX2 and FMA (for `earshot_dot_fma`).
int earshot_kernels_fma_available(void);

/// 1 when the AVX2 path is in use (for reports and tests).
int earshot_kernels_vectorized(void);

#ifdef __cplusplus
}
#endif

#endif
