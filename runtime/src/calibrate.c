/*===- calibrate.c - activation ranges for int8 quantization --------------===*
 *
 *   ./model --calibrate model.qparams [--method minmax|percentile|entropy]
 *           [--percentile P] --input a.npy --input b.npy ...
 *
 * Runs the compiled fp32 model on every sample and records, per tensor (the
 * model's inputs and every kernel's output, named by its layer), the range
 * that int8 quantization should map onto 256 levels. `cnnc calibrate`
 * drives it; docs/quantization.md describes the file it writes.
 *
 * minmax takes the observed extremes. percentile and entropy need a
 * histogram, so they run the samples twice: the first pass finds each
 * tensor's largest magnitude, the second counts magnitudes in 2048 bins
 * over [0, that]. percentile clips at the P-th percentile of |x|. entropy
 * picks the clipping threshold whose 8-bit quantization of the histogram
 * loses least information (the Kullback-Leibler divergence, as TensorRT's
 * entropy calibrator does), over 128 levels for a signed tensor and 256 for
 * a non-negative one. A range always contains 0 (zero must be exact: it is
 * the padding), and the sign of a tensor's minimum is kept, since a
 * non-negative tensor (after ReLU) quantizes unsigned over [0, max].
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "calibrate.h"
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { BINS = 2048 };

typedef struct {
  const char *name; /* NULL: another step's part of an earlier tensor */
  double min, max, magnitude; /* observed over every sample */
  double *histogram;          /* BINS counts of |x| over [0, magnitude] */
  double low, high;           /* the range chosen */
} tensor_stats;

typedef struct {
  cnnrt_session *session;
  tensor_stats *tensors;
  int *tensor_of_step; /* the tensor each step's output is (part of) */
  int pass;            /* 1: extremes; 2: histograms */
  int sample;
  int failed;
  char *error;
  size_t size;
} calibration;

typedef struct {
  const calibration *c;
  tensor_stats *t;
  const float *base;
  double scale;   /* histogram bins per unit of |x| */
  int non_finite; /* the first element that is not finite: 1 NaN, 2 infinite */
} scan_state;

static void scan_element(int64_t at, void *context) {
  scan_state *s = context;
  double x = s->base[at];
  if (s->non_finite)
    return;
  if (!isfinite(x)) {
    s->non_finite = isnan(x) ? 1 : 2;
    return;
  }
  tensor_stats *t = s->t;
  if (s->c->pass == 1) {
    t->min = x < t->min ? x : t->min;
    t->max = x > t->max ? x : t->max;
  } else {
    int64_t bin = (int64_t)(fabs(x) * s->scale);
    t->histogram[bin < BINS ? bin : BINS - 1] += 1;
  }
}

/* Visits every element of a strided buffer. */
static int scan(calibration *c, tensor_stats *t, const cnnrt_buffer_ref *ref,
                const float *base) {
  scan_state s = {c, t, base, t->magnitude > 0 ? BINS / t->magnitude : 0, 0};
  cnnrt_each_element(ref, scan_element, &s);
  if (s.non_finite)
    return cnnrt_report(c->error, c->size, CNNRT_VALUE,
                        "layer '%s' gives %s on sample %d: calibration needs finite "
                        "activations",
                        t->name, s.non_finite == 1 ? "NaN" : "an infinity", c->sample + 1);
  return CNNRT_OK;
}

static void observe_step(void *context, int step) {
  calibration *c = context;
  if (c->failed)
    return;
  const cnnrt_step *s = &c->session->model->steps[step];
  const cnnrt_buffer_ref *output = &s->arguments[s->argument_count - 1];
  c->failed = scan(c, &c->tensors[c->tensor_of_step[step]], output,
                   cnnrt_buffer_base(c->session, output));
}

/* The Kullback-Leibler divergence of p from q, over bins where p has mass;
 * infinite where q has none there. */
