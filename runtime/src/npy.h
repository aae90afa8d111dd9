/*===- npy.h - .npy bytes in memory, shared by the .npy and .npz readers --===*/

#ifndef CNNRT_NPY_H
#define CNNRT_NPY_H

#include "cnnrt.h"

#include <stdint.h>

/* Parses a whole .npy file held in memory, as cnnrt_npy_read does; `label`
 * names it in messages (a path, or archive.npz:member.npy). */
int cnnrt_npy_parse(const char *label, const unsigned char *bytes, uint64_t size, int *rank,
                    int64_t shape[CNNRT_MAX_RANK], float **data, const char **converted_from,
                    char *error, size_t error_size);

/* The largest header cnnrt_npy_header writes. */
#define CNNRT_NPY_HEADER_MAX 512

/* The .npy header of a float32 array of `shape` (version 1.0, padded to 64
 * bytes); returns its length, 0 if the shape does not fit. */
size_t cnnrt_npy_header(int rank, const int64_t *shape, unsigned char out[CNNRT_NPY_HEADER_MAX]);

#endif /* CNNRT_NPY_H */
