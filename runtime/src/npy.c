/*===- npy.c - NumPy .npy tensors (f32, C order) --------------------------===*
 *
 * The format: "\x93NUMPY", a version, a header length, and a Python dict
 * literal {'descr': '<f4', 'fortran_order': False, 'shape': (...), } padded
 * to 64 bytes, then the raw data.
 *
 * The header comes from elsewhere, so it is parsed as the dict literal it
 * is (no searching for keys inside other values), every read is bounded by
 * its length, and the shape is checked against the file's size before any
 * allocation.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "files.h"
#include "npy.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A cursor over the header text; `end` bounds every read. */
typedef struct {
  const char *at, *end;
} cursor;

static void skip_space(cursor *c) {
  while (c->at < c->end && (*c->at == ' ' || *c->at == '\t' || *c->at == '\n' || *c->at == '\r'))
    c->at++;
}

static int take(cursor *c, char expected) {
  skip_space(c);
  if (c->at < c->end && *c->at == expected) {
    c->at++;
    return 1;
  }
  return 0;
}

/* A quoted Python string without escapes (all the format writes), copied
 * into `out`; 0 when malformed or longer than `size` - 1. */
static int take_string(cursor *c, char *out, size_t size) {
  skip_space(c);
  if (c->at >= c->end || (*c->at != '\'' && *c->at != '"'))
    return 0;
  char quote = *c->at++;
  size_t n = 0;
  while (c->at < c->end && *c->at != quote) {
    if (*c->at == '\\' || n + 1 >= size)
      return 0;
    out[n++] = *c->at++;
  }
  if (c->at >= c->end)
    return 0;
  c->at++;
  out[n] = '\0';
  return 1;
}

static int take_word(cursor *c, const char *word) {
  skip_space(c);
  size_t n = strlen(word);
  if ((size_t)(c->end - c->at) < n || memcmp(c->at, word, n) != 0)
    return 0;
  c->at += n;
  return 1;
}

/* A tuple of non-negative integers: (), (3,), (1, 3, 224, 224). */
static int take_shape(cursor *c, int *rank, int64_t shape[CNNRT_MAX_RANK]) {
  if (!take(c, '('))
    return 0;
  *rank = 0;
  for (;;) {
    if (take(c, ')'))
      return 1;
    skip_space(c);
    if (c->at >= c->end || *c->at < '0' || *c->at > '9' || *rank == CNNRT_MAX_RANK)
      return 0;
    int64_t d = 0;
    while (c->at < c->end && *c->at >= '0' && *c->at <= '9') {
      if (d > (INT64_MAX - 9) / 10)
        return 0;
      d = d * 10 + (*c->at++ - '0');
    }
    shape[(*rank)++] = d;
    if (!take(c, ',')) {
      if (*rank == 1 && take(c, ')'))
        return 0; /* (3) is an int in Python, not a tuple */
      return take(c, ')');
    }
  }
}

typedef struct {
  char descr[16];
  int fortran_order, rank;
  int64_t shape[CNNRT_MAX_RANK];
} npy_header;

/* Parses the dict; returns NULL or what is wrong with it. */
static const char *parse_header(const char *text, size_t length, npy_header *h) {
  cursor c = {text, text + length};
  int seen_descr = 0, seen_order = 0, seen_shape = 0;
  if (!take(&c, '{'))
    return "the header is not a dict";
  while (!take(&c, '}')) {
    char key[32];
    if (!take_string(&c, key, sizeof key) || !take(&c, ':'))
      return "the header dict is malformed";
    if (!strcmp(key, "descr")) {
      if (seen_descr++ || !take_string(&c, h->descr, sizeof h->descr))
        return "'descr' is repeated or not a short string";
    } else if (!strcmp(key, "fortran_order")) {
      if (seen_order++)
        return "'fortran_order' is repeated";
      if (take_word(&c, "True"))
        h->fortran_order = 1;
      else if (!take_word(&c, "False"))
        return "'fortran_order' is neither True nor False";
    } else if (!strcmp(key, "shape")) {
      if (seen_shape++ || !take_shape(&c, &h->rank, h->shape))
        return "'shape' is repeated or not a tuple of at most 8 non-negative integers";
    } else {
      return "the header has a key other than 'descr', 'fortran_order' and 'shape'";
    }
    if (!take(&c, ',')) {
      if (!take(&c, '}'))
        return "the header dict is malformed";
      break;
    }
  }
  skip_space(&c);
  if (c.at != c.end)
    return "text follows the header dict";
  if (!seen_descr || !seen_order || !seen_shape)
    return "the header lacks 'descr', 'fortran_order' or 'shape'";
  return NULL;
}

