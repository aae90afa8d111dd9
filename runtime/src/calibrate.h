/*===- calibrate.h - the compiled model's calibration mode ----------------===*/

#ifndef CNNRT_CALIBRATE_H
#define CNNRT_CALIBRATE_H

#include "session.h"

#include <stdio.h>

typedef enum { CNNRT_MINMAX, CNNRT_PERCENTILE, CNNRT_ENTROPY } cnnrt_calibration_method;

typedef struct {
  const char *output;          /* the .qparams file to write */
  const char *const *samples;  /* .npy or image files, one per run of the model's one input */
  int sample_count;
  const cnnrt_preprocess *preprocess; /* for image samples */
  cnnrt_calibration_method method;
  double percentile;           /* CNNRT_PERCENTILE: of |x|, in (0, 100] */
} cnnrt_calibration_options;

/* Runs the model on every sample and writes each tensor's range
 * (calibrate.c). */
int cnnrt_calibrate(cnnrt_session *session, const cnnrt_calibration_options *options,
                    char *error, size_t error_size);

/* A name as a .qparams file quotes it: printable ASCII but `"` and `\` as
 * they are, every other byte as \xHH. */
void cnnrt_write_quoted_name(FILE *file, const char *name);

#endif /* CNNRT_CALIBRATE_H */
