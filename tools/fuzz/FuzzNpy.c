/*===- FuzzNpy.c - libFuzzer target for the .npy reader -------------------===*
 *
 * Any file must be read or refused with a message; a file that is read
 * gives exactly the elements its shape names (ASan checks each one).
 *
 *===----------------------------------------------------------------------===*/

#include "FuzzInput.h"
#include "cnnrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char path[64];
  if (!write_fuzz_input(data, size, ".npy", path, sizeof path))
    return 0;
  char error[512];
  int rank = -1;
  int64_t shape[CNNRT_MAX_RANK];
  float *values = NULL;
  if (cnnrt_npy_read_f32(path, &rank, shape, &values, error, sizeof error) == CNNRT_OK) {
    size_t count = 1;
    for (int d = 0; d < rank; ++d)
      count *= (size_t)shape[d];
    volatile float sink = 0;
    for (size_t i = 0; i < count; ++i)
      sink += values[i];
    (void)sink;
    free(values);
  } else if (values || !error[0]) {
    abort(); /* a failure must leave no data and say why */
  }
  unlink(path);
  return 0;
}
