/*===- dump.c - every layer's output, for the int8 accuracy report -------===*
 *
 *   ./model --dump-layers DIR [--weights w.safetensors] --input x.npy
 *
 * writes, for step k, DIR/<k>.f32: its output as raw little-endian float32
 * in the buffer's own order (innermost dimension first), a u8 activation
 * dequantized (scale * (q - zero)); and DIR/layers.txt, one line per step:
 * `<k> <elements> <op> <int8|float> "<layer>"`, the layer quoted as in a
 * .qparams file; int8 says the step's kernel reads u8 (an int8 convolution
 * or GEMM, or a cnn.quantize).
 * `cnnc quantize-report` runs the fp32 and the int8 binary of a model this
 * way and compares their layers by name.
 *
 *===----------------------------------------------------------------------===*/

#define _POSIX_C_SOURCE 200809L
#include "dump.h"
#include "calibrate.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
  cnnrt_session *session;
  const char *directory;
  FILE *manifest;
  int failed;
  char *error;
  size_t size;
} dump;

typedef struct {
  const cnnrt_buffer_ref *ref;
  const unsigned char *base;
  FILE *file;
} element_writer;

/* One element as float32: a u8 activation dequantized. */
static void write_element(int64_t at, void *context) {
  const element_writer *w = context;
  float x = w->ref->type == CNNRT_U8 ? (float)(w->ref->scale * ((int)w->base[at] - w->ref->zero))
                                     : ((const float *)w->base)[at];
  fwrite(&x, sizeof x, 1, w->file);
}

static int write_step(dump *d, int step) {
  const cnnrt_step *s = &d->session->model->steps[step];
  const cnnrt_buffer_ref *ref = &s->arguments[s->argument_count - 1];
  char path[4096];
  snprintf(path, sizeof path, "%s/%d.f32", d->directory, step);
  element_writer w = {ref, (const unsigned char *)cnnrt_buffer_base(d->session, ref),
                      fopen(path, "wb")};
  if (!w.file)
    return cnnrt_report(d->error, d->size, CNNRT_IO, "%s: cannot write", path);
  cnnrt_each_element(ref, write_element, &w);
  if (fclose(w.file))
    return cnnrt_report(d->error, d->size, CNNRT_IO, "%s: cannot write", path);
  int64_t count = 1;
  for (int k = 0; k < ref->rank; ++k)
    count *= ref->extent[k];
  fprintf(d->manifest, "%d %lld %s %s ", step, (long long)count, s->op,
          s->arguments[0].type == CNNRT_U8 || ref->type == CNNRT_U8 ? "int8" : "float");
  cnnrt_write_quoted_name(d->manifest, s->layer);
  fputc('\n', d->manifest);
  return CNNRT_OK;
}

static void observe_step(void *context, int step) {
  dump *d = context;
  if (!d->failed)
    d->failed = write_step(d, step);
}

int cnnrt_dump_layers(cnnrt_session *session, const char *directory, char *error, size_t size) {
  if (session->device)
    return cnnrt_report(error, size, CNNRT_USAGE,
                        "--dump-layers runs on the CPU: compile the model without --target");
  char path[4096];
  snprintf(path, sizeof path, "%s/layers.txt", directory);
  dump d = {session, directory, fopen(path, "w"), 0, error, size};
  if (!d.manifest)
    return cnnrt_report(error, size, CNNRT_IO, "%s: cannot write", path);
  session->observe = observe_step;
  session->observer = &d;
  int status = cnnrt_session_execute(session, error, size);
  session->observe = NULL;
  if (!status)
    status = d.failed;
  if (fclose(d.manifest) && !status)
    status = cnnrt_report(error, size, CNNRT_IO, "%s: cannot write", path);
  return status;
}
