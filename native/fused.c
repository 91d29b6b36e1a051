/*
 * Fused training kernels (contracts on the Backend interface in src/backend/backend.ts): dense
 * forward (GEMM + bias + activation epilogue), dense backward (activation gradient, two GEMMs and
 * the bias column sums), softmax cross-entropy and its gradient, and the SGD / RMSprop / Adam
 * updates. Rounding follows the reference kernels step for step (float32 where they store float32,
 * float64 where they compute in JavaScript numbers).
 */
#include "kt.h"
#include "ew_math.h"
#include "ew_ops.h"
#include "vmath.h"
#include "simd256.h"

#include <stdlib.h>
#include <string.h>

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_SIGMOID = 2, ACT_TANH = 3 };

/* ------------------------------------------------------------------ dense */

typedef struct { float *out; const float *bias; long m, n, chunks; int act; } epi_job;

static void epi_task(void *ctx, long task, int thread) {
  (void)thread;
  const epi_job *j = (const epi_job *)ctx;
  long r0 = task * j->m / j->chunks, r1 = (task + 1) * j->m / j->chunks;
  const ew_table *t = kt_ew();
  for (long r = r0; r < r1; r++) {
    float *row = j->out + r * j->n;
    if (j->bias != NULL) for (long c = 0; c < j->n; c++) row[c] = row[c] + j->bias[c];
    if (j->act == ACT_RELU) t->unary_f32(U_RELU, row, row, j->n);
    else if (j->act == ACT_SIGMOID) t->unary_f32(U_SIGMOID, row, row, j->n);
    else if (j->act == ACT_TANH) t->unary_f32(U_TANH, row, row, j->n);
  }
}

void kt_dense_forward(const float *x, const float *w, const float *bias, float *out, long m, long k, long n, int act) {
  if (m * n == 0) return;
  if (k > 0) kt_sgemm_batched(1, m, n, k, 0, 0, x, 0, w, 0, out);
  else memset(out, 0, (size_t)(m * n) * sizeof(float));
  if (bias == NULL && act == ACT_LINEAR) return;
  epi_job j = {out, bias, m, n, 1, act};
  int threads = kt_num_threads();
  long work = m * n * (act == ACT_SIGMOID || act == ACT_TANH ? 8 : 1);
  if (threads > 1 && work >= KT_PAR_MIN_ELEMS && m >= threads) j.chunks = threads;
  kt_parallel(epi_task, &j, j.chunks);
}

/* dz from dOut and the forward output (float32 steps, as the activations' VJPs round). Branch
 * free: relu's `out > 0 ? dOut : 0` is dOut's bits and-ed with the comparison's mask (+0 where
 * out <= 0 or NaN), which vectorizes; as a branch it mispredicts on every other element of a real
 * activation (a 128 x 512 layer took 180 us instead of 10). Compiled once per ISA. */
static inline void activation_grad_body(const float *KT_RESTRICT dout, const float *KT_RESTRICT out, float *KT_RESTRICT dz, long size, int act) {
  switch (act) {
    case ACT_RELU: {
      const uint32_t *d = (const uint32_t *)dout;
      uint32_t *z = (uint32_t *)dz;
      for (long i = 0; i < size; i++) z[i] = d[i] & (0u - (uint32_t)(out[i] > 0));
      break;
    }
    case ACT_SIGMOID: for (long i = 0; i < size; i++) { float o = out[i]; dz[i] = dout[i] * (o * (1.0f - o)); } break;
    case ACT_TANH: for (long i = 0; i < size; i++) { float o = out[i]; dz[i] = dout[i] * (1.0f - o * o); } break;
    default: memcpy(dz, dout, (size_t)size * sizeof(float)); break;
  }
}

#if KT_X86
KT_AVX512 static void activation_grad_avx512(const float *dout, const float *out, float *dz, long size, int act) { activation_grad_body(dout, out, dz, size, act); }
KT_AVX2 static void activation_grad_avx2(const float *dout, const float *out, float *dz, long size, int act) { activation_grad_body(dout, out, dz, size, act); }
#endif

void kt_activation_grad(const float *dout, const float *out, float *dz, long size, int act) {
#if KT_X86
  int isa = kt_isa();
  if (isa == KT_ISA_AVX512) { activation_grad_avx512(dout, out, dz, size, act); return; }
  if (isa == KT_ISA_AVX2) { activation_grad_avx2(dout, out, dz, size, act); return; }
#endif
  activation_grad_body(dout, out, dz, size, act);
}

