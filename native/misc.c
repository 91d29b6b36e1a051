/* Reductions, arg-reductions, softmax, layout kernels, casts and fills. Float reductions accumulate
 * in float64 as the reference does. */
#include "kt.h"
#include "ew_math.h"
#include "vmath.h"
#include "simd256.h"

#include <string.h>

/* Math.max / Math.min: NaN wins; +0 beats -0 for max, -0 beats +0 for min. */
static inline float js_maxf(float a, float b) {
  if (a != a || b != b) return NAN;
  if (a > b) return a;
  if (b > a) return b;
  return (a == 0 && signbit(a)) ? b : a;
}
static inline float js_minf(float a, float b) {
  if (a != a || b != b) return NAN;
  if (a < b) return a;
  if (b < a) return b;
  return (a == 0 && !signbit(a)) ? b : a;
}

enum { R_SUM = 0, R_PROD = 1, R_MAX = 2, R_MIN = 3 };

/* ---------------------------------------------------------------- sum of a contiguous run */
static double sum_run_c(const float *x, long n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  long i = 0;
  for (; i + 4 <= n; i += 4) { s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]; }
  for (; i < n; i++) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}
#if KT_X86
#include <immintrin.h>
KT_AVX512 static double sum_run_avx512(const float *x, long n) {
  __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd(), s2 = _mm512_setzero_pd(), s3 = _mm512_setzero_pd();
  long i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm256_loadu_ps(x + i)));
    s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 8)));
    s2 = _mm512_add_pd(s2, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 16)));
    s3 = _mm512_add_pd(s3, _mm512_cvtps_pd(_mm256_loadu_ps(x + i + 24)));
  }
  for (; i + 8 <= n; i += 8) s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm256_loadu_ps(x + i)));
  if (i < n) {
    __mmask8 m = (__mmask8)((1u << (n - i)) - 1);
    s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, x + i)));
  }
  return _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
}
/* Four accumulators of 4: a float64 add has a latency of 3-4 cycles and two issue per cycle. */
KT_AVX2 static double sum_run_avx2(const float *x, long n) {
  __m256d s0 = _mm256_setzero_pd(), s1 = _mm256_setzero_pd(), s2 = _mm256_setzero_pd(), s3 = _mm256_setzero_pd();
  long i = 0;
  for (; i + 16 <= n; i += 16) {
    s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_loadu_ps(x + i)));
    s1 = _mm256_add_pd(s1, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4)));
    s2 = _mm256_add_pd(s2, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 8)));
    s3 = _mm256_add_pd(s3, _mm256_cvtps_pd(_mm_loadu_ps(x + i + 12)));
  }
  for (; i + 4 <= n; i += 4) s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_loadu_ps(x + i)));
  double t[4];
  _mm256_storeu_pd(t, _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3)));
  double s = (t[0] + t[1]) + (t[2] + t[3]);
  for (; i < n; i++) s += x[i];
  return s;
}
#endif

static double sum_run(const float *x, long n) {
#if KT_X86
  int isa = kt_isa();
  if (isa == KT_ISA_AVX512) return sum_run_avx512(x, n);
  if (isa == KT_ISA_AVX2) return sum_run_avx2(x, n);
#endif
  return sum_run_c(x, n);
}

/* out[i] = the float64 sum over rows r < n of x[r * ld + i], for i < w (w <= COL_BLOCK), in row
 * order (as the reference sums a column). The vector versions keep 32 columns in registers across
 * the rows: adding each row into an array of sums instead loads and stores every sum once per row
 * (a 128 x 512 bias gradient took AVX2 5.2 us that way, against 2.8 with AVX-512). GCC keeps an
 * array of accumulators in memory, hence the intrinsics. */
