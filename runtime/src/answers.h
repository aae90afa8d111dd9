/*===- answers.h - a classifier's output as its top classes ---------------===*/

#ifndef CNNRT_ANSWERS_H
#define CNNRT_ANSWERS_H

#include "session.h"

/* A labels file, one label per line (a trailing '\r' dropped). */
typedef struct {
  char *text;
  char **lines;
  int count;
} cnnrt_labels;

int cnnrt_labels_read(const char *path, cnnrt_labels *labels, char *error, size_t error_size);
void cnnrt_labels_free(cnnrt_labels *labels);

/* Prints output `io`'s top `top` classes per batch item to stdout, naming
 * item r by sources[r] when r < source_count; `labels` may be NULL. */
int cnnrt_print_top(const cnnrt_io *io, const float *data, int top, const cnnrt_labels *labels,
                    const char *const *sources, int source_count, char *error, size_t error_size);

#endif /* CNNRT_ANSWERS_H */
