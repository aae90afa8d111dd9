/*===- npy.c - NumPy .npy tensors (f32, C order) --------------------------===*
 *
 * The format: "\x93NUMPY", a version, a header length, and a Python dict
 * literal {'descr': '<f4', 'fortran_order': False, 'shape': (...), } padded
 * to 64 bytes, then the raw data.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "cnnrt.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* The text after `'key':` in the header dict, spaces skipped; NULL if absent. */
static const char *dict_value(const char *header, const char *key) {
  char quoted[32];
  snprintf(quoted, sizeof quoted, "'%s'", key);
  const char *at = strstr(header, quoted);
  if (!at)
    return NULL;
  at += strlen(quoted);
  while (*at == ' ')
    at++;
  if (*at != ':')
    return NULL;
  at++;
  while (*at == ' ')
    at++;
  return at;
}

int cnnrt_npy_read_f32(const char *path, int *rank, int64_t shape[CNNRT_MAX_RANK],
                       float **data, char *error, size_t error_size) {
  *data = NULL;
  FILE *f = fopen(path, "rb");
  if (!f)
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: cannot open: %s", path,
                  strerror(errno));
  unsigned char prefix[10];
  if (fread(prefix, 1, 10, f) != 10 || memcmp(prefix, "\x93NUMPY", 6) != 0) {
    fclose(f);
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: not a .npy file (no \\x93NUMPY magic)",
                  path);
  }
  size_t header_length;
  if (prefix[6] == 1) {
    header_length = prefix[8] | (size_t)prefix[9] << 8;
  } else if (prefix[6] == 2 || prefix[6] == 3) {
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2) {
      fclose(f);
      return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: truncated header", path);
    }
    header_length = prefix[8] | (size_t)prefix[9] << 8 | (size_t)more[0] << 16 |
                    (size_t)more[1] << 24;
  } else {
    fclose(f);
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: unknown .npy version %d", path,
                  prefix[6]);
  }
  if (header_length > 1 << 20) {
    fclose(f);
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: header of %zu bytes is too long",
                  path, header_length);
  }
  char *header = malloc(header_length + 1);
  if (!header || fread(header, 1, header_length, f) != header_length) {
    free(header);
    fclose(f);
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: truncated header", path);
  }
  header[header_length] = '\0';

  int status = CNNRT_OK;
  const char *descr = dict_value(header, "descr");
  const char *order = dict_value(header, "fortran_order");
  const char *dims = dict_value(header, "shape");
  if (!descr || !order || !dims || *dims != '(')
    status = cnnrt_report(error, error_size, CNNRT_FORMAT,
                    "%s: header lacks 'descr', 'fortran_order' or 'shape'", path);
  else if (strncmp(descr, "'<f4'", 5) != 0) {
    const char *end = strchr(descr + 1, '\'');
    int n = end ? (int)(end - descr + 1) : 8;
    status = cnnrt_report(error, error_size, CNNRT_DTYPE,
                    "%s: dtype %.*s; only little-endian float32 ('<f4') is read", path, n,
                    descr);
  } else if (strncmp(order, "False", 5) != 0)
    status = cnnrt_report(error, error_size, CNNRT_FORMAT,
                    "%s: Fortran-ordered data; save it in C order", path);
  size_t count = 1;
  *rank = 0;
  if (status == CNNRT_OK) {
    const char *p = dims + 1;
    for (;;) {
      while (*p == ' ' || *p == ',')
        p++;
      if (*p == ')')
        break;
      char *end;
      long long d = strtoll(p, &end, 10);
      if (end == p || d < 0 || *rank == CNNRT_MAX_RANK) {
        status = cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: bad shape in header", path);
        break;
      }
      shape[(*rank)++] = d;
      if (d && count > SIZE_MAX / 8 / (size_t)d) {
        status = cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: shape too large", path);
        break;
      }
      count *= (size_t)d;
      p = end;
    }
  }
  free(header);
  if (status == CNNRT_OK) {
    *data = malloc(count ? count * sizeof(float) : 1);
    if (!*data)
      status = cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", path);
    else if (fread(*data, sizeof(float), count, f) != count) {
      status = cnnrt_report(error, error_size, CNNRT_FORMAT,
                      "%s: truncated data: the shape needs %zu floats", path, count);
    } else if (fgetc(f) != EOF) {
      status = cnnrt_report(error, error_size, CNNRT_FORMAT,
                      "%s: data continues past the %zu floats the shape needs", path, count);
    }
    if (status != CNNRT_OK) {
      free(*data);
      *data = NULL;
    }
  }
  fclose(f);
  return status;
}

int cnnrt_npy_write_f32(const char *path, int rank, const int64_t *shape,
                        const float *data, char *error, size_t error_size) {
  char dict[512];
  int used = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    used += snprintf(dict + used, sizeof dict - (size_t)used, "%lld%s", (long long)shape[i],
                     rank == 1 || i + 1 < rank ? ", " : "");
    count *= (size_t)shape[i];
  }
  used += snprintf(dict + used, sizeof dict - (size_t)used, "), }");
  /* Magic (6) + version (2) + length (2) + dict + newline, padded to 64. */
  size_t total = (10 + (size_t)used + 1 + 63) / 64 * 64;
  size_t header_length = total - 10;
  FILE *f = fopen(path, "wb");
  if (!f)
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: cannot write: %s", path,
                  strerror(errno));
  unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                              (unsigned char)(header_length & 0xFF),
                              (unsigned char)(header_length >> 8)};
  int ok = fwrite(prefix, 1, 10, f) == 10 && fwrite(dict, 1, (size_t)used, f) == (size_t)used;
  for (size_t i = 10 + (size_t)used; ok && i + 1 < total; ++i)
    ok = fputc(' ', f) != EOF;
  ok = ok && fputc('\n', f) != EOF && fwrite(data, sizeof(float), count, f) == count;
  if (fclose(f) != 0 || !ok)
    return cnnrt_report(error, error_size, CNNRT_IO, "%s: write failed: %s", path,
                  strerror(errno));
  return CNNRT_OK;
}
