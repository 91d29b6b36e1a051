/*
 * The normalize kernel, step for step as src/backend/reference/normalize.ts computes it (float64
 * accumulators, each step and each norm rounded to float32 where the reference rounds), on the
 * canonical layout the TypeScript side computes. Each block is read twice while it is in cache:
 * once to accumulate its slices' norms, once to write the output.
 */
#include <math.h>

#include "kt.h"

#define NORM_MAX_RANK 32

enum { N_ORDER2 = 0, N_ORDER1 = 1, N_INF = 2, N_P = 3 };

/* One block loop per (element type, kind): LOAD(i) reads element i as a double, STEP accumulates
 * the double `a` into `A`. */
#define NORMALIZE_FN(NAME, T, LOAD, STEP)                                                          \
  static void NAME(const T *x, float *out, long blocks, long block_size, int rank, const long *dims, const long *strides,  \
                   long inner, int inner_kept, long slices, double *acc, double *factor, int kind, int mode, double p,      \
                   double q, double bound) {                                                        \
    long steps = 1;                                                                                 \
    for (int d = 0; d < rank; d++) steps *= dims[d];                                                \
    const int mul = kind == N_ORDER2 && mode == 1;                                                  \
    long counter[NORM_MAX_RANK];                                                                    \
    for (long b = 0, base = 0; b < blocks; b++, base += block_size) {                               \
      for (long t = 0; t < slices; t++) acc[t] = kind == N_INF ? -INFINITY : 0.0;                   \
      for (int d = 0; d < rank; d++) counter[d] = 0;                                                \
      long i = base, k = 0;                                                                         \
      for (long s = 0; s < steps; s++) {                                                            \
        if (inner_kept) {                                                                           \
          for (long j = 0; j < inner; j++) {                                                        \
            double a = LOAD(i + j), A = acc[k + j];                                                 \
            STEP;                                                                                   \
            acc[k + j] = A;                                                                         \
          }                                                                                         \
        } else {                                                                                    \
          double A = acc[k];                                                                        \
          for (long j = 0; j < inner; j++) {                                                        \
            double a = LOAD(i + j);                                                                 \
            STEP;                                                                                   \
          }                                                                                         \
          acc[k] = A;                                                                               \
        }                                                                                           \
        ODOMETER                                                                                    \
      }                                                                                             \
      for (long t = 0; t < slices; t++) factor[t] = finish(acc[t], kind, mode, q, bound);           \
      for (int d = 0; d < rank; d++) counter[d] = 0;                                                \
      i = base;                                                                                     \
      k = 0;                                                                                        \
      for (long s = 0; s < steps; s++) {                                                            \
        if (inner_kept) {                                                                           \
          if (mul) for (long j = 0; j < inner; j++) out[i + j] = (float)(LOAD(i + j) * factor[k + j]); \
          else for (long j = 0; j < inner; j++) out[i + j] = (float)(LOAD(i + j) / factor[k + j]);     \
        } else {                                                                                    \
          const double F = factor[k];                                                               \
          if (mul) for (long j = 0; j < inner; j++) out[i + j] = (float)(LOAD(i + j) * F);           \
          else for (long j = 0; j < inner; j++) out[i + j] = (float)(LOAD(i + j) / F);              \
        }                                                                                           \
        ODOMETER                                                                                    \
      }                                                                                             \
    }                                                                                               \
  }

#define ODOMETER                                 \
  i += inner;                                    \
  for (int d = rank - 1; d >= 0; d--) {          \
    counter[d]++;                                \
    k += strides[d];                             \
    if (counter[d] < dims[d]) break;             \
    k -= strides[d] * dims[d];                   \
    counter[d] = 0;                              \
  }

/* What each element of a slice is divided by (or, order 2 with epsilon, multiplied by). */
static double finish(double A, int kind, int mode, double q, double bound) {
  if (kind == N_ORDER2 && mode == 1) {
    double r = (float)(1 / sqrt((float)A));
    return r != r ? NAN : r < bound ? r : bound;
  }
  double n = kind == N_ORDER2 ? (double)(float)sqrt((float)A) : kind == N_ORDER1 ? (double)(float)A : kind == N_INF ? A : (double)(float)pow((float)A, q);
  if (mode == 1) return n != n ? NAN : n > bound ? n : bound;
  return n == 0 ? 1.0 : n;
}

#define STEP_2 A += (float)(a * a)
#define STEP_1 A += fabs(a)
#define STEP_INF                                  \
  {                                               \
    double v = fabs(a);                           \
    A = (A != A || v != v) ? NAN : v > A ? v : A; \
  }
#define STEP_P A += (float)pow(fabs(a), p)

#define LOAD_F32(i) ((double)x[i])
#define LOAD_I32(i) ((double)(float)x[i])
#define LOAD_U8(i) ((double)x[i])

NORMALIZE_FN(norm_f32_2, float, LOAD_F32, STEP_2)
NORMALIZE_FN(norm_f32_1, float, LOAD_F32, STEP_1)
NORMALIZE_FN(norm_f32_inf, float, LOAD_F32, STEP_INF)
NORMALIZE_FN(norm_f32_p, float, LOAD_F32, STEP_P)
NORMALIZE_FN(norm_i32_2, int32_t, LOAD_I32, STEP_2)
NORMALIZE_FN(norm_i32_1, int32_t, LOAD_I32, STEP_1)
NORMALIZE_FN(norm_i32_inf, int32_t, LOAD_I32, STEP_INF)
NORMALIZE_FN(norm_i32_p, int32_t, LOAD_I32, STEP_P)
NORMALIZE_FN(norm_u8_2, uint8_t, LOAD_U8, STEP_2)
NORMALIZE_FN(norm_u8_1, uint8_t, LOAD_U8, STEP_1)
NORMALIZE_FN(norm_u8_inf, uint8_t, LOAD_U8, STEP_INF)
NORMALIZE_FN(norm_u8_p, uint8_t, LOAD_U8, STEP_P)

int kt_normalize(const void *x, int dtype, float *out, long blocks, long block_size, int rank, const int32_t *dims32, const int32_t *strides32,
                 long inner, int inner_kept, long slices, double *acc, double *factor, int kind, int mode, double p, double q, double bound) {
  if (rank < 0 || rank > NORM_MAX_RANK || kind < N_ORDER2 || kind > N_P || (dtype != KT_F32 && dtype != KT_I32 && dtype != KT_U8)) return 0;
  long dims[NORM_MAX_RANK], strides[NORM_MAX_RANK];
  for (int d = 0; d < rank; d++) {
    dims[d] = dims32[d];
    strides[d] = strides32[d];
  }
#define NORM_ARGS out, blocks, block_size, rank, dims, strides, inner, inner_kept, slices, acc, factor, kind, mode, p, q, bound
#define NORM_KINDS(T, PREFIX)                                                   \
  {                                                                             \
    const T *xt = (const T *)x;                                                 \
    switch (kind) {                                                             \
      case N_ORDER2: PREFIX##_2(xt, NORM_ARGS); break;                          \
      case N_ORDER1: PREFIX##_1(xt, NORM_ARGS); break;                          \
      case N_INF: PREFIX##_inf(xt, NORM_ARGS); break;                           \
      default: PREFIX##_p(xt, NORM_ARGS); break;                                \
    }                                                                           \
  }
  if (dtype == KT_F32) NORM_KINDS(float, norm_f32)
  else if (dtype == KT_I32) NORM_KINDS(int32_t, norm_i32)
  else NORM_KINDS(uint8_t, norm_u8)
  return 1;
}
