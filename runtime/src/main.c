/*===- main.c - the command line of a compiled model ----------------------===*
 *
 *   ./model [--weights w.safetensors] [--input x.npy]... [--output y.npy]...
 *           [--seed N] [--threads N] [--bench N] [--profile]
 *   ./model --calibrate model.qparams [--method minmax|percentile|entropy]
 *           [--percentile P] [--weights w.safetensors] --input x.npy...
 *   ./model --dump-layers DIR [--weights w.safetensors] [--input x.npy]...
 *           [--output y.npy]...
 *
 * Without weights the model runs on seeded random ones; without inputs, on
 * a seeded random input. Without --output it prints a summary of each
 * output. Every failure ends with one message and a non-zero status.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "calibrate.h"
#include "dump.h"
#include "session.h"
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bounds on the options: a benchmark keeps one latency per run. */
enum { MAX_BENCH_RUNS = 1000000, MAX_THREADS = 64 };

typedef struct {
  const char *weights;
  const char **inputs, **outputs; /* at most argc of each */
  int input_count, output_count;
  uint64_t seed;
  int threads, bench, profile;
  int seen_seed, seen_threads, seen_bench;
  cnnrt_calibration_options calibration; /* output NULL: not calibrating */
  int seen_method, seen_percentile;
  const char *dump_directory; /* --dump-layers: every step's output (dump.c) */
} options;

static int usage(const char *program, const cnnrt_model *model) {
  fprintf(stderr,
          "usage: %s [--weights w.safetensors] [--input x.npy]... [--output y.npy]...\n"
          "          [--seed N] [--threads N] [--bench N] [--profile]\n"
          "       %s --calibrate model.qparams [--method minmax|percentile|entropy]\n"
          "          [--percentile P] [--weights w.safetensors] --input x.npy...\n"
          "       %s --dump-layers DIR [--weights w.safetensors] [--input x.npy]...\n"
          "          [--output y.npy]...\n"
          "model %s:",
          program, program, program, model->name);
  for (int i = 0; i < model->input_count; ++i) {
    fprintf(stderr, " input %s [", model->inputs[i].name);
    for (int d = 0; d < model->inputs[i].rank; ++d)
      fprintf(stderr, "%s%lld", d ? ", " : "", (long long)model->inputs[i].shape[d]);
    fprintf(stderr, "]");
  }
  fprintf(stderr, "\n");
  return 2;
}

/* A whole decimal number in [low, high]; anything else (a sign where none is
 * allowed, trailing text, overflow) is refused with a message. */
static int parse_number(const char *program, const char *option, const char *text,
                        unsigned long long low, unsigned long long high,
                        unsigned long long *value) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(text, &end, 10);
  if (text[0] < '0' || text[0] > '9' || *end || errno == ERANGE || n < low || n > high) {
    fprintf(stderr, "%s: %s takes a whole number from %llu to %llu, not '%s'\n", program,
            option, low, high, text);
    return 2;
  }
  *value = n;
  return 0;
}

static int repeated(const char *program, const char *option, int *seen) {
  if ((*seen)++) {
    fprintf(stderr, "%s: %s is given twice; give it once\n", program, option);
    return 2;
  }
  return 0;
}

