// CHDF5 shim: libhdf5's C API plus static inline helpers for what Swift cannot import directly:
// the H5T_NATIVE_* / H5P_DEFAULT macros (they expand to globals that need H5open first) and the
// version-mapped iteration and error-stack APIs (H5Literate / H5Ewalk are macros in 1.12+).
#pragma once
#include <hdf5.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

static inline hid_t seqcast_h5t_native_float(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t seqcast_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t seqcast_h5t_c_s1(void)          { return H5T_C_S1; }
static inline hid_t seqcast_h5p_default(void)       { return H5P_DEFAULT; }
static inline hid_t seqcast_h5s_all(void)           { return H5S_ALL; }
static inline hid_t seqcast_h5p_link_create(void)   { return H5P_LINK_CREATE; }
static inline hid_t seqcast_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
/// A file-access property list for new files in the HDF5 1.8+ object-header format, where an
/// attribute larger than the 64 KiB an object header holds goes to dense storage instead of failing
/// (thousands of column names or series ids); readers need HDF5 ≥ 1.8. Negative on failure.
static inline hid_t seqcast_h5p_new_format_access(void) {
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0) return fapl;
    if (H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0) { H5Pclose(fapl); return -1; }
    return fapl;
}
static inline unsigned seqcast_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned seqcast_h5f_acc_rdwr(void)   { return H5F_ACC_RDWR; }
static inline unsigned seqcast_h5f_acc_excl(void)   { return H5F_ACC_EXCL; }

/// Reads rows first..<first+count of the leading dimension of dataset `ds` (rank ≤ 8) as float into
/// `out`; a negative value on failure.
static inline herr_t seqcast_h5_read_rows(hid_t ds, hsize_t first, hsize_t count, float *out) {
    hid_t space = H5Dget_space(ds);
    if (space < 0) return -1;
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[8], start[8] = {0};
    if (rank < 1 || rank > 8 || H5Sget_simple_extent_dims(space, dims, NULL) < 0) { H5Sclose(space); return -1; }
    start[0] = first; dims[0] = count;
    herr_t status = H5Sselect_hyperslab(space, H5S_SELECT_SET, start, NULL, dims, NULL);
    hid_t mem = status < 0 ? -1 : H5Screate_simple(rank, dims, NULL);
    if (mem >= 0) status = H5Dread(ds, H5T_NATIVE_FLOAT, mem, space, H5P_DEFAULT, out); else status = -1;
    if (mem >= 0) H5Sclose(mem);
    H5Sclose(space);
    return status;
}

/// Files and objects of files (datasets, groups, attributes, committed types) open in this
/// process, counted over every file; a file stays open, with its metadata cache, while any of its
/// objects is. (Transient dataspaces, datatypes and property lists are not counted: libhdf5 1.10's
/// H5Inmembers refuses its own identifier types.) -1 on an error.
static inline long seqcast_h5_open_objects(void) {
    return (long)H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
}

/// Turns off libhdf5's automatic printing of error stacks (seqcast reports them itself).
static inline void seqcast_h5_silence(void) { H5dont_atexit(); H5open(); H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

typedef struct { char *buf; size_t cap; size_t len; } seqcast_h5_text;

static herr_t seqcast_h5_walk_cb(unsigned n, const H5E_error2_t *e, void *data) {
    seqcast_h5_text *t = (seqcast_h5_text *)data;
    if (t->len + 1 >= t->cap) return 0;
    int w = snprintf(t->buf + t->len, t->cap - t->len, "%s%s(): %s", n ? "; " : "",
                     e->func_name ? e->func_name : "?", e->desc ? e->desc : "");
    if (w > 0) t->len += (size_t)w < t->cap - t->len ? (size_t)w : t->cap - t->len - 1;
    return 0;
}

/// Writes the current error stack, innermost first, as one line into buf; then clears it.
static inline void seqcast_h5_error_stack(char *buf, size_t cap) {
    seqcast_h5_text t = { buf, cap, 0 };
    if (cap) buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, seqcast_h5_walk_cb, &t);
    H5Eclear2(H5E_DEFAULT);
}

