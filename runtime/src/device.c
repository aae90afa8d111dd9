/*===- device.c - a compiled model's buffers on a GPU (CUDA or OpenCL) ----===*
 *
 * The memory plan carries over to the device unchanged: one device arena
 * holds every activation, at the plan's offsets. Each input and each
 * prepared parameter is one device allocation, uploaded once (inputs once
 * per run). Every kernel argument is a view made once, at open: a crop of
 * its allocation at the plan's offset (Halide's device crops are an offset
 * into the parent allocation, on CUDA and OpenCL alike) given the
 * argument's extents and strides. A run then launches the steps back to
 * back with no host synchronisation; downloading the outputs waits for them.
 *
 * OpenCL passes a crop to a kernel as a sub-buffer, whose offset must be a
 * multiple of the device's base address alignment (CL_DEVICE_MEM_BASE_ADDR_
 * ALIGN, asked of the device: 1024 bits on pocl). A view at another offset (a
 * concat's channel slice, an odd-sized buffer's neighbour) gets a dense
 * staging buffer of its own: copied in before a kernel that reads it,
 * copied out after the kernel that writes it (buffer copies take any
 * offset). CUDA addresses a crop directly and never stages.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "session.h"
#include "report.h"

#include "HalideRuntime.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Halide's OpenCL runtime, when the model has it (weak: a CUDA or CPU
 * model's runtime does not define them). */
extern int halide_acquire_cl_context(void *user_context, void **context, void **queue,
                                     bool create) __attribute__((weak));
extern int halide_release_cl_context(void *user_context) __attribute__((weak));

struct cnnrt_device {
  const struct halide_device_interface_t *interface;
  halide_dimension_t *base_dims; /* one per allocation */
  halide_buffer_t arena;
  halide_buffer_t *inputs;   /* per model input */
  halide_buffer_t *prepared; /* per prepared parameter */
  halide_buffer_t *views;    /* [step][argument] */
  halide_dimension_t *view_dims;
  halide_buffer_t *staging;  /* [step][argument]: allocated (device != 0) when staged */
  halide_dimension_t *staging_dims;
  halide_buffer_t *outputs;  /* per model output: a view whose host is below */
  halide_dimension_t *output_dims;
  float **output_host;
};

/*--- Halide's errors ------------------------------------------------------*/

/* Halide's runtime reports errors through one handler per process, whose
 * default prints and, for a missing GPU driver, aborts. The message is kept
 * for the caller's report instead (per thread: sessions run concurrently). */
static _Thread_local char halide_message[512];

static void keep_halide_message(void *user_context, const char *message) {
  (void)user_context;
  snprintf(halide_message, sizeof halide_message, "%s", message ? message : "");
  size_t length = strlen(halide_message);
  while (length && (halide_message[length - 1] == '\n' || halide_message[length - 1] == ' '))
    halide_message[--length] = '\0';
}

void cnnrt_install_error_handler(void) { halide_set_error_handler(keep_halide_message); }

const char *cnnrt_halide_message(void) {
  return halide_message[0] ? halide_message : "no message";
}

static void clear_halide_message(void) { halide_message[0] = '\0'; }

/*--- views -----------------------------------------------------------------*/

static void one_dimensional(halide_buffer_t *buffer, halide_dimension_t *dim, void *host,
                            int64_t floats) {
  memset(buffer, 0, sizeof *buffer);
  buffer->host = (uint8_t *)host;
  buffer->type.code = halide_type_float;
  buffer->type.bits = 32;
  buffer->type.lanes = 1;
  buffer->dimensions = 1;
  buffer->dim = dim;
  dim->min = 0;
  dim->extent = (int32_t)(floats > 0 ? floats : 1);
  dim->stride = 1;
  dim->flags = 0;
}

/* The floats a view spans from its first element: strides are >= 0. */
static int64_t span_of(const cnnrt_buffer_ref *ref) {
  int64_t span = 1;
  for (int d = 0; d < ref->rank; ++d)
    span += (int64_t)(ref->extent[d] - 1) * ref->stride[d];
  return span;
}

/* `view` becomes the elements of `base` from float `offset` on, shaped as
 * `ref` says, its dimensions in `dims`. */
