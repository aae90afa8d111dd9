/*===- image.c - PNG, JPEG, PPM/PGM and BMP files as 8-bit RGB ------------===*
 *
 * PNG and JPEG go through libpng and libjpeg-turbo, set up to give the
 * pixels Pillow gives for the same file (Image.open(...).convert("RGB")):
 * 16-bit samples keep their high byte, alpha is dropped (not blended),
 * grey and palette images are expanded. PPM/PGM (binary, maxval 255) and
 * BMP (8-bit palette, 24- and 32-bit, uncompressed) are small enough to read
 * here. Every size is checked before memory is allocated for it.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "cnnrt.h"
#include "cnnrt_image.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>
#include <png.h>

void cnnrt_image_free(cnnrt_image *image) {
  if (image) {
    free(image->rgb);
    image->rgb = NULL;
  }
}

/* A regular file opened for reading: a directory, FIFO or device is
 * refused before a read could block or fail obscurely. */
static FILE *open_regular(const char *path, long long *bytes, char *error, size_t size) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat info;
  if (fd < 0 || fstat(fd, &info)) {
    cnnrt_report(error, size, CNNRT_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fd >= 0)
      close(fd);
    return NULL;
  }
  if (!S_ISREG(info.st_mode)) {
    close(fd);
    cnnrt_report(error, size, CNNRT_IO, "%s: not a regular file", path);
    return NULL;
  }
  FILE *file = fdopen(fd, "rb");
  if (!file) {
    close(fd);
    cnnrt_report(error, size, CNNRT_IO, "%s: cannot open: %s", path, strerror(errno));
    return NULL;
  }
  *bytes = (long long)info.st_size;
  return file;
}

static int check_size(const char *path, long long width, long long height, char *error,
                      size_t size) {
  if (width < 1 || height < 1)
    return cnnrt_report(error, size, CNNRT_FORMAT, "%s: the image is %lldx%lld: empty", path, width,
                        height);
  if (width > CNNRT_IMAGE_MAX_SIDE || height > CNNRT_IMAGE_MAX_SIDE ||
      width * height > CNNRT_IMAGE_MAX_PIXELS)
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: the image is %lldx%lld, too large (limit %d pixels a side, %d in "
                        "all)",
                        path, width, height, CNNRT_IMAGE_MAX_SIDE, CNNRT_IMAGE_MAX_PIXELS);
  return CNNRT_OK;
}

static int allocate_rgb(cnnrt_image *image, int width, int height, const char *path, char *error,
                        size_t size) {
  image->width = width;
  image->height = height;
  image->rgb = malloc((size_t)width * (size_t)height * 3);
  return image->rgb ? CNNRT_OK
                    : cnnrt_report(error, size, CNNRT_MEMORY,
                                   "%s: out of memory for a %dx%d "
                                   "image",
                                   path, width, height);
}

/*--- JPEG ---------------------------------------------------------------*/

typedef struct {
  struct jpeg_error_mgr base;
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
} jpeg_failure;

static void jpeg_fail(j_common_ptr info) {
  jpeg_failure *failure = (jpeg_failure *)info->err;
  info->err->format_message(info, failure->message);
  longjmp(failure->jump, 1);
}

/* A corrupt-data warning (a truncated file, say) fails the read, as it
 * does in Pillow; trace messages (level > 0) are ignored. */
static void jpeg_warn(j_common_ptr info, int level) {
  if (level < 0)
    jpeg_fail(info);
}

