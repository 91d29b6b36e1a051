/*
 * Float32 exp, expm1, sigmoid and tanh for the sequence kernels (rnn.c, attention.c). Branch free
 * and written in plain C so that a loop calling them vectorizes in each ISA copy of that loop
 * (KT_AVX512 / KT_AVX2 target attributes, and the portable build): an LSTM step evaluates five of
 * them per unit, as many operations as its recurrent product, so float64 or scalar libm calls
 * would cost as much as the product itself.
 *
 * Accuracy: a few float32 ulps. exp and expm1 reduce x = n ln2 + r (|r| <= ln2 / 2, ln2 split in a
 * high part exact in float32 and a low part) and take expm1(r) from its Taylor series to r^7 (the
 * first omitted term is below 2e-8 of the result). expm1 keeps full relative accuracy near 0, which
 * tanh needs: tanh(x) = e / (e + 2) with e = expm1(2x). sigmoid(x) = 1 / (1 + exp(-x)).
 */
#ifndef KT_SEQ_MATH_H
#define KT_SEQ_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* expm1 of the reduced argument |r| <= 0.35: r + r^2/2! + ... + r^7/7!. */
static inline __attribute__((always_inline)) float seq_expm1_reduced(float r) {
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  return (p * r) * r + r;
}

/* x = n ln2 + r; returns r and sets *scale = 2^n (x clamped so that n stays in [-126, 127]). n is
 * rounded by adding 1.5 * 2^23, which leaves n in the sum's low mantissa bits (no rintf call). */
static inline __attribute__((always_inline)) float seq_reduce(float x, float *scale) {
  /* One clamp per statement: a nested conditional is control flow GCC does not vectorize. */
  x = x < -87.0f ? -87.0f : x;
  x = x > 88.0f ? 88.0f : x;
  float shifted = x * 1.44269504088896341f + 12582912.0f;
  float n = shifted - 12582912.0f;
  float r = x - n * 0.693145751953125f;
  r = r - n * 1.42860682030941723e-6f;
  int32_t bits;
  memcpy(&bits, &shifted, sizeof bits);
  bits = (bits - 0x4B400000 + 127) << 23;
  memcpy(scale, &bits, sizeof bits);
  return r;
}

static inline __attribute__((always_inline)) float seq_exp(float x) {
  float scale;
  float r = seq_reduce(x, &scale);
  return scale * (seq_expm1_reduced(r) + 1.0f);
}

static inline __attribute__((always_inline)) float seq_expm1(float x) {
  float scale;
  float r = seq_reduce(x, &scale);
  return scale * seq_expm1_reduced(r) + (scale - 1.0f);
}

static inline __attribute__((always_inline)) float seq_sigmoid(float x) { return 1.0f / (1.0f + seq_exp(-x)); }

static inline __attribute__((always_inline)) float seq_tanh(float x) {
  x = x < -9.0f ? -9.0f : x;
  x = x > 9.0f ? 9.0f : x;
  float e = seq_expm1(x + x);
  return e / (e + 2.0f);
}

#endif
