/*
 * Reductions of any storage type (float32 into float32 sum / prod / max / min has its faster
 * kernel in misc.c), integer arg-reductions, the argmax-match count of the accuracy metrics, and
 * the normalize kernel. Each accumulates in float64 in the reference kernel's order, so the
 * results are the reference's bit for bit.
 */
#include "kt.h"
#include "kt_ext.h"
#include "ew_math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Math.max / Math.min: NaN wins; +0 beats -0 for max, -0 beats +0 for min. */
static inline double js_max(double a, double b) {
  if (a != a || b != b) return NAN;
  if (a > b) return a;
  if (b > a) return b;
  return (a == 0 && signbit(a)) ? b : a;
}
static inline double js_min(double a, double b) {
  if (a != a || b != b) return NAN;
  if (a < b) return a;
  if (b < a) return b;
  return (a == 0 && !signbit(a)) ? b : a;
}

#define COL_BLOCK 512

/* ---------------------------------------------------------------- reduce [outer, n, inner] */

/* Rows (inner == 1): res[o - o0] = the reduction of the contiguous run of row o. */
#define DEF_REDUCE_ROWS(NAME, T)                                                                   \
  static void NAME(int op, const T *x, double *res, long o0, long o1, long n) {                   \
    for (long o = o0; o < o1; o++) {                                                               \
      const T *row = x + o * n;                                                                    \
      double A;                                                                                    \
      switch (op) {                                                                                \
        case KT_R_SUM: A = 0; for (long k = 0; k < n; k++) A += row[k]; break;                     \
        case KT_R_PROD: A = 1; for (long k = 0; k < n; k++) A *= row[k]; break;                    \
        case KT_R_MAX: A = -INFINITY; for (long k = 0; k < n; k++) A = js_max(A, row[k]); break;   \
        case KT_R_MIN: A = INFINITY; for (long k = 0; k < n; k++) A = js_min(A, row[k]); break;    \
        case KT_R_ANY: A = 0; for (long k = 0; k < n; k++) if (row[k] != 0) { A = 1; break; } break; \
        default: A = 1; for (long k = 0; k < n; k++) if (row[k] == 0) { A = 0; break; } break;     \
      }                                                                                            \
      res[o - o0] = A;                                                                             \
    }                                                                                              \
  }
DEF_REDUCE_ROWS(reduce_rows_f32, float)
DEF_REDUCE_ROWS(reduce_rows_i32, int32_t)
DEF_REDUCE_ROWS(reduce_rows_u8, uint8_t)

/* Columns [i0, i0 + w) of one outer block (x points at its first row): stream the rows. */
#define DEF_REDUCE_COLS(NAME, T)                                                                   \
  static void NAME(int op, const T *x, double *acc, long n, long inner, long w) {                 \
    static const double init[6] = {0, 1, -INFINITY, INFINITY, 0, 1};                               \
    for (long i = 0; i < w; i++) acc[i] = init[op];                                                \
    const T *p = x;                                                                                \
    for (long r = 0; r < n; r++, p += inner) {                                                     \
      switch (op) {                                                                                \
        case KT_R_SUM: for (long i = 0; i < w; i++) acc[i] += p[i]; break;                         \
        case KT_R_PROD: for (long i = 0; i < w; i++) acc[i] *= p[i]; break;                        \
        case KT_R_MAX: for (long i = 0; i < w; i++) acc[i] = js_max(acc[i], p[i]); break;          \
        case KT_R_MIN: for (long i = 0; i < w; i++) acc[i] = js_min(acc[i], p[i]); break;          \
        case KT_R_ANY: for (long i = 0; i < w; i++) if (p[i] != 0) acc[i] = 1; break;              \
        default: for (long i = 0; i < w; i++) if (p[i] == 0) acc[i] = 0; break;                    \
      }                                                                                            \
    }                                                                                              \
  }
DEF_REDUCE_COLS(reduce_cols_f32, float)
DEF_REDUCE_COLS(reduce_cols_i32, int32_t)
DEF_REDUCE_COLS(reduce_cols_u8, uint8_t)

typedef struct {
  int op, tx, to;
  const char *x;
  char *out;
  long outer, n, inner, chunks;
} reduce_any_job;

