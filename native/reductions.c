/*
 * Reductions in portable C that misc.c's float32 ones do not cover: any input and output type
 * (integer sums and extremes, any / all), and countArgmaxMatches.
 */
#include "kt.h"
#include "ew_math.h"

/* ---------------------------------------------------------------- reduce, any types */

enum { R_SUM = 0, R_PROD = 1, R_MAX = 2, R_MIN = 3, R_ANY = 4, R_ALL = 5 };

/* One accumulation step, in float64 as the reference's (Math.max / Math.min propagate NaN). */
static inline double reduce_step(int op, double acc, double v) {
  switch (op) {
    case R_SUM: return acc + v;
    case R_PROD: return acc * v;
    case R_MAX: return acc != acc || v != v ? NAN : v > acc ? v : acc;
    case R_MIN: return acc != acc || v != v ? NAN : v < acc ? v : acc;
    case R_ANY: return v != 0 ? 1.0 : acc;
    default: return v == 0 ? 0.0 : acc;
  }
}

/* The float64 accumulator stored as the reference's typed array stores it. */
static inline void store(void *out, int dtype, long i, double v) {
  if (dtype == KT_F32) ((float *)out)[i] = (float)v;
  else if (dtype == KT_I32) ((int32_t *)out)[i] = js_toint32(v);
  else ((uint8_t *)out)[i] = js_touint8(v);
}

#define REDUCE_ANY_FN(NAME, T)                                                                     \
  static void NAME(int op, const T *x, void *out, int out_dtype, long outer, long n, long inner, double init) { \
    for (long o = 0; o < outer; o++)                                                               \
      for (long i = 0; i < inner; i++) {                                                           \
        const T *p = x + o * n * inner + i;                                                        \
        double acc = init;                                                                         \
        switch (op) {                                                                              \
          case R_SUM: for (long r = 0; r < n; r++) acc += (double)p[r * inner]; break;             \
          default: for (long r = 0; r < n; r++) acc = reduce_step(op, acc, (double)p[r * inner]); break; \
        }                                                                                          \
        store(out, out_dtype, o * inner + i, acc);                                                 \
      }                                                                                            \
  }
REDUCE_ANY_FN(reduce_any_f32, float)
REDUCE_ANY_FN(reduce_any_i32, int32_t)
REDUCE_ANY_FN(reduce_any_u8, uint8_t)

int kt_reduce_any(int op, const void *x, int dtype, void *out, int out_dtype, long outer, long n, long inner) {
  static const double init[] = {0, 1, -INFINITY, INFINITY, 0, 1};
  if (op < R_SUM || op > R_ALL) return 0;
  if (dtype == KT_F32) reduce_any_f32(op, x, out, out_dtype, outer, n, inner, init[op]);
  else if (dtype == KT_I32) reduce_any_i32(op, x, out, out_dtype, outer, n, inner, init[op]);
  else reduce_any_u8(op, x, out, out_dtype, outer, n, inner, init[op]);
  return 1;
}

/* ---------------------------------------------------------------- countArgmaxMatches */

/* How many rows' first argmax (NaN counting as the maximum, as the reference's row arg-reduction
 * does) equals the row's label or the argmax of its one-hot row. */

#define ROW_ARGMAX(NAME, T)                                  \
  static long NAME(const T *x, long n) {                     \
    double best = (double)x[0];                              \
    if (best != best) return 0;                              \
    long index = 0;                                          \
    for (long j = 1; j < n; j++) {                           \
      double v = (double)x[j];                               \
      if (v > best) {                                        \
        best = v;                                            \
        index = j;                                           \
      } else if (v != v) {                                   \
        return j;                                            \
      }                                                      \
    }                                                        \
    return index;                                            \
  }
ROW_ARGMAX(argmax_f32, float)
ROW_ARGMAX(argmax_i32, int32_t)
ROW_ARGMAX(argmax_u8, uint8_t)

static long row_argmax(const void *x, int dtype, long row, long cols) {
  if (dtype == KT_F32) return argmax_f32((const float *)x + row * cols, cols);
  if (dtype == KT_I32) return argmax_i32((const int32_t *)x + row * cols, cols);
  return argmax_u8((const uint8_t *)x + row * cols, cols);
}

static double element(const void *x, int dtype, long i) {
  if (dtype == KT_F32) return ((const float *)x)[i];
  if (dtype == KT_I32) return ((const int32_t *)x)[i];
  return ((const uint8_t *)x)[i];
}

long kt_count_argmax_matches(const float *pred, long rows, long cols, const void *labels, int labels_dtype, const void *onehot, int onehot_dtype) {
  if (cols == 0) return 0;
  long count = 0;
  for (long r = 0; r < rows; r++) {
    long predicted = argmax_f32(pred + r * cols, cols);
    double label = labels != NULL ? element(labels, labels_dtype, r) : (double)row_argmax(onehot, onehot_dtype, r, cols);
    if (label == (double)predicted) count++;
  }
  return count;
}
