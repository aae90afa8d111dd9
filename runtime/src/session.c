/*===- session.c - loading a compiled model and running its steps ---------===*/

#define _POSIX_C_SOURCE 200809L
#include "session.h"
#include "report.h"

#include "HalideRuntime.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void destroy(cnnrt_session *session);

/* The open sessions. A handle is checked against this list before it is
 * used, so a closed session is refused rather than read after free. */
static struct {
  pthread_mutex_t lock;
  pthread_cond_t idle; /* a session's last run has returned */
  cnnrt_session **open;
  size_t count, capacity;
} registry = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0};

static int register_session(cnnrt_session *session) {
  pthread_mutex_lock(&registry.lock);
  int ok = 1;
  if (registry.count == registry.capacity) {
    size_t capacity = registry.capacity ? registry.capacity * 2 : 8;
    cnnrt_session **grown = realloc(registry.open, capacity * sizeof *grown);
    if (grown) {
      registry.open = grown;
      registry.capacity = capacity;
    } else {
      ok = 0;
    }
  }
  if (ok)
    registry.open[registry.count++] = session;
  pthread_mutex_unlock(&registry.lock);
  return ok;
}

/* Under the registry's lock: where `session` is in the list, or -1. */
static ptrdiff_t find_session(const cnnrt_session *session) {
  for (size_t i = 0; i < registry.count; ++i)
    if (registry.open[i] == session)
      return (ptrdiff_t)i;
  return -1;
}

/* Marks a run of `session` as under way; 0 if it is not open. */
static int enter_session(cnnrt_session *session) {
  pthread_mutex_lock(&registry.lock);
  int open = session && find_session(session) >= 0;
  if (open)
    session->users++;
  pthread_mutex_unlock(&registry.lock);
  return open;
}

static void leave_session(cnnrt_session *session) {
  pthread_mutex_lock(&registry.lock);
  if (--session->users == 0)
    pthread_cond_broadcast(&registry.idle);
  pthread_mutex_unlock(&registry.lock);
}

double cnnrt_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

static int64_t elements(int rank, const int64_t *shape) {
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= shape[d];
  return count;
}

int64_t cnnrt_io_elements(const cnnrt_io *io) { return elements(io->rank, io->shape); }

static float *allocate(int64_t count) {
  if (count < 0 || (uint64_t)count > (SIZE_MAX - 63) / sizeof(float))
    return NULL;
  size_t bytes = ((size_t)count * sizeof(float) + 63) / 64 * 64;
  float *data = aligned_alloc(64, bytes ? bytes : 64);
  if (data)
    memset(data, 0, bytes);
  return data;
}

float *cnnrt_buffer_base(cnnrt_session *session, const cnnrt_buffer_ref *ref) {
  switch (ref->kind) {
  case CNNRT_ARENA: return (float *)(session->arena + ref->byte_offset);
  case CNNRT_INPUT: return session->inputs[ref->index] + ref->byte_offset / 4;
  default: return session->prepared[ref->index];
  }
}

/* The logical (NCHW) index of each Halide coordinate: channels first, then
 * the trailing dimensions from the last, then the batch. */
static void logical_dims(int rank, int *dims) {
  if (rank < 2) {
    dims[0] = 0;
    return;
  }
  int i = 0;
  dims[i++] = 1;
  for (int d = rank - 1; d >= 2; --d)
    dims[i++] = d;
  dims[i] = 0;
}

static void copy_layout(const cnnrt_io *io, float *buffer, float *nchw, int to_buffer) {
  int dims[CNNRT_MAX_DIMS];
  logical_dims(io->rank, dims);
  int64_t strides[CNNRT_MAX_DIMS], count = cnnrt_io_elements(io);
  int64_t stride = 1;
  for (int d = io->rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= io->shape[d];
  }
  int64_t index[CNNRT_MAX_DIMS] = {0};
  for (int64_t i = 0; i < count; ++i) {
    int64_t at = 0, logical = 0;
    for (int k = 0; k < io->rank; ++k) {
      at += index[k] * io->buffer.stride[k];
      logical += index[k] * strides[dims[k]];
    }
    if (to_buffer)
      buffer[at] = nchw[logical];
    else
      nchw[logical] = buffer[at];
    for (int k = 0; k < io->rank; ++k) {
      if (++index[k] < io->buffer.extent[k])
        break;
      index[k] = 0;
    }
  }
}