static double divergence(const double *p, const double *q, int n) {
  double sp = 0, sq = 0, kl = 0;
  for (int i = 0; i < n; ++i) {
    sp += p[i];
    sq += q[i];
  }
  if (sp <= 0 || sq <= 0)
    return INFINITY;
  for (int i = 0; i < n; ++i) {
    if (p[i] <= 0)
      continue;
    if (q[i] <= 0)
      return INFINITY;
    kl += p[i] / sp * log((p[i] / sp) / (q[i] / sq));
  }
  return kl;
}

/* The threshold (a multiple of the bin width) whose quantization to
 * `levels` levels keeps the histogram closest to itself. */
static double entropy_threshold(const double *histogram, double width, int levels) {
  double p[BINS], q[BINS], best = INFINITY;
  int chosen = BINS;
  for (int n = levels; n <= BINS; ++n) {
    memcpy(p, histogram, sizeof(double) * (size_t)n);
    for (int i = n; i < BINS; ++i)
      p[n - 1] += histogram[i]; /* what is clipped lands in the last level */
    /* q: the first n bins merged into `levels` levels, each level's mass
     * spread evenly over the bins of it that had any. */
    for (int level = 0; level < levels; ++level) {
      int begin = level * n / levels, end = (level + 1) * n / levels;
      double mass = 0;
      int used = 0;
      for (int i = begin; i < end; ++i) {
        mass += histogram[i];
        used += histogram[i] > 0;
      }
      for (int i = begin; i < end; ++i)
        q[i] = histogram[i] > 0 ? mass / used : 0;
    }
    double kl = divergence(p, q, n);
    if (kl < best) {
      best = kl;
      chosen = n;
    }
  }
  return chosen * width;
}

static double percentile_threshold(const double *histogram, double width, double percentile) {
  double total = 0, seen = 0;
  for (int i = 0; i < BINS; ++i)
    total += histogram[i];
  for (int i = 0; i < BINS; ++i) {
    seen += histogram[i];
    if (seen >= total * percentile / 100)
      return (i + 1) * width;
  }
  return BINS * width;
}

static void choose_range(tensor_stats *t, cnnrt_calibration_method method, double percentile) {
  double low = t->min < 0 ? t->min : 0, high = t->max > 0 ? t->max : 0;
  if (method != CNNRT_MINMAX && t->magnitude > 0) {
    double width = t->magnitude / BINS;
    double limit = method == CNNRT_PERCENTILE
                       ? percentile_threshold(t->histogram, width, percentile)
                       : entropy_threshold(t->histogram, width, t->min < 0 ? 128 : 256);
    low = low < -limit ? -limit : low;
    high = high > limit ? limit : high;
  }
  t->low = low;
  t->high = high;
}

void cnnrt_write_quoted_name(FILE *file, const char *name) {
  fputc('"', file);
  for (const unsigned char *c = (const unsigned char *)name; *c; ++c) {
    if (*c >= 0x20 && *c < 0x7f && *c != '"' && *c != '\\')
      fputc(*c, file);
    else
      fprintf(file, "\\x%02x", *c);
  }
  fputc('"', file);
}

static const char *method_name(cnnrt_calibration_method method) {
  return method == CNNRT_MINMAX ? "minmax" : method == CNNRT_PERCENTILE ? "percentile" : "entropy";
}

static int write_qparams(const calibration *c, int count, const cnnrt_calibration_options *o,
                         int samples) {
  FILE *file = fopen(o->output, "w");
  if (!file)
    return cnnrt_report(c->error, c->size, CNNRT_IO, "%s: cannot write the calibration",
                        o->output);
  fprintf(file, "# cnnc quantization parameters: the range of each tensor, from %d sample(s)\n",
          samples);
  fprintf(file, "version 1\nmodel ");
  cnnrt_write_quoted_name(file, c->session->model->name);
  fprintf(file, "\nmethod %s", method_name(o->method));
  if (o->method == CNNRT_PERCENTILE)
    fprintf(file, " %.9g", o->percentile);
  fprintf(file, "\nsamples %d\n", samples);
  for (int t = 0; t < count; ++t) {
    if (!c->tensors[t].name)
      continue;
    fprintf(file, "tensor ");
    cnnrt_write_quoted_name(file, c->tensors[t].name);
    fprintf(file, " %.9g %.9g\n", c->tensors[t].low, c->tensors[t].high);
  }
  if (fclose(file))
    return cnnrt_report(c->error, c->size, CNNRT_IO, "%s: cannot write the calibration",
                        o->output);
  return CNNRT_OK;
}

