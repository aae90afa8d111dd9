/* The machine's fp32 FMA peak: each thread runs 16 independent chains of
 * 16-lane FMAs (enough to cover the FMA latency on every recent x86 core),
 * so the loop is bound by FMA throughput alone. Prints GFLOP/s for 1..N
 * threads, one line each: "threads T: G GFLOP/s".
 *
 *   peak N --int8   the same for AVX-512 VNNI's vpdpbusd (64 u8 x s8
 *                   multiply-adds an instruction, the int8 kernels' core):
 *                   "threads T: G GOP/s int8", or a line saying the CPU
 *                   has no VNNI.
 *   peak N --bf16   the same for AVX512-BF16's vdpbf16ps (32 bf16
 *                   multiply-adds an instruction into f32, the bf16
 *                   kernels' core): "threads T: G GFLOP/s bf16". */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { CHAINS = 16, ITERATIONS = 20000000 };

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void *spin(void *result) {
  __m512 acc[CHAINS];
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = _mm512_set1_ps((float)i);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long n = 0; n < ITERATIONS; ++n) {
    /* Unrolled, so that the chains live in registers. */
#pragma GCC unroll 16
    for (int i = 0; i < CHAINS; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 total = acc[0];
  for (int i = 1; i < CHAINS; ++i)
    total = _mm512_add_ps(total, acc[i]);
  *(float *)result = _mm512_reduce_add_ps(total); /* keeps the work live */
  return NULL;
}

__attribute__((target("avx512f,avx512vnni"))) static void *spin_int8(void *result) {
  __m512i acc[CHAINS];
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = _mm512_set1_epi32(i);
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  for (long n = 0; n < ITERATIONS; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < CHAINS; ++i)
      acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  }
  __m512i total = acc[0];
  for (int i = 1; i < CHAINS; ++i)
    total = _mm512_add_epi32(total, acc[i]);
  *(float *)result = (float)_mm512_reduce_add_epi32(total);
  return NULL;
}

__attribute__((target("avx512f,avx512bf16"))) static void *spin_bf16(void *result) {
  __m512 acc[CHAINS];
  for (int i = 0; i < CHAINS; ++i)
    acc[i] = _mm512_set1_ps((float)i);
  const __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80), b = (__m512bh)_mm512_set1_epi16(0x3380);
  for (long n = 0; n < ITERATIONS; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < CHAINS; ++i)
      acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
  }
  __m512 total = acc[0];
  for (int i = 1; i < CHAINS; ++i)
    total = _mm512_add_ps(total, acc[i]);
  *(float *)result = _mm512_reduce_add_ps(total);
  return NULL;
}

int main(int argc, char **argv) {
  int max_threads = argc > 1 ? atoi(argv[1]) : 2;
  int int8 = argc > 2 && !strcmp(argv[2], "--int8");
  int bf16 = argc > 2 && !strcmp(argv[2], "--bf16");
  if (int8 && !__builtin_cpu_supports("avx512vnni")) {
    printf("no AVX-512 VNNI on this CPU\n");
    return 0;
  }
  if (bf16 && !__builtin_cpu_supports("avx512bf16")) {
    printf("no AVX512-BF16 on this CPU\n");
    return 0;
  }
  for (int threads = 1; threads <= max_threads; ++threads) {
    pthread_t ids[64];
    float sinks[64];
    double start = now();
    for (int t = 0; t < threads; ++t)
      pthread_create(&ids[t], NULL, int8 ? spin_int8 : bf16 ? spin_bf16 : spin, &sinks[t]);
    for (int t = 0; t < threads; ++t)
      pthread_join(ids[t], NULL);
    double seconds = now() - start;
    double flops = 2.0 * (int8 ? 64 : bf16 ? 32 : 16) * CHAINS * (double)ITERATIONS * threads;
    printf("threads %d: %.1f %s\n", threads, flops / seconds * 1e-9,
           int8 ? "GOP/s int8" : bf16 ? "GFLOP/s bf16" : "GFLOP/s");
  }
  return 0;
}
