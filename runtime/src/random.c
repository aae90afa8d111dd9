/*===- random.c - the seeded random numbers of programs and cnnc run ------===*
 *
 * One generator (splitmix64, Box-Muller), so that a compiled program and
 * `cnnc run` given the same --seed run on the same random input.
 *
 *===----------------------------------------------------------------------===*/

#include "cnnrt.h"

#include <math.h>

static uint64_t splitmix(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double cnnrt_random_normal(uint64_t *state) {
  double u1 = ((splitmix(state) >> 11) + 1.0) / 9007199254740993.0;
  double u2 = (splitmix(state) >> 11) / 9007199254740992.0;
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

void cnnrt_random_input(uint64_t seed, int index, float *data, size_t count) {
  uint64_t state = seed * 7919u + (uint64_t)index;
  for (size_t k = 0; k < count; ++k)
    data[k] = (float)cnnrt_random_normal(&state);
}