/* dz is scratch when act != linear (the caller passes dOut itself for linear). */
void kt_dense_backward(const float *dout, const float *out, const float *x, const float *w, long m, long k, long n, int act,
                       float *dz_scratch, float *dX, float *dW, float *db) {
  const float *dz = dout;
  if (act != ACT_LINEAR) {
    kt_activation_grad(dout, out, dz_scratch, m * n, act);
    dz = dz_scratch;
  }
  if (dW != NULL && k * n > 0) {
    if (m > 0) kt_sgemm_batched(1, k, n, m, 1, 0, x, 0, dz, 0, dW);
    else memset(dW, 0, (size_t)(k * n) * sizeof(float));
  }
  if (dX != NULL && m * k > 0) {
    if (n > 0) kt_sgemm_batched(1, m, k, n, 0, 1, dz, 0, w, 0, dX);
    else memset(dX, 0, (size_t)(m * k) * sizeof(float));
  }
  if (db != NULL && n > 0) kt_reduce_f32(0, dz, db, 1, m, n);
}

/* ------------------------------------------------------------------ softmax cross-entropy */

#if KT_X86
KT_AVX512 static double sum_exp_shifted_avx512(const float *z, long cols, double max) {
  __m512d maxv = _mm512_set1_pd(max), sum = _mm512_setzero_pd();
  for (long c = 0; c < cols; c += 8) {
    __mmask8 m = cols - c >= 8 ? 0xFF : (__mmask8)((1u << (cols - c)) - 1);
    __m512d e = vm_exp512(_mm512_sub_pd(_mm512_cvtps_pd(_mm256_maskz_loadu_ps(m, z + c)), maxv));
    sum = _mm512_mask_add_pd(sum, m, sum, e);
  }
  return _mm512_reduce_add_pd(sum);
}
KT_AVX2 static double sum_exp_shifted_avx2(const float *z, long cols, double max) {
  __m256d maxv = _mm256_set1_pd(max), sum = _mm256_setzero_pd();
  for (long c = 0; c < cols; c += 4) {
    __m128i m = _mm256_castsi256_si128(kt_mask256(cols - c));
    __m256d e = vm_exp256(_mm256_sub_pd(_mm256_cvtps_pd(_mm_maskload_ps(z + c, m)), maxv));
    sum = _mm256_add_pd(sum, _mm256_and_pd(e, _mm256_castsi256_pd(_mm256_cvtepi32_epi64(m))));
  }
  double t[4];
  _mm256_storeu_pd(t, sum);
  return (t[0] + t[1]) + (t[2] + t[3]);
}
#endif

/* max and sum of exp(z - max) over a row, as the reference (`z > max` skips NaN). */
static void row_lse_parts(const float *z, long cols, double *max_out, double *sum_out) {
  float maxf = -INFINITY;
  for (long c = 0; c < cols; c++) if (z[c] > maxf) maxf = z[c];
  double max = maxf, sum = 0;
  *max_out = max;
#if KT_X86
  int isa = kt_isa();
  if (isa == KT_ISA_AVX512) {
    *sum_out = sum_exp_shifted_avx512(z, cols, max);
    return;
  }
  if (isa == KT_ISA_AVX2) {
    *sum_out = sum_exp_shifted_avx2(z, cols, max);
    return;
  }
#endif
  for (long c = 0; c < cols; c++) sum += exp((double)z[c] - max);
  *sum_out = sum;
}

static double exp_shifted(double v) { return exp(v); }

void kt_softmax_xent(const float *logits, long rows, long cols, const int32_t *labels, const float *dense, float *loss) {
  for (long r = 0; r < rows; r++) {
    const float *z = logits + r * cols;
    double max, sum;
    row_lse_parts(z, cols, &max, &sum);
    double lse = max + log(sum);
    if (labels != NULL) {
      int32_t label = labels[r];
      loss[r] = label >= 0 && label < cols ? (float)(lse - z[label]) : 0.0f;
    } else {
      const float *t = dense + r * cols;
      double total = 0;
      for (long c = 0; c < cols; c++)
        if (t[c] != 0) total += t[c] * (lse - z[c]);
      loss[r] = (float)total;
    }
  }
}

void kt_softmax_xent_backward(const float *logits, long rows, long cols, const int32_t *labels, const float *dense, const float *row_scale, float *out) {
  for (long r = 0; r < rows; r++) {
    const float *z = logits + r * cols;
    float *o = out + r * cols;
    double scale = row_scale[r];
    double max, sum;
    row_lse_parts(z, cols, &max, &sum);
    double inv = 1 / sum;
    if (labels != NULL) {
      int32_t label = labels[r];
      int valid = label >= 0 && label < cols;
      double total = valid ? 1 : 0;
      for (long c = 0; c < cols; c++) o[c] = (float)(scale * (exp_shifted((double)z[c] - max) * inv * total));
      if (valid) o[label] = (float)(scale * (exp_shifted((double)z[label] - max) * inv - 1));
    } else {
      const float *t = dense + r * cols;
      double total = 0;
      for (long c = 0; c < cols; c++) total += t[c];
      for (long c = 0; c < cols; c++) o[c] = (float)(scale * (exp_shifted((double)z[c] - max) * inv * total - t[c]));
    }
  }
}