/* The element types read, and the float32 each element becomes. */
typedef struct {
  const char *descr, *name;
  size_t bytes;
} npy_dtype;

static const npy_dtype dtypes[] = {
    {"<f4", "float32", 4}, {"<f8", "float64", 8}, {"<f2", "float16", 2}};

static void convert_to_f32(const npy_dtype *type, const unsigned char *raw, uint64_t count,
                           float *out) {
  for (uint64_t i = 0; i < count; ++i) {
    if (type->bytes == 8) {
      double d;
      memcpy(&d, raw + i * 8, 8);
      out[i] = (float)d;
    } else {
      uint16_t h;
      memcpy(&h, raw + i * 2, 2);
      out[i] = cnnrt_half_to_float(h);
    }
  }
}

int cnnrt_npy_read_f32(const char *path, int *rank, int64_t shape[CNNRT_MAX_RANK],
                       float **data, char *error, size_t error_size) {
  return cnnrt_npy_read(path, rank, shape, data, NULL, error, error_size);
}

int cnnrt_npy_parse(const char *label, const unsigned char *bytes, uint64_t size, int *rank,
                    int64_t shape[CNNRT_MAX_RANK], float **data, const char **converted_from,
                    char *error, size_t error_size) {
  *data = NULL;
  if (converted_from)
    *converted_from = NULL;
  *rank = 0;
  if (size < 10 || memcmp(bytes, "\x93NUMPY", 6) != 0)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: not a .npy file (no \\x93NUMPY magic)", label);
  uint64_t header_length, header_start = 10;
  if (bytes[6] == 1) {
    header_length = bytes[8] | (uint64_t)bytes[9] << 8;
  } else if (bytes[6] == 2 || bytes[6] == 3) {
    if (size < 12)
      return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: truncated header", label);
    header_length = bytes[8] | (uint64_t)bytes[9] << 8 | (uint64_t)bytes[10] << 16 |
                    (uint64_t)bytes[11] << 24;
    header_start = 12;
  } else {
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: unknown .npy version %d", label,
                        bytes[6]);
  }
  if (header_length > 1 << 16)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: header of %llu bytes is too long (at most 65536)", label,
                        (unsigned long long)header_length);
  if (header_start + header_length > size)
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: truncated header", label);
  npy_header h = {0};
  const char *problem =
      parse_header((const char *)bytes + header_start, (size_t)header_length, &h);
  if (problem)
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: %s", label, problem);
  const npy_dtype *type = NULL;
  for (size_t t = 0; t < sizeof dtypes / sizeof *dtypes; ++t)
    if (!strcmp(h.descr, dtypes[t].descr))
      type = &dtypes[t];
  if (!type)
    return cnnrt_report(error, error_size, CNNRT_DTYPE,
                        "%s: dtype '%s'; read are little-endian float32, float64 and float16 "
                        "('<f4', '<f8', '<f2')",
                        label, h.descr);
  if (h.fortran_order)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: Fortran-ordered data; save it in C order", label);
  /* The data's size must match the shape, checked before allocating it. */
  const unsigned char *raw = bytes + header_start + header_length;
  uint64_t available = size - header_start - header_length;
  uint64_t count = 1, held = available / type->bytes;
  int overflow = 0;
  for (int d = 0; d < h.rank; ++d) {
    if (h.shape[d] == 0) {
      count = 0;
      overflow = 0;
      break;
    }
    overflow |= __builtin_mul_overflow(count, (uint64_t)h.shape[d], &count);
  }
  if (overflow)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: truncated data: the shape needs more than 2^64 floats, the file "
                        "holds %llu",
                        label, (unsigned long long)held);
  if (count > held)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: truncated data: the shape needs %llu floats, the file holds %llu",
                        label, (unsigned long long)count, (unsigned long long)held);
  if (count * type->bytes < available)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: data continues past the %llu floats the shape needs", label,
                        (unsigned long long)count);
  *data = malloc(count ? (size_t)count * sizeof(float) : 1);
  if (!*data)
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory for %llu floats",
                        label, (unsigned long long)count);
  if (type->bytes == 4) {
    memcpy(*data, raw, (size_t)count * 4);
  } else {
    convert_to_f32(type, raw, count, *data);
    if (converted_from)
      *converted_from = type->name;
  }
  *rank = h.rank;
  memcpy(shape, h.shape, sizeof(int64_t) * (size_t)h.rank);
  return CNNRT_OK;
}