/// Identity of an object in an open file (file number + address or token), to notice links that
/// lead back to a group already walked (a hard link to an ancestor makes the hierarchy a cycle).
typedef struct { unsigned long fileno; unsigned char key[16]; } seqcast_h5_objkey;
typedef struct { seqcast_h5_objkey *items; size_t count, cap; } seqcast_h5_seen;

static inline int seqcast_h5_key(hid_t obj, seqcast_h5_objkey *k) {
    memset(k, 0, sizeof *k);
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(obj, &info, H5O_INFO_BASIC) < 0) return -1;
    k->fileno = info.fileno;
    memcpy(k->key, &info.token, sizeof info.token < sizeof k->key ? sizeof info.token : sizeof k->key);
#else
    H5O_info_t info;
    if (H5Oget_info2(obj, &info, H5O_INFO_BASIC) < 0) return -1;
    k->fileno = info.fileno;
    memcpy(k->key, &info.addr, sizeof info.addr < sizeof k->key ? sizeof info.addr : sizeof k->key);
#endif
    return 0;
}

/// 1 when `obj` was not seen before (and is now), 0 when it was, -1 on error.
static inline int seqcast_h5_first_visit(seqcast_h5_seen *s, hid_t obj) {
    seqcast_h5_objkey k;
    if (seqcast_h5_key(obj, &k) < 0) return -1;
    for (size_t i = 0; i < s->count; i++)
        if (s->items[i].fileno == k.fileno && memcmp(s->items[i].key, k.key, sizeof k.key) == 0) return 0;
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        seqcast_h5_objkey *items = (seqcast_h5_objkey *)realloc(s->items, cap * sizeof *items);
        if (!items) return -1;
        s->items = items; s->cap = cap;
    }
    s->items[s->count++] = k;
    return 1;
}

/// Groups nested deeper than this are not walked (a backstop; cycles are caught by identity).
#define SEQCAST_H5_MAX_DEPTH 64

typedef void (*seqcast_h5_visit_fn)(const char *path, void *ctx);
/// Called with every object the walk opens (the root, each group once, each dataset), while open.
typedef void (*seqcast_h5_object_fn)(hid_t obj, void *ctx);
typedef struct { seqcast_h5_visit_fn fn; seqcast_h5_object_fn obj_fn; void *ctx; const char *prefix; seqcast_h5_seen *seen; int depth; } seqcast_h5_visit;

static herr_t seqcast_h5_iter_cb(hid_t group, const char *name, const H5L_info_t *info, void *data) {
    (void)info;
    seqcast_h5_visit *v = (seqcast_h5_visit *)data;
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", v->prefix, v->prefix[0] ? "/" : "", name);
    hid_t obj = H5Oopen(group, name, H5P_DEFAULT);
    if (obj < 0) { H5Eclear2(H5E_DEFAULT); return 0; }
    H5I_type_t type = H5Iget_type(obj);
    if (type == H5I_DATASET) {
        if (v->fn) v->fn(path, v->ctx);
        if (v->obj_fn) v->obj_fn(obj, v->ctx);
    } else if (type == H5I_GROUP && v->depth < SEQCAST_H5_MAX_DEPTH && seqcast_h5_first_visit(v->seen, obj) == 1) {
        if (v->obj_fn) v->obj_fn(obj, v->ctx);
        seqcast_h5_visit inner = { v->fn, v->obj_fn, v->ctx, path, v->seen, v->depth + 1 };
        hsize_t idx = 0;
        H5Literate(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, seqcast_h5_iter_cb, &inner);
    }
    H5Oclose(obj);
    return 0;
}

