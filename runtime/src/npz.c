/*===- npz.c - NumPy .npz archives: named .npy arrays in a zip file -------===*
 *
 * np.savez writes a zip archive whose members are .npy files named after
 * the arrays ("x.npy"), stored; np.savez_compressed deflates them. NumPy
 * asks for zip64 local headers even for small members, so sizes and
 * offsets are taken from the central directory (with its zip64 fields where
 * present), and the local header only gives where the data starts.
 *
 * The archive comes from elsewhere: the whole file is read at open, every
 * offset and size is checked against it, a deflated member may not claim
 * more than deflate can produce from its bytes (no zip bombs), and each
 * member's CRC-32 is checked once it is unpacked.
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
#define ZLIB_CONST /* next_in points at the archive, which is not written */
#include <zlib.h>

enum {
  kLocalSignature = 0x04034b50,
  kCentralSignature = 0x02014b50,
  kEndSignature = 0x06054b50,
  kEnd64Signature = 0x06064b50,
  kEnd64LocatorSignature = 0x07064b50,
  kMaxMembers = 65536,
  kMaxName = 1024,
  kDeflateMaxRatio = 1032, /* deflate's best compression ratio */
};

typedef struct {
  char *name;           /* the array's name: the member's without ".npy" */
  uint64_t offset;      /* of the member's local header */
  uint64_t packed_size; /* as stored */
  uint64_t size;        /* unpacked */
  uint32_t crc;
  int method; /* 0 stored, 8 deflated */
} npz_member;

struct cnnrt_npz {
  char *path;
  unsigned char *bytes;
  uint64_t size;
  npz_member *members;
  size_t count;
};

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const unsigned char *p) {
  return (uint32_t)u16(p) | (uint32_t)u16(p + 2) << 16;
}
static uint64_t u64(const unsigned char *p) {
  return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32;
}

/* The end of central directory record: its offset, searched backwards
 * over the longest comment it may carry; -1 when there is none. */
static int64_t find_end(const unsigned char *bytes, uint64_t size) {
  if (size < 22)
    return -1;
  uint64_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
  for (uint64_t at = size - 22 + 1; at-- > lowest;)
    if (u32(bytes + at) == kEndSignature && at + 22 + u16(bytes + at + 20) == size)
      return (int64_t)at;
  return -1;
}

/* Replaces the central directory's 0xFFFFFFFF fields by the zip64 extra
 * field's values, in the order the format gives them. */
static int read_zip64_extra(const unsigned char *extra, size_t length, npz_member *m) {
  while (length >= 4) {
    uint16_t id = u16(extra), size = u16(extra + 2);
    if ((size_t)size + 4 > length)
      return 0;
    if (id == 1) {
      const unsigned char *field = extra + 4, *end = extra + 4 + size;
      uint64_t *values[] = {&m->size, &m->packed_size, &m->offset};
      for (int i = 0; i < 3; ++i)
        if (*values[i] == 0xFFFFFFFFu) {
          if (end - field < 8)
            return 0;
          *values[i] = u64(field);
          field += 8;
        }
      return 1;
    }
    extra += 4 + size;
    length -= 4 + (size_t)size;
  }
  return 1;
}