static int parse(int argc, char **argv, const cnnrt_model *model, options *o) {
  o->seed = 1;
  int seen_weights = 0, seen_calibrate = 0, seen_dump = 0;
  o->calibration.method = CNNRT_PERCENTILE;
  o->calibration.percentile = 99.99;
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    int has_value = i + 1 < argc;
    unsigned long long n;
    if (!strcmp(arg, "--profile")) {
      o->profile = 1;
    } else if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
      return usage(argv[0], model);
    } else if (has_value && !strcmp(arg, "--weights")) {
      if (repeated(argv[0], arg, &seen_weights))
        return 2;
      o->weights = argv[++i];
    } else if (has_value && !strcmp(arg, "--input")) {
      o->inputs[o->input_count++] = argv[++i];
    } else if (has_value && !strcmp(arg, "--output")) {
      o->outputs[o->output_count++] = argv[++i];
    } else if (has_value && !strcmp(arg, "--seed")) {
      if (repeated(argv[0], arg, &o->seen_seed) ||
          parse_number(argv[0], arg, argv[++i], 0, UINT64_MAX, &n))
        return 2;
      o->seed = n;
    } else if (has_value && !strcmp(arg, "--threads")) {
      if (repeated(argv[0], arg, &o->seen_threads) ||
          parse_number(argv[0], arg, argv[++i], 1, MAX_THREADS, &n))
        return 2;
      o->threads = (int)n;
    } else if (has_value && !strcmp(arg, "--bench")) {
      if (repeated(argv[0], arg, &o->seen_bench) ||
          parse_number(argv[0], arg, argv[++i], 1, MAX_BENCH_RUNS, &n))
        return 2;
      o->bench = (int)n;
    } else if (has_value && !strcmp(arg, "--calibrate")) {
      if (repeated(argv[0], arg, &seen_calibrate))
        return 2;
      o->calibration.output = argv[++i];
    } else if (has_value && !strcmp(arg, "--dump-layers")) {
      if (repeated(argv[0], arg, &seen_dump))
        return 2;
      o->dump_directory = argv[++i];
    } else if (has_value && !strcmp(arg, "--method")) {
      const char *method = argv[++i];
      if (repeated(argv[0], arg, &o->seen_method))
        return 2;
      if (!strcmp(method, "minmax"))
        o->calibration.method = CNNRT_MINMAX;
      else if (!strcmp(method, "percentile"))
        o->calibration.method = CNNRT_PERCENTILE;
      else if (!strcmp(method, "entropy"))
        o->calibration.method = CNNRT_ENTROPY;
      else {
        fprintf(stderr, "%s: --method takes minmax, percentile or entropy, not '%s'\n",
                argv[0], method);
        return 2;
      }
    } else if (has_value && !strcmp(arg, "--percentile")) {
      char *end;
      const char *text = argv[++i];
      double p = strtod(text, &end);
      if (repeated(argv[0], arg, &o->seen_percentile))
        return 2;
      if (end == text || *end || !(p >= 50 && p <= 100)) {
        fprintf(stderr, "%s: --percentile takes a number from 50 to 100, not '%s'\n", argv[0],
                text);
        return 2;
      }
      o->calibration.percentile = p;
    } else {
      fprintf(stderr, "%s: unknown or incomplete option '%s'\n", argv[0], arg);
      return usage(argv[0], model);
    }
  }
  if (o->dump_directory && (o->calibration.output || o->bench || o->profile)) {
    fprintf(stderr, "%s: --dump-layers runs the model once more: no --calibrate, --bench or "
                    "--profile beside it\n", argv[0]);
    return 2;
  }
  if (o->calibration.output) {
    if (!o->input_count || o->output_count || o->bench || o->profile) {
      fprintf(stderr, "%s: --calibrate takes one --input per sample, and no --output, --bench "
                      "or --profile\n", argv[0]);
      return 2;
    }
    o->calibration.samples = (const char *const *)o->inputs;
    o->calibration.sample_count = o->input_count;
    return 0;
  }
  if (o->seen_method || o->seen_percentile) {
    fprintf(stderr, "%s: --method and --percentile go with --calibrate\n", argv[0]);
    return 2;
  }
  if (o->input_count && o->input_count != model->input_count) {
    fprintf(stderr, "%s: the model has %d input(s); %d --input given\n", argv[0],
            model->input_count, o->input_count);
    return 2;
  }
  if (o->output_count && o->output_count != model->output_count) {
    fprintf(stderr, "%s: the model has %d output(s); %d --output given\n", argv[0],
            model->output_count, o->output_count);
    return 2;
  }
  return 0;
}

static void shape_text(int rank, const int64_t *shape, char *text, size_t size) {
  size_t used = (size_t)snprintf(text, size, "[");
  for (int d = 0; d < rank && used < size; ++d)
    used += (size_t)snprintf(text + used, size - used, "%s%lld", d ? ", " : "", (long long)shape[d]);
  if (used < size)
    snprintf(text + used, size - used, "]");
}

