/*
 * Elementwise ops on operands of any storage types and any output type: what the per-type loops
 * of ew_impl.h leave out (a deferred cast's uint8 source divided by a float32 scalar, int32 divided
 * to float32, uint8 + uint8 to uint8, sqrt of an int32 array, ...). Work goes in blocks of BLOCK
 * elements, by the first route that gives the reference's numbers exactly:
 *
 *   float32 route  operands float32 or uint8 (exact in float32), output float32 or bool: the block
 *                  is converted to float32 and runs the ISA's float32 loop;
 *   int32 route    operands int32 or uint8, output int32, uint8 or bool: the same with int32 loops
 *                  (a uint8 output keeps the low 8 bits, as ToUint8 of the integer result does);
 *   float64 route  everything else: operands read as float64, the reference's JavaScript
 *                  expression evaluated in float64 (its integer variant where the reference uses
 *                  one), stored with the output array's conversion.
 */
#include "kt.h"
#include "kt_ext.h"
#include "ew_math.h"
#include "ew_ops.h"

#define BLOCK 512

void kt_load_f64(const void *x, int t, double *out, long n) {
  if (t == KT_F32) { const float *s = x; for (long i = 0; i < n; i++) out[i] = s[i]; }
  else if (t == KT_I32) { const int32_t *s = x; for (long i = 0; i < n; i++) out[i] = s[i]; }
  else { const uint8_t *s = x; for (long i = 0; i < n; i++) out[i] = s[i]; }
}

void kt_store_f64(const double *v, void *out, int to, long n) {
  switch (to) {
    case KT_F32: { float *o = out; for (long i = 0; i < n; i++) o[i] = (float)v[i]; return; }
    case KT_I32: { int32_t *o = out; for (long i = 0; i < n; i++) o[i] = js_toint32(v[i]); return; }
    case KT_U8: { uint8_t *o = out; for (long i = 0; i < n; i++) o[i] = js_touint8(v[i]); return; }
    default: { uint8_t *o = out; for (long i = 0; i < n; i++) o[i] = v[i] != 0; return; }
  }
}

/* x itself when it already is float32 (int32), else its uint8 elements converted into buf. */
static const float *as_f32(const void *x, int t, float *buf, long n) {
  if (t == KT_F32) return x;
  const uint8_t *s = x;
  for (long i = 0; i < n; i++) buf[i] = s[i];
  return buf;
}
static const int32_t *as_i32(const void *x, int t, int32_t *buf, long n) {
  if (t == KT_I32) return x;
  const uint8_t *s = x;
  for (long i = 0; i < n; i++) buf[i] = s[i];
  return buf;
}

static void narrow_u8(const int32_t *x, uint8_t *out, long n) {
  for (long i = 0; i < n; i++) out[i] = (uint8_t)(uint32_t)x[i];
}

/* Math.imul of two int32 (or uint8) values. */
static inline double js_imul(double a, double b) {
  return (double)(int32_t)((uint32_t)(int32_t)a * (uint32_t)(int32_t)b);
}

/* The reference's ipow: exact low 32 bits of an integer power, by squaring. */
static inline double js_ipow(double base, double exponent) {
  if (exponent < 0) return base == 1 ? 1 : base == -1 ? ((((int32_t)exponent) & 1) == 0 ? 1 : -1) : 0;
  uint32_t result = 1, b = (uint32_t)(int32_t)base, e = (uint32_t)(int32_t)exponent;
  while (e > 0) {
    if (e & 1) result *= b;
    b *= b;
    e >>= 1;
  }
  return (double)(int32_t)result;
}

static void eval_binary(int op, int int_expr, const double *A, const double *B, double *r, long n) {
#define L(EXPR) for (long i = 0; i < n; i++) { double a = A[i], b = B[i]; r[i] = (EXPR); } return;
  switch (op) {
    case B_ADD: L(a + b)
    case B_SUBTRACT: L(a - b)
    case B_MULTIPLY: if (int_expr) { L(js_imul(a, b)) } L(a * b)
    case B_DIVIDE: L(a / b)
    case B_FLOORDIVIDE: if (int_expr) { L(b == 0 ? 0 : floor(a / b)) } L(js_floordiv(a, b))
    case B_MOD: if (int_expr) { L(b == 0 ? 0 : a - floor(a / b) * b) } L(js_mod(a, b))
    case B_POWER: if (int_expr) { L(js_ipow(a, b)) } L(js_pow(a, b))
    case B_MAXIMUM: L(a != a || b != b ? NAN : a > b ? a : b)
    case B_MINIMUM: L(a != a || b != b ? NAN : a < b ? a : b)
    case B_ATAN2: L(atan2(a, b))
    case B_EQUAL: L(a == b)
    case B_NOTEQUAL: L(a != b)
    case B_LESS: L(a < b)
    case B_LESSEQUAL: L(a <= b)
    case B_GREATER: L(a > b)
    case B_GREATEREQUAL: L(a >= b)
    case B_LOGICALAND: L(a != 0 && b != 0)
    case B_LOGICALOR: L(a != 0 || b != 0)
    default: L((a != 0) != (b != 0))
  }
#undef L
}

