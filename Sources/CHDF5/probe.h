// CHDF5 probe: reads an HDF5 file's structure in a forked child process before seqcast reads it.
// libhdf5 1.10 has memory-safety bugs in decoding damaged object headers, attribute tables and
// group heaps (found by `make fuzz`, RELIABILITY.md): on such a file one library call (H5Literate,
// H5Aiterate2, H5Dread) crashes the process, and nothing seqcast does around that call can turn the
// crash into an error. The child makes the calls seqcast's reads make — every group once, every
// attribute of every object listed by name and read, every dataset's dataspace, type, layout and
// storage size, and the values of datasets small enough to read twice at no cost — so a crash
// kills the child, and the parent reports the file as damaged instead of dying with it.
// The child runs only C and libhdf5 and ends with _exit. fork() copies the calling thread alone, so
// nothing may be inside libhdf5 (its global lock) or a BLAS call (OpenBLAS's fork handler stops its
// thread pool) on another thread while a file is opened: seqcast opens files on one thread only.
#pragma once
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

/// Datasets and attributes up to this many bytes are read by the probe (a damaged file is small;
/// a large file's values are read once, by seqcast, through the same checks), and no more than
/// SEQCAST_H5_PROBE_TOTAL_BYTES in all: a sound file with many datasets costs a bounded walk.
#define SEQCAST_H5_PROBE_READ_BYTES ((size_t)4 << 20)
#define SEQCAST_H5_PROBE_TOTAL_BYTES ((size_t)64 << 20)
/// Rows read one at a time (as HDF5File.readRows reads them) of each dataset of rank ≥ 2.
#define SEQCAST_H5_PROBE_ROWS 4
/// A child still walking after this many seconds is stopped (SIGALRM) and the file reported.
#define SEQCAST_H5_PROBE_SECONDS 120

/// libFuzzer's hook that writes a crash input when a sanitizer reports; absent outside sanitized builds.
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

/// What the walk has read so far, and the datasets it has seen (hard links share one object).
typedef struct { size_t bytes; seqcast_h5_seen datasets; } seqcast_h5_probe_state;

/// Takes `bytes` from the walk's budget; 0 when it is spent (the read is then skipped).
static int seqcast_h5_probe_take(seqcast_h5_probe_state *st, size_t bytes) {
    if (bytes > SEQCAST_H5_PROBE_READ_BYTES || bytes > SEQCAST_H5_PROBE_TOTAL_BYTES - st->bytes) return 0;
    st->bytes += bytes;
    return 1;
}

static herr_t seqcast_h5_probe_attribute(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
    (void)info;
    seqcast_h5_probe_state *st = (seqcast_h5_probe_state *)data;
    hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
    if (attr < 0) return 0;
    hid_t type = H5Aget_type(attr), space = H5Aget_space(attr);
    hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    size_t width = type >= 0 ? H5Tget_size(type) : 0;
    if (cls == H5T_STRING) {                      // as HDF5File.attributes reads it: 64 KiB, then whole
        size_t cap = (size_t)1 << 16;
        char *buf = seqcast_h5_probe_take(st, cap) ? (char *)malloc(cap) : NULL;
        long len = buf ? seqcast_h5_read_string_attr(attr, buf, cap) : -1;
        if (buf && len >= (long)cap && seqcast_h5_probe_take(st, (size_t)len + 1)) {
            char *whole = (char *)realloc(buf, (size_t)len + 1);
            if (whole) { buf = whole; seqcast_h5_read_string_attr(attr, buf, (size_t)len + 1); }
        }
        free(buf);
    } else if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && width >= 1 && width <= 16 && n >= 0
               && (size_t)n <= SEQCAST_H5_PROBE_READ_BYTES / 8 && seqcast_h5_probe_take(st, ((size_t)n + 1) * 8)) {
        double *values = (double *)malloc(((size_t)n + 1) * sizeof(double));
        if (values) { H5Aread(attr, H5T_NATIVE_DOUBLE, values); free(values); }
    }
    if (space >= 0) H5Sclose(space);
    if (type >= 0) H5Tclose(type);
    H5Aclose(attr);
    H5Eclear2(H5E_DEFAULT);
    return 0;
}

