/*===- cnnrt_model.h - what a compiled model hands the runtime ------------===*
 *
 * cnnc emits a model as data: its parameters, their repacking, the weight
 * transforms of init, and the kernel calls in order with every buffer's
 * place, extents and strides (the Halide kernels are the only code). The
 * runtime loads the weights, runs init once, and runs the steps in an arena
 * per call. Activations are stored channels innermost; inputs and outputs
 * cross the boundary in PyTorch's NCHW order.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_MODEL_H
#define CNNRT_MODEL_H

#include "cnnrt.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CNNRT_MAX_DIMS 6
#define CNNRT_MAX_ARGUMENTS 8
#define CNNRT_MAX_PACKED_DIMS 6

enum { CNNRT_ARENA = 0, CNNRT_INPUT = 1, CNNRT_PREPARED = 2 };

typedef struct {
  int kind;            /* CNNRT_ARENA, CNNRT_INPUT or CNNRT_PREPARED */
  int index;           /* which input or prepared parameter */
  int64_t byte_offset; /* arena: where the first element is */
  int rank;
  int32_t extent[CNNRT_MAX_DIMS]; /* innermost first */
  int32_t stride[CNNRT_MAX_DIMS]; /* in elements */
  cnnrt_dtype type; /* CNNRT_F32 (0, the default), or an int8 kernel's CNNRT_U8, CNNRT_I8,
                       CNNRT_I32 */
  double scale; /* CNNRT_U8 activations: the real value is scale * (q - zero) */
  int zero;
} cnnrt_buffer_ref;

typedef struct {
  const char *name;
  int rank;
  int64_t shape[CNNRT_MAX_DIMS];
  int computed; /* made by init, not read from the weights file */
} cnnrt_parameter;

/* A parameter as kernels read it: viewed with `source_shape` (the same
 * elements, e.g. output channels split into blocks) and packed so that
 * dimension d is the view's dimension permutation[d] (rank 0: used as it
 * is). With `winograd` = m > 0, 3x3 weights [O, I, 3, 3] are first
 * transformed into Winograd F(m x m, 3x3) weights [O, I, m+2, m+2], which
 * `source_shape` then views. */
/* An int8 kernel's parameters, from a float weight [O, ...] (and bias)
 * quantized per output channel o: s_w[o] = max |w[o, ...]| / 127,
 * CNNRT_Q_WEIGHTS: round(w / s_w[o]) as s8, then viewed and permuted;
 * CNNRT_Q_BIAS: s32 round(bias[o] / (s_x s_w[o])) - input_zero * sum of the
 * channel's s8 weights; CNNRT_Q_SCALE: f32 s_x s_w[o]. */
/* CNNRT_Q_BF16: a bf16 kernel's weights, viewed and permuted as any
 * parameter, then rounded to bf16 (nearest, ties to even; 2 bytes an
 * element). */
enum { CNNRT_Q_NONE = 0, CNNRT_Q_WEIGHTS = 1, CNNRT_Q_BIAS = 2, CNNRT_Q_SCALE = 3, CNNRT_Q_BF16 = 4 };

typedef struct {
  int parameter;
  int rank;
  int64_t source_shape[CNNRT_MAX_PACKED_DIMS];
  int permutation[CNNRT_MAX_PACKED_DIMS];
  int winograd;
  int quantize;       /* CNNRT_Q_*: an int8 kernel's weights, bias or scales, or bf16 weights */
  int bias;           /* CNNRT_Q_BIAS: the float bias parameter, or -1 */
  double input_scale; /* s_x */
  int input_zero;
  /* CNNRT_Q_WEIGHTS of a convolution [O, C, kh, kw] whose C is not in
   * fours: each kernel row's taps as [O, kh, row_taps] with tap kx * C + c,
   * zeros past kw * C, which `source_shape` then views (0: not so). */
  int64_t row_taps;
} cnnrt_prepared;

enum { CNNRT_FOLD_BATCH_NORM = 0, CNNRT_BATCH_NORM_AFFINE = 1 };