int kt_binary_any(int op, int mode, const void *a, int ta, const void *b, int tb, void *out, int to, long n) {
  if (op < 0 || op >= B_COUNT || to < KT_F32 || to > KT_BOOL || ta < KT_F32 || ta > KT_U8 || tb < KT_F32 || tb > KT_U8) return 0;
  if (n <= 0) return 1;
  const ew_table *t = kt_ew();
  const int ea = kt_esize(ta), eb = kt_esize(tb), eo = kt_esize(to);
  const int scalar_a = mode == M_SCALAR_A, scalar_b = mode == M_SCALAR_B;
  const char *pa = a, *pb = b;
  char *po = out;

  if ((ta == KT_F32 || ta == KT_U8) && (tb == KT_F32 || tb == KT_U8) && (to == KT_F32 || to == KT_BOOL) &&
      (to == KT_F32 ? t->binary_f32(op, M_SAME, NULL, NULL, NULL, 0) : t->binary_f32_bool(op, M_SAME, NULL, NULL, NULL, 0))) {
    float fa[BLOCK], fb[BLOCK];
    const float *sa = scalar_a ? as_f32(pa, ta, fa, 1) : NULL, *sb = scalar_b ? as_f32(pb, tb, fb, 1) : NULL;
    for (long i0 = 0; i0 < n; i0 += BLOCK) {
      long w = n - i0 < BLOCK ? n - i0 : BLOCK;
      const float *xa = scalar_a ? sa : as_f32(pa + i0 * ea, ta, fa, w);
      const float *xb = scalar_b ? sb : as_f32(pb + i0 * eb, tb, fb, w);
      if (to == KT_F32) t->binary_f32(op, mode, xa, xb, (float *)(po + i0 * eo), w);
      else t->binary_f32_bool(op, mode, xa, xb, (uint8_t *)(po + i0 * eo), w);
    }
    return 1;
  }

  if (ta != KT_F32 && tb != KT_F32 && to != KT_F32 &&
      (to == KT_BOOL ? t->binary_i32_bool(op, M_SAME, NULL, NULL, NULL, 0) : t->binary_i32(op, M_SAME, NULL, NULL, NULL, 0))) {
    int32_t ia[BLOCK], ib[BLOCK], io[BLOCK];
    const int32_t *sa = scalar_a ? as_i32(pa, ta, ia, 1) : NULL, *sb = scalar_b ? as_i32(pb, tb, ib, 1) : NULL;
    for (long i0 = 0; i0 < n; i0 += BLOCK) {
      long w = n - i0 < BLOCK ? n - i0 : BLOCK;
      const int32_t *xa = scalar_a ? sa : as_i32(pa + i0 * ea, ta, ia, w);
      const int32_t *xb = scalar_b ? sb : as_i32(pb + i0 * eb, tb, ib, w);
      if (to == KT_BOOL) t->binary_i32_bool(op, mode, xa, xb, (uint8_t *)(po + i0 * eo), w);
      else if (to == KT_I32) t->binary_i32(op, mode, xa, xb, (int32_t *)(po + i0 * eo), w);
      else {
        t->binary_i32(op, mode, xa, xb, io, w);
        narrow_u8(io, (uint8_t *)(po + i0 * eo), w);
      }
    }
    return 1;
  }

  const int int_expr = ta != KT_F32 && tb != KT_F32 && (to == KT_I32 || to == KT_U8);
  double da[BLOCK], db[BLOCK], r[BLOCK];
  if (scalar_a) {
    kt_load_f64(pa, ta, da, 1);
    for (int i = 1; i < BLOCK; i++) da[i] = da[0];
  }
  if (scalar_b) {
    kt_load_f64(pb, tb, db, 1);
    for (int i = 1; i < BLOCK; i++) db[i] = db[0];
  }
  for (long i0 = 0; i0 < n; i0 += BLOCK) {
    long w = n - i0 < BLOCK ? n - i0 : BLOCK;
    if (!scalar_a) kt_load_f64(pa + i0 * ea, ta, da, w);
    if (!scalar_b) kt_load_f64(pb + i0 * eb, tb, db, w);
    eval_binary(op, int_expr, da, db, r, w);
    kt_store_f64(r, po + i0 * eo, to, w);
  }
  return 1;
}

