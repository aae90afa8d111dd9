/*===- quantize.c - an int8 kernel's parameters, made at load -------------===*
 *
 * Weights are quantized symmetrically per output channel, s8 in
 * [-127, 127] (never -128, so that a weight and its negation are both
 * exact), with s_w[o] = max |w[o, ...]| / 127. The kernel's s32 bias holds
 * the float bias on the grid of s_x s_w[o], minus the input zero point's
 * share of every sum (the input is u8 with zero point z: sum w (x - z) =
 * sum w x - z sum w), and its f32 scale s_x s_w[o] turns sums back into real
 * values (tools/cnnc-kernelgen/Quantized.cpp, docs/quantization.md).
 *
 *
 * A NaN or infinite weight has no s8 value: it is refused (CNNRT_VALUE),
 * where fp32 would have run on and given NaNs.
 *
 * A bf16 kernel's weights are rounded to bf16 after their packing
 * (cnnrt_round_to_bf16): bf16 has float32's exponent, so every finite
 * weight has a nearest bf16, and infinities and NaNs keep their meaning.
 *
 *===----------------------------------------------------------------------===*/

#include "session.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void *allocate_aligned(size_t bytes) {
  bytes = (bytes + 63) / 64 * 64;
  void *data = aligned_alloc(64, bytes ? bytes : 64);
  if (data)
    memset(data, 0, bytes ? bytes : 64);
  return data;
}

void cnnrt_round_to_bf16(float *values, int64_t count) {
  uint16_t *halves = (uint16_t *)values;
  for (int64_t i = 0; i < count; ++i) {
    uint32_t bits;
    memcpy(&bits, &values[i], 4);
    if ((bits & 0x7fffffffu) > 0x7f800000u) /* NaN: keep it quiet, whatever its payload */
      bits |= 0x00400000u;
    else /* nearest, ties to even; the largest finite values round to infinity */
      bits += 0x7fffu + ((bits >> 16) & 1u);
    halves[i] = (uint16_t)(bits >> 16);
  }
}

static double clamp(double v, double low, double high) { return v < low ? low : v > high ? high : v; }

int cnnrt_quantize_parameter(const cnnrt_session *session, const cnnrt_prepared *prepared,
                             float **result) {
  const cnnrt_parameter *parameter = &session->model->parameters[prepared->parameter];
  const float *w = session->parameters[prepared->parameter];
  int64_t channels = parameter->shape[0], count = 1;
  for (int d = 0; d < parameter->rank; ++d)
    count *= parameter->shape[d];
  int64_t per_channel = channels ? count / channels : 0;
  double *scale = malloc(sizeof(double) * (size_t)(channels + 1));
  float *out = NULL;
  if (!scale)
    return CNNRT_MEMORY;
  for (int64_t o = 0; o < channels; ++o) {
    double largest = 0;
    for (int64_t k = 0; k < per_channel; ++k) {
      double v = fabs((double)w[o * per_channel + k]);
      if (!isfinite(v)) { /* no s8 value stands for it */
        free(scale);
        return CNNRT_VALUE;
      }
      largest = fmax(largest, v);
    }
    scale[o] = largest > 0 ? largest / 127 : 1;
  }
#define QUANTIZED(o, k) clamp(nearbyint(w[(o) * per_channel + (k)] / scale[o]), -127, 127)
  if (prepared->quantize == CNNRT_Q_WEIGHTS) {
    /* Rows of taps hold kh * row_taps of each channel's weights, the rest
     * zeros (allocate_aligned clears them). */
    const int64_t *shape = parameter->shape;
    int64_t packed = prepared->row_taps ? channels * shape[2] * prepared->row_taps : count;
    float *values = allocate_aligned(sizeof(float) * (size_t)packed);
    out = allocate_aligned(sizeof(float) * (size_t)packed);
    if (values && out) {
      for (int64_t o = 0; o < channels; ++o)
        for (int64_t k = 0; k < per_channel; ++k) {
          int64_t at = o * per_channel + k;
          if (prepared->row_taps) { /* k = (c * kh + ky) * kw + kx */
            int64_t kx = k % shape[3], ky = k / shape[3] % shape[2], c = k / (shape[3] * shape[2]);
            at = (o * shape[2] + ky) * prepared->row_taps + kx * shape[1] + c;
          }
          values[at] = (float)QUANTIZED(o, k);
        }
      cnnrt_permute(values, prepared->rank, prepared->source_shape, prepared->permutation, out);
      /* Narrowed in place: byte i is written after float i is read, and
       * never over a float not yet read. */
      int8_t *bytes = (int8_t *)out;
      for (int64_t i = 0; i < packed; ++i)
        bytes[i] = (int8_t)out[i];
    }
    free(values);
    if (!values) {
      free(out);
      out = NULL;
    }
  } else if (prepared->quantize == CNNRT_Q_BIAS) {
    const float *bias = prepared->bias >= 0 ? session->parameters[prepared->bias] : NULL;
    int32_t *sums = allocate_aligned(sizeof(int32_t) * (size_t)channels);
    for (int64_t o = 0; sums && o < channels; ++o) {
      double total = 0;
      for (int64_t k = 0; k < per_channel; ++k)
        total += QUANTIZED(o, k);
      double b = bias ? nearbyint(bias[o] / (prepared->input_scale * scale[o])) : 0;
      sums[o] = (int32_t)clamp(b - prepared->input_zero * total, -2147483647.0, 2147483647.0);
    }
    out = (float *)sums;
  } else {
    out = allocate_aligned(sizeof(float) * (size_t)channels);
    for (int64_t o = 0; out && o < channels; ++o)
      out[o] = (float)(prepared->input_scale * scale[o]);
  }
#undef QUANTIZED
  free(scale);
  *result = out;
  return out ? CNNRT_OK : CNNRT_MEMORY;
}
