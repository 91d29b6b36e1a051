/* Elementwise loops, included once per ISA with KT_SFX naming the copy (see elementwise.c).
 * Every loop is a plain flat loop the compiler vectorizes for that ISA; where float32 arithmetic
 * gives exactly what the reference computes in float64 and rounds (+ - * / sqrt, comparisons,
 * min/max, floor/ceil/rint), it is done in float32, otherwise in float64 through ew_math.h. */

#define FLAT_LOOPS(TA, TB, EXPR)                                                    \
  switch (mode) {                                                                    \
    case M_SAME:                                                                     \
      for (long i = 0; i < n; i++) { TA a = A[i]; TB b = B[i]; out[i] = (EXPR); }    \
      break;                                                                         \
    case M_SCALAR_A: {                                                               \
      TA a = A[0];                                                                   \
      for (long i = 0; i < n; i++) { TB b = B[i]; out[i] = (EXPR); }                 \
      break;                                                                         \
    }                                                                                \
    default: {                                                                       \
      TB b = B[0];                                                                   \
      for (long i = 0; i < n; i++) { TA a = A[i]; out[i] = (EXPR); }                 \
      break;                                                                         \
    }                                                                                \
  }

#if defined(KT_VEC512)
/* out = f(x) through float64 vectors of 8; F(v) maps a __m512d to a __m512d. */
#define VEC_F64_LOOP(F)                                                                       \
  {                                                                                           \
    long i = 0;                                                                               \
    for (; i + 8 <= n; i += 8) {                                                              \
      __m512d v = _mm512_cvtps_pd(_mm256_loadu_ps(x + i));                                    \
      _mm256_storeu_ps(out + i, _mm512_cvtpd_ps(F(v)));                                       \
    }                                                                                         \
    if (i < n) {                                                                              \
      __mmask8 m = (__mmask8)((1u << (n - i)) - 1);                                           \
      __m512d v = _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, x + i));                           \
      _mm256_mask_storeu_ps(out + i, m, _mm512_cvtpd_ps(F(v)));                               \
    }                                                                                         \
  }                                                                                           \
  break;
static inline __m512d vsigmoid512(__m512d a) {
  __m512d e = vm_exp512(_mm512_sub_pd(_mm512_setzero_pd(), _mm512_abs_pd(a)));
  __m512d d = _mm512_add_pd(_mm512_set1_pd(1.0), e);
  __mmask8 pos = _mm512_cmp_pd_mask(a, _mm512_setzero_pd(), _CMP_GE_OQ);
  return _mm512_mask_blend_pd(pos, _mm512_div_pd(e, d), _mm512_div_pd(_mm512_set1_pd(1.0), d));
}
static inline __m512d vtanh512(__m512d a) {
  a = _mm512_max_pd(_mm512_set1_pd(-20.0), a);
  a = _mm512_min_pd(_mm512_set1_pd(20.0), a);
  __m512d e = vm_expm1_512(_mm512_add_pd(a, a));
  return _mm512_div_pd(e, _mm512_add_pd(e, _mm512_set1_pd(2.0)));
}
#define VEXP vm_exp512
#define VSIGMOID vsigmoid512
#define VTANH vtanh512
#elif defined(KT_VEC256)
#define VEC_F64_LOOP(F)                                                                       \
  {                                                                                           \
    long i = 0;                                                                               \
    for (; i + 4 <= n; i += 4) {                                                              \
      __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));                                       \
      _mm_storeu_ps(out + i, _mm256_cvtpd_ps(F(v)));                                          \
    }                                                                                         \
    if (i < n) {                                                                              \
      float tin[4] = {0, 0, 0, 0}, tout[4];                                                   \
      for (long q = i; q < n; q++) tin[q - i] = x[q];                                         \
      _mm_storeu_ps(tout, _mm256_cvtpd_ps(F(_mm256_cvtps_pd(_mm_loadu_ps(tin)))));            \
      for (long q = i; q < n; q++) out[q] = tout[q - i];                                      \
    }                                                                                         \
  }                                                                                           \
  break;
