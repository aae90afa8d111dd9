/*===- FuzzImage.c - libFuzzer target for the image readers ---------------===*
 *
 * Any file must be decoded or refused with a message. A decoded image is
 * then resized both ways (enlarged and shrunk, which take different filter
 * widths) and normalised, so ASan checks every pixel the resampler reads.
 *
 *===----------------------------------------------------------------------===*/

#include "FuzzInput.h"
#include "cnnrt.h"
#include "cnnrt_image.h"

#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  char path[64];
  if (!write_fuzz_input(data, size, ".img", path, sizeof path))
    return 0;
  char error[512] = "";
  cnnrt_image image;
  if (cnnrt_image_read(path, &image, error, sizeof error) == CNNRT_OK) {
    static const char *const specs[] = {"resize=37x23,crop=17x11", "resize=3,crop=3,layout=gray",
                                        "imagenet"};
    static const int sides[][3] = {{3, 17, 11}, {1, 3, 3}, {3, 224, 224}};
    static float chw[3 * 224 * 224];
    for (int s = 0; s < 3; ++s) {
      cnnrt_preprocess spec;
      if (cnnrt_preprocess_parse(specs[s], &spec, error, sizeof error) != CNNRT_OK)
        abort(); /* the specs above are valid */
      /* A failure (a crop larger than the image) must say why. */
      error[0] = '\0';
      if (cnnrt_preprocess_image(&image, &spec, path, sides[s][0], sides[s][1], sides[s][2], chw,
                                 error, sizeof error) != CNNRT_OK &&
          !error[0])
        abort();
    }
    cnnrt_image_free(&image);
  } else if (image.rgb || !error[0]) {
    abort(); /* a failure must leave no pixels and say why */
  }
  unlink(path);
  return 0;
}