/// A dataset's header, and its values when they are small and intact: whole, as HDF5File.read and
/// readStrings read them, and row by row of the leading dimension, as HDF5File.readRows does.
static void seqcast_h5_probe_dataset(hid_t ds, seqcast_h5_probe_state *st) {
    hid_t space = H5Dget_space(ds), type = H5Dget_type(ds), dcpl = H5Dget_create_plist(ds);
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    hsize_t dims[H5S_MAX_RANK];
    hssize_t n = rank >= 0 && rank <= H5S_MAX_RANK && H5Sget_simple_extent_dims(space, dims, NULL) >= 0
        ? H5Sget_simple_extent_npoints(space) : -1;
    H5D_layout_t layout = dcpl >= 0 ? H5Pget_layout(dcpl) : H5D_LAYOUT_ERROR;
    int whole = layout == H5D_CONTIGUOUS || layout == H5D_COMPACT;   // (a chunked size walks every chunk)
    hsize_t stored = whole ? H5Dget_storage_size(ds) : 0;
    H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    size_t width = type >= 0 ? H5Tget_size(type) : 0;
    int numeric = (cls == H5T_INTEGER || cls == H5T_FLOAT) && width >= 1 && width <= 16;
    int text = cls == H5T_STRING && type >= 0 && H5Tis_variable_str(type) == 0 && width >= 1;
    size_t bytes = numeric ? (width > sizeof(float) ? width : sizeof(float)) : width;
    // seqcast refuses a contiguous or compact dataset that declares more bytes than the file stores.
    int intact = layout == H5D_CHUNKED || (whole && n >= 0 && stored >= (hsize_t)n * width);
    if ((numeric || text) && intact && n > 0 && (size_t)n <= SEQCAST_H5_PROBE_READ_BYTES / bytes
        && seqcast_h5_probe_take(st, (size_t)n * bytes)) {
        void *values = malloc((size_t)n * bytes);
        if (values) {
            H5Dread(ds, numeric ? H5T_NATIVE_FLOAT : type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values);
            if (numeric && rank >= 2) {    // the first rows and the last, by hyperslab
                for (hsize_t r = 0; r < dims[0] && r < SEQCAST_H5_PROBE_ROWS; r++) seqcast_h5_read_rows(ds, r, 1, (float *)values);
                if (dims[0] > SEQCAST_H5_PROBE_ROWS) seqcast_h5_read_rows(ds, dims[0] - 1, 1, (float *)values);
            }
            free(values);
        }
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Eclear2(H5E_DEFAULT);
}

static void seqcast_h5_probe_object(hid_t obj, void *ctx) {
    seqcast_h5_probe_state *st = (seqcast_h5_probe_state *)ctx;
    int dataset = H5Iget_type(obj) == H5I_DATASET;
    if (dataset && seqcast_h5_first_visit(&st->datasets, obj) != 1) return;   // another link to one seen
    hsize_t idx = 0;
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, seqcast_h5_probe_attribute, st);
    H5Eclear2(H5E_DEFAULT);
    if (dataset) seqcast_h5_probe_dataset(obj, st);
}

/// Walks the file at `path` in a child process. Returns 0 when the walk finished (errors libhdf5
/// reported are left to the reads that follow, which name them), 1 when the child did not finish:
/// `*signal_out` is the signal that ended it (SIGALRM: it ran out of time; SIGKILL: killed from
/// outside, e.g. for memory) or 0, and `*status_out` its exit status (a sanitizer's report); -1 when
/// no child could be made or waited for (SIGCHLD ignored): the file was not checked. The child has
/// the default action for every crash signal, writes no core file, reads nothing from stdin,
/// prints nothing, and dies with its parent.
static inline int seqcast_h5_probe(const char *path, int *signal_out, int *status_out) {
    *signal_out = 0; *status_out = 0;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
#ifdef __linux__
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);      // no core file of a crash we expect
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
#endif
        int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGALRM };
        for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++) signal(fatal[i], SIG_DFL);
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(NULL);
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) { dup2(devnull, 0); dup2(devnull, 1); dup2(devnull, 2); }
        alarm(SEQCAST_H5_PROBE_SECONDS);
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        if (file >= 0) {
            seqcast_h5_probe_state st = { 0, { NULL, 0, 0 } };
            seqcast_h5_walk(file, NULL, seqcast_h5_probe_object, &st);
            H5Fclose(file);
        }
        _exit(0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFSIGNALED(status)) { *signal_out = WTERMSIG(status); return 1; }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) { *status_out = WEXITSTATUS(status); return 1; }
    return 0;
}
