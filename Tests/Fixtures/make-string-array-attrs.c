/* Writes string-array-attrs.h5: a float32 dataset `series` [1, 12, 1] (0..11) with the attributes
 * h5py writes for `attrs['notes'] = ['a', 'bb', 'ccc']` (3 variable-length strings) and a 4-element
 * fixed-length string array `labels`, beside a scalar `columns` = "y". seqcast reads scalar string
 * attributes only; the arrays must be skipped without overrunning a buffer (HDF5Tests).
 * Build: cc make-string-array-attrs.c $(pkg-config --cflags --libs hdf5) && ./a.out OUT.h5 */
#include <hdf5.h>
#include <string.h>
int main(int argc, char **argv) {
    hid_t f = H5Fcreate(argc > 1 ? argv[1] : "string-array-attrs.h5", H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t dims[3] = {1, 12, 1}; float v[12]; for (int i = 0; i < 12; i++) v[i] = (float)i;
    hid_t space = H5Screate_simple(3, dims, NULL);
    hid_t ds = H5Dcreate2(f, "series", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    hsize_t three = 3, many = 4;
    hid_t vtype = H5Tcopy(H5T_C_S1); H5Tset_size(vtype, H5T_VARIABLE);
    const char *notes[3] = {"a", "bb", "ccc"};
    hid_t s3 = H5Screate_simple(1, &three, NULL);
    hid_t a = H5Acreate2(ds, "notes", vtype, s3, H5P_DEFAULT, H5P_DEFAULT); H5Awrite(a, vtype, notes); H5Aclose(a);
    hid_t ftype = H5Tcopy(H5T_C_S1); H5Tset_size(ftype, 40);
    static char labels[4][40]; memset(labels, 'x', sizeof labels); for (int i = 0; i < 4; i++) labels[i][39] = 0;
    hid_t s4 = H5Screate_simple(1, &many, NULL);
    a = H5Acreate2(ds, "labels", ftype, s4, H5P_DEFAULT, H5P_DEFAULT); H5Awrite(a, ftype, labels); H5Aclose(a);
    hid_t scalar = H5Screate(H5S_SCALAR); const char *y = "y";
    a = H5Acreate2(ds, "columns", vtype, scalar, H5P_DEFAULT, H5P_DEFAULT); H5Awrite(a, vtype, &y); H5Aclose(a);
    H5Sclose(scalar); H5Sclose(s4); H5Sclose(s3); H5Tclose(ftype); H5Tclose(vtype);
    H5Dclose(ds); H5Sclose(space); H5Fclose(f);
    return 0;
}
