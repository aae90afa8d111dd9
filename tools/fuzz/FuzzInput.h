/*===- FuzzInput.h - a fuzzer's input as a file ---------------------------===*
 *
 * The readers take paths (they map or stat their files), so each input is
 * written to a file of this process's own, named with `extension`.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNC_FUZZ_INPUT_H
#define CNNC_FUZZ_INPUT_H

#include <stdio.h>
#include <unistd.h>

/* Writes `data` to a per-process path in `path`; 0 when it cannot. */
static int write_fuzz_input(const unsigned char *data, size_t size, const char *extension,
                            char *path, size_t path_size) {
  snprintf(path, path_size, "/tmp/cnnrt-fuzz-%d%s", (int)getpid(), extension);
  FILE *f = fopen(path, "wb");
  if (!f)
    return 0;
  fwrite(data, 1, size, f);
  return fclose(f) == 0;
}

#endif /* CNNC_FUZZ_INPUT_H */
