/*===- main.c - the command line of a compiled model ----------------------===*
 *
 *   ./model [--input photo.jpg|x.npy|x.npz|NAME=PATH]... [--top K [--labels F]]
 *           [--output y.npy... | y.npz] [--weights w.safetensors] [--preprocess SPEC]
 *           [--seed N] [--threads N] [--bench N] [--profile] [-q] [-v]
 *   ./model --calibrate model.qparams [--method minmax|percentile|entropy]
 *           [--percentile P] --input x.npy|photo.jpg...
 *   ./model --dump-layers DIR [--input ...]... [--output y.npy]...
 *
 * Weights: --weights, else the file recorded at compile time, else seeded
 * random ones (said on stderr every time). Inputs: .npy tensors, an .npz
 * of them by input name, or image files (one per batch item); without any,
 * a seeded random input. Without
 * --output or --top it prints a summary of each output. Options follow
 * options.h's convention. Every failure ends with one message and a
 * non-zero status (2 for usage).
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "answers.h"
#include "calibrate.h"
#include "dump.h"
#include "options.h"
#include "report.h"
#include "session.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bounds on the options: a benchmark keeps one latency per run. */
enum { MAX_BENCH_RUNS = 1000000, MAX_THREADS = 64, MAX_TOP = 1000000 };

typedef struct {
  const char *program;
  const cnnrt_model *model;
  const char *weights, *preprocess, *labels;
  const char **inputs, **outputs; /* at most argc of each */
  int input_count, output_count;
  uint64_t seed;
  int threads, bench, profile, top, quiet, verbose;
  cnnrt_calibration_options calibration; /* output NULL: not calibrating */
  int seen_method, seen_percentile;
  const char *dump_directory; /* --dump-layers: every step's output (dump.c) */
} options;

enum {
  WEIGHTS, INPUT, OUTPUT, PREPROCESS, TOP, LABELS, SEED, THREADS, BENCH, PROFILE, CALIBRATE,
  METHOD, PERCENTILE, DUMP_LAYERS, QUIET, VERBOSE, OPTION_COUNT
};

static const cnnrt_option option_table[OPTION_COUNT] = {
    [WEIGHTS] = {"--weights", "w.safetensors", 0},
    [INPUT] = {"--input", "x.npy|x.npz|photo.jpg|NAME=PATH", 1},
    [OUTPUT] = {"--output", "y.npy|y.npz", 1},
    [PREPROCESS] = {"--preprocess", "SPEC", 0},
    [TOP] = {"--top", "K", 0},
    [LABELS] = {"--labels", "labels.txt", 0},
    [SEED] = {"--seed", "N", 0},
    [THREADS] = {"--threads", "N", 0},
    [BENCH] = {"--bench", "N", 0},
    [PROFILE] = {"--profile", NULL, 0},
    [CALIBRATE] = {"--calibrate", "model.qparams", 0},
    [METHOD] = {"--method", "minmax|percentile|entropy", 0},
    [PERCENTILE] = {"--percentile", "P", 0},
    [DUMP_LAYERS] = {"--dump-layers", "DIR", 0},
    [QUIET] = {"-q", NULL, 0},
    [VERBOSE] = {"-v", NULL, 0},
};

static void print_io(FILE *out, const char *kind, const cnnrt_io *io) {
  char shape[128];
  cnnrt_shape_text(io, shape, sizeof shape);
  fprintf(out, "  %-6s %s %s\n", kind, io->name, shape);
}