/* fold_batch_norm: parameters weight, scale, shift, mean, variance, bias
 * (or -1), folded weight, folded bias; integers channels, per channel.
 * batch_norm_affine: scale, shift, mean, variance, multiplier, offset;
 * integers channels. */
typedef struct {
  int function;
  int parameters[8];
  int64_t integers[2];
  double epsilon;
} cnnrt_init_call;

typedef int (*cnnrt_kernel)(void);
struct halide_device_interface_t;

typedef struct {
  const char *layer, *op, *symbol;
  cnnrt_kernel kernel; /* called with `argument_count` halide_buffer_t pointers */
  int argument_count;
  cnnrt_buffer_ref arguments[CNNRT_MAX_ARGUMENTS];
  int64_t multiply_adds;
} cnnrt_step;

typedef struct {
  const char *name;
  int rank;
  int64_t shape[CNNRT_MAX_DIMS]; /* NCHW */
  cnnrt_buffer_ref buffer;
} cnnrt_io;

typedef struct {
  const char *name;
  int parameter_count;
  const cnnrt_parameter *parameters;
  int prepared_count;
  const cnnrt_prepared *prepared;
  int init_count;
  const cnnrt_init_call *init;
  int input_count;
  const cnnrt_io *inputs;
  int output_count;
  const cnnrt_io *outputs;
  int step_count;
  const cnnrt_step *steps;
  int64_t arena_bytes;
  /* A GPU model: its device ("cuda" or "opencl") and Halide's interface to
   * it, from the Halide runtime linked with the model. NULL on the CPU, so
   * a CPU model references no GPU code. */
  const char *device;
  const struct halide_device_interface_t *(*device_interface)(void);
  /* Recorded by cnnc at compile time: the weights file a binary loads when
   * given no --weights (an absolute path; NULL: none, so seeded random
   * weights), the image preprocessing (cnnrt_image.h's text; NULL: none),
   * and "cnnc VERSION for TARGET". The library's cnnrt_session_open never
   * reads `weights` by itself: pass it when wanted. */
  const char *weights;
  const char *preprocess;
  const char *built_by;
} cnnrt_model;

/* The command line of a compiled model (see docs/runtime.md). */
int cnnrt_main(const cnnrt_model *model, int argc, char **argv);

/* The measuring program of cnnc-tune: `models` are schedule variants of one
 * kernel call, the first the reference (see measure.c). */
int cnnrt_measure_main(const cnnrt_model *const *models, int count, int argc, char **argv);

/*--- the library interface (cnnc --lib) ----------------------------------*
 *
 * Every function checks what it can: NULL pointers, counts and sizes against
 * the model's, and whether the session is open (a closed session, or a
 * pointer that never was one, is refused with CNNRT_USAGE, not used). Error
 * buffers may be NULL. A session may be shared by threads: its runs are
 * serialised, one at a time. Separate sessions run concurrently.
 */

typedef struct cnnrt_session cnnrt_session;

/* Loads weights (NULL: seeded random) and runs init. */
int cnnrt_session_open(const cnnrt_model *model, const char *weights_path, uint64_t seed,
                       cnnrt_session **session, char *error, size_t error_size);

/* A dense NCHW float array and how many floats it holds. */
typedef struct {
  const float *data;
  size_t elements;
} cnnrt_input;
typedef struct {
  float *data;
  size_t elements;
} cnnrt_output;

/* Runs the model on `input_count` inputs into `output_count` outputs, in the
 * model's order; each must hold exactly the elements of the model's shape
 * for it. */
int cnnrt_session_run(cnnrt_session *session, const cnnrt_input *inputs, int input_count,
                      const cnnrt_output *outputs, int output_count, char *error,
                      size_t error_size);
/* Closes an open session; NULL or a session already closed is ignored. Wait
 * for runs in other threads to return first. */
void cnnrt_session_close(cnnrt_session *session);
/* How many threads the kernels use, the caller's included (0, the default:
 * one per core; at most 64). Applies to every session. */
void cnnrt_set_threads(int threads);

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_MODEL_H */
