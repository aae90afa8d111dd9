/*===- FuzzNpz.c - libFuzzer target for the .npz reader -------------------===*
 *
 * Any file must be opened or refused with a message; every array of an
 * archive that opens is read or refused with a message, and one that is
 * read gives exactly the elements its shape names (ASan checks each one).
 *
 *===----------------------------------------------------------------------===*/

#include "FuzzInput.h"
#include "cnnrt.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char path[64];
  if (!write_fuzz_input(data, size, ".npz", path, sizeof path))
    return 0;
  char error[512] = "";
  cnnrt_npz *archive = NULL;
  if (cnnrt_npz_open(path, &archive, error, sizeof error) != CNNRT_OK) {
    if (archive || !error[0])
      abort(); /* a failure must leave nothing open and say why */
    unlink(path);
    return 0;
  }
  for (size_t m = 0; m < cnnrt_npz_count(archive); ++m) {
    int rank = -1;
    int64_t shape[CNNRT_MAX_RANK];
    float *values = NULL;
    error[0] = '\0';
    if (cnnrt_npz_read(archive, cnnrt_npz_name(archive, m), &rank, shape, &values, NULL, error,
                       sizeof error) == CNNRT_OK) {
      size_t count = 1;
      for (int d = 0; d < rank; ++d)
        count *= (size_t)shape[d];
      volatile float sink = 0;
      for (size_t i = 0; i < count; ++i)
        sink += values[i];
      (void)sink;
      free(values);
    } else if (values || !error[0]) {
      abort();
    }
  }
  cnnrt_npz_close(archive);
  unlink(path);
  return 0;
}