static void usage(FILE *out, const char *program, const cnnrt_model *model) {
  fprintf(out,
          "usage: %s [--input x.npy|x.npz|photo.jpg|NAME=PATH]... [--top K [--labels F]]\n"
          "          [--output y.npy... | y.npz] [--weights w.safetensors] [--preprocess SPEC]\n"
          "          [--seed N] [--threads N] [--bench N] [--profile] [-q] [-v]\n"
          "       %s --calibrate model.qparams [--method minmax|percentile|entropy]\n"
          "          [--percentile P] [--weights w.safetensors] --input x.npy|photo.jpg...\n"
          "       %s --dump-layers DIR [--weights w.safetensors] [--input ...]... "
          "[--output y.npy]...\n"
          "       %s --help | --version\n\n"
          "--input: a .npy tensor (float32; float64 and float16 are converted), an .npz holding\n"
          "  the inputs by name, or image files\n"
          "  (PNG, JPEG, PPM, BMP), one per batch item, made into the input by --preprocess\n"
          "  SPEC: resize=N (shorter side) or HxW, crop=N or HxW (centred), mean=R,G,B,\n"
          "  std=R,G,B (after scaling to [0, 1]), layout=rgb|bgr|gray; the preset imagenet is\n"
          "  resize=256,crop=224 with ImageNet's mean and std. Options take --flag value or\n"
          "  --flag=value.\n"
          "--output: one .npy per output, in order, or one .npz with every output by name.\n\n"
          "model %s (%s):\n",
          program, program, program, program, model->name,
          model->built_by ? model->built_by : "cnnc");
  for (int i = 0; i < model->input_count; ++i)
    print_io(out, "input", &model->inputs[i]);
  for (int i = 0; i < model->output_count; ++i)
    print_io(out, "output", &model->outputs[i]);
  if (model->weights)
    fprintf(out, "  weights %s (recorded at compile time; --weights overrides)\n",
            model->weights);
  else
    fprintf(out, "  weights none recorded: seeded random unless --weights is given\n");
  if (model->preprocess)
    fprintf(out, "  preprocess %s (recorded at compile time; --preprocess overrides)\n",
            model->preprocess);
}

static int handle(int option, const char *value, void *context) {
  options *o = context;
  const char *program = o->program, *name = option_table[option].name;
  unsigned long long n;
  switch (option) {
  case WEIGHTS:
    o->weights = value;
    return 0;
  case INPUT:
    o->inputs[o->input_count++] = value;
    return 0;
  case OUTPUT:
    o->outputs[o->output_count++] = value;
    return 0;
  case PREPROCESS:
    o->preprocess = value;
    return 0;
  case LABELS:
    o->labels = value;
    return 0;
  case TOP:
    if (cnnrt_option_number(program, name, value, 1, MAX_TOP, &n))
      return 2;
    o->top = (int)n;
    return 0;
  case SEED:
    if (cnnrt_option_number(program, name, value, 0, UINT64_MAX, &n))
      return 2;
    o->seed = n;
    return 0;
  case THREADS:
    if (cnnrt_option_number(program, name, value, 1, MAX_THREADS, &n))
      return 2;
    o->threads = (int)n;
    return 0;
  case BENCH:
    if (cnnrt_option_number(program, name, value, 1, MAX_BENCH_RUNS, &n))
      return 2;
    o->bench = (int)n;
    return 0;
  case PROFILE:
    o->profile = 1;
    return 0;
  case QUIET:
    o->quiet = 1;
    return 0;
  case VERBOSE:
    o->verbose = 1;
    return 0;
  case CALIBRATE:
    o->calibration.output = value;
    return 0;
  case DUMP_LAYERS:
    o->dump_directory = value;
    return 0;
  case METHOD:
    o->seen_method = 1;
    if (!strcmp(value, "minmax"))
      o->calibration.method = CNNRT_MINMAX;
    else if (!strcmp(value, "percentile"))
      o->calibration.method = CNNRT_PERCENTILE;
    else if (!strcmp(value, "entropy"))
      o->calibration.method = CNNRT_ENTROPY;
    else {
      fprintf(stderr, "%s: --method takes minmax, percentile or entropy, not '%s'\n", program,
              value);
      return 2;
    }
    return 0;
  case PERCENTILE: {
    char *end;
    double p = strtod(value, &end);
    o->seen_percentile = 1;
    if (end == value || *end || !(p >= 50 && p <= 100)) {
      fprintf(stderr, "%s: --percentile takes a number from 50 to 100, not '%s'\n", program,
              value);
      return 2;
    }
    o->calibration.percentile = p;
    return 0;
  }
  }
  return 2;
}

