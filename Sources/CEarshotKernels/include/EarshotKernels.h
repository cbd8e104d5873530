#ifndef EARSHOT_KERNELS_H
#define EARSHOT_KERNELS_H

#include <stddef.h>

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

/// 1 when the AVX2 path is in use (for reports and tests).
int earshot_kernels_vectorized(void);

#ifdef __cplusplus
}
#endif

#endif
