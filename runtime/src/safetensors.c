/*===- safetensors.c - weights in the safetensors format ------------------===*
 *
 * The format: 8 bytes of little-endian header length N, N bytes of JSON
 * ({name: {"dtype", "shape", "data_offsets": [begin, end]}}, plus an optional
 * "__metadata__" object), then the raw data, offsets relative to its start.
 * The file is read whole into memory the session owns (not mapped: a file
 * rewritten or truncated after open would change the weights under a
 * running model, or kill it with SIGBUS); f32 tensors are used in place.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L

#include "cnnrt.h"
#include "files.h"
#include "json.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cnnrt_weights {
  char *path;
  unsigned char *map; /* the file's bytes, owned */
  size_t map_size;
  size_t count;
  cnnrt_tensor *tensors;
  char **names;      /* owned; tensors[i].name points here */
  float **converted; /* per tensor: f16/bf16 data converted to f32, or NULL */
  const cnnrt_tensor **by_name; /* sorted by name, for lookups and duplicates */
};

/* The safetensors reference implementation's own bound on the header. */
enum { MAX_HEADER_BYTES = 100 << 20 };


static const struct {
  const char *name;
  cnnrt_dtype dtype;
  size_t size;
} dtypes[] = {
    {"F32", CNNRT_F32, 4}, {"F16", CNNRT_F16, 2}, {"BF16", CNNRT_BF16, 2},
    {"F64", CNNRT_F64, 8}, {"I64", CNNRT_I64, 8}, {"I32", CNNRT_I32, 4},
    {"I16", CNNRT_I16, 2}, {"I8", CNNRT_I8, 1},   {"U8", CNNRT_U8, 1},
    {"BOOL", CNNRT_BOOL, 1},
};

static const char *dtype_name(cnnrt_dtype dtype) {
  for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; ++i)
    if (dtypes[i].dtype == dtype)
      return dtypes[i].name;
  return "?";
}

static void format_shape(char *out, size_t size, int rank, const int64_t *shape) {
  size_t used = (size_t)snprintf(out, size, "[");
  for (int i = 0; i < rank && used < size; ++i)
    used += (size_t)snprintf(out + used, size - used, "%s%lld", i ? ", " : "",
                             (long long)shape[i]);
  if (used < size)
    snprintf(out + used, size - used, "]");
}

void cnnrt_weights_close(cnnrt_weights *w) {
  if (!w)
    return;
  free(w->map);
  for (size_t i = 0; i < w->count; ++i) {
    free(w->names[i]);
    free(w->converted[i]);
  }
  free(w->tensors);
  free(w->names);
  free(w->converted);
  free(w->by_name);
  free(w->path);
  free(w);
}

static int compare_begin(const void *a, const void *b) {
  const cnnrt_tensor *x = *(const cnnrt_tensor *const *)a;
  const cnnrt_tensor *y = *(const cnnrt_tensor *const *)b;
  const unsigned char *p = x->data, *q = y->data;
  return p < q ? -1 : p > q;
}

static int compare_name(const void *a, const void *b) {
  return strcmp((*(const cnnrt_tensor *const *)a)->name, (*(const cnnrt_tensor *const *)b)->name);
}