static int read_jpeg(FILE *file, const char *path, cnnrt_image *image, char *error, size_t size) {
  struct jpeg_decompress_struct info;
  jpeg_failure failure;
  /* Volatile: read after a longjmp back into this frame. */
  unsigned char *volatile pixels = NULL;
  volatile int status = CNNRT_OK;
  info.err = jpeg_std_error(&failure.base);
  failure.base.error_exit = jpeg_fail;
  failure.base.emit_message = jpeg_warn;
  if (setjmp(failure.jump)) {
    jpeg_destroy_decompress(&info);
    free(pixels);
    image->rgb = NULL;
    return status ? status
                  : cnnrt_report(error, size, CNNRT_FORMAT, "%s: not a readable JPEG: %s", path,
                                 failure.message);
  }
  jpeg_create_decompress(&info);
  jpeg_stdio_src(&info, file);
  jpeg_read_header(&info, TRUE);
  if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
    status =
        cnnrt_report(error, size, CNNRT_FORMAT, "%s: a CMYK JPEG; convert it to RGB first", path);
    longjmp(failure.jump, 1);
  }
  if ((status = check_size(path, info.image_width, info.image_height, error, size)))
    longjmp(failure.jump, 1);
  info.out_color_space = JCS_RGB;
  jpeg_start_decompress(&info);
  if (info.output_components != 3) {
    status = cnnrt_report(error, size, CNNRT_FORMAT, "%s: decodes to %d channels, not RGB", path,
                          info.output_components);
    longjmp(failure.jump, 1);
  }
  if ((status =
           allocate_rgb(image, (int)info.output_width, (int)info.output_height, path, error, size)))
    longjmp(failure.jump, 1);
  pixels = image->rgb;
  while (info.output_scanline < info.output_height) {
    JSAMPROW row = pixels + (size_t)info.output_scanline * info.output_width * 3;
    jpeg_read_scanlines(&info, &row, 1);
  }
  jpeg_finish_decompress(&info);
  jpeg_destroy_decompress(&info);
  return CNNRT_OK;
}

/*--- PNG ----------------------------------------------------------------*/

typedef struct {
  char message[256];
} png_failure;

static void png_fail(png_structp png, png_const_charp message) {
  png_failure *failure = png_get_error_ptr(png);
  snprintf(failure->message, sizeof failure->message, "%s", message);
  png_longjmp(png, 1);
}

static void png_quiet(png_structp png, png_const_charp message) {
  (void)png;
  (void)message;
}

static int read_png(FILE *file, const char *path, cnnrt_image *image, char *error, size_t size) {
  png_failure failure = {"unknown error"};
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_fail, png_quiet);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  unsigned char *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  volatile int status = CNNRT_OK;
  if (!info) {
    png_destroy_read_struct(&png, NULL, NULL);
    return cnnrt_report(error, size, CNNRT_MEMORY, "%s: out of memory", path);
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, NULL);
    free(pixels);
    free(rows);
    image->rgb = NULL;
    return status ? status
                  : cnnrt_report(error, size, CNNRT_FORMAT, "%s: not a readable PNG: %s", path,
                                 failure.message);
  }
  png_set_user_limits(png, CNNRT_IMAGE_MAX_SIDE, CNNRT_IMAGE_MAX_SIDE);
  png_init_io(png, file);
  png_read_info(png, info);
  png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  if ((status = check_size(path, width, height, error, size)))
    png_longjmp(png, 1);
  int type = png_get_color_type(png, info);
  /* Pillow's convert("RGB"): expand palettes and low bit depths, keep the
   * high byte of 16-bit samples, drop alpha, ignore tRNS and gamma. */
  if (type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb(png);
  if (type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth(png, info) < 8)
    png_set_expand_gray_1_2_4_to_8(png);
  if (png_get_bit_depth(png, info) == 16)
    png_set_strip_16(png);
  /* A palette's tRNS chunk becomes alpha when the palette expands. */
  if ((type & PNG_COLOR_MASK_ALPHA) || png_get_valid(png, info, PNG_INFO_tRNS))
    png_set_strip_alpha(png);
  if (type == PNG_COLOR_TYPE_GRAY || type == PNG_COLOR_TYPE_GRAY_ALPHA)
    png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != (size_t)width * 3) {
    snprintf(failure.message, sizeof failure.message, "unexpected row size");
    png_longjmp(png, 1);
  }
  if ((status = allocate_rgb(image, (int)width, (int)height, path, error, size)))
    png_longjmp(png, 1);
  pixels = image->rgb;
  rows = malloc(sizeof(png_bytep) * height);
  if (!rows) {
    status = cnnrt_report(error, size, CNNRT_MEMORY, "%s: out of memory", path);
    png_longjmp(png, 1);
  }
  for (png_uint_32 y = 0; y < height; ++y)
    rows[y] = pixels + (size_t)y * width * 3;
  png_read_image(png, rows);
  png_read_end(png, NULL);
  png_destroy_read_struct(&png, &info, NULL);
  free(rows);
  return CNNRT_OK;
}

/*--- PPM/PGM and BMP, read whole ----------------------------------------*/

