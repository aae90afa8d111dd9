/* The machine's memory bandwidth, the bound of kernels that do little
 * arithmetic per byte (depthwise convolutions, pooling, element-wise ops).
 * Each thread streams its share of a buffer: read passes (a sum) and copy
 * passes (read one buffer, write another; counted as both bytes), averaged
 * over 2 GB or more. Buffer sizes step from L2-resident to far larger than
 * any cache. Prints one line per size and thread count:
 * "bytes B threads T: read R GB/s, copy C GB/s". */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  const float *source;
  float *destination;
  size_t count; /* floats, a multiple of 64 */
  int copy, repeats;
  pthread_barrier_t *start, *stop;
  float sum;
} share;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One thread's passes, between two barriers the caller times. */
static void *stream(void *argument) {
  share *s = argument;
  pthread_barrier_wait(s->start);
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(),
                   _mm512_setzero_ps()};
  for (int r = 0; r < s->repeats; ++r) {
    if (s->copy) {
      for (size_t i = 0; i < s->count; i += 16)
        _mm512_store_ps(s->destination + i, _mm512_load_ps(s->source + i));
      continue;
    }
    for (size_t i = 0; i < s->count; i += 64)
      for (int j = 0; j < 4; ++j)
        acc[j] = _mm512_add_ps(acc[j], _mm512_load_ps(s->source + i + 16 * j));
  }
  s->sum = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(acc[0], acc[1]),
                                              _mm512_add_ps(acc[2], acc[3])));
  pthread_barrier_wait(s->stop);
  return NULL;
}

/* Seconds per pass over `count` floats, split over `threads`. */
static double pass_seconds(const float *source, float *destination, size_t count, int threads,
                           int copy, int repeats) {
  pthread_t ids[64];
  share shares[64];
  pthread_barrier_t start, stop;
  pthread_barrier_init(&start, NULL, (unsigned)threads + 1);
  pthread_barrier_init(&stop, NULL, (unsigned)threads + 1);
  size_t per = count / (size_t)threads / 64 * 64;
  for (int t = 0; t < threads; ++t) {
    shares[t] = (share){source + per * (size_t)t, destination + per * (size_t)t, per, copy,
                        repeats, &start, &stop, 0};
    pthread_create(&ids[t], NULL, stream, &shares[t]);
  }
  pthread_barrier_wait(&start);
  double begin = now();
  pthread_barrier_wait(&stop);
  double seconds = (now() - begin) / repeats;
  for (int t = 0; t < threads; ++t)
    pthread_join(ids[t], NULL);
  pthread_barrier_destroy(&start);
  pthread_barrier_destroy(&stop);
  return seconds;
}

int main(int argc, char **argv) {
  int max_threads = argc > 1 ? atoi(argv[1]) : 2;
  static const size_t sizes[] = {256u << 10, 4u << 20, 16u << 20, 256u << 20};
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; ++k) {
    size_t count = sizes[k] / sizeof(float);
    float *source = aligned_alloc(64, sizes[k]), *destination = aligned_alloc(64, sizes[k]);
    if (!source || !destination)
      return 1;
    memset(source, 0, sizes[k]);
    memset(destination, 0, sizes[k]);
    /* Enough passes (after a warm-up one) that each measurement streams
     * 2 GB or more. */
    int repeats = (int)(((size_t)2048 << 20) / sizes[k]) + 2;
    for (int threads = 1; threads <= max_threads; ++threads) {
      pass_seconds(source, destination, count, threads, 1, 1);
      double read = pass_seconds(source, destination, count, threads, 0, repeats);
      double copy = pass_seconds(source, destination, count, threads, 1, repeats);
      printf("bytes %zu threads %d: read %.1f GB/s, copy %.1f GB/s\n", sizes[k], threads,
             (double)sizes[k] / read * 1e-9, 2.0 * (double)sizes[k] / copy * 1e-9);
    }
    free(source);
    free(destination);
  }
  return 0;
}