void cnnrt_to_buffer(const cnnrt_io *io, const float *nchw, float *base) {
  copy_layout(io, base, (float *)nchw, 1);
}

void cnnrt_from_buffer(const cnnrt_io *io, const float *base, float *nchw) {
  copy_layout(io, (float *)base, nchw, 0);
}

static int load_parameters(cnnrt_session *session, const char *weights_path, uint64_t seed,
                           char *error, size_t size) {
  const cnnrt_model *model = session->model;
  int status;
  if (weights_path) {
    if ((status = cnnrt_weights_open(weights_path, &session->weights, error, size)))
      return status;
    const char **names = malloc(sizeof(char *) * ((size_t)model->parameter_count + 1));
    if (!names)
      return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
    size_t count = 0;
    for (int i = 0; i < model->parameter_count; ++i)
      if (!model->parameters[i].computed)
        names[count++] = model->parameters[i].name;
    status = cnnrt_weights_expect_names(session->weights, count, names, error, size);
    free(names);
    if (status)
      return status;
  }
  for (int i = 0; i < model->parameter_count; ++i) {
    const cnnrt_parameter *parameter = &model->parameters[i];
    if (weights_path && !parameter->computed) {
      const float *data;
      status = cnnrt_weights_get_f32(session->weights, parameter->name, parameter->rank,
                                     parameter->shape, &data, error, size);
      if (status)
        return status;
      session->parameters[i] = (float *)data; /* never written */
      continue;
    }
    float *data = allocate(elements(parameter->rank, parameter->shape));
    if (!data)
      return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory for parameter '%s'",
                          parameter->name);
    session->owned[i] = session->parameters[i] = data;
    if (!parameter->computed)
      cnnrt_random_parameter(parameter, seed, data);
  }
  return CNNRT_OK;
}

/* A running variance must be a number >= 0: a negative one (or NaN) is a
 * corrupt file, and would give plausible-looking but wrong outputs. */
static int check_variance(const cnnrt_session *session, int parameter, int64_t channels,
                          char *error, size_t size) {
  const float *variance = session->parameters[parameter];
  for (int64_t c = 0; c < channels; ++c)
    if (!(variance[c] >= 0) || isinf(variance[c]))
      return cnnrt_report(
          error, size, CNNRT_VALUE,
          "%s: tensor '%s': running variance %g at channel %lld; it must be a finite "
          "number >= 0",
          session->model->name, session->model->parameters[parameter].name, (double)variance[c],
          (long long)c);
  return CNNRT_OK;
}

static int run_init(cnnrt_session *session, char *error, size_t size) {
  float **p = session->parameters;
  for (int i = 0; i < session->model->init_count; ++i) {
    const cnnrt_init_call *call = &session->model->init[i];
    const int *a = call->parameters;
    int variance = call->function == CNNRT_FOLD_BATCH_NORM ? a[4] : a[3];
    int status = check_variance(session, variance, call->integers[0], error, size);
    if (status)
      return status;
    if (call->function == CNNRT_FOLD_BATCH_NORM)
      cnnrt_fold_batch_norm(p[a[0]], p[a[1]], p[a[2]], p[a[3]], p[a[4]], a[5] < 0 ? NULL : p[a[5]],
                            call->integers[0], call->integers[1], call->epsilon, p[a[6]],
                            p[a[7]]);
    else
      cnnrt_batch_norm_affine(p[a[0]], p[a[1]], p[a[2]], p[a[3]], call->integers[0],
                              call->epsilon, p[a[4]], p[a[5]]);
  }
  return CNNRT_OK;
}