static inline __m256d vsigmoid256(__m256d a) {
  __m256d abs = _mm256_andnot_pd(_mm256_set1_pd(-0.0), a);
  __m256d e = vm_exp256(_mm256_sub_pd(_mm256_setzero_pd(), abs));
  __m256d d = _mm256_add_pd(_mm256_set1_pd(1.0), e);
  __m256d pos = _mm256_cmp_pd(a, _mm256_setzero_pd(), _CMP_GE_OQ);
  return _mm256_blendv_pd(_mm256_div_pd(e, d), _mm256_div_pd(_mm256_set1_pd(1.0), d), pos);
}
static inline __m256d vtanh256(__m256d a) {
  a = _mm256_max_pd(_mm256_set1_pd(-20.0), a);
  a = _mm256_min_pd(_mm256_set1_pd(20.0), a);
  __m256d e = vm_expm1_256(_mm256_add_pd(a, a));
  return _mm256_div_pd(e, _mm256_add_pd(e, _mm256_set1_pd(2.0)));
}
#define VEXP vm_exp256
#define VSIGMOID vsigmoid256
#define VTANH vtanh256
#endif

/* Not restrict: the dense epilogue runs it in place. */
static int KT_SFX(unary_f32)(int op, const float *x, float *out, long n) {
#define U(EXPR) for (long i = 0; i < n; i++) { float a = x[i]; out[i] = (EXPR); } break;
#define UD(EXPR) for (long i = 0; i < n; i++) { double a = x[i]; out[i] = (float)(EXPR); } break;
  switch (op) {
    case U_NEGATIVE: U(-a)
    case U_ABS: U(fabsf(a))
    case U_SIGN: U(a > 0 ? 1.0f : a < 0 ? -1.0f : a)
    case U_SQRT: U(sqrtf(a))
    case U_RSQRT: UD(1 / sqrt(a))
    case U_SQUARE: U(a * a)
    case U_RECIPROCAL: U(1.0f / a)
#ifdef VEXP
    case U_EXP: VEC_F64_LOOP(VEXP)
    case U_SIGMOID: VEC_F64_LOOP(VSIGMOID)
    case U_TANH: VEC_F64_LOOP(VTANH)
#else
    case U_EXP: UD(exp(a))
    case U_SIGMOID: UD(js_sigmoid(a))
    case U_TANH: UD(tanh(a))
#endif
    case U_EXPM1: UD(expm1(a))
    case U_LOG: UD(log(a))
    case U_LOG1P: UD(log1p(a))
    case U_SIN: UD(sin(a))
    case U_COS: UD(cos(a))
    case U_TAN: UD(tan(a))
    case U_RELU: U(a > 0 || a != a ? a : 0.0f)
    case U_FLOOR: U(floorf(a))
    case U_CEIL: U(ceilf(a))
    case U_ROUND: U(rintf(a))
    case U_ERF: UD(js_erf(a))
    case U_SOFTPLUS: UD(js_softplus(a))
    case U_ATAN: UD(atan(a))
    case U_SINH: UD(sinh(a))
    case U_COSH: UD(cosh(a))
    case U_ASIN: UD(asin(a))
    case U_ACOS: UD(acos(a))
    case U_ARCSINH: UD(asinh(a))
    case U_ARCCOSH: UD(acosh(a))
    case U_ARCTANH: UD(atanh(a))
    default: return 0;
  }
#undef U
#undef UD
  return 1;
}

static int KT_SFX(unary_f32_bool)(int op, const float *KT_RESTRICT x, uint8_t *KT_RESTRICT out, long n) {
#define U(EXPR) for (long i = 0; i < n; i++) { float a = x[i]; out[i] = (EXPR) ? 1 : 0; } break;
  switch (op) {
    case U_ISNAN: U(a != a)
    case U_ISFINITE: U(a - a == 0.0f)
    case U_ISINF: U(a == INFINITY || a == -INFINITY)
    case U_LOGICALNOT: U(a == 0.0f)
    default: return 0;
  }
#undef U
  return 1;
}

static int KT_SFX(unary_i32)(int op, const int32_t *KT_RESTRICT x, int32_t *KT_RESTRICT out, long n) {
  const uint32_t *ux = (const uint32_t *)x;
  uint32_t *uo = (uint32_t *)out;
  switch (op) {
    case U_NEGATIVE: for (long i = 0; i < n; i++) uo[i] = 0u - ux[i]; break;
    case U_ABS: for (long i = 0; i < n; i++) uo[i] = x[i] < 0 ? 0u - ux[i] : ux[i]; break;
    case U_SIGN: for (long i = 0; i < n; i++) out[i] = x[i] > 0 ? 1 : x[i] < 0 ? -1 : 0; break;
    case U_SQUARE: for (long i = 0; i < n; i++) uo[i] = ux[i] * ux[i]; break;
    default: return 0;
  }
  return 1;
}