int cnnrt_read_input(const cnnrt_io *io, const char *path, float *nchw, char *error,
                     size_t size) {
  int rank;
  int64_t shape[CNNRT_MAX_RANK];
  float *data;
  int status = cnnrt_npy_read_f32(path, &rank, shape, &data, error, size);
  if (status)
    return status;
  int same = rank == io->rank;
  for (int d = 0; same && d < rank; ++d)
    same = shape[d] == io->shape[d];
  if (!same) {
    char expected[128], found[128];
    shape_text(io->rank, io->shape, expected, sizeof expected);
    shape_text(rank, shape, found, sizeof found);
    snprintf(error, size, "%s: input '%s' must have shape %s, found %s", path, io->name, expected,
             found);
    free(data);
    return CNNRT_SHAPE;
  }
  memcpy(nchw, data, sizeof(float) * (size_t)cnnrt_io_elements(io));
  free(data);
  return CNNRT_OK;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* The same line `cnnc run` prints, so the two can be compared by eye. */
static void print_summary(const cnnrt_io *io, const float *data) {
  int64_t count = cnnrt_io_elements(io), best = 0;
  double sum = 0, squares = 0;
  for (int64_t i = 0; i < count; ++i) {
    sum += data[i];
    squares += (double)data[i] * data[i];
    if (data[i] > data[best])
      best = i;
  }
  char shape[128];
  shape_text(io->rank, io->shape, shape, sizeof shape);
  printf("%s %s: mean %.6g, rms %.6g, max %.6g at flat index %lld\n", io->name, shape,
         sum / (double)count, sqrt(squares / (double)count), (double)data[best], (long long)best);
}

typedef struct {
  int step;
  double seconds;
} step_time;

static int by_time(const void *a, const void *b) {
  double x = ((const step_time *)a)->seconds, y = ((const step_time *)b)->seconds;
  return x < y ? 1 : x > y ? -1 : 0;
}

static int print_profile(const cnnrt_session *session, int runs, char *error, size_t size) {
  const cnnrt_model *model = session->model;
  step_time *times = malloc(sizeof(step_time) * ((size_t)model->step_count + 1));
  if (!times)
    return cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  double total = 0;
  for (int s = 0; s < model->step_count; ++s) {
    times[s].step = s;
    times[s].seconds = session->step_seconds[s] / runs;
    total += times[s].seconds;
  }
  qsort(times, (size_t)model->step_count, sizeof(step_time), by_time);
  printf("profile: %d steps, %.3f ms per run (mean of %d)\n", model->step_count, total * 1e3, runs);
  printf("%-36s %-20s %10s %7s %10s\n", "layer", "op", "ms", "share", "GFLOP/s");
  for (int i = 0; i < model->step_count; ++i) {
    const cnnrt_step *step = &model->steps[times[i].step];
    double seconds = times[i].seconds;
    printf("%-36s %-20s %10.4f %6.1f%%", step->layer, step->op, seconds * 1e3,
           total > 0 ? 100.0 * seconds / total : 0.0);
    if (step->multiply_adds && seconds > 0)
      printf(" %10.1f", 2.0 * (double)step->multiply_adds / seconds * 1e-9);
    printf("\n");
  }
  free(times);
  return CNNRT_OK;
}

/* Runs the model once, then benchmarks and profiles it as asked, then writes
 * or prints the outputs. `inputs` are filled, `outputs` allocated. */
static int run(const options *o, cnnrt_session *session, float **inputs, float **outputs,
               char *error, size_t size) {
  const cnnrt_model *model = session->model;
  cnnrt_input *in = calloc((size_t)model->input_count + 1, sizeof *in);
  cnnrt_output *out = calloc((size_t)model->output_count + 1, sizeof *out);
  int status = in && out ? CNNRT_OK : cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  for (int i = 0; !status && i < model->input_count; ++i)
    in[i] = (cnnrt_input){inputs[i], (size_t)cnnrt_io_elements(&model->inputs[i])};
  for (int i = 0; !status && i < model->output_count; ++i)
    out[i] = (cnnrt_output){outputs[i], (size_t)cnnrt_io_elements(&model->outputs[i])};
  if (!status)
    status = cnnrt_session_run(session, in, model->input_count, out, model->output_count, error,
                               size);
  free(in);
  free(out);
  if (!status && o->dump_directory)
    status = cnnrt_dump_layers(session, o->dump_directory, error, size);

  if (!status && o->bench > 0) {
    double *latencies = malloc(sizeof(double) * (size_t)o->bench);
    if (!latencies)
      status = cnnrt_report(error, size, CNNRT_MEMORY, "out of memory for %d latencies",
                            o->bench);
    for (int r = 0; r < o->bench && !status; ++r) {
      double start = cnnrt_now();
      status = cnnrt_session_execute(session, error, size);
      latencies[r] = (cnnrt_now() - start) * 1e3;
    }
    if (!status) {
      qsort(latencies, (size_t)o->bench, sizeof(double), compare_doubles);
      printf("latency: median %.3f ms, min %.3f ms, max %.3f ms over %d runs\n",
             latencies[o->bench / 2], latencies[0], latencies[o->bench - 1], o->bench);
    }
    free(latencies);
  }
  if (!status && o->profile) {
    int runs = o->bench > 0 ? o->bench : 10;
    session->profile = 1;
    for (int r = 0; r < runs && !status; ++r)
      status = cnnrt_session_execute(session, error, size);
    session->profile = 0;
    if (!status)
      status = print_profile(session, runs, error, size);
  }
  for (int i = 0; i < model->output_count && !status; ++i) {
    const cnnrt_io *io = &model->outputs[i];
    if (o->output_count)
      status = cnnrt_npy_write_f32(o->outputs[i], io->rank, io->shape, outputs[i], error, size);
    else if (!o->bench && !o->profile)
      print_summary(io, outputs[i]);
  }
  return status;
}

int cnnrt_main(const cnnrt_model *model, int argc, char **argv) {
  options o = {0};
  o.inputs = calloc((size_t)argc + 1, sizeof(char *));
  o.outputs = calloc((size_t)argc + 1, sizeof(char *));
  if (!o.inputs || !o.outputs || parse(argc, argv, model, &o)) {
    free(o.inputs);
    free(o.outputs);
    return 2;
  }
  if (o.threads > 0)
    cnnrt_set_threads(o.threads);
  char error[1024] = "";
  cnnrt_session *session = NULL;
  int status = cnnrt_session_open(model, o.weights, o.seed, &session, error, sizeof error);
  /* Calibration reads its samples itself, and nothing else runs. */
  int calibrating = o.calibration.output != NULL;
  if (!status && calibrating) {
    double start = cnnrt_now();
    status = cnnrt_calibrate(session, &o.calibration, error, sizeof error);
    if (!status)
      printf("calibrated %s on %d sample(s) in %.2f s: %s\n", model->name,
             o.calibration.sample_count, cnnrt_now() - start, o.calibration.output);
  }
  float **inputs = calloc((size_t)model->input_count + 1, sizeof(float *));
  float **outputs = calloc((size_t)model->output_count + 1, sizeof(float *));
  if (!status && (!inputs || !outputs))
    status = cnnrt_report(error, sizeof error, CNNRT_MEMORY, "out of memory");
  for (int i = 0; i < model->input_count && !status && !calibrating; ++i) {
    size_t count = (size_t)cnnrt_io_elements(&model->inputs[i]);
    if (!(inputs[i] = malloc(sizeof(float) * (count ? count : 1))))
      status = cnnrt_report(error, sizeof error, CNNRT_MEMORY, "out of memory for input '%s'",
                            model->inputs[i].name);
    else if (o.input_count)
      status = cnnrt_read_input(&model->inputs[i], o.inputs[i], inputs[i], error, sizeof error);
    else {
      uint64_t state = o.seed * 7919u + (uint64_t)i;
      for (size_t k = 0; k < count; ++k)
        inputs[i][k] = (float)cnnrt_random_normal(&state);
    }
  }
  for (int i = 0; i < model->output_count && !status && !calibrating; ++i) {
    size_t count = (size_t)cnnrt_io_elements(&model->outputs[i]);
    if (!(outputs[i] = malloc(sizeof(float) * (count ? count : 1))))
      status = cnnrt_report(error, sizeof error, CNNRT_MEMORY, "out of memory for output '%s'",
                            model->outputs[i].name);
  }
  if (!status && !calibrating)
    status = run(&o, session, inputs, outputs, error, sizeof error);
  if (status)
    fprintf(stderr, "%s: %s\n", argv[0], error);
  for (int i = 0; inputs && i < model->input_count; ++i)
    free(inputs[i]);
  for (int i = 0; outputs && i < model->output_count; ++i)
    free(outputs[i]);
  free(inputs);
  free(outputs);
  free(o.inputs);
  free(o.outputs);
  cnnrt_session_close(session);
  return status ? 1 : 0;
}