static int prepare(cnnrt_session *session, char *error, size_t size) {
  const cnnrt_model *model = session->model;
  for (int i = 0; i < model->prepared_count; ++i) {
    const cnnrt_prepared *prepared = &model->prepared[i];
    float *source = session->parameters[prepared->parameter];
    if (prepared->quantize && prepared->quantize != CNNRT_Q_BF16) {
      int status = cnnrt_quantize_parameter(session, prepared, &session->prepared[i]);
      if (status == CNNRT_VALUE)
        return cnnrt_report(error, size, status,
                            "weight '%s' holds a NaN or an infinity: an int8 kernel cannot "
                            "quantize it",
                            model->parameters[prepared->parameter].name);
      if (status)
        return cnnrt_report(error, size, status, "out of memory quantizing '%s'",
                            model->parameters[prepared->parameter].name);
      continue;
    }
    if (prepared->rank == 0) {
      session->prepared[i] = source;
      continue;
    }
    int64_t count = elements(prepared->rank, prepared->source_shape);
    float *packed = allocate(count);
    float *transformed = prepared->winograd ? allocate(count) : NULL;
    if (!packed || (prepared->winograd && !transformed)) {
      free(packed);
      free(transformed);
      return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory repacking '%s'",
                          model->parameters[prepared->parameter].name);
    }
    if (transformed) {
      int tile = prepared->winograd + 2;
      cnnrt_winograd_weights(source, count / (tile * tile), prepared->winograd, transformed);
      source = transformed;
    }
    cnnrt_permute(source, prepared->rank, prepared->source_shape, prepared->permutation, packed);
    free(transformed);
    if (prepared->quantize == CNNRT_Q_BF16)
      cnnrt_round_to_bf16(packed, count);
    session->prepared[i] = packed;
  }
  return CNNRT_OK;
}

int cnnrt_session_open(const cnnrt_model *model, const char *weights_path, uint64_t seed,
                       cnnrt_session **result, char *error, size_t size) {
  if (!model || !result)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "cnnrt_session_open: the model and the result "
                        "pointer must not be NULL");
  *result = NULL;
  cnnrt_use_thread_pool();
  cnnrt_install_error_handler();
  cnnrt_session *session = calloc(1, sizeof(cnnrt_session));
  if (!session)
    return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  pthread_mutex_init(&session->run_lock, NULL);
  session->model = model;
  session->parameters = calloc((size_t)model->parameter_count + 1, sizeof(float *));
  session->owned = calloc((size_t)model->parameter_count + 1, sizeof(float *));
  session->prepared = calloc((size_t)model->prepared_count + 1, sizeof(float *));
  session->inputs = calloc((size_t)model->input_count + 1, sizeof(float *));
  session->step_seconds = calloc((size_t)model->step_count + 1, sizeof(double));
  if (!model->device_interface)
    session->arena = (unsigned char *)allocate((model->arena_bytes + 3) / 4);
  int status = CNNRT_OK;
  if (!session->parameters || !session->owned || !session->prepared || !session->inputs ||
      !session->step_seconds || (!session->arena && !model->device_interface))
    status = cnnrt_report(error, size, CNNRT_MEMORY, "out of memory for a %lld-byte arena",
                          (long long)model->arena_bytes);
  for (int i = 0; !status && i < model->input_count; ++i)
    if (!(session->inputs[i] = allocate(cnnrt_io_elements(&model->inputs[i]))))
      status = cnnrt_report(error, size, CNNRT_MEMORY, "out of memory for input '%s'",
                            model->inputs[i].name);
  if (!status)
    status = cnnrt_device_open(session, error, size);
  if (!status)
    status = load_parameters(session, weights_path, seed, error, size);
  if (!status)
    status = run_init(session, error, size);
  if (!status)
    status = prepare(session, error, size);
  if (!status)
    status = cnnrt_device_upload(session, error, size);
  if (!status && !register_session(session))
    status = cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  if (status) {
    destroy(session);
    return status;
  }
  *result = session;
  return CNNRT_OK;
}

void cnnrt_session_close(cnnrt_session *session) {
  pthread_mutex_lock(&registry.lock);
  ptrdiff_t at = session ? find_session(session) : -1;
  if (at >= 0) {
    registry.open[at] = registry.open[--registry.count];
    while (session->users)
      pthread_cond_wait(&registry.idle, &registry.lock);
  }
  pthread_mutex_unlock(&registry.lock);
  if (at >= 0)
    destroy(session);
}