#define COL_BLOCK 512
static void col_sums_c(const float *x, long n, long ld, long w, float *out) {
  double acc[COL_BLOCK];
  for (long i = 0; i < w; i++) acc[i] = 0;
  for (long r = 0; r < n; r++, x += ld)
    for (long i = 0; i < w; i++) acc[i] += x[i];
  for (long i = 0; i < w; i++) out[i] = (float)acc[i];
}
#if KT_X86
KT_AVX512 static void col_sums_avx512(const float *x, long n, long ld, long w, float *out) {
  long i = 0;
  for (; i + 32 <= w; i += 32) {
    __m512d s0 = _mm512_setzero_pd(), s1 = _mm512_setzero_pd(), s2 = _mm512_setzero_pd(), s3 = _mm512_setzero_pd();
    const float *p = x + i;
    for (long r = 0; r < n; r++, p += ld) {
      s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm256_loadu_ps(p)));
      s1 = _mm512_add_pd(s1, _mm512_cvtps_pd(_mm256_loadu_ps(p + 8)));
      s2 = _mm512_add_pd(s2, _mm512_cvtps_pd(_mm256_loadu_ps(p + 16)));
      s3 = _mm512_add_pd(s3, _mm512_cvtps_pd(_mm256_loadu_ps(p + 24)));
    }
    _mm256_storeu_ps(out + i, _mm512_cvtpd_ps(s0));
    _mm256_storeu_ps(out + i + 8, _mm512_cvtpd_ps(s1));
    _mm256_storeu_ps(out + i + 16, _mm512_cvtpd_ps(s2));
    _mm256_storeu_ps(out + i + 24, _mm512_cvtpd_ps(s3));
  }
  for (; i < w; i += 8) {
    __mmask8 m = w - i >= 8 ? 0xFF : (__mmask8)((1u << (w - i)) - 1);
    __m512d s0 = _mm512_setzero_pd();
    const float *p = x + i;
    for (long r = 0; r < n; r++, p += ld) s0 = _mm512_add_pd(s0, _mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, p)));
    _mm256_mask_storeu_ps(out + i, m, _mm512_cvtpd_ps(s0));
  }
}
KT_AVX2 static void col_sums_avx2(const float *x, long n, long ld, long w, float *out) {
  long i = 0;
  for (; i + 32 <= w; i += 32) {
    __m256d s[8];
    for (int q = 0; q < 8; q++) s[q] = _mm256_setzero_pd();
    const float *p = x + i;
    for (long r = 0; r < n; r++, p += ld)
      for (int q = 0; q < 8; q++) s[q] = _mm256_add_pd(s[q], _mm256_cvtps_pd(_mm_loadu_ps(p + 4 * q)));
    for (int q = 0; q < 8; q++) _mm_storeu_ps(out + i + 4 * q, _mm256_cvtpd_ps(s[q]));
  }
  for (; i < w; i += 4) {
    __m128i m = _mm256_castsi256_si128(kt_mask256(w - i));
    __m256d s0 = _mm256_setzero_pd();
    const float *p = x + i;
    for (long r = 0; r < n; r++, p += ld) s0 = _mm256_add_pd(s0, _mm256_cvtps_pd(_mm_maskload_ps(p, m)));
    _mm_maskstore_ps(out + i, m, _mm256_cvtpd_ps(s0));
  }
}
#endif
static void col_sums(const float *x, long n, long ld, long w, float *out) {
#if KT_X86
  int isa = kt_isa();
  if (isa == KT_ISA_AVX512) { col_sums_avx512(x, n, ld, w, out); return; }
  if (isa == KT_ISA_AVX2) { col_sums_avx2(x, n, ld, w, out); return; }
#endif
  col_sums_c(x, n, ld, w, out);
}

/* ---------------------------------------------------------------- reduce [outer, n, inner] */
typedef struct {
  int op;
  const float *x;
  float *out;
  long outer, n, inner;
  long chunks;
} reduce_job;