static int make_view(halide_buffer_t *base, int64_t offset, const cnnrt_buffer_ref *ref,
                     halide_buffer_t *view, halide_dimension_t *dims) {
  halide_dimension_t crop_dim = {(int32_t)offset, (int32_t)span_of(ref), 1, 0};
  halide_buffer_t crop;
  memset(&crop, 0, sizeof crop);
  crop.type = base->type;
  crop.dimensions = 1;
  crop.dim = &crop_dim;
  int status = halide_device_crop(NULL, base, &crop);
  if (status)
    return status;
  *view = crop;
  view->dimensions = ref->rank;
  view->dim = dims;
  for (int d = 0; d < ref->rank; ++d)
    dims[d] = (halide_dimension_t){0, ref->extent[d], ref->stride[d], 0};
  return 0;
}

/* The allocation `ref` lies in, and its offset there in floats (a prepared
 * parameter is always a whole allocation), as cnnrt_buffer_base has it. */
static halide_buffer_t *base_of(cnnrt_device *device, const cnnrt_buffer_ref *ref,
                                int64_t *offset) {
  *offset = ref->kind == CNNRT_PREPARED ? 0 : ref->byte_offset / 4;
  switch (ref->kind) {
  case CNNRT_ARENA: return &device->arena;
  case CNNRT_INPUT: return &device->inputs[ref->index];
  default: return &device->prepared[ref->index];
  }
}

/* The byte alignment OpenCL asks of a sub-buffer's offset on the device
 * Halide's runtime opened, or 512 (4096 bits, the largest devices ask) when
 * it cannot be asked. */
static int64_t opencl_sub_buffer_alignment(void) {
  int64_t alignment = 512;
  void *library = dlopen("libOpenCL.so", RTLD_LAZY | RTLD_NOLOAD);
  if (!library)
    library = dlopen("libOpenCL.so.1", RTLD_LAZY | RTLD_NOLOAD);
  typedef int32_t (*info_function)(void *, uint32_t, size_t, void *, size_t *);
  info_function context_info = NULL, device_info = NULL;
  if (library) {
    void *symbol = dlsym(library, "clGetContextInfo");
    memcpy(&context_info, &symbol, sizeof symbol);
    symbol = dlsym(library, "clGetDeviceInfo");
    memcpy(&device_info, &symbol, sizeof symbol);
  }
  void *context = NULL, *queue = NULL;
  if (!context_info || !device_info || !halide_acquire_cl_context ||
      halide_acquire_cl_context(NULL, &context, &queue, true))
    return alignment;
  enum { CONTEXT_DEVICES = 0x1081, DEVICE_MEM_BASE_ADDR_ALIGN = 0x1019 };
  void *devices[16];
  size_t bytes = 0;
  uint32_t bits = 0;
  if (context && context_info(context, CONTEXT_DEVICES, sizeof devices, devices, &bytes) == 0 &&
      bytes >= sizeof devices[0] &&
      device_info(devices[0], DEVICE_MEM_BASE_ADDR_ALIGN, sizeof bits, &bits, NULL) == 0 &&
      bits >= 8)
    alignment = bits / 8;
  halide_release_cl_context(NULL);
  return alignment;
}

/* A dense device buffer shaped like `ref`, for a view OpenCL cannot pass. */
static int make_staging(cnnrt_device *device, const cnnrt_buffer_ref *ref,
                        halide_buffer_t *staging, halide_dimension_t *dims) {
  memset(staging, 0, sizeof *staging);
  staging->type = device->arena.type;
  staging->dimensions = ref->rank;
  staging->dim = dims;
  int32_t stride = 1;
  for (int d = 0; d < ref->rank; ++d) {
    dims[d] = (halide_dimension_t){0, ref->extent[d], stride, 0};
    stride *= ref->extent[d];
  }
  return halide_device_malloc(NULL, staging, device->interface);
}

/*--- open and close --------------------------------------------------------*/

static int64_t prepared_floats(const cnnrt_model *model, int i) {
  const cnnrt_prepared *prepared = &model->prepared[i];
  const cnnrt_parameter *parameter = &model->parameters[prepared->parameter];
  int rank = prepared->rank ? prepared->rank : parameter->rank;
  const int64_t *shape = prepared->rank ? prepared->source_shape : parameter->shape;
  int64_t count = 1;
  for (int d = 0; d < rank; ++d)
    count *= shape[d];
  return count;
}

static int failed(char *error, size_t size, const char *model, const char *what) {
  return cnnrt_report(error, size, CNNRT_DEVICE, "%s: %s on the GPU failed: %s", model, what,
                      cnnrt_halide_message());
}