static void destroy(cnnrt_session *session) {
  const cnnrt_model *model = session->model;
  cnnrt_device_close(session);
  for (int i = 0; session->prepared && i < model->prepared_count; ++i)
    if (model->prepared[i].rank || model->prepared[i].quantize)
      free(session->prepared[i]);
  for (int i = 0; session->owned && i < model->parameter_count; ++i)
    free(session->owned[i]);
  for (int i = 0; session->inputs && i < model->input_count; ++i)
    free(session->inputs[i]);
  free(session->parameters);
  free(session->owned);
  free(session->prepared);
  free(session->inputs);
  free(session->step_seconds);
  free(session->arena);
  if (session->weights)
    cnnrt_weights_close(session->weights);
  pthread_mutex_destroy(&session->run_lock);
  free(session);
}

typedef struct halide_buffer_t buffer_t;
typedef int (*kernel2)(buffer_t *, buffer_t *);
typedef int (*kernel3)(buffer_t *, buffer_t *, buffer_t *);
typedef int (*kernel4)(buffer_t *, buffer_t *, buffer_t *, buffer_t *);
typedef int (*kernel5)(buffer_t *, buffer_t *, buffer_t *, buffer_t *, buffer_t *);
typedef int (*kernel6)(buffer_t *, buffer_t *, buffer_t *, buffer_t *, buffer_t *, buffer_t *);
typedef int (*kernel7)(buffer_t *, buffer_t *, buffer_t *, buffer_t *, buffer_t *, buffer_t *,
                       buffer_t *);
typedef int (*kernel8)(buffer_t *, buffer_t *, buffer_t *, buffer_t *, buffer_t *, buffer_t *,
                       buffer_t *, buffer_t *);

int cnnrt_call_kernel(const cnnrt_step *step, buffer_t **b) {
  switch (step->argument_count) {
  case 2: return ((kernel2)step->kernel)(b[0], b[1]);
  case 3: return ((kernel3)step->kernel)(b[0], b[1], b[2]);
  case 4: return ((kernel4)step->kernel)(b[0], b[1], b[2], b[3]);
  case 5: return ((kernel5)step->kernel)(b[0], b[1], b[2], b[3], b[4]);
  case 6: return ((kernel6)step->kernel)(b[0], b[1], b[2], b[3], b[4], b[5]);
  case 7: return ((kernel7)step->kernel)(b[0], b[1], b[2], b[3], b[4], b[5], b[6]);
  case 8: return ((kernel8)step->kernel)(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
  default: return -1;
  }
}

static struct halide_type_t halide_type_of_dtype(cnnrt_dtype type) {
  struct halide_type_t t = {halide_type_float, 32, 1};
  if (type == CNNRT_U8 || type == CNNRT_I8)
    t = (struct halide_type_t){type == CNNRT_U8 ? halide_type_uint : halide_type_int, 8, 1};
  else if (type == CNNRT_I32)
    t = (struct halide_type_t){halide_type_int, 32, 1};
  else if (type == CNNRT_BF16)
    t = (struct halide_type_t){halide_type_bfloat, 16, 1};
  return t;
}

/* Runs one step's kernel on buffers in host memory; Halide's status. */
static int run_on_host(cnnrt_session *session, const cnnrt_step *step) {
  buffer_t buffers[CNNRT_MAX_ARGUMENTS];
  halide_dimension_t dims[CNNRT_MAX_ARGUMENTS][CNNRT_MAX_DIMS];
  buffer_t *pointers[CNNRT_MAX_ARGUMENTS];
  for (int a = 0; a < step->argument_count; ++a) {
    const cnnrt_buffer_ref *ref = &step->arguments[a];
    memset(&buffers[a], 0, sizeof(buffer_t));
    buffers[a].host = (uint8_t *)cnnrt_buffer_base(session, ref);
    buffers[a].type = halide_type_of_dtype(ref->type);
    buffers[a].dimensions = ref->rank;
    buffers[a].dim = dims[a];
    for (int d = 0; d < ref->rank; ++d) {
      dims[a][d].min = 0;
      dims[a][d].extent = ref->extent[d];
      dims[a][d].stride = ref->stride[d];
      dims[a][d].flags = 0;
    }
    pointers[a] = &buffers[a];
  }
  return cnnrt_call_kernel(step, pointers);
}

/* A GPU model's kernels are launched back to back: `--profile` waits for
 * each, so that its time is the kernel's, and every run waits for the
 * last, so that a run's time is real. */
int cnnrt_session_execute(cnnrt_session *session, char *error, size_t size) {
  const cnnrt_model *model = session->model;
  for (int s = 0; s < model->step_count; ++s) {
    const cnnrt_step *step = &model->steps[s];
    double start = session->profile ? cnnrt_now() : 0;
    int status = session->device ? cnnrt_device_run_step(session, s) : run_on_host(session, step);
    if (status)
      return cnnrt_report(error, size, CNNRT_KERNEL,
                          "layer '%s' (%s): kernel %s failed (Halide error %d: %s)",
                          step->layer, step->op, step->symbol, status, cnnrt_halide_message());
    if (session->observe)
      session->observe(session->observer, s);
    if (session->profile) {
      if (session->device && (status = cnnrt_device_sync(session, s, error, size)))
        return status;
      session->step_seconds[s] += cnnrt_now() - start;
    }
  }
  if (session->device && model->step_count)
    return cnnrt_device_sync(session, model->step_count - 1, error, size);
  return CNNRT_OK;
}

/* Checks one input or output array against the model's shape for it. */
static int check_array(const char *side, const cnnrt_io *io, const void *data, size_t elements,
                       char *error, size_t size) {
  int64_t needed = cnnrt_io_elements(io);
  if (!data)
    return cnnrt_report(error, size, CNNRT_USAGE, "cnnrt_session_run: %s '%s' is NULL", side,
                        io->name);
  if (elements != (size_t)needed)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "cnnrt_session_run: %s '%s' holds %zu floats; its shape needs %lld", side,
                        io->name, elements, (long long)needed);
  return CNNRT_OK;
}

