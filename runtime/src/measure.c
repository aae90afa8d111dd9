/*===- measure.c - times schedule variants of one kernel, checks each -----===*
 *
 * cnnc-tune links this into a program per batch of candidates. Each
 * candidate is a model of one step: the kernel call cut out of the whole
 * model's plan, with the real extents and strides of its buffers (a slice
 * of a concat keeps its channel stride) and its parameters packed as that
 * schedule wants them. Candidate 0 is the reference, the default schedule.
 *
 * Every candidate runs once on the same data (seeded random weights, arena
 * and inputs), and is checked: its output against the reference's, and
 * every arena byte outside its output unchanged. Then all are timed in
 * interleaved rounds (A B C A B C ...), so that a slow spell of the machine
 * falls on every candidate alike, each round a batch of runs long enough
 * to time; the result is the median round.
 *
 * Output, one line per candidate:
 *   candidate <i> ok <median ms> <max error, relative to the largest output>
 *   candidate <i> wrong <why>
 *   candidate <i> failed <why>
 *
 *===----------------------------------------------------------------------===*/

#include "session.h"
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  cnnrt_session *session;
  const char *problem; /* "wrong" or "failed", else NULL */
  char why[512];
  double *rounds; /* ms per run, per round */
  int batch;      /* runs per round */
  double error;
} candidate;

static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static void fill(float *data, int64_t count, uint64_t seed) {
  for (int64_t i = 0; i < count; ++i)
    data[i] = (float)((double)(next_random(&seed) >> 11) * 0x1.0p-52 - 1.0);
}

void cnnrt_each_element(const cnnrt_buffer_ref *ref, void (*visit)(int64_t, void *),
                        void *context) {
  int64_t index[CNNRT_MAX_DIMS] = {0}, count = 1;
  for (int d = 0; d < ref->rank; ++d)
    count *= ref->extent[d];
  for (int64_t i = 0; i < count; ++i) {
    int64_t at = 0;
    for (int d = 0; d < ref->rank; ++d)
      at += index[d] * ref->stride[d];
    visit(at, context);
    for (int d = 0; d < ref->rank && ++index[d] == ref->extent[d]; ++d)
      index[d] = 0;
  }
}

typedef struct {
  const float *base;
  float *values;
  int64_t count;
  unsigned char *mask; /* arena floats the output covers */
  int64_t mask_origin;
} gather_state;

static void gather(int64_t at, void *context) {
  gather_state *state = context;
  state->values[state->count++] = state->base[at];
  if (state->mask)
    state->mask[state->mask_origin + at] = 1;
}

static int64_t element_count(const cnnrt_buffer_ref *ref) {
  int64_t count = 1;
  for (int d = 0; d < ref->rank; ++d)
    count *= ref->extent[d];
  return count;
}

/* Fills the arena and inputs, runs the step once, and returns its output
 * (and, through `untouched`, whether every other arena float kept its
 * value). */
static float *run_once(candidate *c, uint64_t seed, int *untouched, char *error, size_t size) {
  cnnrt_session *session = c->session;
  const cnnrt_model *model = session->model;
  int64_t arena_floats = model->arena_bytes / 4;
  fill((float *)session->arena, arena_floats, seed);
  for (int i = 0; i < model->input_count; ++i)
    fill(session->inputs[i], cnnrt_io_elements(&model->inputs[i]), seed + 1 + (uint64_t)i);
  float *before = malloc(sizeof(float) * (size_t)(arena_floats + 1));
  unsigned char *mask = calloc((size_t)arena_floats + 1, 1);
  const cnnrt_buffer_ref *out = &model->steps[0].arguments[model->steps[0].argument_count - 1];
  float *values = malloc(sizeof(float) * (size_t)element_count(out));
  if (!before || !mask || !values) {
    free(before);
    free(mask);
    free(values);
    cnnrt_report(error, size, CNNRT_MEMORY, "out of memory");
    return NULL;
  }
  memcpy(before, session->arena, (size_t)arena_floats * sizeof(float));
  int status = cnnrt_session_execute(session, error, size);
  *untouched = 1;
  if (!status) {
    gather_state state = {cnnrt_buffer_base(session, out), values, 0,
                          out->kind == CNNRT_ARENA ? mask : NULL, out->byte_offset / 4};
    cnnrt_each_element(out, gather, &state);
    const float *after = (const float *)session->arena;
    for (int64_t i = 0; i < arena_floats && *untouched; ++i)
      if (!mask[i] && memcmp(&after[i], &before[i], sizeof(float)))
        *untouched = 0;
  }
  free(before);
  free(mask);
  if (status) {
    free(values);
    return NULL;
  }
  return values;
}