typedef struct {
  const unsigned char *data;
  size_t size;
} bytes;

/* A PNM header number after whitespace and comments; -1 if there is none. */
static long long pnm_number(const bytes *file, size_t *at) {
  while (*at < file->size) {
    unsigned char c = file->data[*at];
    if (c == '#') {
      while (*at < file->size && file->data[*at] != '\n')
        ++*at;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++*at;
    } else {
      break;
    }
  }
  long long n = -1;
  while (*at < file->size && file->data[*at] >= '0' && file->data[*at] <= '9' && n < 1000000)
    n = (n < 0 ? 0 : n * 10) + (file->data[(*at)++] - '0');
  return n;
}

static int read_pnm(const bytes *file, const char *path, cnnrt_image *image, char *error,
                    size_t size) {
  int grey = file->data[1] == '5';
  size_t at = 2;
  long long width = pnm_number(file, &at), height = pnm_number(file, &at);
  long long maxval = pnm_number(file, &at);
  if (width < 0 || height < 0 || maxval < 0 || at >= file->size)
    return cnnrt_report(error, size, CNNRT_FORMAT, "%s: a malformed PPM/PGM header", path);
  if (maxval != 255)
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: maxval %lld; only 8-bit PPM/PGM (maxval 255) is read", path, maxval);
  int status = check_size(path, width, height, error, size);
  if (status)
    return status;
  ++at; /* the single whitespace byte that ends the header */
  size_t channels = grey ? 1 : 3, pixels = (size_t)width * (size_t)height;
  if (file->size - at < pixels * channels)
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: %lldx%lld pixels need %zu bytes; the file has %zu after its header",
                        path, width, height, pixels * channels, file->size - at);
  if ((status = allocate_rgb(image, (int)width, (int)height, path, error, size)))
    return status;
  for (size_t p = 0; p < pixels; ++p)
    for (size_t c = 0; c < 3; ++c)
      image->rgb[p * 3 + c] = file->data[at + p * channels + (grey ? 0 : c)];
  return CNNRT_OK;
}

static uint32_t little32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int read_bmp(const bytes *file, const char *path, cnnrt_image *image, char *error,
                    size_t size) {
  if (file->size < 54)
    return cnnrt_report(error, size, CNNRT_FORMAT, "%s: a BMP shorter than its headers", path);
  const unsigned char *d = file->data;
  uint32_t offset = little32(d + 10), header = little32(d + 14);
  int32_t width = (int32_t)little32(d + 18), height = (int32_t)little32(d + 22);
  unsigned bits = d[28] | d[29] << 8;
  uint32_t compression = little32(d + 30), colors = little32(d + 46);
  if (header < 40 || header > file->size - 14)
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: a BMP with a %u-byte info header; "
                        "expected 40 or more",
                        path, header);
  int top_down = height < 0;
  long long rows = top_down ? -(long long)height : height;
  int status = check_size(path, width, rows, error, size);
  if (status)
    return status;
  /* BI_RGB; a 32-bit BI_BITFIELDS file is read when its masks are BGRX. */
  int plain_masks = bits == 32 && compression == 3 && header >= 52 &&
                    little32(d + 54) == 0xff0000 && little32(d + 58) == 0xff00 &&
                    little32(d + 62) == 0xff;
  if ((bits != 8 && bits != 24 && bits != 32) || !(compression == 0 || plain_masks))
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: a %u-bit BMP with compression %u; read are 8-bit paletted, 24- and "
                        "32-bit uncompressed",
                        path, bits, compression);
  size_t palette_at = 14 + (size_t)header, palette_size = 0;
  if (bits == 8) {
    palette_size = colors ? colors : 256;
    if (palette_size > 256 || palette_at + palette_size * 4 > file->size)
      return cnnrt_report(error, size, CNNRT_FORMAT,
                          "%s: a BMP palette of %u colours does not "
                          "fit",
                          path, colors);
  }
  size_t stride = ((size_t)width * bits / 8 + 3) / 4 * 4;
  if (offset > file->size || file->size - offset < stride * (size_t)rows)
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: %dx%lld pixels need %zu bytes from offset %u; the file has %zu", path,
                        width, rows, stride * (size_t)rows, offset, file->size);
  if ((status = allocate_rgb(image, width, (int)rows, path, error, size)))
    return status;
  for (long long y = 0; y < rows; ++y) {
    const unsigned char *row = d + offset + stride * (size_t)(top_down ? y : rows - 1 - y);
    unsigned char *out = image->rgb + (size_t)y * (size_t)width * 3;
    for (int32_t x = 0; x < width; ++x) {
      const unsigned char *bgr = row + (size_t)x * (bits / 8);
      if (bits == 8) {
        if (*bgr >= palette_size) {
          cnnrt_image_free(image);
          return cnnrt_report(error, size, CNNRT_FORMAT,
                              "%s: pixel (%d, %lld) uses colour %u "
                              "of a %zu-colour palette",
                              path, x, y, *bgr, palette_size);
        }
        bgr = d + palette_at + (size_t)*bgr * 4;
      }
      out[x * 3 + 0] = bgr[2];
      out[x * 3 + 1] = bgr[1];
      out[x * 3 + 2] = bgr[0];
    }
  }
  return CNNRT_OK;
}

