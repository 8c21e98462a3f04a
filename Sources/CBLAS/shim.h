// CBLAS shim: the OpenBLAS C interface plus the thread-count controls Swift needs.
#pragma once
#include <cblas.h>

/// Number of threads OpenBLAS uses for one call (1 inside Dispatch workers).
static inline void seqcast_blas_set_threads(int n) { openblas_set_num_threads(n); }
/// The kernel family OpenBLAS chose at load time ("Prescott", "Haswell", "SkylakeX", …).
static inline const char *seqcast_blas_corename(void) { return openblas_get_corename(); }
