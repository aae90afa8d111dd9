/*===- preprocess.c - an image as a model input, as torchvision makes it --===*
 *
 * torchvision's ImageNet evaluation transform on a Pillow image is
 *   Resize(256) -> CenterCrop(224) -> ToTensor() -> Normalize(mean, std).
 * Resize calls Pillow's bilinear resample, which widens its triangle filter
 * by the scale when it shrinks (antialiasing) and works in fixed point: 22
 * fractional bits per coefficient, a horizontal pass then a vertical one,
 * each rounded and clamped to 8 bits. This file does the same arithmetic in
 * the same order, so its floats equal torchvision's on the same pixels.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "cnnrt.h"
#include "cnnrt_image.h"
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cnnrt_preprocess_default(cnnrt_preprocess *spec) {
  memset(spec, 0, sizeof *spec);
  for (int c = 0; c < 3; ++c)
    spec->std[c] = 1.0f;
  spec->order = CNNRT_RGB;
}

/*--- the spec's text ----------------------------------------------------*/

static void set_imagenet(cnnrt_preprocess *spec) {
  static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
  cnnrt_preprocess_default(spec);
  spec->resize_short = 256;
  spec->crop_height = spec->crop_width = 224;
  memcpy(spec->mean, mean, sizeof mean);
  memcpy(spec->std, std, sizeof std);
}

/* "N" or "HxW", each from 1 to the largest image side. */
static int parse_size(const char *key, const char *text, int *height, int *width, char *error,
                      size_t size) {
  char *end;
  errno = 0;
  long h = strtol(text, &end, 10), w = h;
  if (*end == 'x' && end != text)
    w = strtol(end + 1, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end || errno || h < 1 || w < 1 ||
      h > CNNRT_IMAGE_MAX_SIDE || w > CNNRT_IMAGE_MAX_SIDE)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "--preprocess: %s takes N or HxW, from 1 to %d, not '%s'", key,
                        CNNRT_IMAGE_MAX_SIDE, text);
  *height = (int)h;
  *width = (int)w;
  return CNNRT_OK;
}

/* One value for every channel, or three. */
static int parse_channels(const char *key, char **values, int count, float *out, int positive,
                          char *error, size_t size) {
  if (count != 1 && count != 3)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "--preprocess: %s takes one value or three (one per channel), not %d", key,
                        count);
  for (int c = 0; c < 3; ++c) {
    const char *text = values[count == 1 ? 0 : c];
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !isfinite(v) || (positive && !(v > 0)))
      return cnnrt_report(error, size, CNNRT_USAGE, "--preprocess: %s: '%s' is not a %snumber", key,
                          text, positive ? "positive " : "");
    out[c] = (float)v;
  }
  return CNNRT_OK;
}

#define KEYS "resize, height, crop, pad, mean, std, layout"