static void eval_unary(int op, int int_expr, const double *X, double *r, long n) {
#define L(EXPR) for (long i = 0; i < n; i++) { double a = X[i]; r[i] = (EXPR); } return;
  switch (op) {
    case U_NEGATIVE: L(-a)
    case U_ABS: L(fabs(a))
    case U_SIGN: L(js_sign(a))
    case U_SQRT: L(sqrt(a))
    case U_RSQRT: L(1 / sqrt(a))
    case U_SQUARE: if (int_expr) { L(js_imul(a, a)) } L(a * a)
    case U_RECIPROCAL: L(1 / a)
    case U_EXP: L(exp(a))
    case U_EXPM1: L(expm1(a))
    case U_LOG: L(log(a))
    case U_LOG1P: L(log1p(a))
    case U_SIN: L(sin(a))
    case U_COS: L(cos(a))
    case U_TAN: L(tan(a))
    case U_TANH: L(tanh(a))
    case U_SIGMOID: L(js_sigmoid(a))
    case U_RELU: L(a > 0 || a != a ? a : 0)
    case U_FLOOR: L(floor(a))
    case U_CEIL: L(ceil(a))
    /* Half to even, as the reference's expression rounds. */
    case U_ROUND: L(rint(a))
    case U_ISNAN: L(a != a)
    case U_ISFINITE: L(a - a == 0)
    case U_ISINF: L(a == INFINITY || a == -INFINITY)
    case U_LOGICALNOT: L(a == 0)
    case U_ERF: L(js_erf(a))
    case U_SOFTPLUS: L(js_softplus(a))
    case U_ATAN: L(atan(a))
    case U_SINH: L(sinh(a))
    case U_COSH: L(cosh(a))
    case U_ASIN: L(asin(a))
    case U_ACOS: L(acos(a))
    case U_ARCSINH: L(asinh(a))
    case U_ARCCOSH: L(acosh(a))
    default: L(atanh(a))
  }
#undef L
}

int kt_unary_any(int op, const void *x, int tx, void *out, int to, long n) {
  if (op < 0 || op >= U_COUNT || to < KT_F32 || to > KT_BOOL || tx < KT_F32 || tx > KT_U8) return 0;
  if (n <= 0) return 1;
  const ew_table *t = kt_ew();
  const int ex = kt_esize(tx), eo = kt_esize(to);
  const char *px = x;
  char *po = out;

  if ((tx == KT_F32 || tx == KT_U8) && (to == KT_F32 || to == KT_BOOL) &&
      (to == KT_F32 ? t->unary_f32(op, NULL, NULL, 0) : t->unary_f32_bool(op, NULL, NULL, 0))) {
    float f[BLOCK];
    for (long i0 = 0; i0 < n; i0 += BLOCK) {
      long w = n - i0 < BLOCK ? n - i0 : BLOCK;
      const float *v = as_f32(px + i0 * ex, tx, f, w);
      if (to == KT_F32) t->unary_f32(op, v, (float *)(po + i0 * eo), w);
      else t->unary_f32_bool(op, v, (uint8_t *)(po + i0 * eo), w);
    }
    return 1;
  }

  if (tx != KT_F32 && (to == KT_I32 || to == KT_U8) && t->unary_i32(op, NULL, NULL, 0)) {
    int32_t iv[BLOCK], io[BLOCK];
    for (long i0 = 0; i0 < n; i0 += BLOCK) {
      long w = n - i0 < BLOCK ? n - i0 : BLOCK;
      const int32_t *v = as_i32(px + i0 * ex, tx, iv, w);
      if (to == KT_I32) t->unary_i32(op, v, (int32_t *)(po + i0 * eo), w);
      else {
        t->unary_i32(op, v, io, w);
        narrow_u8(io, (uint8_t *)(po + i0 * eo), w);
      }
    }
    return 1;
  }

  const int int_expr = tx != KT_F32 && (to == KT_I32 || to == KT_U8);
  double v[BLOCK], r[BLOCK];
  for (long i0 = 0; i0 < n; i0 += BLOCK) {
    long w = n - i0 < BLOCK ? n - i0 : BLOCK;
    kt_load_f64(px + i0 * ex, tx, v, w);
    eval_unary(op, int_expr, v, r, w);
    kt_store_f64(r, po + i0 * eo, to, w);
  }
  return 1;
}