/* One pass over the samples; on a terminal, a line counting them. */
static int run_samples(calibration *c, const cnnrt_calibration_options *o, float *nchw) {
  const cnnrt_model *model = c->session->model;
  const cnnrt_io *input = &model->inputs[0];
  int show = isatty(2) && o->sample_count > 1, status = CNNRT_OK;
  for (c->sample = 0; !status && c->sample < o->sample_count; ++c->sample) {
    if (show)
      fprintf(stderr, "\r\033[Kcalibrating %s: pass %d, sample %d of %d", model->name, c->pass,
              c->sample + 1, o->sample_count);
    status = cnnrt_read_input(input, model->input_count == 1, &o->samples[c->sample], 1,
                              o->preprocess, nchw, NULL, 0, c->error, c->size);
    if (status)
      break;
    cnnrt_to_buffer(input, nchw, c->session->inputs[0]);
    if ((status = scan(c, &c->tensors[0], &input->buffer, c->session->inputs[0])))
      break;
    c->session->observe = observe_step;
    c->session->observer = c;
    status = cnnrt_session_execute(c->session, c->error, c->size);
    c->session->observe = NULL;
    if (!status)
      status = c->failed;
  }
  if (show)
    fprintf(stderr, "\r\033[K");
  return status;
}

int cnnrt_calibrate(cnnrt_session *session, const cnnrt_calibration_options *o, char *error,
                    size_t size) {
  const cnnrt_model *model = session->model;
  if (session->device)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "calibration runs on the CPU: compile the model without --target");
  if (model->input_count != 1)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "calibration takes models with one input; %s has %d", model->name,
                        model->input_count);
  int count = 1 + model->step_count;
  calibration c = {session, calloc((size_t)count, sizeof(tensor_stats)),
                   calloc((size_t)model->step_count + 1, sizeof(int)), 1, 0, 0, error, size};
  float *nchw = malloc(sizeof(float) * (size_t)(cnnrt_io_elements(&model->inputs[0]) + 1));
  int status = c.tensors && c.tensor_of_step && nchw
                   ? CNNRT_OK
                   : cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  for (int t = 0; !status && t < count; ++t) {
    tensor_stats *stats = &c.tensors[t];
    stats->min = INFINITY;
    stats->max = -INFINITY;
    if (t == 0) {
      stats->name = model->inputs[0].name;
    } else {
      const cnnrt_step *step = &model->steps[t - 1];
      stats->name = step->layer;
      c.tensor_of_step[t - 1] = t;
      /* A layer made of several kernels (a concat's copies, each into its
       * part of the result) is one tensor: its range covers every part. */
      for (int earlier = 1; earlier < t; ++earlier)
        if (c.tensors[earlier].name && !strcmp(c.tensors[earlier].name, step->layer)) {
          c.tensor_of_step[t - 1] = earlier;
          stats->name = NULL;
          break;
        }
    }
  }
  if (!status)
    status = run_samples(&c, o, nchw);
  if (!status && o->method != CNNRT_MINMAX) {
    for (int t = 0; !status && t < count; ++t) {
      tensor_stats *stats = &c.tensors[t];
      stats->magnitude = fmax(fabs(stats->min), fabs(stats->max));
      if (stats->name && !(stats->histogram = calloc(BINS, sizeof(double))))
        status = cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
    }
    c.pass = 2;
    if (!status)
      status = run_samples(&c, o, nchw);
  }
  for (int t = 0; !status && t < count; ++t)
    if (c.tensors[t].name)
      choose_range(&c.tensors[t], o->method, o->percentile);
  if (!status)
    status = write_qparams(&c, count, o, o->sample_count);
  for (int t = 0; c.tensors && t < count; ++t)
    free(c.tensors[t].histogram);
  free(c.tensors);
  free(c.tensor_of_step);
  free(nchw);
  return status;
}