int cnnrt_preprocess_parse(const char *text, cnnrt_preprocess *spec, char *error, size_t size) {
  enum { MAX_TEXT = 1024, MAX_TOKENS = 64 };
  cnnrt_preprocess_default(spec);
  if (!text || strlen(text) >= MAX_TEXT)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "--preprocess: empty or longer than %d "
                        "characters",
                        MAX_TEXT);
  char copy[MAX_TEXT], *tokens[MAX_TOKENS];
  int count = 0;
  strcpy(copy, text);
  for (char *token = copy, *next; token; token = next) {
    next = strchr(token, ',');
    if (next)
      *next++ = '\0';
    if (count == MAX_TOKENS)
      return cnnrt_report(error, size, CNNRT_USAGE, "--preprocess: more than %d values",
                          MAX_TOKENS);
    tokens[count++] = token;
  }
  int seen = 0; /* which keys were given: each once */
  for (int i = 0; i < count;) {
    char *key = tokens[i], *equals = strchr(key, '=');
    if (!equals) {
      if (!strcmp(key, "imagenet") && i == 0) {
        set_imagenet(spec);
        ++i;
        continue;
      }
      return cnnrt_report(error, size, CNNRT_USAGE,
                          "--preprocess: '%s' is not key=value (keys: " KEYS
                          "; the preset imagenet comes first)",
                          key);
    }
    *equals = '\0';
    char *value = equals + 1;
    /* Values of mean and std run on over the following bare numbers. */
    int values = 1;
    while (i + values < count && !strchr(tokens[i + values], '=') &&
           strcmp(tokens[i + values], "imagenet"))
      ++values;
    static const char *const keys[] = {"resize", "crop", "mean", "std", "layout", "height", "pad"};
    enum { RESIZE, CROP, MEAN, STD, LAYOUT, HEIGHT, PAD, KEY_COUNT };
    int k = 0;
    while (k < KEY_COUNT && strcmp(key, keys[k]))
      ++k;
    if (k == KEY_COUNT)
      return cnnrt_report(error, size, CNNRT_USAGE,
                          "--preprocess: unknown key '%s' (keys: " KEYS ")", key);
    if (seen & (1 << k))
      return cnnrt_report(error, size, CNNRT_USAGE, "--preprocess: %s is given twice", key);
    seen |= 1 << k;
    if (k != MEAN && k != STD && values != 1)
      return cnnrt_report(error, size, CNNRT_USAGE, "--preprocess: %s takes one value, not '%s'",
                          key, tokens[i + 1]);
    char *list[3] = {value, NULL, NULL};
    for (int v = 1; v < values && v < 3; ++v)
      list[v] = tokens[i + v];
    int status = CNNRT_OK;
    if ((k == RESIZE && (seen & 1 << HEIGHT)) || (k == HEIGHT && (seen & 1 << RESIZE)))
      return cnnrt_report(error, size, CNNRT_USAGE,
                          "--preprocess: give resize or height, not both");
    if (k == HEIGHT) {
      int unused;
      status = parse_size(key, value, &spec->height, &unused, error, size);
      if (!status && strchr(value, 'x'))
        status = cnnrt_report(error, size, CNNRT_USAGE, "--preprocess: height takes one number");
    } else if (k == PAD) {
      status = parse_size(key, value, &spec->pad_height, &spec->pad_width, error, size);
    } else if (k == RESIZE) {
      int height, width;
      status = parse_size(key, value, &height, &width, error, size);
      /* "256" sizes the shorter side, as Resize(256) does; "HxW" is exact. */
      spec->resize_short = strchr(value, 'x') ? 0 : height;
      spec->resize_height = strchr(value, 'x') ? height : 0;
      spec->resize_width = strchr(value, 'x') ? width : 0;
    } else if (k == CROP) {
      status = parse_size(key, value, &spec->crop_height, &spec->crop_width, error, size);
    } else if (k == MEAN || k == STD) {
      status = parse_channels(key, list, values, k == MEAN ? spec->mean : spec->std, k == STD,
                              error, size);
    } else if (!strcmp(value, "rgb") || !strcmp(value, "bgr") || !strcmp(value, "gray")) {
      spec->order = value[0] == 'r' ? CNNRT_RGB : value[0] == 'b' ? CNNRT_BGR : CNNRT_GRAY;
    } else {
      status = cnnrt_report(error, size, CNNRT_USAGE,
                            "--preprocess: layout takes rgb, bgr or gray, not '%s'", value);
    }
    if (status)
      return status;
    i += values;
  }
  return CNNRT_OK;
}