static int read_directory(cnnrt_npz *archive, char *error, size_t error_size) {
  const unsigned char *bytes = archive->bytes;
  uint64_t size = archive->size;
  int64_t end = find_end(bytes, size);
  if (end < 0)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: not an .npz file (no zip directory at its end)", archive->path);
  const unsigned char *e = bytes + end;
  if (u16(e + 4) != 0 || u16(e + 6) != 0)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: a zip archive split over several files", archive->path);
  uint64_t count = u16(e + 10), directory_size = u32(e + 12), directory = u32(e + 16);
  if (count == 0xFFFF || directory_size == 0xFFFFFFFFu || directory == 0xFFFFFFFFu) {
    /* zip64: a locator just before the record points at the zip64 end. */
    if (end < 20 || u32(bytes + end - 20) != kEnd64LocatorSignature)
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: zip64 sizes without a zip64 end record", archive->path);
    uint64_t at = u64(bytes + end - 20 + 8);
    if (at > size - 56 || u32(bytes + at) != kEnd64Signature)
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: the zip64 end record is outside the file", archive->path);
    count = u64(bytes + at + 32);
    directory_size = u64(bytes + at + 40);
    directory = u64(bytes + at + 48);
  }
  if (count > kMaxMembers)
    return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: %llu members (at most %d are read)",
                        archive->path, (unsigned long long)count, kMaxMembers);
  if (directory > size || directory_size > size - directory)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: the zip directory lies outside the file", archive->path);
  archive->members = calloc(count ? (size_t)count : 1, sizeof(npz_member));
  if (!archive->members)
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", archive->path);
  const unsigned char *at = bytes + directory, *limit = at + directory_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (limit - at < 46 || u32(at) != kCentralSignature)
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: zip directory entry %llu is malformed", archive->path,
                          (unsigned long long)i);
    size_t name_length = u16(at + 28), extra_length = u16(at + 30), comment = u16(at + 32);
    if ((size_t)(limit - at) < 46 + name_length + extra_length + comment)
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: zip directory entry %llu runs past the directory", archive->path,
                          (unsigned long long)i);
    const char *name = (const char *)at + 46;
    npz_member *m = &archive->members[archive->count];
    m->method = u16(at + 10);
    m->crc = u32(at + 16);
    m->packed_size = u32(at + 20);
    m->size = u32(at + 24);
    m->offset = u32(at + 42);
    int flags = u16(at + 8);
    if (name_length < 5 || name_length > kMaxName || memcmp(name + name_length - 4, ".npy", 4) ||
        memchr(name, '\0', name_length))
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: member %llu is not an .npy file (an .npz holds NAME.npy members)",
                          archive->path, (unsigned long long)i);
    m->name = malloc(name_length - 3);
    if (!m->name)
      return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", archive->path);
    memcpy(m->name, name, name_length - 4);
    m->name[name_length - 4] = '\0';
    archive->count++;
    if (flags & 1)
      return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: member '%s.npy' is encrypted",
                          archive->path, m->name);
    if (m->method != 0 && m->method != 8)
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: member '%s.npy' is compressed with zip method %d; read are "
                          "stored (np.savez) and deflated (np.savez_compressed)",
                          archive->path, m->name, m->method);
    if (!read_zip64_extra(at + 46 + name_length, extra_length, m))
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: member '%s.npy' has a malformed zip64 field", archive->path,
                          m->name);
    for (size_t k = 0; k + 1 < archive->count; ++k)
      if (!strcmp(archive->members[k].name, m->name))
        return cnnrt_report(error, error_size, CNNRT_FORMAT, "%s: two members named '%s.npy'",
                            archive->path, m->name);
    at += 46 + name_length + extra_length + comment;
  }
  return CNNRT_OK;
}

int cnnrt_npz_open(const char *path, cnnrt_npz **out, char *error, size_t error_size) {
  *out = NULL;
  cnnrt_npz *archive = calloc(1, sizeof *archive);
  if (!archive || !(archive->path = strdup(path))) {
    free(archive);
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", path);
  }
  int status = cnnrt_read_whole_file(path, "an .npz file", &archive->bytes, &archive->size, error,
                                     error_size);
  if (status == CNNRT_OK)
    status = read_directory(archive, error, error_size);
  if (status != CNNRT_OK) {
    cnnrt_npz_close(archive);
    return status;
  }
  *out = archive;
  return CNNRT_OK;
}

size_t cnnrt_npz_count(const cnnrt_npz *archive) { return archive->count; }

const char *cnnrt_npz_name(const cnnrt_npz *archive, size_t index) {
  return index < archive->count ? archive->members[index].name : NULL;
}

/* The member's bytes, unpacked into a malloc'd buffer (or pointing into the
 * archive when stored: `*owned` says which). */