static int compare_string(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts the tensors by name (refusing a name given twice) and checks that
 * no two non-empty tensors share bytes; O(n log n) for any header. */
static int index_tensors(cnnrt_weights *w, char *error, size_t error_size) {
  if (!w->count)
    return CNNRT_OK;
  w->by_name = malloc(w->count * sizeof *w->by_name);
  const cnnrt_tensor **order = malloc(w->count * sizeof *order);
  if (!w->by_name || !order) {
    free(order);
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", w->path);
  }
  for (size_t i = 0; i < w->count; ++i)
    w->by_name[i] = order[i] = &w->tensors[i];
  qsort(w->by_name, w->count, sizeof *w->by_name, compare_name);
  int status = CNNRT_OK;
  for (size_t i = 1; i < w->count && status == CNNRT_OK; ++i)
    if (strcmp(w->by_name[i - 1]->name, w->by_name[i]->name) == 0)
      status = cnnrt_report(error, error_size, CNNRT_FORMAT,
                            "%s: tensor '%s' appears twice in the header", w->path,
                            w->by_name[i]->name);
  /* Empty tensors hold no bytes, so they overlap nothing wherever they start. */
  qsort(order, w->count, sizeof *order, compare_begin);
  const cnnrt_tensor *previous = NULL;
  for (size_t i = 0; i < w->count && status == CNNRT_OK; ++i) {
    if (!order[i]->bytes)
      continue;
    if (previous &&
        (const unsigned char *)order[i]->data <
            (const unsigned char *)previous->data + previous->bytes)
      status = cnnrt_report(error, error_size, CNNRT_FORMAT,
                            "%s: tensors '%s' and '%s' overlap in the data section", w->path,
                            previous->name, order[i]->name);
    previous = order[i];
  }
  free(order);
  return status;
}

/* Reads one header entry into `t`; `data` and `data_size` bound the data. */
static int read_entry(cnnrt_weights *w, const char *name, const json_value *entry,
                      const unsigned char *data, size_t data_size, cnnrt_tensor *t,
                      char *error, size_t error_size) {
  const char *path = w->path;
  const json_value *dtype = cnnrt_json_get(entry, "dtype");
  const json_value *shape = cnnrt_json_get(entry, "shape");
  const json_value *offsets = cnnrt_json_get(entry, "data_offsets");
  if (entry->kind != JSON_OBJECT || !dtype || dtype->kind != JSON_STRING || !shape ||
      shape->kind != JSON_ARRAY || !offsets || offsets->kind != JSON_ARRAY ||
      offsets->count != 2)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                  "%s: tensor '%s': header entry needs \"dtype\" (a string), \"shape\" "
                  "(a list) and \"data_offsets\" ([begin, end])", path, name);
  size_t item = 0;
  for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; ++i)
    if (strcmp(dtype->string, dtypes[i].name) == 0) {
      t->dtype = dtypes[i].dtype;
      item = dtypes[i].size;
    }
  if (!item)
    return cnnrt_report(error, error_size, CNNRT_DTYPE, "%s: tensor '%s': unknown dtype '%s'",
                  path, name, dtype->string);
  if (shape->count > CNNRT_MAX_RANK)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                  "%s: tensor '%s': rank %zu exceeds %d", path, name, shape->count,
                  CNNRT_MAX_RANK);
  t->rank = (int)shape->count;
  uint64_t elements = 1;
  for (size_t i = 0; i < shape->count; ++i) {
    const json_value *d = &shape->items[i];
    if (d->kind != JSON_NUMBER || !d->is_integer || d->integer < 0)
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                    "%s: tensor '%s': shape entries must be non-negative integers", path,
                    name);
    t->shape[i] = d->integer;
    if (d->integer && elements > UINT64_MAX / 16 / (uint64_t)d->integer)
      return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: tensor '%s': shape too large",
                    path, name);
    elements *= (uint64_t)d->integer;
  }
  const json_value *b = &offsets->items[0], *e = &offsets->items[1];
  if (b->kind != JSON_NUMBER || !b->is_integer || e->kind != JSON_NUMBER ||
      !e->is_integer || b->integer < 0 || e->integer < b->integer)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                  "%s: tensor '%s': data_offsets must be integers with 0 <= begin <= end",
                  path, name);
  uint64_t begin = (uint64_t)b->integer, end = (uint64_t)e->integer;
  if (end - begin != elements * item) {
    char text[160];
    format_shape(text, sizeof text, t->rank, t->shape);
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                  "%s: tensor '%s': %s %s needs %llu bytes but data_offsets [%llu, %llu] "
                  "span %llu", path, name, dtype->string, text,
                  (unsigned long long)(elements * item), (unsigned long long)begin,
                  (unsigned long long)end, (unsigned long long)(end - begin));
  }
  if (end > data_size)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                  "%s: tensor '%s': data is truncated: it ends at byte %llu of the data "
                  "section, which has %zu bytes", path, name, (unsigned long long)end,
                  data_size);
  t->data = data + begin;
  t->bytes = (size_t)(end - begin);
  return CNNRT_OK;
}

