/*===- FuzzSafetensors.c - libFuzzer target for the weights reader --------===*
 *
 * Any file must open or be refused with a message; a file that opens must
 * give every tensor's data without reading outside the mapping (ASan checks
 * each byte). The reader maps files, so each input goes through one.
 *
 *===----------------------------------------------------------------------===*/

#include "FuzzInput.h"
#include "cnnrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char path[64];
  if (!write_fuzz_input(data, size, ".safetensors", path, sizeof path))
    return 0;
  char error[512];
  cnnrt_weights *weights = NULL;
  if (cnnrt_weights_open(path, &weights, error, sizeof error) == CNNRT_OK) {
    for (size_t i = 0; i < cnnrt_weights_count(weights); ++i) {
      const cnnrt_tensor *t = cnnrt_weights_at(weights, i);
      const float *values = NULL;
      if (cnnrt_weights_get_f32(weights, t->name, t->rank, t->shape, &values, error,
                                sizeof error) == CNNRT_OK) {
        size_t count = t->bytes / (t->dtype == CNNRT_F32 ? 4 : 2);
        volatile float sink = 0;
        for (size_t j = 0; j < count; ++j)
          sink += values[j];
        (void)sink;
      }
    }
    cnnrt_weights_close(weights);
  }
  unlink(path);
  return 0;
}
