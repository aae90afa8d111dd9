/*===- cnnrt_image.h - image files in, model inputs out -------------------===*
 *
 * Reads PNG (libpng), JPEG (libjpeg-turbo), binary PPM/PGM and uncompressed
 * BMP files as 8-bit RGB, and turns them into a model's NCHW float input the
 * way torchvision does with Pillow: Resize (bilinear, antialiased, Pillow's
 * fixed-point arithmetic), CenterCrop, ToTensor, Normalize. On the same file
 * the values are the same floats torchvision computes.
 *
 * Like cnnrt.h, every function that can fail returns CNNRT_OK or an error
 * code (cnnrt.h's) and writes a sentence naming the file into `error`.
 *
 *===----------------------------------------------------------------------===*/

#ifndef CNNRT_IMAGE_H
#define CNNRT_IMAGE_H

#include "cnnrt_model.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Larger images are refused before any pixel memory is allocated. */
#define CNNRT_IMAGE_MAX_SIDE 32768
#define CNNRT_IMAGE_MAX_PIXELS (1 << 26)

typedef struct {
  int width, height;
  unsigned char *rgb; /* height rows of width RGB triples */
} cnnrt_image;

/* Reads an image file, recognised by its first bytes, not by its name. */
int cnnrt_image_read(const char *path, cnnrt_image *image, char *error, size_t error_size);
void cnnrt_image_free(cnnrt_image *image);

/* Whether the file starts like an image this reader knows (0 or 1). */
int cnnrt_is_image_file(const char *path);

typedef enum { CNNRT_RGB, CNNRT_BGR, CNNRT_GRAY } cnnrt_channel_order;

/* How an image becomes a model input; `cnnrt_preprocess_parse` reads the
 * command line's text, e.g. "resize=256,crop=224,mean=0.485,0.456,0.406,
 * std=0.229,0.224,0.225,layout=rgb", the preset "imagenet", or PaddleOCR's
 * text-line input "height=48,pad=48x192,mean=0.5,std=0.5,layout=bgr". */
typedef struct {
  int resize_short;                /* the shorter side becomes this; 0: see below */
  int resize_height, resize_width; /* or exactly this size; 0: no resize */
  int height;                      /* or the height becomes this, the width keeping the
                                      aspect (rounded up, at most pad_width when padding) */
  int crop_height, crop_width;     /* a centred crop; 0: none */
  int pad_height, pad_width;       /* pad at the bottom and right to this size with the
                                      model's zero (after normalising); 0: none */
  float mean[3], std[3];           /* per channel, after dividing by 255 */
  cnnrt_channel_order order;
} cnnrt_preprocess;

/* The default: values in [0, 1], RGB, no resize or crop. */
void cnnrt_preprocess_default(cnnrt_preprocess *spec);
int cnnrt_preprocess_parse(const char *text, cnnrt_preprocess *spec, char *error,
                           size_t error_size);
/* The spec in the parser's own words. */
void cnnrt_preprocess_describe(const cnnrt_preprocess *spec, char *text, size_t text_size);

/* Resizes, crops and normalises `image` into `chw` (channels x height x
 * width floats). The result's size must be the model's: a mismatch is an
 * error naming both. */
int cnnrt_preprocess_image(const cnnrt_image *image, const cnnrt_preprocess *spec, const char *path,
                           int channels, int height, int width, float *chw, char *error,
                           size_t error_size);

/*--- a model's inputs from files ------------------------------------------*/

/* Fills input `io` (`nchw`, its elements in order) from `count` files: one
 * .npy file of its shape, one .npz holding an array of the input's name
 * (or, for the model's `only_input`, an .npz of one array), or one image
 * per batch item, made by `spec`. A conversion the reader made (float64 to
 * float32) is described in `note`. Compiled programs and `cnnc run` read
 * their --input files with it. */
int cnnrt_read_input(const cnnrt_io *io, int only_input, const char *const *paths, int count,
                     const cnnrt_preprocess *spec, float *nchw, char *note, size_t note_size,
                     char *error, size_t error_size);

/* Which --input values feed which input: NAME=PATH names one, a bare .npz
 * feeds every input by name, a bare path goes to the only input (several
 * make a batch of images), else the k-th bare path to the k-th input.
 * `assigned[i]` (room for `value_count` paths each) receives input i's
 * paths and `counts[i]` their number; with values given, every input must
 * get one. */
int cnnrt_assign_inputs(const cnnrt_io *inputs, int input_count, const char *const *values,
                        int value_count, const char ***assigned, int *counts, char *error,
                        size_t error_size);

/* Whether `path` names an .npz archive (by its name). */
int cnnrt_is_npz_path(const char *path);
/* "[1, 3, 224, 224]" */
void cnnrt_shape_text(const cnnrt_io *io, char *text, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* CNNRT_IMAGE_H */