/* Halide's runtime opens the GPU library by its unversioned name
 * (libcuda.so, libOpenCL.so), which only development packages install,
 * unless the process already has the library's symbols. The driver's
 * versioned library, loaded first with global symbols, is found that way:
 * a GPU binary needs the driver and nothing else. */
static void load_driver(const char *device) {
  const char *library = !strcmp(device, "cuda") ? "libcuda.so.1" : "libOpenCL.so.1";
  dlopen(library, RTLD_LAZY | RTLD_GLOBAL);
}

/* Asked of the driver Halide loaded (by its symbols, so nothing is linked):
 * the device Halide's runtime picks by default, CUDA's device
 * $HL_GPU_DEVICE (0 unless set) or the first device of the first OpenCL
 * platform. */
void cnnrt_device_name(const cnnrt_session *session, char *name, size_t size) {
  if (size)
    name[0] = '\0';
  const cnnrt_model *model = session->model;
  if (!session->device || size < 2)
    return;
  if (!strcmp(model->device, "cuda")) {
    int (*init)(unsigned) = (int (*)(unsigned))dlsym(RTLD_DEFAULT, "cuInit");
    int (*get)(int *, int) = (int (*)(int *, int))dlsym(RTLD_DEFAULT, "cuDeviceGet");
    int (*get_name)(char *, int, int) =
        (int (*)(char *, int, int))dlsym(RTLD_DEFAULT, "cuDeviceGetName");
    const char *chosen = getenv("HL_GPU_DEVICE");
    int device, index = chosen ? atoi(chosen) : 0;
    if (init && get && get_name && !init(0) && !get(&device, index < 0 ? 0 : index))
      get_name(name, (int)(size > 256 ? 256 : size), device);
  } else {
    typedef int (*platforms_fn)(unsigned, void **, unsigned *);
    typedef int (*devices_fn)(void *, uint64_t, unsigned, void **, unsigned *);
    typedef int (*info_fn)(void *, unsigned, size_t, void *, size_t *);
    platforms_fn platforms = (platforms_fn)dlsym(RTLD_DEFAULT, "clGetPlatformIDs");
    devices_fn devices = (devices_fn)dlsym(RTLD_DEFAULT, "clGetDeviceIDs");
    info_fn info = (info_fn)dlsym(RTLD_DEFAULT, "clGetDeviceInfo");
    void *platform, *device;
    const uint64_t all = 0xFFFFFFFF; /* CL_DEVICE_TYPE_ALL */
    const unsigned device_name = 0x102B; /* CL_DEVICE_NAME */
    if (platforms && devices && info && !platforms(1, &platform, NULL) &&
        !devices(platform, all, 1, &device, NULL))
      info(device, device_name, size - 1, name, NULL);
  }
  name[size - 1] = '\0';
}