/* Whether the combination of options makes sense; prints why not. */
static int check(options *o) {
  const char *program = o->program;
  if (o->dump_directory && (o->calibration.output || o->bench || o->profile)) {
    fprintf(stderr, "%s: --dump-layers runs the model once more: no --calibrate, --bench or "
                    "--profile beside it\n", program);
    return 2;
  }
  if (o->labels && !o->top) {
    fprintf(stderr, "%s: --labels names the classes --top K prints; give --top too\n", program);
    return 2;
  }
  if (o->calibration.output) {
    if (!o->input_count || o->output_count || o->bench || o->profile || o->top) {
      fprintf(stderr, "%s: --calibrate takes one --input per sample, and no --output, --bench, "
                      "--profile or --top\n", program);
      return 2;
    }
    o->calibration.samples = (const char *const *)o->inputs;
    o->calibration.sample_count = o->input_count;
    return 0;
  }
  if (o->seen_method || o->seen_percentile) {
    fprintf(stderr, "%s: --method and --percentile go with --calibrate\n", program);
    return 2;
  }
  int one_archive = o->output_count == 1 && cnnrt_is_npz_path(o->outputs[0]);
  if (o->output_count && !one_archive && o->output_count != o->model->output_count) {
    fprintf(stderr, "%s: the model has %d output(s); give as many --output y.npy, or one "
                    "--output y.npz for all of them by name (%d --output given)\n",
            program, o->model->output_count, o->output_count);
    return 2;
  }
  return 0;
}

