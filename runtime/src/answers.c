/*===- answers.c - a classifier's output as its top classes ---------------===*
 *
 *   ./model --input photo.jpg --top 5 --labels labels.txt
 *
 * prints, per output and per batch item, the K most probable classes with
 * their probabilities and labels. An output that is already a probability
 * distribution (every value in [0, 1], each row summing to 1) is printed as
 * it is; any other is taken for logits and softmax is applied, and the
 * heading says which.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "answers.h"
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A labels file: one label per line, at most this many bytes and lines. */
enum { MAX_LABEL_BYTES = 16 << 20, MAX_LABELS = 1 << 20 };

void cnnrt_labels_free(cnnrt_labels *labels) {
  free(labels->text);
  free(labels->lines);
  labels->text = NULL;
  labels->lines = NULL;
  labels->count = 0;
}

int cnnrt_labels_read(const char *path, cnnrt_labels *labels, char *error, size_t size) {
  memset(labels, 0, sizeof *labels);
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  struct stat info;
  if (fd < 0 || fstat(fd, &info)) {
    int why = errno;
    if (fd >= 0)
      close(fd);
    return cnnrt_report(error, size, CNNRT_IO, "%s: cannot open the labels: %s", path,
                        strerror(why));
  }
  if (!S_ISREG(info.st_mode) || info.st_size > MAX_LABEL_BYTES) {
    close(fd);
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: the labels must be a regular file of at "
                        "most %d bytes",
                        path, MAX_LABEL_BYTES);
  }
  labels->text = malloc((size_t)info.st_size + 1);
  ssize_t got = labels->text ? read(fd, labels->text, (size_t)info.st_size) : -1;
  close(fd);
  if (got != (ssize_t)info.st_size) {
    cnnrt_labels_free(labels);
    return cnnrt_report(error, size, CNNRT_IO, "%s: cannot read the labels", path);
  }
  labels->text[got] = '\0';
  if (memchr(labels->text, '\0', (size_t)got)) {
    cnnrt_labels_free(labels);
    return cnnrt_report(error, size, CNNRT_FORMAT,
                        "%s: the labels hold a NUL byte; expected "
                        "text, one label per line",
                        path);
  }
  size_t lines = 0;
  for (ssize_t i = 0; i < got; ++i)
    lines += labels->text[i] == '\n';
  lines += got > 0 && labels->text[got - 1] != '\n'; /* a last line without a newline */
  if (lines > MAX_LABELS) {
    cnnrt_labels_free(labels);
    return cnnrt_report(error, size, CNNRT_FORMAT, "%s: more than %d labels", path, MAX_LABELS);
  }
  labels->lines = malloc(sizeof(char *) * (lines + 1));
  if (!labels->lines) {
    cnnrt_labels_free(labels);
    return cnnrt_report(error, size, CNNRT_MEMORY, "%s: out of memory", path);
  }
  for (char *line = labels->text; *line && labels->count < (int)lines;) {
    char *end = strchr(line, '\n');
    if (end)
      *end = '\0';
    size_t length = strlen(line);
    if (length && line[length - 1] == '\r')
      line[length - 1] = '\0';
    labels->lines[labels->count++] = line;
    if (!end)
      break;
    line = end + 1;
  }
  return CNNRT_OK;
}

typedef struct {
  int index;
  double probability;
} scored;

static int by_probability(const void *a, const void *b) {
  const scored *x = a, *y = b;
  /* NaN (from a NaN logit) ranks below every number. */
  double p = isnan(x->probability) ? -1 : x->probability;
  double q = isnan(y->probability) ? -1 : y->probability;
  if (p != q)
    return p < q ? 1 : -1;
  return x->index - y->index; /* ties: the lower class first, as torch.topk does */
}

/* Whether every row already is a distribution. */
static int is_probability(const float *data, int64_t rows, int64_t classes) {
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (int64_t k = 0; k < classes; ++k) {
      float p = data[r * classes + k];
      if (!(p >= 0 && p <= 1))
        return 0;
      sum += p;
    }
    if (fabs(sum - 1) > 1e-3)
      return 0;
  }
  return 1;
}

int cnnrt_print_top(const cnnrt_io *io, const float *data, int top, const cnnrt_labels *labels,
                    const char *const *sources, int source_count, char *error, size_t size) {
  int64_t rows = io->rank ? io->shape[0] : 1, total = cnnrt_io_elements(io);
  int64_t classes = rows ? total / rows : 0;
  if (classes < 2)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "--top: output '%s' has %lld value(s) per "
                        "batch item; it is not a classifier's",
                        io->name, (long long)classes);
  if (labels && labels->count != classes)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "--labels: %d labels for output '%s', which "
                        "has %lld classes",
                        labels->count, io->name, (long long)classes);
  int probabilities = is_probability(data, rows, classes);
  scored *row = malloc(sizeof(scored) * (size_t)classes);
  if (!row)
    return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  int shown = top < classes ? top : (int)classes;
  for (int64_t r = 0; r < rows; ++r) {
    const float *values = data + r * classes;
    double largest = values[0], sum = 0;
    for (int64_t k = 1; k < classes; ++k)
      largest = values[k] > largest ? values[k] : largest;
    for (int64_t k = 0; k < classes; ++k) {
      row[k].index = (int)k;
      row[k].probability = probabilities ? values[k] : exp(values[k] - largest);
      sum += row[k].probability;
    }
    for (int64_t k = 0; !probabilities && k < classes; ++k)
      row[k].probability /= sum;
    qsort(row, (size_t)classes, sizeof *row, by_probability);
    printf("%s", io->name);
    if (rows > 1)
      printf("[%lld]", (long long)r);
    if (r < source_count)
      printf(" (%s)", sources[r]);
    printf(": top %d of %lld, %s\n", shown, (long long)classes,
           probabilities ? "the output's probabilities" : "softmax of the output's logits");
    for (int i = 0; i < shown; ++i) {
      printf("  %8.5f  %5d", row[i].probability, row[i].index);
      if (labels)
        printf("  %s", labels->lines[row[i].index]);
      printf("\n");
    }
  }
  free(row);
  return CNNRT_OK;
}