static void reduce_rows(const reduce_job *j, long o0, long o1) {
  const long n = j->n;
  for (long o = o0; o < o1; o++) {
    const float *x = j->x + o * n;
    double r;
    switch (j->op) {
      case R_SUM: r = sum_run(x, n); break;
      case R_PROD: { double a = 1; for (long k = 0; k < n; k++) a *= x[k]; r = a; break; }
      case R_MAX: { float a = -INFINITY; for (long k = 0; k < n; k++) a = js_maxf(a, x[k]); r = a; break; }
      default: { float a = INFINITY; for (long k = 0; k < n; k++) a = js_minf(a, x[k]); r = a; break; }
    }
    j->out[o] = (float)r;
  }
}

/* Columns [i0, i1) of every outer block: stream rows, accumulate a row of outputs. */
static void reduce_cols(const reduce_job *j, long o, long i0, long i1, double *acc) {
  const long n = j->n, inner = j->inner, w = i1 - i0;
  const float *x = j->x + o * n * inner + i0;
  float *out = j->out + o * inner + i0;
  if (j->op == R_SUM) {
    col_sums(x, n, inner, w, out);
    return;
  }
  if (j->op == R_PROD) {
    for (long i = 0; i < w; i++) acc[i] = 1.0;
    for (long r = 0; r < n; r++, x += inner)
      for (long i = 0; i < w; i++) acc[i] *= x[i];
    for (long i = 0; i < w; i++) out[i] = (float)acc[i];
    return;
  }
  float *facc = (float *)acc;
  for (long i = 0; i < w; i++) facc[i] = j->op == R_MAX ? -INFINITY : INFINITY;
  for (long r = 0; r < n; r++, x += inner) {
    if (j->op == R_MAX) for (long i = 0; i < w; i++) facc[i] = js_maxf(facc[i], x[i]);
    else for (long i = 0; i < w; i++) facc[i] = js_minf(facc[i], x[i]);
  }
  for (long i = 0; i < w; i++) out[i] = facc[i];
}

static void reduce_task(void *ctx, long task, int thread) {
  (void)thread;
  const reduce_job *j = (const reduce_job *)ctx;
  if (j->inner == 1) {
    long o0 = task * j->outer / j->chunks, o1 = (task + 1) * j->outer / j->chunks;
    reduce_rows(j, o0, o1);
    return;
  }
  double acc[COL_BLOCK];
  /* tasks enumerate (outer, column block) pairs */
  long blocks = (j->inner + COL_BLOCK - 1) / COL_BLOCK;
  long total = j->outer * blocks;
  long t0 = task * total / j->chunks, t1 = (task + 1) * total / j->chunks;
  for (long t = t0; t < t1; t++) {
    long o = t / blocks, b = t % blocks;
    long i0 = b * COL_BLOCK, i1 = i0 + COL_BLOCK < j->inner ? i0 + COL_BLOCK : j->inner;
    reduce_cols(j, o, i0, i1, acc);
  }
}

void kt_reduce_f32(int op, const float *x, float *out, long outer, long n, long inner) {
  reduce_job j = {op, x, out, outer, n, inner, 1};
  long total = outer * n * inner;
  long units = inner == 1 ? outer : outer * ((inner + COL_BLOCK - 1) / COL_BLOCK);
  int threads = kt_num_threads();
  if (total >= KT_PAR_MIN_ELEMS && threads > 1 && units >= threads) j.chunks = threads;
  kt_parallel(reduce_task, &j, j.chunks);
}