int cnnrt_npy_read(const char *path, int *rank, int64_t shape[CNNRT_MAX_RANK], float **data,
                   const char **converted_from, char *error, size_t error_size) {
  *data = NULL;
  *rank = 0;
  if (converted_from)
    *converted_from = NULL;
  unsigned char *bytes;
  uint64_t size;
  int status = cnnrt_read_whole_file(path, "a .npy file", &bytes, &size, error, error_size);
  if (status != CNNRT_OK)
    return status;
  status = cnnrt_npy_parse(path, bytes, size, rank, shape, data, converted_from, error,
                           error_size);
  free(bytes);
  return status;
}

size_t cnnrt_npy_header(int rank, const int64_t *shape, unsigned char out[CNNRT_NPY_HEADER_MAX]) {
  char dict[CNNRT_NPY_HEADER_MAX];
  int used = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
  for (int i = 0; i < rank && used > 0 && (size_t)used < sizeof dict; ++i)
    used += snprintf(dict + used, sizeof dict - (size_t)used, "%lld%s", (long long)shape[i],
                     rank == 1 || i + 1 < rank ? ", " : "");
  if (used > 0 && (size_t)used < sizeof dict)
    used += snprintf(dict + used, sizeof dict - (size_t)used, "), }");
  /* Magic (6) + version (2) + length (2) + dict + newline, padded to 64. */
  size_t total = (10 + (size_t)used + 1 + 63) / 64 * 64;
  if (used <= 0 || total > CNNRT_NPY_HEADER_MAX)
    return 0;
  size_t header_length = total - 10;
  const unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                    (unsigned char)(header_length & 0xFF),
                                    (unsigned char)(header_length >> 8)};
  memcpy(out, prefix, 10);
  memcpy(out + 10, dict, (size_t)used);
  memset(out + 10 + used, ' ', total - 10 - (size_t)used - 1);
  out[total - 1] = '\n';
  return total;
}

int cnnrt_npy_write_f32(const char *path, int rank, const int64_t *shape, const float *data,
                        char *error, size_t error_size) {
  unsigned char header[CNNRT_NPY_HEADER_MAX];
  size_t length = cnnrt_npy_header(rank, shape, header);
  if (!length)
    return cnnrt_report(error, error_size, CNNRT_USAGE, "%s: the shape does not fit a header",
                        path);
  size_t count = 1;
  for (int i = 0; i < rank; ++i)
    count *= (size_t)shape[i];
  cnnrt_output_file out;
  int status = cnnrt_output_begin(&out, path, error, error_size);
  if (status)
    return status;
  int ok = fwrite(header, 1, length, out.file) == length &&
           fwrite(data, sizeof(float), count, out.file) == count;
  return cnnrt_output_end(&out, ok, error, error_size);
}
