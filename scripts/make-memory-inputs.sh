#!/usr/bin/env bash
# Generates the inputs of the peak-memory benchmark (BENCHMARKS.md, "Peak memory") under DIR
# (default /tmp/seqcast-mem); they are large and never belong in the repository:
#   big.csv  2 000 000 hourly rows: ds, y, x1, x2 (a daily cycle, a trend and noise; all positive)
#   big.h5   dataset `series` float32 [20, 25000, 250] = 500 000 000 bytes (20 series of 250 channels)
# Needs python3 and a C compiler with libhdf5 (pkg-config hdf5 or Debian's hdf5/serial paths).
set -euo pipefail
DIR=${1:-/tmp/seqcast-mem}; mkdir -p "$DIR"
python3 - "$DIR/big.csv" <<'PY'
import sys, math, random, datetime
random.seed(1)
t0 = datetime.datetime(2000, 1, 1)
with open(sys.argv[1], "w") as f:
    f.write("ds,y,x1,x2\n")
    for i in range(2_000_000):
        t = t0 + datetime.timedelta(hours=i)
        y = 100 + 0.00001 * i + 10 * math.sin(2 * math.pi * i / 24) + random.gauss(0, 1)
        f.write(f"{t:%Y-%m-%d %H:%M:%S},{y:.3f},{50 + 5 * math.cos(2 * math.pi * i / 24) + random.gauss(0, 1):.3f},{random.random():.4f}\n")
PY
cat > "$DIR/make-h5.c" <<'C'
#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    const hsize_t B = 20, T = 25000, D = 250;
    hsize_t dims[3] = {B, T, D}, row[3] = {1, T, D}, start[3] = {0, 0, 0};
    hid_t f = H5Fcreate(argv[1], H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Screate_simple(3, dims, NULL), mem = H5Screate_simple(3, row, NULL);
    hid_t ds = H5Dcreate2(f, "series", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    float *v = malloc(sizeof(float) * T * D);
    srand(1);
    for (hsize_t b = 0; b < B; b++) {
        for (hsize_t t = 0; t < T; t++) for (hsize_t d = 0; d < D; d++)
            v[t * D + d] = (float)(10 + d % 7 + 3 * sin(6.283185307 * (t + d) / 24.0) + (double)rand() / RAND_MAX);
        start[0] = b;
        H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, row, NULL);
        if (H5Dwrite(ds, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, v) < 0) return 1;
    }
    H5Dclose(ds); H5Sclose(space); H5Sclose(mem);
    return H5Fclose(f) < 0;
}
C
FLAGS=$(pkg-config --cflags --libs hdf5 2>/dev/null || echo "-I/usr/include/hdf5/serial -L/usr/lib/$(gcc -dumpmachine)/hdf5/serial -lhdf5")
cc -O2 -o "$DIR/make-h5" "$DIR/make-h5.c" $FLAGS -lm
"$DIR/make-h5" "$DIR/big.h5"
ls -l "$DIR/big.csv" "$DIR/big.h5"