/// Calls fn(path) for every dataset in the file and obj_fn(object) for the root, every group and
/// every dataset (either may be NULL), recursing into groups, in name order. Each group is walked
/// once, however many links lead to it, so a link back to an ancestor cannot loop.
static inline herr_t seqcast_h5_walk(hid_t file, seqcast_h5_visit_fn fn, seqcast_h5_object_fn obj_fn, void *ctx) {
    seqcast_h5_seen seen = { NULL, 0, 0 };
    hid_t root = H5Oopen(file, "/", H5P_DEFAULT);
    if (root < 0) return -1;
    herr_t status = -1;
    if (seqcast_h5_first_visit(&seen, root) == 1) {
        if (obj_fn) obj_fn(root, ctx);
        seqcast_h5_visit v = { fn, obj_fn, ctx, "", &seen, 1 };
        hsize_t idx = 0;
        status = H5Literate(root, H5_INDEX_NAME, H5_ITER_INC, &idx, seqcast_h5_iter_cb, &v);
    }
    H5Oclose(root);
    free(seen.items);
    return status;
}

/// Calls fn(path) for every dataset in the file (see seqcast_h5_walk).
static inline herr_t seqcast_h5_list_datasets(hid_t file, seqcast_h5_visit_fn fn, void *ctx) {
    return seqcast_h5_walk(file, fn, NULL, ctx);
}

/// Hard-links the object at `target` under the new path `link` (same file).
static inline herr_t seqcast_h5_hard_link(hid_t file, const char *target, const char *link) {
    return H5Lcreate_hard(file, target, file, link, H5P_DEFAULT, H5P_DEFAULT);
}

typedef void (*seqcast_h5_attr_fn)(const char *name, void *ctx);
typedef struct { seqcast_h5_attr_fn fn; void *ctx; } seqcast_h5_attr_visit;

static herr_t seqcast_h5_attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
    (void)loc; (void)info;
    seqcast_h5_attr_visit *v = (seqcast_h5_attr_visit *)data;
    v->fn(name, v->ctx);
    return 0;
}

/// Calls fn(name) for every attribute of an object, in name order.
static inline herr_t seqcast_h5_list_attributes(hid_t obj, seqcast_h5_attr_fn fn, void *ctx) {
    seqcast_h5_attr_visit v = { fn, ctx };
    hsize_t idx = 0;
    return H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, &idx, seqcast_h5_attr_cb, &v);
}

/// Reads a scalar string attribute, fixed- or variable-length, into buf (NUL-terminated).
/// Returns the full length, -1 on an error, or -2 when the attribute is not one string (an array of
/// them, as h5py writes for a list, or empty): H5Aread would write every element into room for one.
static inline long seqcast_h5_read_string_attr(hid_t attr, char *buf, size_t cap) {
    hid_t space = H5Aget_space(attr);
    if (space < 0) return -1;
    hssize_t points = H5Sget_simple_extent_npoints(space);
    H5Sclose(space);
    if (points < 0) return -1;
    if (points != 1) return -2;
    hid_t ftype = H5Aget_type(attr);
    if (ftype < 0) return -1;
    long result = -1;
    if (H5Tis_variable_str(ftype) > 0) {
        hid_t mtype = H5Tcopy(H5T_C_S1);
        H5Tset_size(mtype, H5T_VARIABLE);
        H5Tset_cset(mtype, H5Tget_cset(ftype));
        char *s = NULL;
        if (H5Aread(attr, mtype, &s) >= 0 && s) {
            size_t n = strlen(s);
            if (cap) { size_t c = n < cap - 1 ? n : cap - 1; memcpy(buf, s, c); buf[c] = 0; }
            result = (long)n;
            H5free_memory(s);
        }
        H5Tclose(mtype);
    } else {
        size_t n = H5Tget_size(ftype);
        hid_t mtype = H5Tcopy(H5T_C_S1);
        H5Tset_size(mtype, n + 1);
        H5Tset_cset(mtype, H5Tget_cset(ftype));
        if (n + 1 <= cap && H5Aread(attr, mtype, buf) >= 0) { buf[n] = 0; result = (long)strlen(buf); }
        else if (n + 1 > cap) result = (long)n;
        H5Tclose(mtype);
    }
    H5Tclose(ftype);
    return result;
}
