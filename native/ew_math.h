/* Scalar helpers that reproduce the reference backend's JavaScript expressions exactly (same
 * float64 operations in the same order; libm stands in for Math.*). */
#ifndef KT_EW_MATH_H
#define KT_EW_MATH_H

#include <math.h>
#include <stdint.h>

/* ECMAScript ToInt32 / ToUint8 (what `| 0`, Int32Array and Uint8Array stores do). */
static inline int32_t js_toint32(double v) {
  if (!(v - v == 0.0)) return 0; /* NaN, +-Infinity */
  double t = trunc(v);
  if (t >= -2147483648.0 && t <= 2147483647.0) return (int32_t)t;
  double m = fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return (int32_t)(uint32_t)m;
}
static inline uint8_t js_touint8(double v) {
  if (!(v - v == 0.0)) return 0;
  double t = trunc(v);
  if (t >= 0.0 && t <= 255.0) return (uint8_t)t;
  double m = fmod(t, 256.0);
  if (m < 0) m += 256.0;
  return (uint8_t)m;
}

/* The reference's erf: Maclaurin series below 2, erfc continued fraction (Lentz) above. */
static inline double js_erf(double x) {
  double ax = fabs(x);
  if (ax < 2) {
    double term = x, sum = x, x2 = x * x;
    for (int n = 1; n < 60; n++) {
      term *= -x2 / n;
      double add = term / (2 * n + 1);
      sum += add;
      if (fabs(add) < 1e-17 * fabs(sum)) break;
    }
    return (2 / sqrt(M_PI)) * sum;
  }
  if (ax > 6) return x > 0 ? 1.0 : x < 0 ? -1.0 : x;
  double z = ax, f = z, c = z, d = 0;
  for (int n = 1; n < 200; n++) {
    double an = n / 2.0;
    d = z + an * d;
    d = d == 0 ? 1e-300 : 1 / d;
    c = z + an / c;
    if (c == 0) c = 1e-300;
    double delta = c * d;
    f *= delta;
    if (fabs(delta - 1) < 1e-16) break;
  }
  double erfc_ = exp(-z * z) / (f * sqrt(M_PI));
  double s = x > 0 ? 1.0 : x < 0 ? -1.0 : x;
  return s * (1 - erfc_);
}

static inline double js_sigmoid(double a) {
  if (a >= 0) return 1 / (1 + exp(-a));
  double t = exp(a);
  return t / (1 + t);
}
static inline double js_softplus(double a) { return a > 0 ? a + log1p(exp(-a)) : log1p(exp(a)); }
static inline double js_sign(double a) { return a > 0 ? 1.0 : a < 0 ? -1.0 : a; }

static inline double js_floordiv(double a, double b) {
  if (b == 0) return a / b;
  double t = fmod(a, b);
  double u = (a - t) / b;
  if (t != 0 && ((t < 0) != (b < 0))) u -= 1;
  if (u != 0) {
    double v = floor(u);
    return u - v > 0.5 ? v + 1 : v;
  }
  return 0 * (a / b);
}
static inline double js_mod(double a, double b) {
  double t = fmod(a, b);
  if (t != 0) return ((t < 0) != (b < 0)) ? t + b : t;
  return b < 0 ? -0.0 : 0.0;
}
static inline double js_pow(double a, double b) {
  if (a == 1) return 1;
  if (a == -1 && isinf(b)) return 1;
  return pow(a, b);
}

#endif