/* ------------------------------------------------------------------ optimizer updates (float32, in place) */

/* The update rules of src/backend/backend.ts (SGDUpdateArgs, RMSpropUpdateArgs, AdamUpdateArgs):
 * float32 throughout, one rounding per operation in the rules' order (the build has
 * -ffp-contract=off, so nothing is fused into an FMA), every scalar rounded to float32 first; the
 * results equal the float32 op-by-op updates and the reference kernels bit for bit. The variable
 * and its slots are overwritten in place: they are distinct buffers (the caller copies a gradient
 * that shares memory with them), hence restrict, and the loops are branch-free so that they
 * vectorize 16 / 8 wide. w * decay is w itself when decay is 1, so the decay needs no branch. */
static inline void sgd_body(float *KT_RESTRICT w, const float *KT_RESTRICT grad, float *KT_RESTRICT m, long size, float lr, float mu, float decay, int nesterov) {
  if (m == NULL) {
    for (long i = 0; i < size; i++) w[i] = w[i] * decay - grad[i] * lr;
  } else if (nesterov) {
    for (long i = 0; i < size; i++) {
      float step = grad[i] * lr;
      float next = m[i] * mu - step;
      m[i] = next;
      w[i] = w[i] * decay + (next * mu - step);
    }
  } else {
    for (long i = 0; i < size; i++) {
      float next = m[i] * mu - grad[i] * lr;
      m[i] = next;
      w[i] = w[i] * decay + next;
    }
  }
}

/* One RMSprop element; `centered` / `with_mom` are constants in each unswitched loop below. */
#define RMSPROP_ELEMENT(centered, with_mom)          \
  {                                                  \
    float g = grad[i];                               \
    float vi = v[i] * rho + (g * g) * omr;           \
    v[i] = vi;                                       \
    float denom;                                     \
    if (centered) {                                  \
      float ai = a[i] * rho + g * omr;               \
      a[i] = ai;                                     \
      denom = (vi - ai * ai) + eps;                  \
    } else {                                         \
      denom = vi + eps;                              \
    }                                                \
    float inc = (g * lr) / sqrtf(denom);             \
    if (with_mom) {                                  \
      float mi = m[i] * mu + inc;                    \
      m[i] = mi;                                     \
      w[i] = w[i] * decay - mi;                      \
    } else {                                         \
      w[i] = w[i] * decay - inc;                     \
    }                                                \
  }

static inline void rmsprop_body(float *KT_RESTRICT w, const float *KT_RESTRICT grad, float *KT_RESTRICT v, float *KT_RESTRICT m, float *KT_RESTRICT a,
                                long size, float lr, float rho, float omr, float mu, float eps, float decay) {
  if (a == NULL && m == NULL) for (long i = 0; i < size; i++) RMSPROP_ELEMENT(0, 0)
  else if (a == NULL) for (long i = 0; i < size; i++) RMSPROP_ELEMENT(0, 1)
  else if (m == NULL) for (long i = 0; i < size; i++) RMSPROP_ELEMENT(1, 0)
  else for (long i = 0; i < size; i++) RMSPROP_ELEMENT(1, 1)
}

static inline void adam_body(float *KT_RESTRICT w, const float *KT_RESTRICT grad, float *KT_RESTRICT m, float *KT_RESTRICT v, float *KT_RESTRICT vh,
                             long size, float alpha, float omb1, float omb2, float eps, float decay) {
  if (vh == NULL) {
    for (long i = 0; i < size; i++) {
      float g = grad[i];
      float mi = m[i] + (g - m[i]) * omb1;
      float vi = v[i] + (g * g - v[i]) * omb2;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i] * decay - (mi * alpha) / (sqrtf(vi) + eps);
    }
    return;
  }
  for (long i = 0; i < size; i++) {
    float g = grad[i];
    float mi = m[i] + (g - m[i]) * omb1;
    float vi = v[i] + (g * g - v[i]) * omb2;
    m[i] = mi;
    v[i] = vi;
    float h0 = vh[i];
    float h = (vi != vi || h0 != h0) ? NAN : vi > h0 ? vi : h0; /* NaN-propagating, as the maximum op */
    vh[i] = h;
    w[i] = w[i] * decay - (mi * alpha) / (sqrtf(h) + eps);
  }
}