/* ---------------------------------------------------------------- argmax / argmin */
void kt_argreduce_f32(int is_max, const float *x, int32_t *out, long outer, long n, long inner) {
  if (n == 0) return;
  const double sign = is_max ? 1.0 : -1.0;
  if (inner == 1) {
    for (long o = 0; o < outer; o++) {
      const float *row = x + o * n;
      double best = sign * row[0];
      int32_t bi = 0;
      if (best == best) {
        for (long r = 1; r < n; r++) {
          double v = sign * row[r];
          if (v > best) { best = v; bi = (int32_t)r; }
          else if (v != v) { bi = (int32_t)r; break; }
        }
      }
      out[o] = bi;
    }
    return;
  }
  double best[COL_BLOCK];
  for (long o = 0; o < outer; o++) {
    for (long i0 = 0; i0 < inner; i0 += COL_BLOCK) {
      long w = inner - i0 < COL_BLOCK ? inner - i0 : COL_BLOCK;
      const float *row = x + o * n * inner + i0;
      int32_t *dst = out + o * inner + i0;
      for (long i = 0; i < w; i++) { best[i] = sign * row[i]; dst[i] = 0; }
      for (long r = 1; r < n; r++) {
        row += inner;
        for (long i = 0; i < w; i++) {
          double v = sign * row[i];
          if (v > best[i]) { best[i] = v; dst[i] = (int32_t)r; }
          else if (v != v && best[i] == best[i]) { best[i] = NAN; dst[i] = (int32_t)r; }
        }
      }
    }
  }
}

/* ---------------------------------------------------------------- softmax / log-softmax rows */
typedef struct { const float *x; float *out; long rows, cols, chunks; int log; } softmax_job;

#if KT_X86
/* One row with the vector exp: same steps as the scalar loop below (max, exp(x - max) in float64,
 * float64 sum, then scale or subtract), 8 columns at a time. */
KT_AVX512 static void softmax_row_avx512(const float *x, float *out, long cols, int lg) {
  __m512 mv = _mm512_set1_ps(-INFINITY);
  long c = 0;
  for (; c + 16 <= cols; c += 16) mv = _mm512_max_ps(_mm512_loadu_ps(x + c), mv); /* NaN skipped, as `x > max` does */
  if (c < cols) mv = _mm512_max_ps(_mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), (__mmask16)((1u << (cols - c)) - 1), x + c), mv);
  double max = _mm512_reduce_max_ps(mv);
  __m512d maxv = _mm512_set1_pd(max), sum = _mm512_setzero_pd();
  for (c = 0; c < cols; c += 8) {
    __mmask8 m = cols - c >= 8 ? 0xFF : (__mmask8)((1u << (cols - c)) - 1);
    __m512d e = vm_exp512(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, x + c)), maxv));
    sum = _mm512_mask_add_pd(sum, m, sum, e);
    if (!lg) _mm256_mask_storeu_ps(out + c, m, _mm512_cvtpd_ps(e));
  }
  double s = _mm512_reduce_add_pd(sum);
  if (lg) {
    __m512d ls = _mm512_set1_pd(max + log(s));
    for (c = 0; c < cols; c += 8) {
      __mmask8 m = cols - c >= 8 ? 0xFF : (__mmask8)((1u << (cols - c)) - 1);
      _mm256_mask_storeu_ps(out + c, m, _mm512_cvtpd_ps(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, x + c)), ls)));
    }
  } else {
    __m512d inv = _mm512_set1_pd(1 / s);
    for (c = 0; c < cols; c += 8) {
      __mmask8 m = cols - c >= 8 ? 0xFF : (__mmask8)((1u << (cols - c)) - 1);
      _mm256_mask_storeu_ps(out + c, m, _mm512_cvtpd_ps(_mm512_mul_pd(_mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, out + c)), inv)));
    }
  }
}

/* The same steps with 4 float64 lanes; columns past the last whole 4 are read and written
 * through masks. */
