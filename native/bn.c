/*
 * Batch normalization (contracts on batchNormTraining, batchNormTrainingBackward and
 * batchNormInference in src/backend/fused_kernels.ts) over x viewed as [outer, channels, inner].
 *
 * Per-channel sums are in double; the per-channel scale and shift, and every output element, are
 * rounded as Keras's float32 formula (and the reference kernels) round them. Channels last
 * (inner = 1) sums run over row chunks, one per thread, into per-thread partials added in chunk
 * order, as vector loops across the channels of a row; channels first (inner > 1) threads take
 * channels, each summing its contiguous runs.
 */
#include "kt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const float *x, *dout, *gamma, *beta;
  const float *mean, *var;
  float *out;
  long outer, channels, inner;
  double eps;
  long chunks;
  /* Per chunk partial sums ([chunks][channels] each) for channels last. */
  double *s1, *s2;
  /* Per channel: normalization scale and shift (forward), or the backward's coefficients. */
  float *scale, *shift;
  double *mu, *c1, *c2, *c3;
  int pass;
  int failed;
} bn_job;

/* ---- channels last: rows [r0, r1) of [rows, C] ---- */

static inline void sums_last_body(const float *KT_RESTRICT x, long r0, long r1, long C, double *KT_RESTRICT s) {
  for (long c = 0; c < C; c++) s[c] = 0;
  for (long r = r0; r < r1; r++) {
    const float *row = x + r * C;
    for (long c = 0; c < C; c++) s[c] += row[c];
  }
}
KT_ISA_DISPATCH(sums_last, (const float *x, long r0, long r1, long C, double *s), (x, r0, r1, C, s))

static inline void centered_squares_last_body(const float *KT_RESTRICT x, long r0, long r1, long C, const float *KT_RESTRICT mean, double *KT_RESTRICT s) {
  for (long c = 0; c < C; c++) s[c] = 0;
  for (long r = r0; r < r1; r++) {
    const float *row = x + r * C;
    for (long c = 0; c < C; c++) {
      double d = (double)row[c] - (double)mean[c];
      s[c] += d * d;
    }
  }
}
KT_ISA_DISPATCH(centered_squares_last, (const float *x, long r0, long r1, long C, const float *mean, double *s), (x, r0, r1, C, mean, s))

static inline void affine_last_body(const float *KT_RESTRICT x, float *KT_RESTRICT out, long r0, long r1, long C, const float *KT_RESTRICT scale, const float *KT_RESTRICT shift) {
  for (long r = r0; r < r1; r++) {
    const float *row = x + r * C;
    float *o = out + r * C;
    for (long c = 0; c < C; c++) o[c] = row[c] * scale[c] + shift[c];
  }
}
KT_ISA_DISPATCH(affine_last, (const float *x, float *out, long r0, long r1, long C, const float *scale, const float *shift), (x, out, r0, r1, C, scale, shift))

/* Σ dy and Σ dy * (x - mu) per channel. */
static inline void grad_sums_last_body(const float *KT_RESTRICT dy, const float *KT_RESTRICT x, long r0, long r1, long C, const double *KT_RESTRICT mu,
                                       double *KT_RESTRICT s1, double *KT_RESTRICT s2) {
  for (long c = 0; c < C; c++) s1[c] = s2[c] = 0;
  for (long r = r0; r < r1; r++) {
    const float *d = dy + r * C, *row = x + r * C;
    for (long c = 0; c < C; c++) {
      s1[c] += d[c];
      s2[c] += (double)d[c] * ((double)row[c] - mu[c]);
    }
  }
}
KT_ISA_DISPATCH(grad_sums_last, (const float *dy, const float *x, long r0, long r1, long C, const double *mu, double *s1, double *s2), (dy, x, r0, r1, C, mu, s1, s2))

/* dx = c1 * dy - c2 - (x - mu) * c3, per channel coefficients (see kt_bn_training_backward). */
static inline void grad_x_last_body(const float *KT_RESTRICT dy, const float *KT_RESTRICT x, float *KT_RESTRICT dx, long r0, long r1, long C,
                                    const double *KT_RESTRICT mu, const double *KT_RESTRICT c1, const double *KT_RESTRICT c2, const double *KT_RESTRICT c3) {
  for (long r = r0; r < r1; r++) {
    const float *d = dy + r * C, *row = x + r * C;
    float *o = dx + r * C;
    for (long c = 0; c < C; c++) o[c] = (float)(c1[c] * (double)d[c] - c2[c] - ((double)row[c] - mu[c]) * c3[c]);
  }
}
KT_ISA_DISPATCH(grad_x_last, (const float *dy, const float *x, float *dx, long r0, long r1, long C, const double *mu, const double *c1, const double *c2, const double *c3),
                (dy, x, dx, r0, r1, C, mu, c1, c2, c3))

/* ---- channels first: contiguous runs of `inner` elements ---- */

static double run_sum(const float *x, long n) {
  double s = 0;
  for (long i = 0; i < n; i++) s += x[i];
  return s;
}

