/* Vectorized float64 exp / expm1 for float32 data (AVX-512 and AVX2). Accurate to a few float64
 * ulps, so the float32 results round as the reference's Math.exp-based ones do (a difference needs
 * the float64 value within a few ulps of a float32 rounding boundary: about 1 in 10^8 inputs).
 * Inputs are clamped to [-150, 100], far outside where a float32 result changes; NaN passes. */
#ifndef KT_VMATH_H
#define KT_VMATH_H
#include "kt.h"
#if KT_X86
#include <immintrin.h>

#define VM_LOG2E 1.4426950408889634
#define VM_LN2HI 0.6931471805599453
#define VM_LN2LO 2.3190468138462996e-17
/* 1/k!, k = 13 .. 2 */
#define VM_C13 1.6059043836821613e-10
#define VM_C12 2.08767569878681e-09
#define VM_C11 2.505210838544172e-08
#define VM_C10 2.755731922398589e-07
#define VM_C9 2.755731922398589e-06
#define VM_C8 2.48015873015873e-05
#define VM_C7 1.984126984126984e-04
#define VM_C6 1.388888888888889e-03
#define VM_C5 8.333333333333333e-03
#define VM_C4 4.1666666666666664e-02
#define VM_C3 1.6666666666666666e-01
#define VM_C2 0.5

KT_AVX512 static inline __m512d vm_exp512(__m512d x) {
  x = _mm512_max_pd(_mm512_set1_pd(-150.0), x); /* NaN stays (max returns its 2nd operand on NaN) */
  x = _mm512_min_pd(_mm512_set1_pd(100.0), x);
  __m512d n = _mm512_roundscale_pd(_mm512_mul_pd(x, _mm512_set1_pd(VM_LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512d r = _mm512_fnmadd_pd(n, _mm512_set1_pd(VM_LN2HI), x);
  r = _mm512_fnmadd_pd(n, _mm512_set1_pd(VM_LN2LO), r);
  __m512d p = _mm512_set1_pd(VM_C13);
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C12));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C11));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C10));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C9));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C8));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C7));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C6));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C5));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C4));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C3));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(VM_C2));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(1.0));
  __m512i e = _mm512_slli_epi64(_mm512_add_epi64(_mm512_cvtpd_epi64(n), _mm512_set1_epi64(1023)), 52);
  return _mm512_mul_pd(p, _mm512_castsi512_pd(e));
}

/* expm1: Taylor series near 0 (no cancellation), exp(x) - 1 elsewhere. */
KT_AVX512 static inline __m512d vm_expm1_512(__m512d x) {
  __m512d big = _mm512_sub_pd(vm_exp512(x), _mm512_set1_pd(1.0));
  /* x * (1 + x/2 * (1 + x/3 * (... (1 + x/14)))) */
  __m512d p = _mm512_set1_pd(1.0);
  for (int k = 14; k >= 2; k--) p = _mm512_fmadd_pd(_mm512_mul_pd(x, _mm512_set1_pd(1.0 / k)), p, _mm512_set1_pd(1.0));
  __m512d small = _mm512_mul_pd(x, p);
  __mmask8 near0 = _mm512_cmp_pd_mask(_mm512_abs_pd(x), _mm512_set1_pd(0.34657359027997264), _CMP_LT_OQ);
  return _mm512_mask_blend_pd(near0, big, small);
}

/* As vm_exp512, with n = round(x * log2(e)) taken from the low mantissa bits of x * log2(e) +
 * 1.5 * 2^52 (the addition rounds to nearest even, as roundscale does above): AVX2 has no
 * double-to-int64 conversion, and rounding then converting through int32 cost a third of the
 * time. A NaN stays NaN through the polynomial whatever the exponent bits. */
#define VM_ROUND_MAGIC 6755399441055744.0
KT_AVX2 static inline __m256d vm_exp256(__m256d x) {
  x = _mm256_max_pd(_mm256_set1_pd(-150.0), x);
  x = _mm256_min_pd(_mm256_set1_pd(100.0), x);
  __m256d t = _mm256_add_pd(_mm256_mul_pd(x, _mm256_set1_pd(VM_LOG2E)), _mm256_set1_pd(VM_ROUND_MAGIC));
  __m256d n = _mm256_sub_pd(t, _mm256_set1_pd(VM_ROUND_MAGIC));
  __m256d r = _mm256_fnmadd_pd(n, _mm256_set1_pd(VM_LN2HI), x);
  r = _mm256_fnmadd_pd(n, _mm256_set1_pd(VM_LN2LO), r);
  __m256d p = _mm256_set1_pd(VM_C13);
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C12));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C11));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C10));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C9));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C8));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C7));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C6));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C5));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C4));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C3));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(VM_C2));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
  p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(1.0));
  __m256i e = _mm256_slli_epi64(_mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023)), 52);
  return _mm256_mul_pd(p, _mm256_castsi256_pd(e));
}

KT_AVX2 static inline __m256d vm_expm1_256(__m256d x) {
  __m256d big = _mm256_sub_pd(vm_exp256(x), _mm256_set1_pd(1.0));
  __m256d p = _mm256_set1_pd(1.0);
  for (int k = 14; k >= 2; k--) p = _mm256_fmadd_pd(_mm256_mul_pd(x, _mm256_set1_pd(1.0 / k)), p, _mm256_set1_pd(1.0));
  __m256d small = _mm256_mul_pd(x, p);
  __m256d ax = _mm256_andnot_pd(_mm256_set1_pd(-0.0), x);
  __m256d near0 = _mm256_cmp_pd(ax, _mm256_set1_pd(0.34657359027997264), _CMP_LT_OQ);
  return _mm256_blendv_pd(big, small, near0);
}
#endif
#endif
