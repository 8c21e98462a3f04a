// CKernels: PackedGEMM's register tiles in C, each compiled for its own instruction set
// (function target attributes), so the tile is chosen at run time from the CPU (cpuid), whatever
// the Swift code was compiled for (`make build` or the portable `make build CPU=`).
#pragma once
#include <stddef.h>

/// 2: AVX-512F usable (CPU and OS), 1: AVX2 + FMA usable, 0: neither (or not x86-64).
int seqcast_cpu_level(void);

/// C[m, n] = A[m, k] · B (or C += A · B when `accumulate`), B packed in 32-column panels
/// (`panels`, panel p = rows 0..<k of columns 32p..<32p+32, zero-padded). `tile`: 2 = 8×32 AVX-512,
/// 1 = 3×32 AVX2/FMA, 0 = scalar fmaf. Every element is one FMA chain over k in ascending order,
/// so all three give the same bits. The caller must not pass a tile the CPU cannot run.
void seqcast_packed_multiply(int tile, ptrdiff_t m, const float *a, ptrdiff_t lda, const float *panels,
                             ptrdiff_t k, ptrdiff_t n, float *c, ptrdiff_t ldc, int accumulate);