/* Parses the command line; 0 to go on, or the status to exit with. */
static int parse(int argc, char **argv, const cnnrt_model *model, options *o) {
  o->program = argv[0];
  o->model = model;
  o->seed = 1;
  o->calibration.method = CNNRT_PERCENTILE;
  o->calibration.percentile = 99.99;
  int status = cnnrt_parse_options(argc, argv, option_table, OPTION_COUNT, handle, o);
  if (status == CNNRT_OPTIONS_HELP) {
    usage(stdout, argv[0], model);
    return -1;
  }
  if (status == CNNRT_OPTIONS_VERSION) {
    printf("%s: model %s, %s\n", argv[0], model->name,
           model->built_by ? model->built_by : "built by cnnc");
    return -1;
  }
  return status ? 2 : check(o);
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
  cnnrt_shape_text(io, shape, sizeof shape);
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

/* Every output in one .npz, each under its name. */
static int write_archive(const char *path, const cnnrt_model *model, float **outputs,
                         char *error, size_t size) {
  size_t n = (size_t)model->output_count;
  const char **names = calloc(n + 1, sizeof *names);
  int *ranks = calloc(n + 1, sizeof *ranks);
  const int64_t **shapes = calloc(n + 1, sizeof *shapes);
  int status = names && ranks && shapes ? CNNRT_OK
                                        : cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  for (size_t i = 0; i < n && !status; ++i) {
    names[i] = model->outputs[i].name;
    ranks[i] = model->outputs[i].rank;
    shapes[i] = model->outputs[i].shape;
  }
  if (!status)
    status = cnnrt_npz_write(path, n, names, ranks, shapes, (const float *const *)outputs, error,
                             size);
  free(names);
  free(ranks);
  free(shapes);
  return status;
}

/* What the run needs besides the options. */
typedef struct {
  int random_weights;        /* seeded random weights: said beside timings */
  const cnnrt_labels *labels; /* --labels, or NULL */
  const char **sources;       /* the image files of input 0, naming batch items */
  int source_count;
} run_context;

/* Runs the model once, then benchmarks and profiles it as asked, then writes
 * or prints the outputs. `inputs` are filled, `outputs` allocated. */
static int run(const options *o, const run_context *context, cnnrt_session *session,
               float **inputs, float **outputs, char *error, size_t size) {
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
      /* A GPU model's time is the GPU's: it says which. */
      char device[256];
      cnnrt_device_name(session, device, sizeof device);
      printf("latency: median %.3f ms, min %.3f ms, max %.3f ms over %d runs%s%s%s\n",
             latencies[o->bench / 2], latencies[0], latencies[o->bench - 1], o->bench,
             device[0] ? " on " : "", device,
             context->random_weights ? " (seeded random weights)" : "");
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
  if (!status && o->output_count == 1 && cnnrt_is_npz_path(o->outputs[0]))
    status = write_archive(o->outputs[0], model, outputs, error, size);
  for (int i = 0; i < model->output_count && !status; ++i) {
    const cnnrt_io *io = &model->outputs[i];
    if (o->output_count && !cnnrt_is_npz_path(o->outputs[0]))
      status = cnnrt_npy_write_f32(o->outputs[i], io->rank, io->shape, outputs[i], error, size);
    if (!status && o->top)
      status = cnnrt_print_top(io, outputs[i], o->top, context->labels,
                               (const char *const *)context->sources, context->source_count,
                               error, size);
    else if (!status && !o->output_count && !o->bench && !o->profile)
      print_summary(io, outputs[i]);
  }
  return status;
}

/* Whether any parameter is read from a weights file (not computed). */
static int has_weights(const cnnrt_model *model) {
  for (int i = 0; i < model->parameter_count; ++i)
    if (!model->parameters[i].computed)
      return 1;
  return 0;
}

/* --weights, else the compile-time file (which must still be there), else
 * none: seeded random weights, said on stderr. */
static int choose_weights(const options *o, const char **weights, char *error, size_t size) {
  const cnnrt_model *model = o->model;
  *weights = o->weights ? o->weights : model->weights;
  if (!o->weights && model->weights && access(model->weights, R_OK))
    return cnnrt_report(error, size, CNNRT_IO,
                        "the weights recorded at compile time, %s, cannot be read (%s); pass "
                        "--weights w.safetensors", model->weights, strerror(errno));
  if (!*weights && has_weights(model) && !o->quiet)
    fprintf(stderr, "%s: running with seeded random weights (seed %llu); pass --weights "
                    "w.safetensors\n", o->program, (unsigned long long)o->seed);
  if (*weights && o->verbose)
    fprintf(stderr, "%s: weights %s\n", o->program, *weights);
  return CNNRT_OK;
}

/* The inputs, read from their files or seeded random. */
static int fill_inputs(const options *o, const cnnrt_preprocess *spec, float **inputs,
                       run_context *context, char *error, size_t size) {
  const cnnrt_model *model = o->model;
  const char ***assigned = calloc((size_t)model->input_count + 1, sizeof *assigned);
  int *counts = calloc((size_t)model->input_count + 1, sizeof *counts);
  int status =
      assigned && counts ? CNNRT_OK : cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  for (int i = 0; !status && i < model->input_count; ++i)
    if (!(assigned[i] = calloc((size_t)o->input_count + 1, sizeof(char *))))
      status = cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
  if (!status)
    status = cnnrt_assign_inputs(model->inputs, model->input_count, o->inputs, o->input_count,
                                 assigned, counts, error, size);
  for (int i = 0; i < model->input_count && !status; ++i) {
    size_t count = (size_t)cnnrt_io_elements(&model->inputs[i]);
    if (!(inputs[i] = malloc(sizeof(float) * (count ? count : 1)))) {
      status = cnnrt_report(error, size, CNNRT_MEMORY, "out of memory for input '%s'",
                            model->inputs[i].name);
    } else if (counts[i]) {
      char note[256];
      status = cnnrt_read_input(&model->inputs[i], model->input_count == 1, assigned[i],
                                counts[i], spec, inputs[i], note, sizeof note, error, size);
      if (!status && note[0] && !o->quiet)
        fprintf(stderr, "%s: %s\n", o->program, note);
      if (!status && i == 0 && cnnrt_is_image_file(assigned[0][0])) {
        context->sources = assigned[0];
        context->source_count = counts[0];
        assigned[0] = NULL; /* kept for naming the batch items */
      }
    } else {
      cnnrt_random_input(o->seed, i, inputs[i], count);
    }
  }
  for (int i = 0; assigned && i < model->input_count; ++i)
    free(assigned[i]);
  free(assigned);
  free(counts);
  return status;
}

int cnnrt_main(const cnnrt_model *model, int argc, char **argv) {
  options o = {0};
  o.inputs = calloc((size_t)argc + 1, sizeof(char *));
  o.outputs = calloc((size_t)argc + 1, sizeof(char *));
  int usage_status = !o.inputs || !o.outputs ? 2 : parse(argc, argv, model, &o);
  if (usage_status) {
    free(o.inputs);
    free(o.outputs);
    return usage_status < 0 ? 0 : 2;
  }
  char error[1024] = "";
  cnnrt_preprocess spec;
  const char *spec_text = o.preprocess ? o.preprocess : model->preprocess;
  if (spec_text && cnnrt_preprocess_parse(spec_text, &spec, error, sizeof error)) {
    fprintf(stderr, "%s: %s\n", argv[0], error);
    free(o.inputs);
    free(o.outputs);
    return 2;
  }
  if (!spec_text)
    cnnrt_preprocess_default(&spec);
  if (o.verbose) {
    char text[256];
    cnnrt_preprocess_describe(&spec, text, sizeof text);
    fprintf(stderr, "%s: image inputs are preprocessed as %s\n", argv[0], text);
  }
  o.calibration.preprocess = &spec;
  if (o.threads > 0)
    cnnrt_set_threads(o.threads);
  cnnrt_session *session = NULL;
  cnnrt_labels labels = {0};
  run_context context = {0};
  const char *weights = NULL;
  int status = choose_weights(&o, &weights, error, sizeof error);
  context.random_weights = !weights && has_weights(model);
  if (!status && o.labels && !(status = cnnrt_labels_read(o.labels, &labels, error, sizeof error)))
    context.labels = &labels;
  if (!status)
    status = cnnrt_session_open(model, weights, o.seed, &session, error, sizeof error);
  if (!status && o.verbose && model->device) {
    char device[256];
    cnnrt_device_name(session, device, sizeof device);
    fprintf(stderr, "%s: running on %s (%s)\n", argv[0], device[0] ? device : "the GPU",
            model->device);
  }
  /* Calibration reads its samples itself, and nothing else runs. */
  int calibrating = o.calibration.output != NULL;
  if (!status && calibrating) {
    double start = cnnrt_now();
    status = cnnrt_calibrate(session, &o.calibration, error, sizeof error);
    if (!status && !o.quiet)
      fprintf(stderr, "calibrated %s on %d sample(s) in %.2f s: %s\n", model->name,
              o.calibration.sample_count, cnnrt_now() - start, o.calibration.output);
  }
  float **inputs = calloc((size_t)model->input_count + 1, sizeof(float *));
  float **outputs = calloc((size_t)model->output_count + 1, sizeof(float *));
  if (!status && (!inputs || !outputs))
    status = cnnrt_report(error, sizeof error, CNNRT_MEMORY, "out of memory");
  if (!status && !calibrating)
    status = fill_inputs(&o, &spec, inputs, &context, error, sizeof error);
  for (int i = 0; i < model->output_count && !status && !calibrating; ++i) {
    size_t count = (size_t)cnnrt_io_elements(&model->outputs[i]);
    if (!(outputs[i] = malloc(sizeof(float) * (count ? count : 1))))
      status = cnnrt_report(error, sizeof error, CNNRT_MEMORY, "out of memory for output '%s'",
                            model->outputs[i].name);
  }
  if (!status && !calibrating)
    status = run(&o, &context, session, inputs, outputs, error, sizeof error);
  if (status && error[0]) /* a usage problem found here was printed already */
    fprintf(stderr, "%s: %s\n", argv[0], error);
  for (int i = 0; inputs && i < model->input_count; ++i)
    free(inputs[i]);
  for (int i = 0; outputs && i < model->output_count; ++i)
    free(outputs[i]);
  free(inputs);
  free(outputs);
  free(context.sources);
  free(o.inputs);
  free(o.outputs);
  cnnrt_labels_free(&labels);
  cnnrt_session_close(session);
  return status == CNNRT_USAGE && !error[0] ? 2 : status ? 1 : 0;
}