int cnnrt_device_open(cnnrt_session *session, char *error, size_t size) {
  const cnnrt_model *model = session->model;
  if (!model->device_interface)
    return CNNRT_OK;
  clear_halide_message();
  /* Halide's buffers index with 32-bit extents. */
  if (model->arena_bytes / 4 > INT32_MAX)
    return cnnrt_report(error, size, CNNRT_DEVICE,
                        "%s: a %lld-byte arena is more than one device buffer holds (8 GiB)",
                        model->name, (long long)model->arena_bytes);
  load_driver(model->device);
  cnnrt_device *device = calloc(1, sizeof *device);
  if (!device)
    return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  session->device = device;
  device->interface = model->device_interface();
  size_t steps = (size_t)model->step_count + 1, bases = (size_t)model->input_count +
                                                      (size_t)model->prepared_count + 1;
  device->base_dims = calloc(bases, sizeof(halide_dimension_t));
  device->inputs = calloc((size_t)model->input_count + 1, sizeof(halide_buffer_t));
  device->prepared = calloc((size_t)model->prepared_count + 1, sizeof(halide_buffer_t));
  device->views = calloc(steps * CNNRT_MAX_ARGUMENTS, sizeof(halide_buffer_t));
  device->view_dims =
      calloc(steps * CNNRT_MAX_ARGUMENTS * CNNRT_MAX_DIMS, sizeof(halide_dimension_t));
  device->staging = calloc(steps * CNNRT_MAX_ARGUMENTS, sizeof(halide_buffer_t));
  device->staging_dims =
      calloc(steps * CNNRT_MAX_ARGUMENTS * CNNRT_MAX_DIMS, sizeof(halide_dimension_t));
  device->outputs = calloc((size_t)model->output_count + 1, sizeof(halide_buffer_t));
  device->output_dims =
      calloc(((size_t)model->output_count + 1) * CNNRT_MAX_DIMS, sizeof(halide_dimension_t));
  device->output_host = calloc((size_t)model->output_count + 1, sizeof(float *));
  if (!device->base_dims || !device->inputs || !device->prepared || !device->views ||
      !device->view_dims || !device->staging || !device->staging_dims || !device->outputs ||
      !device->output_dims || !device->output_host)
    return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");

  /* A kernel that splits its reduction (ksplit) writes the parts to a
   * buffer Halide allocates per call; kept for reuse, the allocation costs
   * once, not per run. */
  halide_reuse_device_allocations(NULL, true);
  /* The arena has no host side: activations never leave the device. */
  halide_dimension_t *arena_dim_storage = malloc(sizeof(halide_dimension_t));
  if (!arena_dim_storage)
    return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  one_dimensional(&device->arena, arena_dim_storage, NULL, (model->arena_bytes + 3) / 4);
  if (halide_device_malloc(NULL, &device->arena, device->interface))
    return cnnrt_report(error, size, CNNRT_DEVICE,
                        "%s: cannot use the GPU (a %lld-byte arena): %s", model->name,
                        (long long)model->arena_bytes, cnnrt_halide_message());
  for (int i = 0; i < model->input_count; ++i) {
    one_dimensional(&device->inputs[i], &device->base_dims[i], session->inputs[i],
                    cnnrt_io_elements(&model->inputs[i]));
    if (halide_device_malloc(NULL, &device->inputs[i], device->interface))
      return failed(error, size, model->name, "allocating an input");
  }
  return CNNRT_OK;
}

int cnnrt_device_upload(cnnrt_session *session, char *error, size_t size) {
  const cnnrt_model *model = session->model;
  cnnrt_device *device = session->device;
  if (!device)
    return CNNRT_OK;
  int64_t alignment = model->device && !strcmp(model->device, "opencl")
                          ? opencl_sub_buffer_alignment()
                          : 0;
  /* Weights: transformed on the host at open, uploaded once. */
  for (int i = 0; i < model->prepared_count; ++i) {
    halide_buffer_t *buffer = &device->prepared[i];
    one_dimensional(buffer, &device->base_dims[model->input_count + i], session->prepared[i],
                    prepared_floats(model, i));
    buffer->flags = halide_buffer_flag_host_dirty;
    if (halide_copy_to_device(NULL, buffer, device->interface))
      return failed(error, size, model->name, "uploading the weights");
    buffer->host = NULL; /* The kernels read the device copy only. */
  }
  for (int s = 0; s < model->step_count; ++s) {
    const cnnrt_step *step = &model->steps[s];
    for (int a = 0; a < step->argument_count; ++a) {
      size_t at = (size_t)s * CNNRT_MAX_ARGUMENTS + (size_t)a;
      int64_t offset;
      halide_buffer_t *base = base_of(device, &step->arguments[a], &offset);
      if (make_view(base, offset, &step->arguments[a], &device->views[at],
                    &device->view_dims[at * CNNRT_MAX_DIMS]))
        return failed(error, size, model->name, "making a kernel's view");
      if (alignment && offset * 4 % alignment &&
          make_staging(device, &step->arguments[a], &device->staging[at],
                       &device->staging_dims[at * CNNRT_MAX_DIMS]))
        return failed(error, size, model->name, "allocating a staging buffer");
    }
  }
  for (int i = 0; i < model->output_count; ++i) {
    const cnnrt_buffer_ref *ref = &model->outputs[i].buffer;
    int64_t offset;
    halide_buffer_t *base = base_of(device, ref, &offset);
    if (!(device->output_host[i] = malloc(sizeof(float) * (size_t)span_of(ref))))
      return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory for output '%s'",
                          model->outputs[i].name);
    if (make_view(base, offset, ref, &device->outputs[i],
                  &device->output_dims[(size_t)i * CNNRT_MAX_DIMS]))
      return failed(error, size, model->name, "making an output's view");
    device->outputs[i].host = (uint8_t *)device->output_host[i];
  }
  return CNNRT_OK;
}