int cnnrt_weights_open(const char *path, cnnrt_weights **out, char *error,
                       size_t error_size) {
  *out = NULL;
  unsigned char *bytes;
  uint64_t file_size;
  int status =
      cnnrt_read_whole_file(path, "a safetensors file", &bytes, &file_size, error, error_size);
  if (status)
    return status;
  size_t size = (size_t)file_size;
  if (size < 8) {
    free(bytes);
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: %zu bytes is too short for a safetensors file (8-byte header "
                        "length first)",
                        path, size);
  }
  unsigned char *map = bytes;

  cnnrt_weights *w = calloc(1, sizeof *w);
  if (!w) {
    free(map);
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", path);
  }
  w->path = strdup(path);
  w->map = map;
  w->map_size = size;

  uint64_t header = 0;
  for (int i = 7; i >= 0; --i)
    header = header << 8 | w->map[i];
  if (header > size - 8) {
    cnnrt_weights_close(w);
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                  "%s: header length %llu goes beyond the file (%zu bytes after the "
                  "length)", path, (unsigned long long)header, size - 8);
  }
  if (header > MAX_HEADER_BYTES) {
    cnnrt_weights_close(w);
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: header of %llu bytes is longer than the %d allowed", path,
                        (unsigned long long)header, MAX_HEADER_BYTES);
  }
  json_value root;
  char message[256];
  if (cnnrt_json_parse((const char *)w->map + 8, (size_t)header, &root, message,
                 sizeof message) != 0) {
    cnnrt_weights_close(w);
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: %s", path, message);
  }
  if (root.kind != JSON_OBJECT) {
    cnnrt_json_free(&root);
    cnnrt_weights_close(w);
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                  "%s: the header must be a JSON object", path);
  }
  w->tensors = calloc(root.count ? root.count : 1, sizeof *w->tensors);
  w->names = calloc(root.count ? root.count : 1, sizeof *w->names);
  w->converted = calloc(root.count ? root.count : 1, sizeof *w->converted);
  if (!w->tensors || !w->names || !w->converted) {
    cnnrt_json_free(&root);
    cnnrt_weights_close(w);
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", path);
  }
  const unsigned char *data = w->map + 8 + header;
  size_t data_size = size - 8 - (size_t)header;
  status = CNNRT_OK;
  for (size_t i = 0; i < root.count && status == CNNRT_OK; ++i) {
    if (strcmp(root.keys[i], "__metadata__") == 0)
      continue;
    cnnrt_tensor *t = &w->tensors[w->count];
    if (!(w->names[w->count] = strdup(root.keys[i]))) {
      status = cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", path);
      break;
    }
    t->name = w->names[w->count];
    w->count++;
    status = read_entry(w, root.keys[i], &root.items[i], data, data_size, t, error,
                        error_size);
  }
  cnnrt_json_free(&root);
  if (status == CNNRT_OK)
    status = index_tensors(w, error, error_size);
  if (status != CNNRT_OK) {
    cnnrt_weights_close(w);
    return status;
  }
  *out = w;
  return CNNRT_OK;
}

size_t cnnrt_weights_count(const cnnrt_weights *w) { return w->count; }

const cnnrt_tensor *cnnrt_weights_at(const cnnrt_weights *w, size_t index) {
  return index < w->count ? &w->tensors[index] : NULL;
}

const cnnrt_tensor *cnnrt_weights_find(const cnnrt_weights *w, const char *name) {
  if (!w->count)
    return NULL;
  cnnrt_tensor key = {.name = name};
  const cnnrt_tensor *wanted = &key;
  const cnnrt_tensor **found =
      bsearch(&wanted, w->by_name, w->count, sizeof *w->by_name, compare_name);
  return found ? *found : NULL;
}

int cnnrt_weights_get_f32(cnnrt_weights *w, const char *name, int rank,
                          const int64_t *shape, const float **data, char *error,
                          size_t error_size) {
  const cnnrt_tensor *t = cnnrt_weights_find(w, name);
  if (!t)
    return cnnrt_report(error, error_size, CNNRT_MISSING, "%s: missing tensor '%s'", w->path,
                  name);
  int same = t->rank == rank;
  for (int i = 0; same && i < rank; ++i)
    same = t->shape[i] == shape[i];
  if (!same) {
    char expected[160], found[160];
    format_shape(expected, sizeof expected, rank, shape);
    format_shape(found, sizeof found, t->rank, t->shape);
    return cnnrt_report(error, error_size, CNNRT_SHAPE,
                  "%s: tensor '%s' has shape %s, expected %s", w->path, name, found,
                  expected);
  }
  size_t index = (size_t)(t - w->tensors);
  size_t count = 1;
  for (int i = 0; i < rank; ++i)
    count *= (size_t)shape[i];
  switch (t->dtype) {
  case CNNRT_F32:
    if (((uintptr_t)t->data & 3) == 0) {
      *data = t->data;
      return CNNRT_OK;
    }
    break; /* misaligned: copy below */
  case CNNRT_F16:
  case CNNRT_BF16:
    break;
  default:
    return cnnrt_report(error, error_size, CNNRT_DTYPE,
                  "%s: tensor '%s' has dtype %s; weights must be F32, F16 or BF16",
                  w->path, name, dtype_name(t->dtype));
  }
  if (!w->converted[index]) {
    float *out = malloc(count ? count * sizeof *out : 1);
    if (!out)
      return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", w->path);
    const unsigned char *bytes = t->data;
    for (size_t i = 0; i < count; ++i) {
      if (t->dtype == CNNRT_F32) {
        memcpy(&out[i], bytes + 4 * i, 4);
      } else {
        uint16_t h = (uint16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8);
        if (t->dtype == CNNRT_F16) {
          out[i] = cnnrt_half_to_float(h);
        } else {
          uint32_t bits = (uint32_t)h << 16;
          memcpy(&out[i], &bits, sizeof bits);
        }
      }
    }
    w->converted[index] = out;
  }
  *data = w->converted[index];
  return CNNRT_OK;
}