static void reduce_any_task(void *ctx, long task, int thread) {
  (void)thread;
  const reduce_any_job *j = (const reduce_any_job *)ctx;
  const int ex = kt_esize(j->tx), eo = kt_esize(j->to);
  double buf[COL_BLOCK];
  if (j->inner == 1) {
    long o0 = task * j->outer / j->chunks, o1 = (task + 1) * j->outer / j->chunks;
    for (long b = o0; b < o1; b += COL_BLOCK) {
      long e = b + COL_BLOCK < o1 ? b + COL_BLOCK : o1;
      if (j->tx == KT_F32) reduce_rows_f32(j->op, (const float *)j->x, buf, b, e, j->n);
      else if (j->tx == KT_I32) reduce_rows_i32(j->op, (const int32_t *)j->x, buf, b, e, j->n);
      else reduce_rows_u8(j->op, (const uint8_t *)j->x, buf, b, e, j->n);
      kt_store_f64(buf, j->out + b * eo, j->to, e - b);
    }
    return;
  }
  /* tasks enumerate (outer, column block) pairs */
  long blocks = (j->inner + COL_BLOCK - 1) / COL_BLOCK, total = j->outer * blocks;
  long t0 = task * total / j->chunks, t1 = (task + 1) * total / j->chunks;
  for (long t = t0; t < t1; t++) {
    long o = t / blocks, i0 = (t % blocks) * COL_BLOCK;
    long w = j->inner - i0 < COL_BLOCK ? j->inner - i0 : COL_BLOCK;
    const char *x = j->x + (o * j->n * j->inner + i0) * ex;
    if (j->tx == KT_F32) reduce_cols_f32(j->op, (const float *)x, buf, j->n, j->inner, w);
    else if (j->tx == KT_I32) reduce_cols_i32(j->op, (const int32_t *)x, buf, j->n, j->inner, w);
    else reduce_cols_u8(j->op, (const uint8_t *)x, buf, j->n, j->inner, w);
    kt_store_f64(buf, j->out + (o * j->inner + i0) * eo, j->to, w);
  }
}

void kt_reduce_any(int op, const void *x, int tx, void *out, int to, long outer, long n, long inner) {
  reduce_any_job j = {op, tx, to, x, out, outer, n, inner, 1};
  long units = inner == 1 ? outer : outer * ((inner + COL_BLOCK - 1) / COL_BLOCK);
  j.chunks = kt_pick_tasks(outer * n * inner, units);
  kt_parallel(reduce_any_task, &j, j.chunks);
}

/* ---------------------------------------------------------------- integer argmax / argmin */
#define DEF_ARGREDUCE(NAME, T)                                                                     \
  static void NAME(int is_max, const T *x, int32_t *out, long outer, long n, long inner) {        \
    if (inner == 1) {                                                                              \
      for (long o = 0; o < outer; o++) {                                                           \
        const T *row = x + o * n;                                                                  \
        T best = row[0];                                                                           \
        int32_t bi = 0;                                                                            \
        if (is_max) { for (long r = 1; r < n; r++) if (row[r] > best) { best = row[r]; bi = (int32_t)r; } } \
        else { for (long r = 1; r < n; r++) if (row[r] < best) { best = row[r]; bi = (int32_t)r; } } \
        out[o] = bi;                                                                               \
      }                                                                                            \
      return;                                                                                      \
    }                                                                                              \
    T best[COL_BLOCK];                                                                             \
    for (long o = 0; o < outer; o++)                                                               \
      for (long i0 = 0; i0 < inner; i0 += COL_BLOCK) {                                             \
        long w = inner - i0 < COL_BLOCK ? inner - i0 : COL_BLOCK;                                  \
        const T *row = x + o * n * inner + i0;                                                     \
        int32_t *dst = out + o * inner + i0;                                                       \
        for (long i = 0; i < w; i++) { best[i] = row[i]; dst[i] = 0; }                             \
        for (long r = 1; r < n; r++) {                                                             \
          row += inner;                                                                            \
          if (is_max) { for (long i = 0; i < w; i++) if (row[i] > best[i]) { best[i] = row[i]; dst[i] = (int32_t)r; } } \
          else { for (long i = 0; i < w; i++) if (row[i] < best[i]) { best[i] = row[i]; dst[i] = (int32_t)r; } } \
        }                                                                                          \
      }                                                                                            \
  }
DEF_ARGREDUCE(argreduce_i32, int32_t)
DEF_ARGREDUCE(argreduce_u8, uint8_t)

void kt_argreduce_int(int is_max, const void *x, int tx, int32_t *out, long outer, long n, long inner) {
  if (n == 0) return;
  if (tx == KT_I32) argreduce_i32(is_max, x, out, outer, n, inner);
  else argreduce_u8(is_max, x, out, outer, n, inner);
}