void cnnrt_device_close(cnnrt_session *session) {
  cnnrt_device *device = session->device;
  if (!device)
    return;
  const cnnrt_model *model = session->model;
  /* Views first: they hold references to their parents' allocations. */
  for (int s = 0; device->views && s < model->step_count; ++s)
    for (int a = 0; a < model->steps[s].argument_count; ++a) {
      halide_buffer_t *view = &device->views[(size_t)s * CNNRT_MAX_ARGUMENTS + (size_t)a];
      if (view->device)
        halide_device_release_crop(NULL, view);
      halide_buffer_t *staging =
          &device->staging[(size_t)s * CNNRT_MAX_ARGUMENTS + (size_t)a];
      if (staging->device)
        halide_device_free(NULL, staging);
    }
  for (int i = 0; device->outputs && i < model->output_count; ++i) {
    if (device->outputs[i].device)
      halide_device_release_crop(NULL, &device->outputs[i]);
    free(device->output_host[i]);
  }
  for (int i = 0; device->prepared && i < model->prepared_count; ++i)
    if (device->prepared[i].device)
      halide_device_free(NULL, &device->prepared[i]);
  for (int i = 0; device->inputs && i < model->input_count; ++i)
    if (device->inputs[i].device)
      halide_device_free(NULL, &device->inputs[i]);
  if (device->arena.device)
    halide_device_free(NULL, &device->arena);
  free(device->arena.dim);
  free(device->base_dims);
  free(device->inputs);
  free(device->prepared);
  free(device->views);
  free(device->view_dims);
  free(device->staging);
  free(device->staging_dims);
  free(device->outputs);
  free(device->output_dims);
  free(device->output_host);
  free(device);
  session->device = NULL;
}

/*--- runs ------------------------------------------------------------------*/

int cnnrt_device_upload_inputs(cnnrt_session *session, char *error, size_t size) {
  cnnrt_device *device = session->device;
  for (int i = 0; i < session->model->input_count; ++i) {
    device->inputs[i].flags = halide_buffer_flag_host_dirty;
    if (halide_copy_to_device(NULL, &device->inputs[i], device->interface))
      return failed(error, size, session->model->name, "uploading an input");
  }
  return CNNRT_OK;
}

/* Copies a view to or from its staging buffer (device to device). */
static int copy_staged(cnnrt_device *device, halide_buffer_t *from, halide_buffer_t *to) {
  from->flags = halide_buffer_flag_device_dirty;
  to->flags = 0;
  int status = halide_buffer_copy(NULL, from, device->interface, to);
  from->flags = to->flags = 0;
  return status;
}

int cnnrt_device_run_step(cnnrt_session *session, int s) {
  cnnrt_device *device = session->device;
  const cnnrt_step *step = &session->model->steps[s];
  halide_buffer_t *views = &device->views[(size_t)s * CNNRT_MAX_ARGUMENTS];
  halide_buffer_t *staging = &device->staging[(size_t)s * CNNRT_MAX_ARGUMENTS];
  halide_buffer_t *arguments[CNNRT_MAX_ARGUMENTS];
  int last = step->argument_count - 1, status = 0;
  for (int a = 0; a <= last && !status; ++a) {
    /* Clean flags: what a view's last kernel left there says nothing now. */
    views[a].flags = staging[a].flags = 0;
    arguments[a] = staging[a].device ? &staging[a] : &views[a];
    if (staging[a].device && a < last)
      status = copy_staged(device, &views[a], &staging[a]);
  }
  if (!status)
    status = cnnrt_call_kernel(step, arguments);
  if (!status && staging[last].device)
    status = copy_staged(device, &staging[last], &views[last]);
  return status;
}

int cnnrt_device_sync(cnnrt_session *session, int step, char *error, size_t size) {
  const cnnrt_step *last = &session->model->steps[step];
  halide_buffer_t *output =
      &session->device->views[(size_t)step * CNNRT_MAX_ARGUMENTS + (size_t)last->argument_count - 1];
  if (halide_device_sync(NULL, output))
    return failed(error, size, session->model->name, "waiting for the kernels");
  return CNNRT_OK;
}

const float *cnnrt_device_download_output(cnnrt_session *session, int i, char *error,
                                          size_t size, int *status) {
  cnnrt_device *device = session->device;
  device->outputs[i].flags = halide_buffer_flag_device_dirty;
  *status = CNNRT_OK;
  if (halide_copy_to_host(NULL, &device->outputs[i])) {
    *status = failed(error, size, session->model->name, "downloading an output");
    return NULL;
  }
  return device->output_host[i];
}
