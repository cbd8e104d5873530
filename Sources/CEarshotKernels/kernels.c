#include "EarshotKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

// MARK: Portable path (any CPU): the same operations in the same order.

static float lane_dot(const float *a, const float *b, long dim) {
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    long k = 0;
    for (; k + 8 <= dim; k += 8) {
        for (int l = 0; l < 8; l++) {
            float product = a[k + l] * b[k + l];
            lanes[l] = lanes[l] + product;
        }
    }
    float total = lanes[0];
    for (int l = 1; l < 8; l++) total = total + lanes[l];
    for (; k < dim; k++) {
        float product = a[k] * b[k];
        total = total + product;
    }
    return total;
}

static void dot_block_portable(
    const float *queries, long count, const float *items, long rows, long dim, float *out) {
    for (long r = 0; r < rows; r++) {
        for (long q = 0; q < count; q++) out[q * rows + r] = lane_dot(queries + q * dim, items + r * dim, dim);
    }
}

static float seq_dot16(const float *a, const float *b, long lanes) {
    float total = a[0] * b[0];
    for (long l = 1; l < lanes; l++) {
        float product = a[l] * b[l];
        total = total + product;
    }
    return total;
}

static void max_dot16_portable(
    const float *seeds, long count, const float *items, long rows, long lanes, float *out) {
    for (long r = 0; r < rows; r++) {
        float best = -__builtin_inff();
        for (long s = 0; s < count; s++) {
            float score = seq_dot16(seeds + 16 * s, items + 16 * r, lanes);
            if (score > best) best = score;
        }
        out[r] = best;
    }
}

#if defined(__x86_64__)

// MARK: AVX2 path.

#define AVX2 __attribute__((target("avx2")))

// Sums each of eight accumulators' lanes in order 0…7: transposes the 8×8
// block so lane l of every accumulator is in vector l, then adds vectors.
AVX2 static inline __m256 sum_lanes8(__m256 a0, __m256 a1, __m256 a2, __m256 a3,
                                     __m256 a4, __m256 a5, __m256 a6, __m256 a7) {
    __m256 t0 = _mm256_unpacklo_ps(a0, a1), t1 = _mm256_unpackhi_ps(a0, a1);
    __m256 t2 = _mm256_unpacklo_ps(a2, a3), t3 = _mm256_unpackhi_ps(a2, a3);
    __m256 t4 = _mm256_unpacklo_ps(a4, a5), t5 = _mm256_unpackhi_ps(a4, a5);
    __m256 t6 = _mm256_unpacklo_ps(a6, a7), t7 = _mm256_unpackhi_ps(a6, a7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    // Vector l holds lane l of a0…a7.
    __m256 l0 = _mm256_permute2f128_ps(u0, u4, 0x20), l4 = _mm256_permute2f128_ps(u0, u4, 0x31);
    __m256 l1 = _mm256_permute2f128_ps(u1, u5, 0x20), l5 = _mm256_permute2f128_ps(u1, u5, 0x31);
    __m256 l2 = _mm256_permute2f128_ps(u2, u6, 0x20), l6 = _mm256_permute2f128_ps(u2, u6, 0x31);
    __m256 l3 = _mm256_permute2f128_ps(u3, u7, 0x20), l7 = _mm256_permute2f128_ps(u3, u7, 0x31);
    __m256 s = _mm256_add_ps(l0, l1);
    s = _mm256_add_ps(s, l2);
    s = _mm256_add_ps(s, l3);
    s = _mm256_add_ps(s, l4);
    s = _mm256_add_ps(s, l5);
    s = _mm256_add_ps(s, l6);
    s = _mm256_add_ps(s, l7);
    return s;
}

#define ACC(acc, x, y) acc = _mm256_add_ps(acc, _mm256_mul_ps(x, y))

// Four queries × two rows per step (eight accumulators), dim % 8 == 0.
AVX2 static void dot_block_avx2(
    const float *queries, long count, const float *items, long rows, long dim, float *out) {
    long r = 0;
    for (; r + 2 <= rows; r += 2) {
        const float *x0 = items + r * dim, *x1 = x0 + dim;
        long q = 0;
        for (; q + 4 <= count; q += 4) {
            const float *p0 = queries + q * dim, *p1 = p0 + dim, *p2 = p1 + dim, *p3 = p2 + dim;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (long k = 0; k < dim; k += 8) {
                __m256 v0 = _mm256_loadu_ps(x0 + k), v1 = _mm256_loadu_ps(x1 + k);
                __m256 w = _mm256_loadu_ps(p0 + k);
                ACC(a0, w, v0); ACC(a1, w, v1);
                w = _mm256_loadu_ps(p1 + k);
                ACC(a2, w, v0); ACC(a3, w, v1);
                w = _mm256_loadu_ps(p2 + k);
                ACC(a4, w, v0); ACC(a5, w, v1);
                w = _mm256_loadu_ps(p3 + k);
                ACC(a6, w, v0); ACC(a7, w, v1);
            }
            float s[8];
            _mm256_storeu_ps(s, sum_lanes8(a0, a1, a2, a3, a4, a5, a6, a7));
            out[q * rows + r] = s[0]; out[q * rows + r + 1] = s[1];
            out[(q + 1) * rows + r] = s[2]; out[(q + 1) * rows + r + 1] = s[3];
            out[(q + 2) * rows + r] = s[4]; out[(q + 2) * rows + r + 1] = s[5];
            out[(q + 3) * rows + r] = s[6]; out[(q + 3) * rows + r + 1] = s[7];
        }
        for (; q < count; q++) {
            out[q * rows + r] = lane_dot(queries + q * dim, x0, dim);
            out[q * rows + r + 1] = lane_dot(queries + q * dim, x1, dim);
        }
    }
    for (; r < rows; r++) {
        for (long q = 0; q < count; q++) out[q * rows + r] = lane_dot(queries + q * dim, items + r * dim, dim);
    }
}

// One query × eight rows per step, for a lone query (memory bound).
AVX2 static void dot_rows8_avx2(const float *query, const float *items, long rows, long dim, float *out) {
    long r = 0;
    for (; r + 8 <= rows; r += 8) {
        const float *x = items + r * dim;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long k = 0; k < dim; k += 8) {
            __m256 w = _mm256_loadu_ps(query + k);
            ACC(a0, w, _mm256_loadu_ps(x + k));
            ACC(a1, w, _mm256_loadu_ps(x + dim + k));
            ACC(a2, w, _mm256_loadu_ps(x + 2 * dim + k));
            ACC(a3, w, _mm256_loadu_ps(x + 3 * dim + k));
            ACC(a4, w, _mm256_loadu_ps(x + 4 * dim + k));
            ACC(a5, w, _mm256_loadu_ps(x + 5 * dim + k));
            ACC(a6, w, _mm256_loadu_ps(x + 6 * dim + k));
            ACC(a7, w, _mm256_loadu_ps(x + 7 * dim + k));
        }
        _mm256_storeu_ps(out + r, sum_lanes8(a0, a1, a2, a3, a4, a5, a6, a7));
    }
    for (; r < rows; r++) out[r] = lane_dot(query, items + r * dim, dim);
}