#define SGD_PARAMS float *w, const float *grad, float *m, long size, float lr, float mu, float decay, int nesterov
#define SGD_ARGS w, grad, m, size, lr, mu, decay, nesterov
#define RMS_PARAMS float *w, const float *grad, float *v, float *m, float *a, long size, float lr, float rho, float omr, float mu, float eps, float decay
#define RMS_ARGS w, grad, v, m, a, size, lr, rho, omr, mu, eps, decay
#define ADAM_PARAMS float *w, const float *grad, float *m, float *v, float *vh, long size, float alpha, float omb1, float omb2, float eps, float decay
#define ADAM_ARGS w, grad, m, v, vh, size, alpha, omb1, omb2, eps, decay

/* NAME_run: the body compiled for AVX-512, for AVX2 and portably, called for the ISA in use. */
#if KT_X86
#define OPT_VARIANTS(NAME, PARAMS, ARGS)                          \
  KT_AVX512 static void NAME##_avx512(PARAMS) { NAME##_body(ARGS); } \
  KT_AVX2 static void NAME##_avx2(PARAMS) { NAME##_body(ARGS); }     \
  static void NAME##_run(PARAMS) {                                \
    int isa = kt_isa();                                           \
    if (isa == KT_ISA_AVX512) NAME##_avx512(ARGS);                \
    else if (isa == KT_ISA_AVX2) NAME##_avx2(ARGS);               \
    else NAME##_body(ARGS);                                       \
  }
#else
#define OPT_VARIANTS(NAME, PARAMS, ARGS) \
  static void NAME##_run(PARAMS) { NAME##_body(ARGS); }
#endif

OPT_VARIANTS(sgd, SGD_PARAMS, SGD_ARGS)
OPT_VARIANTS(rmsprop, RMS_PARAMS, RMS_ARGS)
OPT_VARIANTS(adam, ADAM_PARAMS, ADAM_ARGS)

/* Variables of at least this many elements are split over the thread pool (in chunks that are
 * multiples of 64 elements); smaller ones run on the calling thread. */
#ifndef KT_OPT_PAR_MIN
#define KT_OPT_PAR_MIN (1L << 15)
#endif

typedef struct {
  int kind; /* 0 sgd, 1 rmsprop, 2 adam */
  float *w;
  const float *grad;
  float *slot[3];
  long size, chunks;
  float p[6];
  int flag;
} opt_job;

static float *at(float *p, long i) { return p == NULL ? NULL : p + i; }

static void opt_task(void *ctx, long task, int thread) {
  (void)thread;
  const opt_job *j = (const opt_job *)ctx;
  long per = ((j->size + j->chunks - 1) / j->chunks + 63) & ~63L;
  long i0 = task * per, i1 = i0 + per < j->size ? i0 + per : j->size;
  if (i0 >= i1) return;
  float *w = j->w + i0;
  const float *g = j->grad + i0;
  const float *p = j->p;
  if (j->kind == 0)
    sgd_run(w, g, at(j->slot[0], i0), i1 - i0, p[0], p[1], p[2], j->flag);
  else if (j->kind == 1)
    rmsprop_run(w, g, at(j->slot[0], i0), at(j->slot[1], i0), at(j->slot[2], i0), i1 - i0, p[0], p[1], p[2], p[3], p[4], p[5]);
  else
    adam_run(w, g, at(j->slot[0], i0), at(j->slot[1], i0), at(j->slot[2], i0), i1 - i0, p[0], p[1], p[2], p[3], p[4]);
}

static long opt_chunks(long size) {
  int threads = kt_num_threads();
  return threads > 1 && size >= KT_OPT_PAR_MIN ? threads : 1;
}

void kt_sgd(float *w, const float *grad, float *m, long size, double lr, double mu, double decay, int nesterov) {
  opt_job j = {0, w, grad, {m, NULL, NULL}, size, opt_chunks(size), {(float)lr, (float)mu, (float)decay, 0, 0, 0}, nesterov};
  if (j.chunks == 1) opt_task(&j, 0, 0);
  else kt_parallel(opt_task, &j, j.chunks);
}

void kt_rmsprop(float *w, const float *grad, float *v, float *m, float *a, long size, double lr, double rho, double mu, double eps, double decay) {
  opt_job j = {1, w, grad, {v, m, a}, size, opt_chunks(size), {(float)lr, (float)rho, (float)(1 - rho), (float)mu, (float)eps, (float)decay}, 0};
  if (j.chunks == 1) opt_task(&j, 0, 0);
  else kt_parallel(opt_task, &j, j.chunks);
}

void kt_adam(float *w, const float *grad, float *m, float *v, float *vh, long size, double alpha, double beta1, double beta2, double eps, double decay) {
  opt_job j = {2, w, grad, {m, v, vh}, size, opt_chunks(size), {(float)alpha, (float)(1 - beta1), (float)(1 - beta2), (float)eps, (float)decay, 0}, 0};
  if (j.chunks == 1) opt_task(&j, 0, 0);
  else kt_parallel(opt_task, &j, j.chunks);
}
