/*===- inputs.c - a model input from .npy, .npz or image files ------------===*
 *
 * An input is one .npy tensor of exactly its shape (float32, or float64 or
 * float16 converted), the array of its name in an .npz archive, or one
 * image file per batch item, preprocessed (cnnrt_image.h) to the input's
 * channels, height and width.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "cnnrt_image.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void shape_text(int rank, const int64_t *shape, char *text, size_t size) {
  size_t used = (size_t)snprintf(text, size, "[");
  for (int d = 0; d < rank && used < size; ++d)
    used +=
        (size_t)snprintf(text + used, size - used, "%s%lld", d ? ", " : "", (long long)shape[d]);
  if (used < size)
    snprintf(text + used, size - used, "]");
}

static int64_t io_elements(const cnnrt_io *io) {
  int64_t count = 1;
  for (int d = 0; d < io->rank; ++d)
    count *= io->shape[d];
  return count;
}

void cnnrt_shape_text(const cnnrt_io *io, char *text, size_t size) {
  shape_text(io->rank, io->shape, text, size);
}

int cnnrt_is_npz_path(const char *path) {
  size_t n = strlen(path);
  return n >= 4 && !strcmp(path + n - 4, ".npz");
}

/* An .npz's array for `io`: by the input's name, else the only array for
 * the only input. `label` receives where it came from. */
static int read_npz_array(const cnnrt_io *io, int only_input, const char *path, int *rank,
                          int64_t shape[CNNRT_MAX_RANK], float **data, const char **converted,
                          char *label, size_t label_size, char *error, size_t size) {
  cnnrt_npz *archive;
  int status = cnnrt_npz_open(path, &archive, error, size);
  if (status)
    return status;
  const char *name = io->name;
  int found = 0;
  for (size_t i = 0; i < cnnrt_npz_count(archive); ++i)
    found |= !strcmp(cnnrt_npz_name(archive, i), name);
  if (!found && only_input && cnnrt_npz_count(archive) == 1)
    name = cnnrt_npz_name(archive, 0);
  if (!found && name == io->name) {
    char names[256] = "";
    for (size_t i = 0, used = 0; i < cnnrt_npz_count(archive) && used < sizeof names; ++i)
      used += (size_t)snprintf(names + used, sizeof names - used, "%s'%s'", i ? ", " : "",
                               cnnrt_npz_name(archive, i));
    status = cnnrt_report(error, size, CNNRT_MISSING,
                          "%s: no array for input '%s' (the archive holds %s)", path, io->name,
                          cnnrt_npz_count(archive) ? names : "no arrays");
  } else {
    status = cnnrt_npz_read(archive, name, rank, shape, data, converted, error, size);
    snprintf(label, label_size, "%s:%s", path, name);
  }
  cnnrt_npz_close(archive);
  return status;
}

static int read_tensor(const cnnrt_io *io, int only_input, const char *path, float *nchw,
                       char *note, size_t note_size, char *error, size_t size) {
  int rank;
  int64_t shape[CNNRT_MAX_RANK];
  float *data;
  const char *converted;
  char label[512];
  snprintf(label, sizeof label, "%s", path);
  int status = cnnrt_is_npz_path(path)
                   ? read_npz_array(io, only_input, path, &rank, shape, &data, &converted, label,
                                    sizeof label, error, size)
                   : cnnrt_npy_read(path, &rank, shape, &data, &converted, error, size);
  if (status)
    return status;
  int same = rank == io->rank;
  for (int d = 0; same && d < rank; ++d)
    same = shape[d] == io->shape[d];
  if (!same) {
    char expected[128], found[128];
    shape_text(io->rank, io->shape, expected, sizeof expected);
    shape_text(rank, shape, found, sizeof found);
    free(data);
    return cnnrt_report(error, size, CNNRT_SHAPE, "%s: input '%s' must have shape %s, found %s",
                        label, io->name, expected, found);
  }
  memcpy(nchw, data, sizeof(float) * (size_t)io_elements(io));
  free(data);
  if (converted && note && note_size)
    snprintf(note, note_size, "%s: %s, converted to float32", label, converted);
  return CNNRT_OK;
}

static int read_images(const cnnrt_io *io, const char *const *paths, int count,
                       const cnnrt_preprocess *spec, float *nchw, char *error, size_t size) {
  if (io->rank != 4)
    return cnnrt_report(error, size, CNNRT_SHAPE,
                        "%s: input '%s' has rank %d; an image goes to "
                        "an NCHW input",
                        paths[0], io->name, io->rank);
  if (count != io->shape[0])
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "input '%s' is a batch of %lld; give %lld image(s), not %d", io->name,
                        (long long)io->shape[0], (long long)io->shape[0], count);
  int64_t per_image = io->shape[1] * io->shape[2] * io->shape[3];
  for (int i = 0; i < count; ++i) {
    cnnrt_image image;
    int status = cnnrt_image_read(paths[i], &image, error, size);
    if (!status)
      status = cnnrt_preprocess_image(&image, spec, paths[i], (int)io->shape[1], (int)io->shape[2],
                                      (int)io->shape[3], nchw + per_image * i, error, size);
    cnnrt_image_free(&image);
    if (status)
      return status;
  }
  return CNNRT_OK;
}

int cnnrt_read_input(const cnnrt_io *io, int only_input, const char *const *paths, int count,
                     const cnnrt_preprocess *spec, float *nchw, char *note, size_t note_size,
                     char *error, size_t size) {
  if (note && note_size)
    note[0] = '\0';
  int images = 0;
  for (int i = 0; i < count; ++i)
    images += cnnrt_is_image_file(paths[i]);
  if (images && images != count)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "input '%s': give either image files or one .npy or .npz file, not both",
                        io->name);
  if (images)
    return read_images(io, paths, count, spec, nchw, error, size);
  if (count != 1)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "input '%s': %d files given; a tensor input takes one .npy or .npz file "
                        "(or one image per batch item)",
                        io->name, count);
  return read_tensor(io, only_input, paths[0], nchw, note, note_size, error, size);
}

int cnnrt_assign_inputs(const cnnrt_io *inputs, int input_count, const char *const *values,
                        int value_count, const char ***assigned, int *counts, char *error,
                        size_t size) {
  int bare = 0;
  for (int i = 0; i < input_count; ++i)
    counts[i] = 0;
  for (int k = 0; k < value_count; ++k) {
    const char *value = values[k], *equals = strchr(value, '=');
    int target = -1;
    for (int i = 0; equals && i < input_count && target < 0; ++i)
      if (strlen(inputs[i].name) == (size_t)(equals - value) &&
          !strncmp(inputs[i].name, value, (size_t)(equals - value)))
        target = i;
    const char *path = target >= 0 ? equals + 1 : value;
    if (target < 0 && cnnrt_is_npz_path(value)) {
      /* A bare archive holds the inputs by name: it goes to each. */
      for (int i = 0; i < input_count; ++i)
        assigned[i][counts[i]++] = value;
      continue;
    }
    if (target < 0)
      target = input_count == 1 ? 0 : bare++;
    if (target >= input_count)
      return cnnrt_report(error, size, CNNRT_USAGE,
                          "the model has %d inputs; name each with --input NAME=PATH (or give "
                          "them in order, or one .npz holding them by name)",
                          input_count);
    assigned[target][counts[target]++] = path;
  }
  for (int i = 0; value_count && i < input_count; ++i)
    if (!counts[i])
      return cnnrt_report(error, size, CNNRT_USAGE,
                          "no --input for input '%s'; give every input or none", inputs[i].name);
  return CNNRT_OK;
}