enum { PASS_SUMS, PASS_SQUARES, PASS_AFFINE, PASS_GRAD_SUMS, PASS_GRAD_X };

static void bn_task(void *ctx, long task, int thread) {
  (void)thread;
  bn_job *j = (bn_job *)ctx;
  const long C = j->channels, inner = j->inner;
  if (inner == 1) {
    long r0 = task * j->outer / j->chunks, r1 = (task + 1) * j->outer / j->chunks;
    double *s1 = j->s1 + task * C, *s2 = j->s2 != NULL ? j->s2 + task * C : NULL;
    switch (j->pass) {
      case PASS_SUMS: sums_last(j->x, r0, r1, C, s1); break;
      case PASS_SQUARES: centered_squares_last(j->x, r0, r1, C, j->mean, s1); break;
      case PASS_AFFINE: affine_last(j->x, j->out, r0, r1, C, j->scale, j->shift); break;
      case PASS_GRAD_SUMS: grad_sums_last(j->dout, j->x, r0, r1, C, j->mu, s1, s2); break;
      default: grad_x_last(j->dout, j->x, j->out, r0, r1, C, j->mu, j->c1, j->c2, j->c3); break;
    }
    return;
  }
  /* task = channel c */
  long c = task;
  double a = 0, b = 0;
  for (long o = 0; o < j->outer; o++) {
    long base = (o * C + c) * inner;
    const float *x = j->x + base;
    switch (j->pass) {
      case PASS_SUMS: a += run_sum(x, inner); break;
      case PASS_SQUARES: {
        double m = j->mean[c];
        for (long i = 0; i < inner; i++) {
          double d = (double)x[i] - m;
          a += d * d;
        }
        break;
      }
      case PASS_AFFINE: {
        float s = j->scale[c], t = j->shift[c];
        float *out = j->out + base;
        for (long i = 0; i < inner; i++) out[i] = x[i] * s + t;
        break;
      }
      case PASS_GRAD_SUMS: {
        const float *d = j->dout + base;
        double m = j->mu[c];
        for (long i = 0; i < inner; i++) {
          a += d[i];
          b += (double)d[i] * ((double)x[i] - m);
        }
        break;
      }
      default: {
        const float *d = j->dout + base;
        float *out = j->out + base;
        double m = j->mu[c], k1 = j->c1[c], k2 = j->c2[c], k3 = j->c3[c];
        for (long i = 0; i < inner; i++) out[i] = (float)(k1 * (double)d[i] - k2 - ((double)x[i] - m) * k3);
        break;
      }
    }
  }
  if (j->pass == PASS_SUMS || j->pass == PASS_SQUARES) j->s1[c] = a;
  if (j->pass == PASS_GRAD_SUMS) {
    j->s1[c] = a;
    j->s2[c] = b;
  }
}

/* Runs `pass` over x and returns the per-channel totals of the partial sums into t1 (and t2). */
static void run_pass(bn_job *j, int pass, double *t1, double *t2) {
  j->pass = pass;
  long tasks = j->inner == 1 ? j->chunks : j->channels;
  if (tasks > 0) kt_parallel(bn_task, j, tasks);
  if (t1 == NULL) return;
  const long C = j->channels;
  if (j->inner == 1) {
    for (long c = 0; c < C; c++) {
      double a = 0, b = 0;
      for (long k = 0; k < j->chunks; k++) {
        a += j->s1[k * C + c];
        if (t2 != NULL) b += j->s2[k * C + c];
      }
      t1[c] = a;
      if (t2 != NULL) t2[c] = b;
    }
  } else {
    memcpy(t1, j->s1, (size_t)C * sizeof(double));
    if (t2 != NULL) memcpy(t2, j->s2, (size_t)C * sizeof(double));
  }
}

static long chunks_for(long outer, long channels, long inner) {
  long size = outer * channels * inner;
  long threads = kt_num_threads();
  if (inner != 1 || threads <= 1 || size < KT_PAR_MIN_ELEMS / 4) return 1;
  return outer < threads ? (outer > 0 ? outer : 1) : threads;
}

/* scale = rsqrt(var + eps) * gamma, shift = beta - mean * scale, rounded as the float32 formula. */
static void affine_coefficients(const float *mean, const float *var, const float *gamma, const float *beta, long C, double eps, float *scale, float *shift) {
  float e = (float)eps;
  for (long c = 0; c < C; c++) {
    float s = (float)(1.0 / sqrt((double)(var[c] + e)));
    if (gamma != NULL) s = s * gamma[c];
    scale[c] = s;
    float m = -mean[c] * s;
    shift[c] = beta != NULL ? m + beta[c] : m;
  }
}

