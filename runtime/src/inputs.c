/*===- inputs.c - a model input from .npy files or image files ------------===*
 *
 * An input is one .npy tensor of exactly its shape (float32, or float64 or
 * float16 converted), or one image file per batch item, preprocessed
 * (cnnrt_image.h) to the input's channels, height and width.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "cnnrt_image.h"
#include "report.h"
#include "session.h"

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

void cnnrt_shape_text(const cnnrt_io *io, char *text, size_t size) {
  shape_text(io->rank, io->shape, text, size);
}

static int read_tensor(const cnnrt_io *io, const char *path, float *nchw, char *note,
                       size_t note_size, char *error, size_t size) {
  int rank;
  int64_t shape[CNNRT_MAX_RANK];
  float *data;
  const char *converted;
  int status = cnnrt_npy_read(path, &rank, shape, &data, &converted, error, size);
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
                        path, io->name, expected, found);
  }
  memcpy(nchw, data, sizeof(float) * (size_t)cnnrt_io_elements(io));
  free(data);
  if (converted && note && note_size)
    snprintf(note, note_size, "%s: %s, converted to float32", path, converted);
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

int cnnrt_read_input(const cnnrt_io *io, const char *const *paths, int count,
                     const cnnrt_preprocess *spec, float *nchw, char *note, size_t note_size,
                     char *error, size_t size) {
  if (note && note_size)
    note[0] = '\0';
  int images = 0;
  for (int i = 0; i < count; ++i)
    images += cnnrt_is_image_file(paths[i]);
  if (images && images != count)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "input '%s': give either image files or one .npy file, not both", io->name);
  if (images)
    return read_images(io, paths, count, spec, nchw, error, size);
  if (count != 1)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "input '%s': %d files given; a tensor input takes one .npy file (or one "
                        "image per batch item)",
                        io->name, count);
  return read_tensor(io, paths[0], nchw, note, note_size, error, size);
}
