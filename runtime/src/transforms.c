/*===- transforms.c - init's weight transforms and seeded weights ---------===*
 *
 * Weight transforms compute in double, as the reference interpreter does,
 * and round once when they store.
 *
 *===----------------------------------------------------------------------===*/

#include "session.h"

#include <math.h>
#include <string.h>

void cnnrt_fold_batch_norm(const float *weight, const float *scale, const float *shift,
                           const float *mean, const float *variance, const float *bias,
                           int64_t channels, int64_t per_channel, double epsilon,
                           float *folded_weight, float *folded_bias) {
  for (int64_t c = 0; c < channels; ++c) {
    double factor = (double)scale[c] / sqrt((double)variance[c] + epsilon);
    for (int64_t i = 0; i < per_channel; ++i)
      folded_weight[c * per_channel + i] = (float)(weight[c * per_channel + i] * factor);
    folded_bias[c] =
        (float)(((bias ? (double)bias[c] : 0.0) - mean[c]) * factor + shift[c]);
  }
}

void cnnrt_batch_norm_affine(const float *scale, const float *shift, const float *mean,
                             const float *variance, int64_t channels, double epsilon,
                             float *multiplier, float *offset) {
  for (int64_t c = 0; c < channels; ++c) {
    double m = (double)scale[c] / sqrt((double)variance[c] + epsilon);
    multiplier[c] = (float)m;
    offset[c] = (float)(shift[c] - mean[c] * m);
  }
}

void cnnrt_permute(const float *source, int rank, const int64_t *shape, const int *permutation,
                   float *packed) {
  int64_t source_strides[CNNRT_MAX_PACKED_DIMS], packed_shape[CNNRT_MAX_PACKED_DIMS];
  int64_t count = 1;
  for (int d = rank - 1; d >= 0; --d) {
    source_strides[d] = count;
    count *= shape[d];
  }
  for (int d = 0; d < rank; ++d)
    packed_shape[d] = shape[permutation[d]];
  int64_t index[CNNRT_MAX_PACKED_DIMS] = {0};
  for (int64_t i = 0; i < count; ++i) {
    int64_t from = 0;
    for (int d = 0; d < rank; ++d)
      from += index[d] * source_strides[permutation[d]];
    packed[i] = source[from];
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < packed_shape[d])
        break;
      index[d] = 0;
    }
  }
}

/* G of F(2x2, 3x3) (points 0, +-1, infinity) and of F(4x4, 3x3) (points 0,
 * 1, -1, 1/2, -2, infinity), matching B^T and A^T in
 * tools/cnnc-kernelgen/Winograd.cpp: F(4x4)'s rows are halved for B^T's
 * doubled rows, and the row of point 1/2 divided by 8 more for A^T's. */
static const double winograd_g2[4][3] = {
    {1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
static const double winograd_g4[6][3] = {
    {1.0 / 2, 0, 0},
    {1.0 / 6, 1.0 / 6, 1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {-1.0 / 15, -1.0 / 30, -1.0 / 60},
    {1.0 / 30, -1.0 / 15, 2.0 / 15},
    {0, 0, 1.0 / 2}};

void cnnrt_winograd_weights(const float *weights, int64_t filters, int m, float *transformed) {
  int size = m + 2;
  const double(*g)[3] = m == 2 ? winograd_g2 : winograd_g4;
  for (int64_t f = 0; f < filters; ++f) {
    const float *w = weights + f * 9;
    float *out = transformed + f * size * size;
    for (int row = 0; row < size; ++row)
      for (int column = 0; column < size; ++column) {
        double sum = 0;
        for (int ky = 0; ky < 3; ++ky)
          for (int kx = 0; kx < 3; ++kx)
            sum += g[row][ky] * (double)w[ky * 3 + kx] * g[column][kx];
        out[row * size + column] = (float)sum;
      }
  }
}

static int ends_with(const char *text, const char *suffix) {
  size_t n = strlen(text), m = strlen(suffix);
  return n >= m && strcmp(text + n - m, suffix) == 0;
}

void cnnrt_random_parameter(const cnnrt_parameter *parameter, uint64_t seed, float *data) {
  int64_t count = 1, fan_in = 1;
  for (int d = 0; d < parameter->rank; ++d) {
    count *= parameter->shape[d];
    if (d > 0)
      fan_in *= parameter->shape[d];
  }
  uint64_t state = seed;
  for (const char *c = parameter->name; *c; ++c)
    state = (state ^ (unsigned char)*c) * 1099511628211ull;
  if (parameter->rank >= 2) {
    /* He-normal: activations keep their scale through ReLU layers. */
    double deviation = sqrt(2.0 / (double)fan_in);
    for (int64_t i = 0; i < count; ++i)
      data[i] = (float)(cnnrt_random_normal(&state) * deviation);
    return;
  }
  /* Batch norms start as the identity; biases and means at zero. */
  float value = ends_with(parameter->name, "running_var") || ends_with(parameter->name, ".weight")
                    ? 1.0f
                    : 0.0f;
  for (int64_t i = 0; i < count; ++i)
    data[i] = value;
}