static int check_run(const cnnrt_model *model, const cnnrt_input *inputs, int input_count,
                     const cnnrt_output *outputs, int output_count, char *error, size_t size) {
  if (input_count != model->input_count || output_count != model->output_count)
    return cnnrt_report(
        error, size, CNNRT_USAGE,
        "cnnrt_session_run: the model has %d input(s) and %d output(s); %d and %d given",
        model->input_count, model->output_count, input_count, output_count);
  if ((input_count && !inputs) || (output_count && !outputs))
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "cnnrt_session_run: the inputs or outputs are NULL");
  int status = CNNRT_OK;
  for (int i = 0; !status && i < input_count; ++i)
    status = check_array("input", &model->inputs[i], inputs[i].data, inputs[i].elements, error,
                         size);
  for (int i = 0; !status && i < output_count; ++i)
    status = check_array("output", &model->outputs[i], outputs[i].data, outputs[i].elements,
                         error, size);
  return status;
}

int cnnrt_session_run(cnnrt_session *session, const cnnrt_input *inputs, int input_count,
                      const cnnrt_output *outputs, int output_count, char *error, size_t size) {
  if (!enter_session(session))
    return cnnrt_report(
        error, size, CNNRT_USAGE,
        "cnnrt_session_run: the session is not open (NULL, closed, or never opened)");
  const cnnrt_model *model = session->model;
  int status = check_run(model, inputs, input_count, outputs, output_count, error, size);
  if (!status) {
    pthread_mutex_lock(&session->run_lock);
    for (int i = 0; i < model->input_count; ++i)
      cnnrt_to_buffer(&model->inputs[i], inputs[i].data, session->inputs[i]);
    if (session->device)
      status = cnnrt_device_upload_inputs(session, error, size);
    if (!status)
      status = cnnrt_session_execute(session, error, size);
    for (int i = 0; !status && i < model->output_count; ++i) {
      const float *base =
          session->device ? cnnrt_device_download_output(session, i, error, size, &status)
                          : cnnrt_buffer_base(session, &model->outputs[i].buffer);
      if (base)
        cnnrt_from_buffer(&model->outputs[i], base, outputs[i].data);
    }
    pthread_mutex_unlock(&session->run_lock);
  }
  leave_session(session);
  return status;
}