KT_AVX2 static inline __m256d load4_pd(const float *x, long left) {
  return _mm256_cvtps_pd(left >= 4 ? _mm_loadu_ps(x) : _mm_maskload_ps(x, _mm256_castsi256_si128(kt_mask256(left))));
}
KT_AVX2 static inline void store4_pd(float *out, long left, __m256d v) {
  if (left >= 4) _mm_storeu_ps(out, _mm256_cvtpd_ps(v));
  else _mm_maskstore_ps(out, _mm256_castsi256_si128(kt_mask256(left)), _mm256_cvtpd_ps(v));
}
KT_AVX2 static void softmax_row_avx2(const float *x, float *out, long cols, int lg) {
  __m256 mv = _mm256_set1_ps(-INFINITY);
  long c = 0;
  for (; c + 8 <= cols; c += 8) mv = _mm256_max_ps(_mm256_loadu_ps(x + c), mv); /* NaN skipped, as `x > max` does */
  float lanes[8];
  _mm256_storeu_ps(lanes, mv);
  float maxf = -INFINITY;
  for (int q = 0; q < 8; q++) if (lanes[q] > maxf) maxf = lanes[q];
  for (; c < cols; c++) if (x[c] > maxf) maxf = x[c];
  double max = maxf;
  __m256d maxv = _mm256_set1_pd(max), sum = _mm256_setzero_pd();
  for (c = 0; c < cols; c += 4) {
    __m256d e = vm_exp256(_mm256_sub_pd(load4_pd(x + c, cols - c), maxv));
    if (cols - c < 4) e = _mm256_and_pd(e, _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(kt_mask256(cols - c)))));
    sum = _mm256_add_pd(sum, e);
    if (!lg) store4_pd(out + c, cols - c, e);
  }
  double t[4];
  _mm256_storeu_pd(t, sum);
  double s = (t[0] + t[1]) + (t[2] + t[3]);
  if (lg) {
    __m256d ls = _mm256_set1_pd(max + log(s));
    for (c = 0; c < cols; c += 4) store4_pd(out + c, cols - c, _mm256_sub_pd(load4_pd(x + c, cols - c), ls));
  } else {
    __m256d inv = _mm256_set1_pd(1 / s);
    for (c = 0; c < cols; c += 4) store4_pd(out + c, cols - c, _mm256_mul_pd(load4_pd(out + c, cols - c), inv));
  }
}
#endif

static void softmax_task(void *ctx, long task, int thread) {
  (void)thread;
  const softmax_job *j = (const softmax_job *)ctx;
  long r0 = task * j->rows / j->chunks, r1 = (task + 1) * j->rows / j->chunks;
  const long cols = j->cols;
#if KT_X86
  if (kt_isa() == KT_ISA_AVX512) {
    for (long r = r0; r < r1; r++) softmax_row_avx512(j->x + r * cols, j->out + r * cols, cols, j->log);
    return;
  }
  if (kt_isa() == KT_ISA_AVX2) {
    for (long r = r0; r < r1; r++) softmax_row_avx2(j->x + r * cols, j->out + r * cols, cols, j->log);
    return;
  }
#endif
  for (long r = r0; r < r1; r++) {
    const float *x = j->x + r * cols;
    float *out = j->out + r * cols;
    float maxf = -INFINITY;
    for (long c = 0; c < cols; c++) if (x[c] > maxf) maxf = x[c];
    double max = maxf, sum = 0;
    if (j->log) {
      for (long c = 0; c < cols; c++) sum += exp((double)x[c] - max);
      double logsum = max + log(sum);
      for (long c = 0; c < cols; c++) out[c] = (float)((double)x[c] - logsum);
    } else {
      for (long c = 0; c < cols; c++) {
        double e = exp((double)x[c] - max);
        out[c] = (float)e;
        sum += e;
      }
      double inv = 1 / sum;
      for (long c = 0; c < cols; c++) out[c] = (float)((double)out[c] * inv);
    }
  }
}

void kt_softmax_f32(const float *x, float *out, long rows, long cols, int log_) {
  softmax_job j = {x, out, rows, cols, 1, log_};
  int threads = kt_num_threads();
  if (rows * cols >= KT_PAR_MIN_ELEMS / 4 && threads > 1 && rows >= threads) j.chunks = threads;
  kt_parallel(softmax_task, &j, j.chunks);
}

/* ---------------------------------------------------------------- transpose (batched 2-d) */