static int alloc_job(bn_job *j, int two_sums) {
  long C = j->channels;
  long n = j->inner == 1 ? j->chunks * C : C;
  j->s1 = (double *)calloc((size_t)n + 1, sizeof(double));
  j->s2 = two_sums ? (double *)calloc((size_t)n + 1, sizeof(double)) : NULL;
  j->scale = (float *)malloc((size_t)(2 * C + 1) * sizeof(float));
  j->shift = j->scale != NULL ? j->scale + C : NULL;
  j->mu = (double *)malloc((size_t)(4 * C + 1) * sizeof(double));
  if (j->mu != NULL) {
    j->c1 = j->mu + C;
    j->c2 = j->mu + 2 * C;
    j->c3 = j->mu + 3 * C;
  }
  return j->s1 != NULL && (!two_sums || j->s2 != NULL) && j->scale != NULL && j->mu != NULL;
}

static void free_job(bn_job *j) {
  free(j->s1);
  free(j->s2);
  free(j->scale);
  free(j->mu);
}

static bn_job new_job(const float *x, long outer, long channels, long inner, double eps) {
  bn_job j;
  memset(&j, 0, sizeof j);
  j.x = x;
  j.outer = outer;
  j.channels = channels;
  j.inner = inner;
  j.eps = eps;
  j.chunks = chunks_for(outer, channels, inner);
  return j;
}

void kt_bn_training(const float *x, const float *gamma, const float *beta, float *out, float *mean, float *var,
                    long outer, long channels, long inner, double eps) {
  bn_job j = new_job(x, outer, channels, inner, eps);
  if (!alloc_job(&j, 0)) {
    free_job(&j);
    for (long c = 0; c < channels; c++) mean[c] = var[c] = NAN;
    for (long i = 0; i < outer * channels * inner; i++) out[i] = NAN;
    return;
  }
  double m = (double)(outer * inner);
  run_pass(&j, PASS_SUMS, j.mu, NULL);
  for (long c = 0; c < channels; c++) mean[c] = (float)(j.mu[c] / m);
  j.mean = mean;
  run_pass(&j, PASS_SQUARES, j.mu, NULL);
  for (long c = 0; c < channels; c++) var[c] = (float)(j.mu[c] / m);
  affine_coefficients(mean, var, gamma, beta, channels, eps, j.scale, j.shift);
  j.out = out;
  run_pass(&j, PASS_AFFINE, NULL, NULL);
  free_job(&j);
}

void kt_bn_inference(const float *x, const float *mean, const float *var, const float *gamma, const float *beta, float *out,
                     long outer, long channels, long inner, double eps) {
  bn_job j = new_job(x, outer, channels, inner, eps);
  j.chunks = j.inner == 1 ? chunks_for(outer, channels, inner) : 1;
  if (!alloc_job(&j, 0)) {
    free_job(&j);
    for (long i = 0; i < outer * channels * inner; i++) out[i] = NAN;
    return;
  }
  affine_coefficients(mean, var, gamma, beta, channels, eps, j.scale, j.shift);
  j.out = out;
  run_pass(&j, PASS_AFFINE, NULL, NULL);
  free_job(&j);
}

/*
 * With rstd = 1 / sqrt(var + eps) (double), Σdy = S1 and Σ dy (x - mu) = S2 per channel:
 *   dbeta = S1, dgamma = S2 * rstd,
 *   dx = gamma rstd (dy - S1 / m - (x - mu) rstd² S2 / m) = c1 dy - c2 - (x - mu) c3.
 */
void kt_bn_training_backward(const float *dout, const float *x, const float *mean, const float *var, const float *gamma,
                             long outer, long channels, long inner, double eps, float *dx, float *dgamma, float *dbeta) {
  bn_job j = new_job(x, outer, channels, inner, eps);
  j.dout = dout;
  if (!alloc_job(&j, 1)) {
    free_job(&j);
    if (dx != NULL) for (long i = 0; i < outer * channels * inner; i++) dx[i] = NAN;
    for (long c = 0; c < channels; c++) {
      if (dgamma != NULL) dgamma[c] = NAN;
      if (dbeta != NULL) dbeta[c] = NAN;
    }
    return;
  }
  double m = (double)(outer * inner);
  float e = (float)eps;
  for (long c = 0; c < channels; c++) j.mu[c] = mean[c];
  double *t1 = (double *)malloc((size_t)(2 * channels + 1) * sizeof(double));
  if (t1 == NULL) {
    free_job(&j);
    return;
  }
  double *t2 = t1 + channels;
  run_pass(&j, PASS_GRAD_SUMS, t1, t2);
  for (long c = 0; c < channels; c++) {
    double rstd = 1.0 / sqrt((double)var[c] + (double)e);
    double sum_dy = t1[c], sum_dy_xhat = t2[c] * rstd;
    if (dbeta != NULL) dbeta[c] = (float)sum_dy;
    if (dgamma != NULL) dgamma[c] = (float)sum_dy_xhat;
    double scale = (gamma != NULL ? (double)gamma[c] : 1.0) * rstd;
    j.c1[c] = scale;
    j.c2[c] = scale * (sum_dy / m);
    j.c3[c] = scale * rstd * (sum_dy_xhat / m);
  }
  if (dx != NULL) {
    j.out = dx;
    run_pass(&j, PASS_GRAD_X, NULL, NULL);
  }
  free(t1);
  free_job(&j);
}