static double time_batch(cnnrt_session *session, int runs) {
  char error[256];
  double start = cnnrt_now();
  for (int i = 0; i < runs; ++i)
    if (cnnrt_session_execute(session, error, sizeof error))
      return -1;
  return (cnnrt_now() - start) / runs * 1e3;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int parse_int(const char *text, int low, int high, int *value) {
  char *end;
  long number = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || number < low || number > high)
    return 0;
  *value = (int)number;
  return 1;
}

int cnnrt_measure_main(const cnnrt_model *const *models, int count, int argc, char **argv) {
  int threads = 1, rounds = 7, round_us = 20000;
  if (count > 0 && models[0]->device_interface) {
    fprintf(stderr, "%s: cnnc-tune measures CPU kernels only; this one runs on %s\n", argv[0],
            models[0]->device);
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    int ok = i + 1 < argc;
    if (ok && !strcmp(argv[i], "--threads"))
      ok = parse_int(argv[++i], 1, 64, &threads);
    else if (ok && !strcmp(argv[i], "--rounds"))
      ok = parse_int(argv[++i], 1, 1000, &rounds);
    else if (ok && !strcmp(argv[i], "--round-us"))
      ok = parse_int(argv[++i], 100, 10000000, &round_us);
    else
      ok = 0;
    if (!ok) {
      fprintf(stderr, "usage: %s [--threads 1..64] [--rounds 1..1000] [--round-us N]\n",
              argv[0]);
      return 2;
    }
  }
  cnnrt_set_threads(threads);
  candidate *all = calloc((size_t)count + 1, sizeof(candidate));
  if (!all)
    return 1;
  float *reference = NULL;
  int64_t outputs = 0;
  for (int i = 0; i < count; ++i) {
    candidate *c = &all[i];
    const cnnrt_model *model = models[i];
    const cnnrt_step *step = &model->steps[0];
    if (cnnrt_session_open(model, NULL, 1, &c->session, c->why, sizeof c->why)) {
      c->problem = "failed";
      continue;
    }
    int untouched = 1;
    float *values = run_once(c, 7, &untouched, c->why, sizeof c->why);
    if (!values) {
      c->problem = "failed";
      continue;
    }
    int64_t n = element_count(&step->arguments[step->argument_count - 1]);
    if (i == 0) {
      reference = values;
      outputs = n;
    } else if (!reference || n != outputs) {
      snprintf(c->why, sizeof c->why, "no reference output to compare with");
      c->problem = "failed";
      free(values);
      continue;
    }
    double largest = 0, worst = 0;
    for (int64_t k = 0; k < n; ++k) {
      float want = reference[k], got = values[k];
      if (!isfinite(want) || !isfinite(got)) {
        /* The same NaN or infinity (an overflow both make) is no error. */
        int same = isnan(want) ? isnan(got) : want == got;
        if (!same)
          worst = INFINITY;
        continue;
      }
      if (fabs(want) > largest)
        largest = fabs(want);
      if (fabs((double)got - want) > worst)
        worst = fabs((double)got - want);
    }
    c->error = largest > 0 ? worst / largest : worst;
    if (values != reference)
      free(values);
    if (!untouched) {
      snprintf(c->why, sizeof c->why, "it writes outside its output");
      c->problem = "wrong";
    }
  }
  /* Each candidate's batch: enough runs for round_us, measured after two
   * warm-up runs. */
  for (int i = 0; i < count; ++i) {
    candidate *c = &all[i];
    if (c->problem)
      continue;
    double ms = time_batch(c->session, 2);
    ms = time_batch(c->session, 1);
    c->batch = ms > 0 ? (int)(round_us / 1e3 / ms) : 1;
    if (c->batch < 1)
      c->batch = 1;
    if (c->batch > 100000)
      c->batch = 100000;
    c->rounds = calloc((size_t)rounds, sizeof(double));
    if (!c->rounds || ms < 0) {
      snprintf(c->why, sizeof c->why, "out of memory or the kernel failed");
      c->problem = "failed";
    }
  }
  for (int r = 0; r < rounds; ++r)
    for (int i = 0; i < count; ++i)
      if (!all[i].problem)
        all[i].rounds[r] = time_batch(all[i].session, all[i].batch);
  for (int i = 0; i < count; ++i) {
    candidate *c = &all[i];
    if (c->problem) {
      printf("candidate %d %s %s\n", i, c->problem, c->why);
    } else {
      qsort(c->rounds, (size_t)rounds, sizeof(double), by_value);
      printf("candidate %d ok %.6f %.3g\n", i, c->rounds[rounds / 2], c->error);
    }
    free(c->rounds);
    cnnrt_session_close(c->session);
  }
  free(reference);
  free(all);
  return 0;
}
