/*===- cnnrt.h - the cnn runtime: weights, tensors on disk ----------------===*
 *
 * A small C library that compiled models, the compiler and tests share:
 * safetensors weights (read whole into memory the caller owns) and .npy/.npz
 * tensors.
 * Every function that can fail returns CNNRT_OK or an error code and writes a
 * sentence naming the file and the tensor into the caller's buffer; nothing
 * here aborts or prints.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_H
#define CNNRT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
  CNNRT_OK = 0,
  CNNRT_IO = 1,        /* cannot open, read, map or write the file */
  CNNRT_FORMAT = 2,    /* malformed file: header, JSON, offsets, magic */
  CNNRT_MISSING = 3,   /* a tensor the model needs is absent */
  CNNRT_EXTRA = 4,     /* the file has a tensor the model does not use */
  CNNRT_SHAPE = 5,     /* a tensor's shape differs from the expected one */
  CNNRT_DTYPE = 6,     /* a tensor's element type cannot be read as f32 */
  CNNRT_MEMORY = 7,
  CNNRT_KERNEL = 8,    /* a compiled kernel reported an error */
  CNNRT_USAGE = 9,     /* a precondition of the API does not hold (NULL, size, state) */
  CNNRT_VALUE = 10,    /* a value is outside its domain (a negative variance) */
  CNNRT_DEVICE = 11,   /* a GPU model found no usable GPU, or the GPU failed */
};

#define CNNRT_MAX_RANK 8

typedef enum {
  CNNRT_F32, CNNRT_F16, CNNRT_BF16, CNNRT_F64,
  CNNRT_I64, CNNRT_I32, CNNRT_I16, CNNRT_I8, CNNRT_U8, CNNRT_BOOL,
} cnnrt_dtype;

typedef struct {
  const char *name;
  cnnrt_dtype dtype;
  int rank;
  int64_t shape[CNNRT_MAX_RANK];
  const void *data; /* little-endian, inside the file's bytes, read at open */
  size_t bytes;
} cnnrt_tensor;

/*--- safetensors --------------------------------------------------------*/

typedef struct cnnrt_weights cnnrt_weights;

/* Maps `path` and validates its header: 8-byte length, JSON object of
 * {"dtype", "shape", "data_offsets"} entries, offsets inside the data and
 * not overlapping, sizes matching shapes. */
int cnnrt_weights_open(const char *path, cnnrt_weights **weights, char *error,
                       size_t error_size);
void cnnrt_weights_close(cnnrt_weights *weights);

size_t cnnrt_weights_count(const cnnrt_weights *weights);
const cnnrt_tensor *cnnrt_weights_at(const cnnrt_weights *weights, size_t index);
const cnnrt_tensor *cnnrt_weights_find(const cnnrt_weights *weights,
                                       const char *name);

/* The f32 data of tensor `name`, which must have `rank` dimensions `shape`.
 * F32 data points into the mapping; F16 and BF16 are converted once and
 * owned by `weights`. */
int cnnrt_weights_get_f32(cnnrt_weights *weights, const char *name, int rank,
                          const int64_t *shape, const float **data, char *error,
                          size_t error_size);

/* Checks that the file holds exactly `names` (PyTorch's batch-norm
 * `num_batches_tracked` counters are allowed extra, being training state). */
int cnnrt_weights_expect_names(const cnnrt_weights *weights, size_t count,
                               const char *const *names, char *error,
                               size_t error_size);

/* Writes f32 tensors as a safetensors file. */
int cnnrt_weights_write(const char *path, size_t count, const char *const *names,
                        const int *ranks, const int64_t *const *shapes,
                        const float *const *data, char *error, size_t error_size);

/*--- .npy ----------------------------------------------------------------*/

/* Reads a little-endian, C-order .npy array of float32, float64 or float16
 * as float32; `*data` is malloc'd. `*converted_from` (when not NULL) is set
 * to "float64" or "float16" when the file held that, else to NULL. */
int cnnrt_npy_read(const char *path, int *rank, int64_t shape[CNNRT_MAX_RANK], float **data,
                   const char **converted_from, char *error, size_t error_size);
int cnnrt_npy_read_f32(const char *path, int *rank, int64_t shape[CNNRT_MAX_RANK],
                       float **data, char *error, size_t error_size);

/*--- .npz ----------------------------------------------------------------*/

/* A NumPy .npz archive (np.savez, np.savez_compressed): named .npy arrays
 * in a zip file, stored or deflated. The whole file is read and its
 * directory checked at open. */
typedef struct cnnrt_npz cnnrt_npz;
int cnnrt_npz_open(const char *path, cnnrt_npz **archive, char *error, size_t error_size);
size_t cnnrt_npz_count(const cnnrt_npz *archive);
/* Array `index`'s name (its member's file name without ".npy"), or NULL. */
const char *cnnrt_npz_name(const cnnrt_npz *archive, size_t index);
/* Reads array `name` as cnnrt_npy_read reads a file; CNNRT_MISSING when the
 * archive has no such array. */
int cnnrt_npz_read(const cnnrt_npz *archive, const char *name, int *rank,
                   int64_t shape[CNNRT_MAX_RANK], float **data, const char **converted_from,
                   char *error, size_t error_size);
void cnnrt_npz_close(cnnrt_npz *archive);
/* Writes f32 arrays by name as an .npz (stored, as np.savez writes). */
int cnnrt_npz_write(const char *path, size_t count, const char *const *names, const int *ranks,
                    const int64_t *const *shapes, const float *const *data, char *error,
                    size_t error_size);

/*--- seeded random numbers -------------------------------------------------*/

/* A standard normal sample; `state` advances. */
double cnnrt_random_normal(uint64_t *state);
/* The random input a compiled program (and `cnnc run`) uses for its input
 * number `index` under --seed `seed`: `count` standard normal floats. */
void cnnrt_random_input(uint64_t seed, int index, float *data, size_t count);

/* An IEEE half-precision value as float32, exactly. */
float cnnrt_half_to_float(uint16_t half);
int cnnrt_npy_write_f32(const char *path, int rank, const int64_t *shape,
                        const float *data, char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_H */