static int is_training_counter(const char *name) {
  const char *suffix = "num_batches_tracked";
  size_t n = strlen(name), m = strlen(suffix);
  return n >= m && strcmp(name + n - m, suffix) == 0;
}

int cnnrt_weights_expect_names(const cnnrt_weights *w, size_t count,
                               const char *const *names, char *error,
                               size_t error_size) {
  for (size_t i = 0; i < count; ++i)
    if (!cnnrt_weights_find(w, names[i]))
      return cnnrt_report(error, error_size, CNNRT_MISSING,
                    "%s: missing tensor '%s' (the model has %zu parameters, the file %zu "
                    "tensors)", w->path, names[i], count, w->count);
  const char **sorted = malloc((count ? count : 1) * sizeof *sorted);
  if (!sorted)
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", w->path);
  memcpy(sorted, names, count * sizeof *sorted);
  qsort(sorted, count, sizeof *sorted, compare_string);
  int status = CNNRT_OK;
  for (size_t i = 0; i < w->count && status == CNNRT_OK; ++i) {
    const char *name = w->tensors[i].name;
    if (!is_training_counter(name) &&
        !bsearch(&name, sorted, count, sizeof *sorted, compare_string))
      status = cnnrt_report(error, error_size, CNNRT_EXTRA,
                            "%s: extra tensor '%s': the model has no parameter of that name",
                            w->path, name);
  }
  free(sorted);
  return status;
}

/* JSON-escapes a tensor name into `out` (names are plain, but be safe). */
static int write_escaped(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\')
      fprintf(f, "\\%c", c);
    else if (c < 0x20)
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  return fputc('"', f);
}

int cnnrt_weights_write(const char *path, size_t count, const char *const *names,
                        const int *ranks, const int64_t *const *shapes,
                        const float *const *data, char *error, size_t error_size) {
  /* The header is written twice: once to measure it, once for real. */
  char *header = NULL;
  size_t header_size = 0;
  FILE *memory = open_memstream(&header, &header_size);
  if (!memory)
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", path);
  uint64_t offset = 0;
  fputc('{', memory);
  for (size_t i = 0; i < count; ++i) {
    uint64_t elements = 1;
    for (int d = 0; d < ranks[i]; ++d)
      elements *= (uint64_t)shapes[i][d];
    if (i)
      fputc(',', memory);
    write_escaped(memory, names[i]);
    fprintf(memory, ":{\"dtype\":\"F32\",\"shape\":[");
    for (int d = 0; d < ranks[i]; ++d)
      fprintf(memory, "%s%lld", d ? "," : "", (long long)shapes[i][d]);
    fprintf(memory, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)offset,
            (unsigned long long)(offset + 4 * elements));
    offset += 4 * elements;
  }
  fputc('}', memory);
  fclose(memory);
  /* Pad with spaces so the data starts 8-byte aligned. */
  size_t padded = (header_size + 7) / 8 * 8;

  /* A new file renamed into place: a session that has the old one open
   * keeps reading what it read. */
  cnnrt_output_file out;
  int status = cnnrt_output_begin(&out, path, error, error_size);
  if (status) {
    free(header);
    return status;
  }
  FILE *f = out.file;
  unsigned char length[8];
  for (int i = 0; i < 8; ++i)
    length[i] = (unsigned char)((uint64_t)padded >> (8 * i));
  int ok = fwrite(length, 1, 8, f) == 8 && fwrite(header, 1, header_size, f) == header_size;
  for (size_t i = header_size; ok && i < padded; ++i)
    ok = fputc(' ', f) != EOF;
  free(header);
  for (size_t i = 0; ok && i < count; ++i) {
    size_t elements = 1;
    for (int d = 0; d < ranks[i]; ++d)
      elements *= (size_t)shapes[i][d];
    ok = fwrite(data[i], sizeof(float), elements, f) == elements;
  }
  return cnnrt_output_end(&out, ok, error, error_size);
}