static int unpack(const cnnrt_npz *archive, const npz_member *m, const unsigned char **bytes,
                  unsigned char **owned, char *error, size_t error_size) {
  *owned = NULL;
  uint64_t size = archive->size;
  if (size < 30 || m->offset > size - 30 || u32(archive->bytes + m->offset) != kLocalSignature)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: member '%s.npy' has no local header at offset %llu", archive->path,
                        m->name, (unsigned long long)m->offset);
  const unsigned char *local = archive->bytes + m->offset;
  uint64_t start = m->offset + 30 + u16(local + 26) + u16(local + 28);
  if (start > size || m->packed_size > size - start)
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: member '%s.npy' runs past the end of the file", archive->path,
                        m->name);
  const unsigned char *packed = archive->bytes + start;
  if (m->method == 0) {
    if (m->packed_size != m->size)
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: stored member '%s.npy' has two sizes, %llu and %llu", archive->path,
                          m->name, (unsigned long long)m->packed_size, (unsigned long long)m->size);
    *bytes = packed;
  } else {
    if (m->size / kDeflateMaxRatio > m->packed_size + 1 || m->size > (uint64_t)SIZE_MAX / 2)
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: member '%s.npy' claims %llu bytes from %llu deflated ones, more "
                          "than deflate can produce",
                          archive->path, m->name, (unsigned long long)m->size,
                          (unsigned long long)m->packed_size);
    *owned = malloc(m->size ? (size_t)m->size : 1);
    if (!*owned)
      return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory for '%s.npy'",
                          archive->path, m->name);
    z_stream stream = {0};
    int z = inflateInit2(&stream, -MAX_WBITS);
    uint64_t in_left = m->packed_size, out_done = 0;
    const unsigned char *in = packed;
    /* zlib counts in 32 bits: feed it in slices. */
    while (z == Z_OK) {
      uInt in_slice = (uInt)(in_left < (1u << 30) ? in_left : (1u << 30));
      uint64_t out_left = m->size - out_done;
      uInt out_slice = (uInt)(out_left < (1u << 30) ? out_left : (1u << 30));
      stream.next_in = in;
      stream.avail_in = in_slice;
      stream.next_out = *owned + out_done;
      stream.avail_out = out_slice;
      z = inflate(&stream, Z_NO_FLUSH);
      in += in_slice - stream.avail_in;
      in_left -= in_slice - stream.avail_in;
      out_done += out_slice - stream.avail_out;
      if (z == Z_OK && in_slice == stream.avail_in && out_slice == stream.avail_out)
        z = Z_DATA_ERROR; /* no progress: truncated or longer than said */
      if (z == Z_BUF_ERROR)
        z = Z_DATA_ERROR;
    }
    inflateEnd(&stream);
    if (z != Z_STREAM_END || out_done != m->size) {
      free(*owned);
      *owned = NULL;
      return cnnrt_report(error, error_size, CNNRT_FORMAT,
                          "%s: member '%s.npy' does not inflate to its %llu bytes", archive->path,
                          m->name, (unsigned long long)m->size);
    }
    *bytes = *owned;
  }
  /* zlib's crc32 takes 32-bit lengths too. */
  uLong crc = crc32(0L, Z_NULL, 0);
  for (uint64_t done = 0; done < m->size;) {
    uInt slice = (uInt)(m->size - done < (1u << 30) ? m->size - done : (1u << 30));
    crc = crc32(crc, *bytes + done, slice);
    done += slice;
  }
  if ((uint32_t)crc != m->crc) {
    free(*owned);
    *owned = NULL;
    return cnnrt_report(error, error_size, CNNRT_FORMAT,
                        "%s: member '%s.npy' fails its CRC-32 check (damaged)", archive->path,
                        m->name);
  }
  return CNNRT_OK;
}

int cnnrt_npz_read(const cnnrt_npz *archive, const char *name, int *rank,
                   int64_t shape[CNNRT_MAX_RANK], float **data, const char **converted_from,
                   char *error, size_t error_size) {
  *data = NULL;
  *rank = 0;
  const npz_member *m = NULL;
  for (size_t i = 0; i < archive->count && !m; ++i)
    if (!strcmp(archive->members[i].name, name))
      m = &archive->members[i];
  if (!m)
    return cnnrt_report(error, error_size, CNNRT_MISSING, "%s: no array '%s' (no member %s.npy)",
                        archive->path, name, name);
  const unsigned char *bytes = NULL;
  unsigned char *owned = NULL;
  int status = unpack(archive, m, &bytes, &owned, error, error_size);
  if (status != CNNRT_OK)
    return status;
  size_t label_size = strlen(archive->path) + strlen(name) + 8;
  char *label = malloc(label_size);
  if (!label)
    status = cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", archive->path);
  else {
    snprintf(label, label_size, "%s:%s.npy", archive->path, name);
    status = cnnrt_npy_parse(label, bytes, m->size, rank, shape, data, converted_from, error,
                             error_size);
  }
  free(label);
  free(owned);
  return status;
}

void cnnrt_npz_close(cnnrt_npz *archive) {
  if (!archive)
    return;
  for (size_t i = 0; i < archive->count; ++i)
    free(archive->members[i].name);
  free(archive->members);
  free(archive->bytes);
  free(archive->path);
  free(archive);
}

/*--- writing --------------------------------------------------------------*/

static void put16(unsigned char *p, uint32_t v) {
  p[0] = (unsigned char)v;
  p[1] = (unsigned char)(v >> 8);
}
static void put32(unsigned char *p, uint32_t v) {
  put16(p, v & 0xFFFF);
  put16(p + 2, v >> 16);
}

