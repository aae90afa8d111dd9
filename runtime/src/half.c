/*===- half.c - IEEE half precision as float32 ----------------------------===*/

#include "cnnrt.h"

#include <string.h>

float cnnrt_half_to_float(uint16_t h) {
  uint32_t sign = (uint32_t)(h >> 15) << 31, exponent = (h >> 10) & 0x1F, mantissa = h & 0x3FF,
           bits;
  if (exponent == 0x1F)
    bits = sign | 0x7F800000u | mantissa << 13; /* inf, nan */
  else if (exponent)
    bits = sign | (exponent + 112) << 23 | mantissa << 13;
  else if (mantissa) { /* subnormal: normalise */
    exponent = 113;
    while (!(mantissa & 0x400)) {
      mantissa <<= 1;
      exponent--;
    }
    bits = sign | exponent << 23 | (mantissa & 0x3FF) << 13;
  } else
    bits = sign;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}