void cnnrt_preprocess_describe(const cnnrt_preprocess *spec, char *text, size_t size) {
  size_t used = 0;
#define APPEND(...)                                                                                \
  do {                                                                                             \
    if (used < size)                                                                               \
      used += (size_t)snprintf(text + used, size - used, __VA_ARGS__);                             \
  } while (0)
  if (spec->resize_short)
    APPEND("resize=%d,", spec->resize_short);
  else if (spec->resize_height)
    APPEND("resize=%dx%d,", spec->resize_height, spec->resize_width);
  else if (spec->height)
    APPEND("height=%d,", spec->height);
  if (spec->crop_height)
    APPEND("crop=%dx%d,", spec->crop_height, spec->crop_width);
  if (spec->pad_height)
    APPEND("pad=%dx%d,", spec->pad_height, spec->pad_width);
  APPEND("mean=%g,%g,%g,std=%g,%g,%g,layout=%s", spec->mean[0], spec->mean[1], spec->mean[2],
         spec->std[0], spec->std[1], spec->std[2],
         spec->order == CNNRT_RGB   ? "rgb"
         : spec->order == CNNRT_BGR ? "bgr"
                                    : "gray");
#undef APPEND
}

/*--- Pillow's resample ----------------------------------------------------*/

enum { PRECISION_BITS = 32 - 8 - 2 };

typedef struct {
  int taps;       /* coefficients per output pixel (the widest window) */
  int *bounds;    /* per output pixel: first input pixel, how many */
  int32_t *coeff; /* per output pixel: `taps` fixed-point weights */
} resample_plan;

