// CHDF5 shim: libhdf5's C API plus static inline helpers for the macros Swift cannot import
// (H5T_NATIVE_* and H5P_DEFAULT expand to function calls / globals that need H5open first).
#pragma once
#include <hdf5.h>

static inline hid_t seqcast_h5t_native_float(void)  { return H5T_NATIVE_FLOAT; }
static inline hid_t seqcast_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t seqcast_h5t_native_int64(void)  { return H5T_NATIVE_INT64; }
static inline hid_t seqcast_h5t_c_s1(void)          { return H5T_C_S1; }
static inline hid_t seqcast_h5p_default(void)       { return H5P_DEFAULT; }
static inline hid_t seqcast_h5s_all(void)           { return H5S_ALL; }
static inline hid_t seqcast_h5e_default(void)       { return H5E_DEFAULT; }
static inline unsigned seqcast_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned seqcast_h5f_acc_trunc(void)  { return H5F_ACC_TRUNC; }
static inline unsigned seqcast_h5f_acc_excl(void)   { return H5F_ACC_EXCL; }
static inline hsize_t seqcast_h5s_unlimited(void)  { return H5S_UNLIMITED; }