/* dst[c * ld + r] = src[r * ls + c] for a rows x cols block of 4-byte elements: 16 x 16 tiles in
 * registers (AVX-512) or 8 x 8 (AVX2), scalar edges. */
#if KT_X86
KT_AVX512 static void tile16_avx512(const float *src, long ls, float *dst, long ld) {
  __m512 r[16], t[16], u[16];
  for (int i = 0; i < 16; i++) r[i] = _mm512_loadu_ps(src + i * ls);
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; i++) {
    __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
    __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    u[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  for (int q = 0; q < 4; q++) {
    __m512 v = _mm512_shuffle_f32x4(u[q], u[4 + q], 0x88), w = _mm512_shuffle_f32x4(u[q], u[4 + q], 0xDD);
    __m512 v2 = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0x88), w2 = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0xDD);
    _mm512_storeu_ps(dst + (0 + q) * ld, _mm512_shuffle_f32x4(v, v2, 0x88));
    _mm512_storeu_ps(dst + (4 + q) * ld, _mm512_shuffle_f32x4(w, w2, 0x88));
    _mm512_storeu_ps(dst + (8 + q) * ld, _mm512_shuffle_f32x4(v, v2, 0xDD));
    _mm512_storeu_ps(dst + (12 + q) * ld, _mm512_shuffle_f32x4(w, w2, 0xDD));
  }
}
KT_AVX2 static void tile8_avx2(const float *src, long ls, float *dst, long ld) {
  __m256 r[8];
  for (int i = 0; i < 8; i++) r[i] = _mm256_loadu_ps(src + i * ls);
  kt_transpose8x8(r);
  for (int i = 0; i < 8; i++) _mm256_storeu_ps(dst + i * ld, r[i]);
}
#endif

void kt_transpose_f32(const float *src, long rows, long cols, long ls, float *dst, long ld) {
  long r0 = 0, c0;
#if KT_X86
  if (kt_isa() == KT_ISA_AVX512) {
    for (; r0 + 16 <= rows; r0 += 16) {
      for (c0 = 0; c0 + 16 <= cols; c0 += 16) tile16_avx512(src + r0 * ls + c0, ls, dst + c0 * ld + r0, ld);
      for (long c = c0; c < cols; c++)
        for (long r = r0; r < r0 + 16; r++) dst[c * ld + r] = src[r * ls + c];
    }
  } else if (kt_isa() == KT_ISA_AVX2) {
    for (; r0 + 8 <= rows; r0 += 8) {
      for (c0 = 0; c0 + 8 <= cols; c0 += 8) tile8_avx2(src + r0 * ls + c0, ls, dst + c0 * ld + r0, ld);
      for (long c = c0; c < cols; c++)
        for (long r = r0; r < r0 + 8; r++) dst[c * ld + r] = src[r * ls + c];
    }
  }
#endif
  for (long rb = r0; rb < rows; rb += 16) {
    long re = rb + 16 < rows ? rb + 16 : rows;
    for (c0 = 0; c0 < cols; c0 += 16) {
      long ce = c0 + 16 < cols ? c0 + 16 : cols;
      for (long c = c0; c < ce; c++)
        for (long r = rb; r < re; r++) dst[c * ld + r] = src[r * ls + c];
    }
  }
}
#define TILE 16
#define DEF_T2D(NAME, T)                                                                        \
  static void NAME(const T *x, T *out, long rows, long cols) {                                    \
    for (long r0 = 0; r0 < rows; r0 += TILE) {                                                    \
      long r1 = r0 + TILE < rows ? r0 + TILE : rows;                                              \
      for (long c0 = 0; c0 < cols; c0 += TILE) {                                                  \
        long c1 = c0 + TILE < cols ? c0 + TILE : cols;                                            \
        for (long c = c0; c < c1; c++)                                                            \
          for (long r = r0; r < r1; r++) out[c * rows + r] = x[r * cols + c];                     \
      }                                                                                           \
    }                                                                                             \
  }
