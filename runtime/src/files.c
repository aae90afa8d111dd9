/*===- files.c - whole files in, outputs written whole ---------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "files.h"

#include "cnnrt.h"
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cnnrt_read_whole_file(const char *path, const char *expected, unsigned char **bytes,
                          uint64_t *size, char *error, size_t error_size) {
  *bytes = NULL;
  *size = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: not a regular file; expected %s", path,
                        expected);
  }
  *bytes = malloc(st.st_size ? (size_t)st.st_size : 1);
  if (!*bytes) {
    fclose(f);
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory for its %lld bytes",
                        path, (long long)st.st_size);
  }
  size_t got = fread(*bytes, 1, (size_t)st.st_size, f);
  fclose(f);
  if (got != (size_t)st.st_size) {
    free(*bytes);
    *bytes = NULL;
    return cnnrt_report(error, error_size, CNNRT_IO,
                        "%s: read %zu of its %lld bytes (it changed while read?)", path, got,
                        (long long)st.st_size);
  }
  *size = (uint64_t)st.st_size;
  return CNNRT_OK;
}

int cnnrt_output_begin(cnnrt_output_file *out, const char *path, char *error, size_t error_size) {
  out->file = NULL;
  out->path = path;
  out->temporary[0] = '\0';
  struct stat st;
  if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: is a directory; give a file name", path);
  if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
    out->file = fopen(path, "wb");
    return out->file ? CNNRT_OK
                     : cnnrt_report(error, error_size, CNNRT_IO, "%s: cannot write: %s", path,
                                    strerror(errno));
  }
  int length = snprintf(out->temporary, sizeof out->temporary, "%s.XXXXXX", path);
  if (length < 0 || (size_t)length >= sizeof out->temporary) {
    out->temporary[0] = '\0';
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: the path is too long", path);
  }
  int descriptor = mkstemp(out->temporary);
  if (descriptor < 0 || !(out->file = fdopen(descriptor, "wb"))) {
    int why = errno;
    if (descriptor >= 0) {
      close(descriptor);
      unlink(out->temporary);
    }
    out->temporary[0] = '\0';
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: cannot write beside it: %s", path,
                        strerror(why));
  }
  /* mkstemp makes it 0600; an output is as readable as any new file. */
  mode_t mask = umask(0);
  umask(mask);
  fchmod(descriptor, 0666 & ~mask);
  return CNNRT_OK;
}

int cnnrt_output_end(cnnrt_output_file *out, int ok, char *error, size_t error_size) {
  int why = ok ? 0 : errno;
  if (fclose(out->file) != 0 && ok) {
    ok = 0;
    why = errno;
  }
  out->file = NULL;
  if (ok && out->temporary[0] && rename(out->temporary, out->path) != 0) {
    ok = 0;
    why = errno;
  }
  if (!ok && out->temporary[0])
    unlink(out->temporary);
  if (!ok)
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: write failed: %s", out->path,
                        why ? strerror(why) : "short write");
  return CNNRT_OK;
}
