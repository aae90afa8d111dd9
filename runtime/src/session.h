/*===- session.h - the runtime's internals shared by its files ------------===*/

#ifndef CNNRT_SESSION_H
#define CNNRT_SESSION_H

#include "cnnrt.h"
#include "cnnrt_image.h"
#include "cnnrt_model.h"

#include <pthread.h>

struct cnnrt_session {
  const cnnrt_model *model;
  cnnrt_weights *weights;    /* NULL with random weights */
  float **parameters;        /* every parameter, loaded or computed */
  float **owned;             /* the ones allocated here */
  float **prepared;          /* as kernels read them */
  float **inputs;            /* channels innermost */
  unsigned char *arena;      /* NULL for a GPU model: its arena is on the device */
  struct cnnrt_device *device; /* a GPU model's device buffers (device.c) */
  double *step_seconds;      /* per step, summed over profiled runs */
  int profile;
  /* Called after each step when set (calibration reads every kernel's
   * output); CPU models only. */
  void (*observe)(void *observer, int step);
  void *observer;
  pthread_mutex_t run_lock;  /* one run at a time: they share the arena */
  int users;                 /* runs under way; under the registry's lock */
};

void cnnrt_fold_batch_norm(const float *weight, const float *scale, const float *shift,
                           const float *mean, const float *variance, const float *bias,
                           int64_t channels, int64_t per_channel, double epsilon,
                           float *folded_weight, float *folded_bias);
void cnnrt_batch_norm_affine(const float *scale, const float *shift, const float *mean,
                             const float *variance, int64_t channels, double epsilon,
                             float *multiplier, float *offset);
void cnnrt_permute(const float *source, int rank, const int64_t *shape, const int *permutation,
                   float *packed);
/* 3x3 filters (`filters` of them, row-major) -> Winograd F(m x m, 3x3)
 * weights G g G^T, (m+2) x (m+2) each; m is 2 or 4. */
void cnnrt_winograd_weights(const float *weights, int64_t filters, int m, float *transformed);
/* Rounds `count` floats to bf16 in place (nearest, ties to even; a NaN
 * stays a NaN): element i's two bytes land at byte 2 i, after float i is
 * read. */
void cnnrt_round_to_bf16(float *values, int64_t count);
/* An int8 kernel's weights, bias or scales (prepared->quantize) from the
 * session's float parameters, in a new 64-byte-aligned buffer (quantize.c);
 * CNNRT_MEMORY when out of memory, CNNRT_VALUE for a NaN or infinite weight. */
int cnnrt_quantize_parameter(const cnnrt_session *session, const cnnrt_prepared *prepared,
                             float **result);
void cnnrt_random_parameter(const cnnrt_parameter *parameter, uint64_t seed, float *data);

/* Routes the kernels' parallel loops to thread_pool.c's workers. */
void cnnrt_use_thread_pool(void);

/* device.c: a GPU model's buffers. open allocates the arena and inputs
 * (first, so that a machine without a usable GPU is told so before the
 * weights load), upload the weights once they are prepared, and the
 * kernels' views; close frees them. A CPU model has none. */
typedef struct cnnrt_device cnnrt_device;
struct halide_buffer_t;
int cnnrt_device_open(cnnrt_session *session, char *error, size_t error_size);
int cnnrt_device_upload(cnnrt_session *session, char *error, size_t error_size);
void cnnrt_device_close(cnnrt_session *session);
int cnnrt_device_upload_inputs(cnnrt_session *session, char *error, size_t error_size);
/* Runs step `step`'s kernel on the device; Halide's status. */
int cnnrt_device_run_step(cnnrt_session *session, int step);
/* Calls a step's kernel with its `argument_count` buffers. */
int cnnrt_call_kernel(const cnnrt_step *step, struct halide_buffer_t **buffers);
/* Waits for the kernels up to step `step` to finish. */
int cnnrt_device_sync(cnnrt_session *session, int step, char *error, size_t error_size);
/* Output i, downloaded, in the output's buffer layout; NULL on failure. */
const float *cnnrt_device_download_output(cnnrt_session *session, int i, char *error,
                                          size_t error_size, int *status);
/* The GPU the session's kernels run on, by the driver's name for it ("" for
 * a CPU model, or where the driver does not say). */
void cnnrt_device_name(const cnnrt_session *session, char *name, size_t size);
/* Halide's errors are kept, per thread, for the caller's report. */
void cnnrt_install_error_handler(void);
const char *cnnrt_halide_message(void);

/* Runs every step once (inputs already in session->inputs, and on the
 * device for a GPU model). */
int cnnrt_session_execute(cnnrt_session *session, char *error, size_t error_size);
/* Copies between NCHW and the buffer's channels-innermost layout. */
void cnnrt_to_buffer(const cnnrt_io *io, const float *nchw, float *base);
void cnnrt_from_buffer(const cnnrt_io *io, const float *base, float *nchw);
float *cnnrt_buffer_base(cnnrt_session *session, const cnnrt_buffer_ref *ref);
/* Calls visit(offset, context) for each element of a strided buffer,
 * innermost dimension first; offsets in elements from its base. */
void cnnrt_each_element(const cnnrt_buffer_ref *ref, void (*visit)(int64_t, void *),
                        void *context);
int64_t cnnrt_io_elements(const cnnrt_io *io);
double cnnrt_now(void);

#endif /* CNNRT_SESSION_H */