static int KT_SFX(binary_f32)(int op, int mode, const float *KT_RESTRICT A, const float *KT_RESTRICT B, float *KT_RESTRICT out, long n) {
#define BF(EXPR) FLAT_LOOPS(float, float, EXPR) break;
#define BD(EXPR) FLAT_LOOPS(float, float, (float)(EXPR)) break;
  switch (op) {
    case B_ADD: BF(a + b)
    case B_SUBTRACT: BF(a - b)
    case B_MULTIPLY: BF(a * b)
    case B_DIVIDE: BF(a / b)
    case B_FLOORDIVIDE: BD(js_floordiv(a, b))
    case B_MOD: BD(js_mod(a, b))
    case B_POWER: BD(js_pow(a, b))
    case B_MAXIMUM: BF(a != a || b != b ? NAN : a > b ? a : b)
    case B_MINIMUM: BF(a != a || b != b ? NAN : a < b ? a : b)
    case B_ATAN2: BD(atan2((double)a, (double)b))
    default: return 0;
  }
#undef BF
#undef BD
  return 1;
}

#define PRED_CASES                                                        \
  case B_EQUAL: BP(a == b)                                                \
  case B_NOTEQUAL: BP(a != b)                                             \
  case B_LESS: BP(a < b)                                                  \
  case B_LESSEQUAL: BP(a <= b)                                            \
  case B_GREATER: BP(a > b)                                               \
  case B_GREATEREQUAL: BP(a >= b)                                         \
  case B_LOGICALAND: BP(a != 0 && b != 0)                                 \
  case B_LOGICALOR: BP(a != 0 || b != 0)                                  \
  case B_LOGICALXOR: BP((a != 0) != (b != 0))

static int KT_SFX(binary_f32_bool)(int op, int mode, const float *KT_RESTRICT A, const float *KT_RESTRICT B, uint8_t *KT_RESTRICT out, long n) {
#define BP(EXPR) FLAT_LOOPS(float, float, (uint8_t)((EXPR) ? 1 : 0)) break;
  switch (op) {
    PRED_CASES
    default: return 0;
  }
#undef BP
  return 1;
}

static int KT_SFX(binary_i32_bool)(int op, int mode, const int32_t *KT_RESTRICT A, const int32_t *KT_RESTRICT B, uint8_t *KT_RESTRICT out, long n) {
#define BP(EXPR) FLAT_LOOPS(int32_t, int32_t, (uint8_t)((EXPR) ? 1 : 0)) break;
  switch (op) {
    PRED_CASES
    default: return 0;
  }
#undef BP
  return 1;
}

static int KT_SFX(binary_u8_bool)(int op, int mode, const uint8_t *KT_RESTRICT A, const uint8_t *KT_RESTRICT B, uint8_t *KT_RESTRICT out, long n) {
#define BP(EXPR) FLAT_LOOPS(uint8_t, uint8_t, (uint8_t)((EXPR) ? 1 : 0)) break;
  switch (op) {
    PRED_CASES
    default: return 0;
  }
#undef BP
  return 1;
}

static int KT_SFX(binary_i32)(int op, int mode, const int32_t *KT_RESTRICT A, const int32_t *KT_RESTRICT B, int32_t *KT_RESTRICT out, long n) {
#define BI(EXPR) FLAT_LOOPS(int32_t, int32_t, (int32_t)(EXPR)) break;
  switch (op) {
    case B_ADD: BI((uint32_t)a + (uint32_t)b)
    case B_SUBTRACT: BI((uint32_t)a - (uint32_t)b)
    case B_MULTIPLY: BI((uint32_t)a * (uint32_t)b)
    case B_MAXIMUM: BI(a > b ? a : b)
    case B_MINIMUM: BI(a < b ? a : b)
    default: return 0;
  }
#undef BI
  return 1;
}

#undef VEC_F64_LOOP
#undef VEXP
#undef VSIGMOID
#undef VTANH

static const ew_table KT_SFX(ew_table) = {
  KT_SFX(unary_f32), KT_SFX(unary_f32_bool), KT_SFX(unary_i32), KT_SFX(binary_f32),
  KT_SFX(binary_f32_bool), KT_SFX(binary_i32), KT_SFX(binary_i32_bool), KT_SFX(binary_u8_bool),
};