DEF_T2D(t2d_8, uint8_t)

typedef struct { const void *x; void *out; long batch, rows, cols, chunks; int esize; } t2d_job;
static void t2d_task(void *ctx, long task, int thread) {
  (void)thread;
  const t2d_job *j = (const t2d_job *)ctx;
  long per = j->rows * j->cols;
  if (j->batch >= j->chunks) {
    long b0 = task * j->batch / j->chunks, b1 = (task + 1) * j->batch / j->chunks;
    for (long b = b0; b < b1; b++) {
      if (j->esize == 4) kt_transpose_f32((const float *)j->x + b * per, j->rows, j->cols, j->cols, (float *)j->out + b * per, j->rows);
      else t2d_8((const uint8_t *)j->x + b * per, (uint8_t *)j->out + b * per, j->rows, j->cols);
    }
    return;
  }
  /* One matrix split by row bands: out[:, r0:r1] from x[r0:r1, :]. */
  long r0 = task * j->rows / j->chunks, r1 = (task + 1) * j->rows / j->chunks;
  for (long b = 0; b < j->batch; b++)
    if (j->esize == 4) {
      kt_transpose_f32((const float *)j->x + b * per + r0 * j->cols, r1 - r0, j->cols, j->cols, (float *)j->out + b * per + r0, j->rows);
    } else
    for (long rb = r0; rb < r1; rb += TILE) {
      long re = rb + TILE < r1 ? rb + TILE : r1;
      for (long c0 = 0; c0 < j->cols; c0 += TILE) {
        long c1 = c0 + TILE < j->cols ? c0 + TILE : j->cols;
        for (long c = c0; c < c1; c++)
          for (long r = rb; r < re; r++) {
            if (j->esize == 4) ((uint32_t *)j->out)[b * per + c * j->rows + r] = ((const uint32_t *)j->x)[b * per + r * j->cols + c];
            else ((uint8_t *)j->out)[b * per + c * j->rows + r] = ((const uint8_t *)j->x)[b * per + r * j->cols + c];
          }
      }
    }
}

void kt_transpose2d(const void *x, void *out, long batch, long rows, long cols, int esize) {
  t2d_job j = {x, out, batch, rows, cols, 1, esize};
  int threads = kt_num_threads();
  if (batch * rows * cols >= KT_PAR_MIN_ELEMS && threads > 1 && (batch >= threads || rows >= 2 * TILE * threads)) j.chunks = threads;
  kt_parallel(t2d_task, &j, j.chunks);
}

/* ---------------------------------------------------------------- gather along an axis */
/* Rows this far ahead are prefetched while one is copied: gathering a batch of random rows from a
 * data set much larger than the caches is bound by memory latency, and this keeps several rows'
 * misses in flight instead of one. */
#define GATHER_AHEAD 4

static inline void prefetch_run(const char *p, size_t bytes) {
  for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(p + off, 0, 3);
}

/* Rows [j0, j1) of the gathered block at outer index o. */
static void gather_rows(const char *base, char *dst, size_t row, const int32_t *idx, long j0, long j1) {
  const int prefetch = row >= 256;
  if (prefetch)
    for (long j = j0; j < j1 && j < j0 + GATHER_AHEAD; j++) prefetch_run(base + (size_t)idx[j] * row, row);
  for (long j = j0; j < j1; j++) {
    if (prefetch && j + GATHER_AHEAD < j1) prefetch_run(base + (size_t)idx[j + GATHER_AHEAD] * row, row);
    memcpy(dst + (size_t)j * row, base + (size_t)idx[j] * row, row);
  }
}

/* A batch of rows worth this many bytes or more is split over the threads: each one keeps its
 * own rows' cache misses in flight, and a training step's batch (32 or 128 MNIST images, 100 to
 * 400 KB scattered over a data set in main memory) takes about half the time on two. */
#define GATHER_PAR_MIN_BYTES (48L << 10)