static int read_whole(FILE *file, long long length, const char *path,
                      int (*decode)(const bytes *, const char *, cnnrt_image *, char *, size_t),
                      cnnrt_image *image, char *error, size_t size) {
  /* The largest image this reader takes, as 32-bit BMP, plus its headers. */
  const long long limit = (long long)CNNRT_IMAGE_MAX_PIXELS * 4 + 65536;
  if (length > limit)
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: %lld bytes, larger than any image "
                        "this reader takes",
                        path, length);
  unsigned char *data = malloc((size_t)length + 1);
  if (!data)
    return cnnrt_report(error, size, CNNRT_MEMORY, "%s: out of memory", path);
  bytes whole = {data, fread(data, 1, (size_t)length, file)};
  int status = whole.size == (size_t)length
                   ? decode(&whole, path, image, error, size)
                   : cnnrt_report(error, size, CNNRT_IO, "%s: cannot read it whole", path);
  free(data);
  return status;
}

/*--- by content ---------------------------------------------------------*/

typedef enum { NOT_AN_IMAGE, JPEG, PNG, PNM, BMP } image_kind;

static image_kind kind_of(const unsigned char *magic, size_t length) {
  if (length >= 3 && magic[0] == 0xff && magic[1] == 0xd8 && magic[2] == 0xff)
    return JPEG;
  if (length >= 8 && !memcmp(magic, "\x89PNG\r\n\x1a\n", 8))
    return PNG;
  if (length >= 2 && magic[0] == 'P' && (magic[1] == '5' || magic[1] == '6'))
    return PNM;
  if (length >= 2 && magic[0] == 'B' && magic[1] == 'M')
    return BMP;
  return NOT_AN_IMAGE;
}

static image_kind kind_of_file(FILE *file) {
  unsigned char magic[8];
  size_t length = fread(magic, 1, sizeof magic, file);
  rewind(file);
  return kind_of(magic, length);
}

int cnnrt_is_image_file(const char *path) {
  long long length;
  FILE *file = open_regular(path, &length, NULL, 0);
  if (!file)
    return 0;
  image_kind kind = kind_of_file(file);
  fclose(file);
  return kind != NOT_AN_IMAGE;
}

int cnnrt_image_read(const char *path, cnnrt_image *image, char *error, size_t size) {
  if (!path || !image)
    return cnnrt_report(error, size, CNNRT_USAGE, "cnnrt_image_read: NULL path or image");
  image->width = image->height = 0;
  image->rgb = NULL;
  long long length;
  FILE *file = open_regular(path, &length, error, size);
  if (!file)
    return CNNRT_IO;
  int status;
  switch (kind_of_file(file)) {
  case JPEG:
    status = read_jpeg(file, path, image, error, size);
    break;
  case PNG:
    status = read_png(file, path, image, error, size);
    break;
  case PNM:
    status = read_whole(file, length, path, read_pnm, image, error, size);
    break;
  case BMP:
    status = read_whole(file, length, path, read_bmp, image, error, size);
    break;
  default:
    status =
        cnnrt_report(error, size, CNNRT_FORMAT,
                     "%s: not an image this reader knows (PNG, JPEG, binary PPM/PGM, BMP)", path);
  }
  fclose(file);
  return status;
}