static double triangle(double x) {
  x = fabs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

/* Pillow's precompute_coeffs and normalize_coeffs_8bpc for a whole-image
 * box, in its order of operations. */
static int plan_resample(int in_size, int out_size, resample_plan *plan) {
  double scale = (double)in_size / out_size, filter_scale = scale < 1.0 ? 1.0 : scale;
  double support = 1.0 * filter_scale;
  plan->taps = (int)ceil(support) * 2 + 1;
  plan->bounds = malloc(sizeof(int) * 2 * (size_t)out_size);
  plan->coeff = calloc((size_t)out_size * (size_t)plan->taps, sizeof(int32_t));
  double *weights = malloc(sizeof(double) * (size_t)plan->taps);
  if (!plan->bounds || !plan->coeff || !weights) {
    free(weights);
    return CNNRT_MEMORY;
  }
  for (int out = 0; out < out_size; ++out) {
    double center = (out + 0.5) * scale, total = 0.0, inverse = 1.0 / filter_scale;
    int first = (int)(center - support + 0.5), last = (int)(center + support + 0.5);
    if (first < 0)
      first = 0;
    if (last > in_size)
      last = in_size;
    int count = last - first;
    if (count > plan->taps)
      count = plan->taps; /* never: the window is at most 2 * ceil(support) + 1 wide */
    for (int x = 0; x < count; ++x) {
      weights[x] = triangle((x + first - center + 0.5) * inverse);
      total += weights[x];
    }
    for (int x = 0; x < count; ++x) {
      double w = total != 0.0 ? weights[x] / total : weights[x];
      plan->coeff[(size_t)out * plan->taps + x] =
          (int32_t)(w < 0 ? -0.5 + w * (1 << PRECISION_BITS) : 0.5 + w * (1 << PRECISION_BITS));
    }
    plan->bounds[out * 2] = first;
    plan->bounds[out * 2 + 1] = count;
  }
  free(weights);
  return CNNRT_OK;
}

static void free_plan(resample_plan *plan) {
  free(plan->bounds);
  free(plan->coeff);
}

static unsigned char clip8(int64_t sum) {
  if (sum >= (int64_t)1 << PRECISION_BITS << 8)
    return 255;
  if (sum <= 0)
    return 0;
  return (unsigned char)(sum >> PRECISION_BITS);
}

/* One pass along x (`along_x`) or y of an interleaved image with
 * `channels` channels: `in` is in_w x in_h, `out` out_w x out_h; rows of
 * `in` start at `row_offset` (the horizontal pass reads only the rows the
 * vertical one will use, as Pillow does). */
static void resample_pass(const unsigned char *in, int in_w, int row_offset, unsigned char *out,
                          int out_w, int out_h, int channels, const resample_plan *plan,
                          int along_x) {
  for (int y = 0; y < out_h; ++y)
    for (int x = 0; x < out_w; ++x) {
      int o = along_x ? x : y;
      int first = plan->bounds[o * 2], count = plan->bounds[o * 2 + 1];
      const int32_t *k = plan->coeff + (size_t)o * plan->taps;
      for (int c = 0; c < channels; ++c) {
        int64_t sum = 1 << (PRECISION_BITS - 1);
        for (int t = 0; t < count; ++t) {
          size_t at = along_x ? ((size_t)(y + row_offset) * in_w + first + t)
                              : ((size_t)(first + t) * in_w + x);
          sum += in[at * channels + c] * (int64_t)k[t];
        }
        out[((size_t)y * out_w + x) * channels + c] = clip8(sum);
      }
    }
}

/* Pillow's Image.resize((width, height), BILINEAR) of a whole image. */
static int resize(const unsigned char *in, int in_w, int in_h, int channels, int out_w, int out_h,
                  unsigned char **result) {
  resample_plan across = {0}, down = {0};
  unsigned char *temporary = NULL, *out = NULL;
  int status = plan_resample(in_w, out_w, &across) | plan_resample(in_h, out_h, &down);
  if (status)
    goto done;
  int first_row = down.bounds[0];
  int last_row = down.bounds[out_h * 2 - 2] + down.bounds[out_h * 2 - 1];
  const unsigned char *source = in;
  int rows = in_h;
  if (out_w != in_w) {
    for (int y = 0; y < out_h; ++y)
      down.bounds[y * 2] -= first_row;
    rows = last_row - first_row;
    if (!(temporary = malloc((size_t)out_w * (size_t)rows * (size_t)channels))) {
      status = CNNRT_MEMORY;
      goto done;
    }
    resample_pass(in, in_w, first_row, temporary, out_w, rows, channels, &across, 1);
    source = temporary;
  }
  if (!(out = malloc((size_t)out_w * (size_t)out_h * (size_t)channels))) {
    status = CNNRT_MEMORY;
    goto done;
  }
  if (out_h != in_h)
    resample_pass(source, out_w, 0, out, out_w, out_h, channels, &down, 0);
  else
    memcpy(out, source, (size_t)out_w * (size_t)out_h * (size_t)channels);
done:
  free_plan(&across);
  free_plan(&down);
  free(temporary);
  *result = status ? (free(out), NULL) : out;
  return status;
}

/*--- the whole transform ------------------------------------------------*/

/* Python's round() of d / 2: halves go to the even neighbour. */
static int half_to_even(int d) {
  int half = d / 2;
  return d % 2 && half % 2 ? half + 1 : half;
}

int cnnrt_preprocess_image(const cnnrt_image *image, const cnnrt_preprocess *spec, const char *path,
                           int channels, int height, int width, float *chw, char *error,
                           size_t size) {
  int wanted = spec->order == CNNRT_GRAY ? 1 : 3;
  if (channels != wanted)
    return cnnrt_report(error, size, CNNRT_SHAPE,
                        "%s: the model's input has %d channel(s); --preprocess layout=%s makes "
                        "%d (layout=gray makes 1)",
                        path, channels, spec->order == CNNRT_GRAY ? "gray" : "rgb|bgr", wanted);
  int w = image->width, h = image->height;
  /* Pillow's convert("L"): ITU-R 601-2 luma in 16-bit fixed point. */
  unsigned char *pixels = malloc((size_t)w * (size_t)h * (size_t)wanted);
  if (!pixels)
    return cnnrt_report(error, size, CNNRT_MEMORY, "%s: out of memory", path);
  for (size_t p = 0; p < (size_t)w * (size_t)h; ++p) {
    const unsigned char *rgb = image->rgb + p * 3;
    if (wanted == 1)
      pixels[p] = (unsigned char)((rgb[0] * 19595 + rgb[1] * 38470 + rgb[2] * 7471 + 0x8000) >> 16);
    else
      memcpy(pixels + p * 3, rgb, 3);
  }
  /* Resize(N): the shorter side becomes N, the longer N * long / short,
   * truncated; an image already that size is left alone. */
  int new_w = w, new_h = h;
  if (spec->resize_short) {
    int shorter = w <= h ? w : h, longer = w <= h ? h : w;
    int scaled = (int)((double)spec->resize_short * longer / shorter);
    new_w = w <= h ? spec->resize_short : scaled;
    new_h = w <= h ? scaled : spec->resize_short;
  } else if (spec->resize_height) {
    new_w = spec->resize_width;
    new_h = spec->resize_height;
  } else if (spec->height) {
    /* PaddleOCR's text lines: the height fixed, the width keeping the
     * aspect, rounded up, and squeezed to the padded width if wider. */
    double ratio = (double)w / h, scaled = ceil(spec->height * ratio);
    new_h = spec->height;
    new_w = spec->pad_width && scaled > spec->pad_width ? spec->pad_width
            : scaled > CNNRT_IMAGE_MAX_SIDE             ? CNNRT_IMAGE_MAX_SIDE + 1
                                                        : (int)scaled;
  }
  if (new_w < 1 || new_h < 1 || new_w > CNNRT_IMAGE_MAX_SIDE || new_h > CNNRT_IMAGE_MAX_SIDE) {
    free(pixels);
    return cnnrt_report(error, size, CNNRT_SHAPE,
                        "%s: resizing %dx%d gives %dx%d, outside 1 to "
                        "%d a side",
                        path, w, h, new_w, new_h, CNNRT_IMAGE_MAX_SIDE);
  }
  if (new_w != w || new_h != h) {
    unsigned char *resized;
    int status = resize(pixels, w, h, wanted, new_w, new_h, &resized);
    free(pixels);
    if (status)
      return cnnrt_report(error, size, CNNRT_MEMORY, "%s: out of memory resizing to %dx%d", path,
                          new_w, new_h);
    pixels = resized;
    w = new_w;
    h = new_h;
  }
  int crop_h = spec->crop_height ? spec->crop_height : h;
  int crop_w = spec->crop_width ? spec->crop_width : w;
  if (crop_h > h || crop_w > w) {
    free(pixels);
    return cnnrt_report(error, size, CNNRT_SHAPE,
                        "%s: a %dx%d crop of a %dx%d image (HxW, after "
                        "resizing); resize to at least the crop",
                        path, crop_h, crop_w, h, w);
  }
  int out_h = spec->pad_height ? spec->pad_height : crop_h;
  int out_w = spec->pad_height ? spec->pad_width : crop_w;
  if (crop_h > out_h || crop_w > out_w) {
    free(pixels);
    return cnnrt_report(error, size, CNNRT_SHAPE,
                        "%s: the image is %dx%d (HxW) after resizing, larger than the padding "
                        "to %dx%d",
                        path, crop_h, crop_w, out_h, out_w);
  }
  if (out_h != height || out_w != width) {
    free(pixels);
    return cnnrt_report(error, size, CNNRT_SHAPE,
                        "%s: preprocessing gives %dx%d (HxW), the model's input is %dx%d; "
                        "give --preprocess resize=...,crop=%dx%d (or the preset imagenet)",
                        path, out_h, out_w, height, width, height, width);
  }
  int top = half_to_even(h - crop_h), left = half_to_even(w - crop_w);
  for (int c = 0; c < wanted; ++c) {
    /* Model channel c reads image channel c, or 2 - c for BGR. */
    int from = spec->order == CNNRT_BGR ? 2 - c : c;
    float mean = spec->mean[c], std = spec->std[c];
    for (int y = 0; y < out_h; ++y)
      for (int x = 0; x < out_w; ++x) {
        float *out = &chw[((size_t)c * out_h + y) * out_w + x];
        if (y >= crop_h || x >= crop_w) {
          *out = 0.0f; /* padding */
          continue;
        }
        float value = (float)pixels[((size_t)(y + top) * w + x + left) * wanted + from] / 255.0f;
        *out = (value - mean) / std;
      }
  }
  free(pixels);
  return CNNRT_OK;
}