/* ---------------------------------------------------------------- argmax matches */
/* The first maximum of a row, or its first NaN (the reference's row arg-reduction). */
static long row_argmax(const void *x, int t, long n) {
  if (t == KT_F32) {
    const float *row = x;
    float best = row[0];
    if (best != best) return 0;
    long index = 0;
    for (long j = 1; j < n; j++) {
      float v = row[j];
      if (v > best) { best = v; index = j; }
      else if (v != v) return j;
    }
    return index;
  }
  long index = 0;
  if (t == KT_I32) {
    const int32_t *row = x;
    for (long j = 1; j < n; j++) if (row[j] > row[index]) index = j;
  } else {
    const uint8_t *row = x;
    for (long j = 1; j < n; j++) if (row[j] > row[index]) index = j;
  }
  return index;
}

long kt_count_argmax_matches(const float *pred, long rows, long cols, const void *labels, int tl, const void *one_hot, int th) {
  if (cols == 0) return 0;
  long count = 0;
  const int el = kt_esize(tl), eh = kt_esize(th);
  for (long r = 0; r < rows; r++) {
    long predicted = row_argmax(pred + r * cols, KT_F32, cols);
    double label;
    if (labels != NULL) kt_load_f64((const char *)labels + r * el, tl, &label, 1);
    else label = (double)row_argmax((const char *)one_hot + r * cols * eh, th, cols);
    if (label == (double)predicted) count++;
  }
  return count;
}

/* ---------------------------------------------------------------- normalize */
typedef struct {
  const char *x;
  int tx;
  float *out;
  long blocks, block_size, steps;
  int rank;
  const long *dims, *strides;
  long inner;
  int inner_kept;
  long slices;
  int kind, epsilon_mode;
  double p, q, bound;
  double *scratch; /* 2 * slices per task */
  long chunks;
} norm_job;

/* The divisor (or, for order 2 in epsilon mode, the factor) of a slice from its accumulator. */
static double norm_factor(const norm_job *j, double A) {
  if (j->kind == KT_NORM_L2 && j->epsilon_mode) {
    float r = (float)(1 / sqrt((double)(float)A));
    return r != r ? NAN : r < j->bound ? r : j->bound;
  }
  double n;
  switch (j->kind) {
    case KT_NORM_L2: n = (float)sqrt((double)(float)A); break;
    case KT_NORM_L1: n = (float)A; break;
    case KT_NORM_INF: n = A; break;
    default: n = (float)pow((double)(float)A, j->q); break;
  }
  if (j->epsilon_mode) return n != n ? NAN : n > j->bound ? n : j->bound;
  return n == 0 ? 1 : n;
}

/* Slice k of the element at step s advances as the reference's odometer does. */
#define ODOMETER()                                              \
  for (int d = rank - 1; d >= 0; d--) {                         \
    counter[d]++;                                               \
    k += strides[d];                                            \
    if (counter[d] < dims[d]) break;                            \
    k -= strides[d] * dims[d];                                  \
    counter[d] = 0;                                             \
  }