// Eight items per step, their 16 lanes transposed into registers; each seed's
// lanes are broadcast and multiplied, products added in lane order.
AVX2 static void max_dot16_avx2(
    const float *seeds, long count, const float *items, long rows, long lanes, float *out) {
    long r = 0;
    for (; r + 8 <= rows; r += 8) {
        __m256 column[16];
        for (long l = 0; l < lanes; l++) {
            column[l] = _mm256_set_ps(
                items[(r + 7) * 16 + l], items[(r + 6) * 16 + l], items[(r + 5) * 16 + l], items[(r + 4) * 16 + l],
                items[(r + 3) * 16 + l], items[(r + 2) * 16 + l], items[(r + 1) * 16 + l], items[r * 16 + l]);
        }
        __m256 best = _mm256_set1_ps(-__builtin_inff());
        long s = 0;
        // Four seeds at once: each seed's sum is a chain of dependent adds,
        // so independent chains keep the adders busy.
        for (; s + 4 <= count; s += 4) {
            const float *a = seeds + 16 * s, *b = a + 16, *c = b + 16, *e = c + 16;
            __m256 ta = _mm256_mul_ps(_mm256_broadcast_ss(a), column[0]);
            __m256 tb = _mm256_mul_ps(_mm256_broadcast_ss(b), column[0]);
            __m256 tc = _mm256_mul_ps(_mm256_broadcast_ss(c), column[0]);
            __m256 te = _mm256_mul_ps(_mm256_broadcast_ss(e), column[0]);
            for (long l = 1; l < lanes; l++) {
                ta = _mm256_add_ps(ta, _mm256_mul_ps(_mm256_broadcast_ss(a + l), column[l]));
                tb = _mm256_add_ps(tb, _mm256_mul_ps(_mm256_broadcast_ss(b + l), column[l]));
                tc = _mm256_add_ps(tc, _mm256_mul_ps(_mm256_broadcast_ss(c + l), column[l]));
                te = _mm256_add_ps(te, _mm256_mul_ps(_mm256_broadcast_ss(e + l), column[l]));
            }
            best = _mm256_max_ps(best, _mm256_max_ps(_mm256_max_ps(ta, tb), _mm256_max_ps(tc, te)));
        }
        for (; s < count; s++) {
            const float *a = seeds + 16 * s;
            __m256 ta = _mm256_mul_ps(_mm256_broadcast_ss(a), column[0]);
            for (long l = 1; l < lanes; l++) ta = _mm256_add_ps(ta, _mm256_mul_ps(_mm256_broadcast_ss(a + l), column[l]));
            best = _mm256_max_ps(best, ta);
        }
        _mm256_storeu_ps(out + r, best);
    }
    if (r < rows) max_dot16_portable(seeds, count, items + r * 16, rows - r, lanes, out + r);
}

static int avx2_available(void) {
    static int state = -1;
    int known = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") ? 1 : 0;
        __atomic_store_n(&state, known, __ATOMIC_RELAXED);
    }
    return known;
}

#else
static int avx2_available(void) { return 0; }
#endif

int earshot_kernels_vectorized(void) { return avx2_available(); }

int earshot_kernels_fma_available(void) {
    static int state = -1;
    int known = __atomic_load_n(&state, __ATOMIC_RELAXED);
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? 1 : 0;
        __atomic_store_n(&state, known, __ATOMIC_RELAXED);
    }
    return known;
}

void earshot_dot_block(
    const float *queries, long count, const float *items, long rows, long dim, float *out) {
#if defined(__x86_64__)
    if (dim % 8 == 0 && avx2_available()) {
        if (count == 1) {
            dot_rows8_avx2(queries, items, rows, dim, out);
        } else {
            dot_block_avx2(queries, count, items, rows, dim, out);
        }
        return;
    }
#endif
    dot_block_portable(queries, count, items, rows, dim, out);
}

void earshot_max_dot16(
    const float *seeds, long count, const float *items, long rows, long lanes, float *out) {
    if (lanes < 1 || lanes > 16 || count < 1) {
        for (long r = 0; r < rows; r++) out[r] = -__builtin_inff();
        return;
    }
#if defined(__x86_64__)
    if (avx2_available()) {
        max_dot16_avx2(seeds, count, items, rows, lanes, out);
        return;
    }
#endif
    max_dot16_portable(seeds, count, items, rows, lanes, out);
}