int cnnrt_npz_write(const char *path, size_t count, const char *const *names, const int *ranks,
                    const int64_t *const *shapes, const float *const *data, char *error,
                    size_t error_size) {
  if (count > 0xFFFF)
    return cnnrt_report(error, error_size, CNNRT_USAGE, "%s: %zu arrays (at most 65535)", path,
                        count);
  uint32_t *offsets = calloc(count ? count : 1, sizeof(uint32_t) * 3);
  if (!offsets)
    return cnnrt_report(error, error_size, CNNRT_MEMORY, "%s: out of memory", path);
  uint32_t *crcs = offsets + count, *sizes = offsets + 2 * count;
  cnnrt_output_file out;
  int status = cnnrt_output_begin(&out, path, error, error_size);
  if (status) {
    free(offsets);
    return status;
  }
  FILE *f = out.file;
  uint64_t written = 0;
  for (size_t i = 0; i < count && status == CNNRT_OK; ++i) {
    size_t name_length = strlen(names[i]) + 4;
    unsigned char header[CNNRT_NPY_HEADER_MAX];
    size_t header_length = cnnrt_npy_header(ranks[i], shapes[i], header);
    uint64_t elements = 1;
    for (int d = 0; d < ranks[i]; ++d)
      elements *= (uint64_t)shapes[i][d];
    uint64_t member = header_length + elements * 4;
    if (!header_length || name_length > kMaxName || member >= 0xFFFFFFFFu ||
        written + 30 + name_length + member >= 0xFFFFFFFFu) {
      status = cnnrt_report(error, error_size, CNNRT_USAGE,
                            "%s: array '%s' does not fit an .npz written without zip64 (4 GiB "
                            "in all); write .npy files instead",
                            path, names[i]);
      break;
    }
    uLong crc = crc32(0L, header, (uInt)header_length);
    crc = crc32(crc, (const Bytef *)data[i], (uInt)(elements * 4));
    unsigned char local[30] = {0};
    put32(local, kLocalSignature);
    put16(local + 4, 20);
    put32(local + 14, (uint32_t)crc);
    put32(local + 18, (uint32_t)member);
    put32(local + 22, (uint32_t)member);
    put16(local + 26, (uint32_t)name_length);
    offsets[i] = (uint32_t)written;
    crcs[i] = (uint32_t)crc;
    sizes[i] = (uint32_t)member;
    int ok = fwrite(local, 1, 30, f) == 30 &&
             fwrite(names[i], 1, name_length - 4, f) == name_length - 4 &&
             fwrite(".npy", 1, 4, f) == 4 && fwrite(header, 1, header_length, f) == header_length &&
             fwrite(data[i], 4, (size_t)elements, f) == elements;
    if (!ok)
      status =
          cnnrt_report(error, error_size, CNNRT_IO, "%s: write failed: %s", path, strerror(errno));
    written += 30 + name_length + member;
  }
  uint64_t directory = written;
  for (size_t i = 0; i < count && status == CNNRT_OK; ++i) {
    size_t name_length = strlen(names[i]) + 4;
    unsigned char central[46] = {0};
    put32(central, kCentralSignature);
    put16(central + 4, 20);
    put16(central + 6, 20);
    put32(central + 16, crcs[i]);
    put32(central + 20, sizes[i]);
    put32(central + 24, sizes[i]);
    put16(central + 28, (uint32_t)name_length);
    put32(central + 42, offsets[i]);
    if (fwrite(central, 1, 46, f) != 46 ||
        fwrite(names[i], 1, name_length - 4, f) != name_length - 4 || fwrite(".npy", 1, 4, f) != 4)
      status =
          cnnrt_report(error, error_size, CNNRT_IO, "%s: write failed: %s", path, strerror(errno));
    written += 46 + name_length;
  }
  if (status == CNNRT_OK) {
    unsigned char end[22] = {0};
    put32(end, kEndSignature);
    put16(end + 8, (uint32_t)count);
    put16(end + 10, (uint32_t)count);
    put32(end + 12, (uint32_t)(written - directory));
    put32(end + 16, (uint32_t)directory);
    if (written >= 0xFFFFFFFFu || fwrite(end, 1, 22, f) != 22)
      status =
          cnnrt_report(error, error_size, CNNRT_IO, "%s: write failed: %s", path, strerror(errno));
  }
  /* A failure above was reported (its message stays); the file goes. */
  int ended = cnnrt_output_end(&out, status == CNNRT_OK, status ? NULL : error,
                               status ? 0 : error_size);
  if (status == CNNRT_OK)
    status = ended;
  free(offsets);
  return status;
}