#define DEF_NORMALIZE(NAME, T)                                                                      \
  static void NAME(const norm_job *j, double *acc, double *factor, long b0, long b1) {               \
    const T *x = (const T *)j->x;                                                                    \
    float *out = j->out;                                                                             \
    const int rank = j->rank;                                                                        \
    const long *dims = j->dims, *strides = j->strides;                                               \
    const long inner = j->inner, steps = j->steps;                                                   \
    const int kept = j->inner_kept;                                                                  \
    const double p = j->p;                                                                           \
    long counter[KT_MAX_RANK];                                                                       \
    for (long b = b0; b < b1; b++) {                                                                 \
      const long base = b * j->block_size;                                                           \
      const double init = j->kind == KT_NORM_INF ? -INFINITY : 0;                                    \
      for (long t = 0; t < j->slices; t++) acc[t] = init;                                            \
      long i = base, k = 0;                                                                          \
      memset(counter, 0, sizeof counter);                                                            \
      for (long s = 0; s < steps; s++) {                                                             \
        const T *v = x + i;                                                                          \
        double *a = acc + k;                                                                         \
        switch (j->kind) {                                                                           \
          case KT_NORM_L2:                                                                           \
            if (kept) for (long q = 0; q < inner; q++) { float f = (float)v[q]; float sq = f * f; a[q] += sq; } \
            else { double A = a[0]; for (long q = 0; q < inner; q++) { float f = (float)v[q]; float sq = f * f; A += sq; } a[0] = A; } \
            break;                                                                                   \
          case KT_NORM_L1:                                                                           \
            if (kept) for (long q = 0; q < inner; q++) a[q] += fabsf((float)v[q]);                   \
            else { double A = a[0]; for (long q = 0; q < inner; q++) A += fabsf((float)v[q]); a[0] = A; } \
            break;                                                                                   \
          case KT_NORM_INF:                                                                          \
            if (kept) for (long q = 0; q < inner; q++) a[q] = js_max(a[q], fabsf((float)v[q]));      \
            else { double A = a[0]; for (long q = 0; q < inner; q++) A = js_max(A, fabsf((float)v[q])); a[0] = A; } \
            break;                                                                                   \
          default:                                                                                   \
            if (kept) for (long q = 0; q < inner; q++) a[q] += (float)pow(fabsf((float)v[q]), p);    \
            else { double A = a[0]; for (long q = 0; q < inner; q++) A += (float)pow(fabsf((float)v[q]), p); a[0] = A; } \
            break;                                                                                   \
        }                                                                                            \
        i += inner;                                                                                  \
        ODOMETER()                                                                                   \
      }                                                                                              \
      for (long t = 0; t < j->slices; t++) factor[t] = norm_factor(j, acc[t]);                       \
      const int scale = j->kind == KT_NORM_L2 && j->epsilon_mode;                                    \
      i = base;                                                                                      \
      k = 0;                                                                                         \
      memset(counter, 0, sizeof counter);                                                            \
      for (long s = 0; s < steps; s++) {                                                             \
        const T *v = x + i;                                                                          \
        float *o = out + i;                                                                          \
        if (kept) {                                                                                  \
          const double *F = factor + k;                                                              \
          if (scale) for (long q = 0; q < inner; q++) o[q] = (float)((double)(float)v[q] * F[q]);    \
          else for (long q = 0; q < inner; q++) o[q] = (float)((double)(float)v[q] / F[q]);          \
        } else {                                                                                     \
          const double F = factor[k];                                                                \
          if (scale) for (long q = 0; q < inner; q++) o[q] = (float)((double)(float)v[q] * F);       \
          else for (long q = 0; q < inner; q++) o[q] = (float)((double)(float)v[q] / F);             \
        }                                                                                            \
        i += inner;                                                                                  \
        ODOMETER()                                                                                   \
      }                                                                                              \
    }                                                                                                \
  }
DEF_NORMALIZE(normalize_f32, float)
DEF_NORMALIZE(normalize_i32, int32_t)
DEF_NORMALIZE(normalize_u8, uint8_t)

static void normalize_task(void *ctx, long task, int thread) {
  (void)thread;
  const norm_job *j = (const norm_job *)ctx;
  long b0 = task * j->blocks / j->chunks, b1 = (task + 1) * j->blocks / j->chunks;
  double *acc = j->scratch + task * 2 * j->slices, *factor = acc + j->slices;
  if (j->tx == KT_F32) normalize_f32(j, acc, factor, b0, b1);
  else if (j->tx == KT_I32) normalize_i32(j, acc, factor, b0, b1);
  else normalize_u8(j, acc, factor, b0, b1);
}

int kt_normalize(const void *x, int tx, float *out, long blocks, int rank, const long *dims, const long *slice_strides, long inner, int inner_kept,
                 long slices, int kind, int epsilon_mode, double p, double q, double bound) {
  norm_job j;
  memset(&j, 0, sizeof j);
  j.x = x;
  j.tx = tx;
  j.out = out;
  j.blocks = blocks;
  j.rank = rank;
  j.dims = dims;
  j.strides = slice_strides;
  j.inner = inner;
  j.inner_kept = inner_kept;
  j.slices = slices;
  j.kind = kind;
  j.epsilon_mode = epsilon_mode;
  j.p = p;
  j.q = q;
  j.bound = bound;
  j.steps = 1;
  for (int d = 0; d < rank; d++) j.steps *= dims[d];
  j.block_size = j.steps * inner;
  /* The second pass reads a block again while it is in cache: blocks are split over threads. */
  j.chunks = kt_pick_tasks(blocks * j.block_size * 4, blocks);
  j.scratch = malloc(sizeof(double) * 2 * (size_t)(slices > 0 ? slices : 1) * (size_t)j.chunks);
  if (j.scratch == NULL) return 0;
  kt_parallel(normalize_task, &j, j.chunks);
  free(j.scratch);
  return 1;
}