typedef struct { const char *src; char *dst; size_t row; const int32_t *idx; long n, m, chunks; } gather_job;

static void gather_task(void *ctx, long task, int thread) {
  (void)thread;
  const gather_job *j = (const gather_job *)ctx;
  long j0 = task * j->m / j->chunks, j1 = (task + 1) * j->m / j->chunks;
  gather_rows(j->src, j->dst, j->row, j->idx, j0, j1);
}

void kt_gather(const void *x, void *out, long outer, long n, long inner, const int32_t *idx, long m, int esize) {
  const size_t row = (size_t)inner * esize;
  const char *src = (const char *)x;
  char *dst = (char *)out;
  int threads = kt_num_threads();
  if (outer == 1 && threads > 1 && (long)row * m >= GATHER_PAR_MIN_BYTES && m >= 2 * threads) {
    gather_job j = {src, dst, row, idx, n, m, threads};
    kt_parallel(gather_task, &j, threads);
    return;
  }
  for (long o = 0; o < outer; o++) gather_rows(src + (size_t)o * n * row, dst + (size_t)o * m * row, row, idx, 0, m);
}

/* ---------------------------------------------------------------- cast and fill */
void kt_cast(const void *x, int src, void *out, int dst, long n) {
  if (dst == KT_BOOL) {
    uint8_t *o = (uint8_t *)out;
    if (src == KT_F32) { const float *s = x; for (long i = 0; i < n; i++) o[i] = s[i] != 0; }
    else if (src == KT_I32) { const int32_t *s = x; for (long i = 0; i < n; i++) o[i] = s[i] != 0; }
    else { const uint8_t *s = x; for (long i = 0; i < n; i++) o[i] = s[i] != 0; }
    return;
  }
  if (src == dst || (src == KT_U8 && dst == KT_U8)) {
    memcpy(out, x, (size_t)n * (src == KT_F32 || src == KT_I32 ? 4 : 1));
    return;
  }
  switch (src * 4 + dst) {
    case KT_F32 * 4 + KT_I32: {
      const float *s = x; int32_t *o = out;
      for (long i = 0; i < n; i++) { float v = s[i]; o[i] = (v > -2147483649.0f && v < 2147483648.0f) ? (int32_t)v : js_toint32(v); }
      return;
    }
    case KT_F32 * 4 + KT_U8: { const float *s = x; uint8_t *o = out; for (long i = 0; i < n; i++) o[i] = js_touint8(s[i]); return; }
    case KT_I32 * 4 + KT_F32: { const int32_t *s = x; float *o = out; for (long i = 0; i < n; i++) o[i] = (float)s[i]; return; }
    case KT_I32 * 4 + KT_U8: { const int32_t *s = x; uint8_t *o = out; for (long i = 0; i < n; i++) o[i] = (uint8_t)(uint32_t)s[i]; return; }
    case KT_U8 * 4 + KT_F32: { const uint8_t *s = x; float *o = out; for (long i = 0; i < n; i++) o[i] = s[i]; return; }
    case KT_U8 * 4 + KT_I32: { const uint8_t *s = x; int32_t *o = out; for (long i = 0; i < n; i++) o[i] = s[i]; return; }
    default: return;
  }
}

void kt_fill(void *out, int dtype, long n, double value) {
  /* The reference leaves the zeroed array alone for 0 (so -0 stores +0). */
  if (value == 0) { memset(out, 0, (size_t)n * (dtype == KT_F32 || dtype == KT_I32 ? 4 : 1)); return; }
  switch (dtype) {
    case KT_F32: { float v = (float)value, *o = out; for (long i = 0; i < n; i++) o[i] = v; return; }
    case KT_I32: { int32_t v = js_toint32(value), *o = out; for (long i = 0; i < n; i++) o[i] = v; return; }
    case KT_U8: memset(out, js_touint8(value), (size_t)n); return;
    default: memset(out, value != 0 ? 1 : 0, (size_t)n); return;
  }
}
