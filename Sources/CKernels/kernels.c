// CKernels: see include/ckernels.h. The same loop structure as PackedGEMM.swift: blocks of 64 rows
// of A, every 32-column panel of B streamed past each block, one register tile at a time.
#include "ckernels.h"
#include <math.h>
#include <string.h>

#define PANEL 32
#define ROW_BLOCK 64

static inline ptrdiff_t min_p(ptrdiff_t a, ptrdiff_t b) { return a < b ? a : b; }

/// Tail store shared by all tiles: the first `cols` values of `v`, added to or replacing p[0..<cols].
static inline void store_tail(float *p, const float *v, ptrdiff_t cols, int acc) {
    for (ptrdiff_t j = 0; j < cols; j++) p[j] = acc ? p[j] + v[j] : v[j];
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static unsigned long long xgetbv0(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

int seqcast_cpu_level(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1, fma = (c >> 12) & 1;
    if (!osxsave || !avx || !fma) return 0;
    unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) return 0;                     // XMM and YMM state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
    if (!avx2) return 0;
    if (avx512f && (xcr0 & 0xe6) == 0xe6) return 2;         // plus opmask and ZMM state
    return 1;
}

#define T512 __attribute__((target("avx512f")))
#define T256 __attribute__((target("avx2,fma")))

T512 static inline void store512(float *p, __m512 v0, __m512 v1, ptrdiff_t cols, int acc) {
    if (cols == 32) {
        if (acc) { v0 = _mm512_add_ps(_mm512_loadu_ps(p), v0); v1 = _mm512_add_ps(_mm512_loadu_ps(p + 16), v1); }
        _mm512_storeu_ps(p, v0); _mm512_storeu_ps(p + 16, v1);
    } else {
        float t[32];
        _mm512_storeu_ps(t, v0); _mm512_storeu_ps(t + 16, v1);
        store_tail(p, t, cols, acc);
    }
}

/// One 8×32 tile (16 zmm accumulators). Rows past `rows` repeat the last row; their results are dropped.
T512 static void tile8x32(const float *a, ptrdiff_t lda, ptrdiff_t rows, const float *panel, ptrdiff_t k,
                          float *c, ptrdiff_t ldc, ptrdiff_t cols, int acc) {
    const float *r0 = a, *r1 = a + min_p(1, rows - 1) * lda, *r2 = a + min_p(2, rows - 1) * lda,
                *r3 = a + min_p(3, rows - 1) * lda, *r4 = a + min_p(4, rows - 1) * lda,
                *r5 = a + min_p(5, rows - 1) * lda, *r6 = a + min_p(6, rows - 1) * lda, *r7 = a + min_p(7, rows - 1) * lda;
    __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
    __m512 c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00, c71 = c00;
    const float *bp = panel;
    for (ptrdiff_t d = 0; d < k; d++, bp += PANEL) {
        __m512 b0 = _mm512_loadu_ps(bp), b1 = _mm512_loadu_ps(bp + 16), x;
        x = _mm512_set1_ps(r0[d]); c00 = _mm512_fmadd_ps(x, b0, c00); c01 = _mm512_fmadd_ps(x, b1, c01);
        x = _mm512_set1_ps(r1[d]); c10 = _mm512_fmadd_ps(x, b0, c10); c11 = _mm512_fmadd_ps(x, b1, c11);
        x = _mm512_set1_ps(r2[d]); c20 = _mm512_fmadd_ps(x, b0, c20); c21 = _mm512_fmadd_ps(x, b1, c21);
        x = _mm512_set1_ps(r3[d]); c30 = _mm512_fmadd_ps(x, b0, c30); c31 = _mm512_fmadd_ps(x, b1, c31);
        x = _mm512_set1_ps(r4[d]); c40 = _mm512_fmadd_ps(x, b0, c40); c41 = _mm512_fmadd_ps(x, b1, c41);
        x = _mm512_set1_ps(r5[d]); c50 = _mm512_fmadd_ps(x, b0, c50); c51 = _mm512_fmadd_ps(x, b1, c51);
        x = _mm512_set1_ps(r6[d]); c60 = _mm512_fmadd_ps(x, b0, c60); c61 = _mm512_fmadd_ps(x, b1, c61);
        x = _mm512_set1_ps(r7[d]); c70 = _mm512_fmadd_ps(x, b0, c70); c71 = _mm512_fmadd_ps(x, b1, c71);
    }
    store512(c, c00, c01, cols, acc);
    if (rows > 1) store512(c + ldc, c10, c11, cols, acc);
    if (rows > 2) store512(c + 2 * ldc, c20, c21, cols, acc);
    if (rows > 3) store512(c + 3 * ldc, c30, c31, cols, acc);
    if (rows > 4) store512(c + 4 * ldc, c40, c41, cols, acc);
    if (rows > 5) store512(c + 5 * ldc, c50, c51, cols, acc);
    if (rows > 6) store512(c + 6 * ldc, c60, c61, cols, acc);
    if (rows > 7) store512(c + 7 * ldc, c70, c71, cols, acc);
}

T256 static inline void store256(float *p, __m256 v0, __m256 v1, __m256 v2, __m256 v3, ptrdiff_t cols, int acc) {
    if (cols == 32) {
        if (acc) {
            v0 = _mm256_add_ps(_mm256_loadu_ps(p), v0); v1 = _mm256_add_ps(_mm256_loadu_ps(p + 8), v1);
            v2 = _mm256_add_ps(_mm256_loadu_ps(p + 16), v2); v3 = _mm256_add_ps(_mm256_loadu_ps(p + 24), v3);
        }
        _mm256_storeu_ps(p, v0); _mm256_storeu_ps(p + 8, v1); _mm256_storeu_ps(p + 16, v2); _mm256_storeu_ps(p + 24, v3);
    } else {
        float t[32];
        _mm256_storeu_ps(t, v0); _mm256_storeu_ps(t + 8, v1); _mm256_storeu_ps(t + 16, v2); _mm256_storeu_ps(t + 24, v3);
        store_tail(p, t, cols, acc);
    }
}

/// One 3×32 tile (12 ymm accumulators) for AVX2's 16 registers: per step of k, one 32-float panel
/// row in three registers plus a memory operand, one broadcast per row. The loop is written in
/// assembly because compilers spill this register budget (clang moved accumulators through the
/// stack and ran at half speed); the arithmetic is the intrinsics' c = fma(a[d], b, c), in order.
/// Rows past `rows` repeat the last row; their results are dropped. Requires k ≥ 1.
T256 static void tile3x32(const float *a, ptrdiff_t lda, ptrdiff_t rows, const float *panel, ptrdiff_t k,
                          float *c, ptrdiff_t ldc, ptrdiff_t cols, int acc) {
    const float *r0 = a, *r1 = a + min_p(1, rows - 1) * lda, *r2 = a + min_p(2, rows - 1) * lda;
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    __m256 c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    const float *bp = panel;
    ptrdiff_t d = k;
    __asm__ volatile(
        "1:\n\t"
        "vmovups (%[bp]), %%ymm12\n\t"
        "vmovups 32(%[bp]), %%ymm13\n\t"
        "vmovups 64(%[bp]), %%ymm14\n\t"
        "vbroadcastss (%[r0]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c00]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c01]\n\t"
        "vfmadd231ps %%ymm14, %%ymm15, %[c02]\n\t"
        "vfmadd231ps 96(%[bp]), %%ymm15, %[c03]\n\t"
        "vbroadcastss (%[r1]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c10]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c11]\n\t"
        "vfmadd231ps %%ymm14, %%ymm15, %[c12]\n\t"
        "vfmadd231ps 96(%[bp]), %%ymm15, %[c13]\n\t"
        "vbroadcastss (%[r2]), %%ymm15\n\t"
        "vfmadd231ps %%ymm12, %%ymm15, %[c20]\n\t"
        "vfmadd231ps %%ymm13, %%ymm15, %[c21]\n\t"
        "vfmadd231ps %%ymm14, %%ymm15, %[c22]\n\t"
        "vfmadd231ps 96(%[bp]), %%ymm15, %[c23]\n\t"
        "addq $4, %[r0]\n\t"
        "addq $4, %[r1]\n\t"
        "addq $4, %[r2]\n\t"
        "subq $-128, %[bp]\n\t"
        "decq %[d]\n\t"
        "jnz 1b\n\t"
        : [c00] "+x"(c00), [c01] "+x"(c01), [c02] "+x"(c02), [c03] "+x"(c03),
          [c10] "+x"(c10), [c11] "+x"(c11), [c12] "+x"(c12), [c13] "+x"(c13),
          [c20] "+x"(c20), [c21] "+x"(c21), [c22] "+x"(c22), [c23] "+x"(c23),
          [bp] "+r"(bp), [r0] "+r"(r0), [r1] "+r"(r1), [r2] "+r"(r2), [d] "+r"(d)
        :
        : "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");
    store256(c, c00, c01, c02, c03, cols, acc);
    if (rows > 1) store256(c + ldc, c10, c11, c12, c13, cols, acc);
    if (rows > 2) store256(c + 2 * ldc, c20, c21, c22, c23, cols, acc);
}

T512 static void multiply_wide(ptrdiff_t m, const float *a, ptrdiff_t lda, const float *panels, ptrdiff_t k,
                               ptrdiff_t n, float *c, ptrdiff_t ldc, int acc) {
    ptrdiff_t np = (n + PANEL - 1) / PANEL;
    for (ptrdiff_t i0 = 0; i0 < m; i0 += ROW_BLOCK) {
        ptrdiff_t i1 = min_p(m, i0 + ROW_BLOCK);
        for (ptrdiff_t p = 0; p < np; p++) {
            const float *panel = panels + p * k * PANEL;
            ptrdiff_t cols = min_p(PANEL, n - p * PANEL);
            for (ptrdiff_t i = i0; i < i1; i += 8)
                tile8x32(a + i * lda, lda, min_p(8, i1 - i), panel, k, c + i * ldc + p * PANEL, ldc, cols, acc);
        }
    }
}

/// Row blocks of 63 (a multiple of the tile's 3 rows) instead of 64.
T256 static void multiply_narrow(ptrdiff_t m, const float *a, ptrdiff_t lda, const float *panels, ptrdiff_t k,
                                 ptrdiff_t n, float *c, ptrdiff_t ldc, int acc) {
    ptrdiff_t np = (n + PANEL - 1) / PANEL, block = ROW_BLOCK / 3 * 3;
    for (ptrdiff_t i0 = 0; i0 < m; i0 += block) {
        ptrdiff_t i1 = min_p(m, i0 + block);
        for (ptrdiff_t p = 0; p < np; p++) {
            const float *panel = panels + p * k * PANEL;
            ptrdiff_t cols = min_p(PANEL, n - p * PANEL);
            for (ptrdiff_t i = i0; i < i1; i += 3)
                tile3x32(a + i * lda, lda, min_p(3, i1 - i), panel, k, c + i * ldc + p * PANEL, ldc, cols, acc);
        }
    }
}
#else
int seqcast_cpu_level(void) { return 0; }
#endif

/// Scalar fallback: the same FMA chain per element (fmaf), for CPUs without AVX2/FMA.
static void multiply_scalar(ptrdiff_t m, const float *a, ptrdiff_t lda, const float *panels, ptrdiff_t k,
                            ptrdiff_t n, float *c, ptrdiff_t ldc, int acc) {
    for (ptrdiff_t i = 0; i < m; i++) {
        for (ptrdiff_t j = 0; j < n; j++) {
            const float *col = panels + (j / PANEL) * k * PANEL + j % PANEL;
            float s = 0;
            for (ptrdiff_t d = 0; d < k; d++) s = fmaf(a[i * lda + d], col[d * PANEL], s);
            c[i * ldc + j] = acc ? c[i * ldc + j] + s : s;
        }
    }
}

void seqcast_packed_multiply(int tile, ptrdiff_t m, const float *a, ptrdiff_t lda, const float *panels,
                             ptrdiff_t k, ptrdiff_t n, float *c, ptrdiff_t ldc, int accumulate) {
    if (m <= 0 || n <= 0) return;
    if (k == 0) {
        if (!accumulate) for (ptrdiff_t i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
        return;
    }
#if defined(__x86_64__)
    if (tile == 2) { multiply_wide(m, a, lda, panels, k, n, c, ldc, accumulate); return; }
    if (tile == 1) { multiply_narrow(m, a, lda, panels, k, n, c, ldc, accumulate); return; }
#endif
    multiply_scalar(m, a, lda, panels, k, n, c, ldc, accumulate);
}
