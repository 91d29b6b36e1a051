/*
 * Scaled-dot-product attention over [batch, seq, heads, depth] arrays (contract in
 * src/backend/sequence_kernels.ts). One task per (batch, head): its logits Q Kᵀ (the GEMM's
 * single-thread entry, reading the head's rows in place through their stride), the mask and the
 * row softmax in one pass, then P V written straight into the head's output rows. The backward
 * pass repeats the per-head products for dV, dP, dLogits, dQ and dK.
 */
/* Floating-point exception flags are never read (JavaScript cannot see them); without this GCC
 * keeps the clamps of seq_math.h's activations as branches and does not vectorize the gate loops
 * for AVX2. */
#pragma GCC optimize("no-trapping-math")
#include "kt.h"
#include "seq_math.h"

#include <stdlib.h>
#include <string.h>

static __thread float *scratch;
static __thread size_t scratch_n;

static float *scratch_for(size_t n) {
  if (n > scratch_n) {
    free(scratch);
    scratch = (float *)aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64);
    scratch_n = scratch != NULL ? n : 0;
  }
  return scratch;
}

typedef struct {
  long B, Tq, Tk, N, D, Dv;
  float scale;
  int causal;
  const uint8_t *mask;
  long ms[4]; /* mask strides over (b, n, i, j); 0 where the mask broadcasts */
} attn_shape;

static const uint8_t *mask_row(const attn_shape *s, long b, long n, long i) {
  return s->mask == NULL ? NULL : s->mask + b * s->ms[0] + n * s->ms[1] + i * s->ms[2];
}

static int keep_at(const attn_shape *s, const uint8_t *mrow, long i, long j) {
  return (mrow == NULL || mrow[j * s->ms[3]] != 0) && (!s->causal || j <= i);
}

/* exp(x - max) over a row, summed; the loop vectorizes in each ISA copy. */
static inline __attribute__((always_inline)) float exp_shift_body(const float *KT_RESTRICT x, float *KT_RESTRICT out, long n, float max) {
  float sum = 0.0f;
  for (long j = 0; j < n; j++) {
    float e = seq_exp(x[j] - max);
    out[j] = e;
    sum += e;
  }
  return sum;
}

#if KT_X86
KT_AVX512 static float exp_shift_avx512(const float *x, float *out, long n, float max) { return exp_shift_body(x, out, n, max); }
KT_AVX2 static float exp_shift_avx2(const float *x, float *out, long n, float max) { return exp_shift_body(x, out, n, max); }
#endif

static float exp_shift(const float *x, float *out, long n, float max) {
#if KT_X86
  int isa = kt_isa();
  if (isa == KT_ISA_AVX512) return exp_shift_avx512(x, out, n, max);
  if (isa == KT_ISA_AVX2) return exp_shift_avx2(x, out, n, max);
#endif
  return exp_shift_body(x, out, n, max);
}

/* Softmax of one row of logits in place (already scaled), over the kept entries. */
static void masked_softmax_row(const attn_shape *s, float *p, long b, long n, long i) {
  const uint8_t *mrow = mask_row(s, b, n, i);
  long Tk = s->Tk;
  int plain = mrow == NULL && !s->causal;
  float max = -INFINITY;
  int any = 0;
  for (long j = 0; j < Tk; j++) {
    if (!plain && !keep_at(s, mrow, i, j)) continue;
    any = 1;
    if (p[j] > max || p[j] != p[j]) max = p[j];
  }
  if (!any) {
    float u = 1.0f / (float)Tk;
    for (long j = 0; j < Tk; j++) p[j] = u;
    return;
  }
  if (!plain)
    for (long j = 0; j < Tk; j++)
      if (!keep_at(s, mrow, i, j)) p[j] = -INFINITY;
  float sum = exp_shift(p, p, Tk, max);
  float inv = 1.0f / sum;
  for (long j = 0; j < Tk; j++) p[j] = plain || keep_at(s, mrow, i, j) ? p[j] * inv : 0.0f;
}

typedef struct {
  attn_shape s;
  const float *q, *k, *v, *dout, *probs;
  float *out, *p, *dq, *dk, *dv;
} attn_job;

static void head_ptrs(const attn_job *j, long b, long n, const float **q, const float **k, const float **v) {
  const attn_shape *s = &j->s;
  *q = j->q + (b * s->Tq * s->N + n) * s->D;
  *k = j->k + (b * s->Tk * s->N + n) * s->D;
  *v = j->v + (b * s->Tk * s->N + n) * s->Dv;
}

static void forward_task(void *ctx, long task, int thread) {
  (void)thread;
  const attn_job *j = (const attn_job *)ctx;
  const attn_shape *s = &j->s;
  long b = task / s->N, n = task % s->N;
  const float *q, *k, *v;
  head_ptrs(j, b, n, &q, &k, &v);
  float *p = j->p + task * s->Tq * s->Tk;
  long ldq = s->N * s->D, ldv = s->N * s->Dv;
  kt_sgemm(0, 1, s->Tq, s->Tk, s->D, q, ldq, k, ldq, p, s->Tk);
  for (long i = 0; i < s->Tq; i++) {
    float *row = p + i * s->Tk;
    for (long jj = 0; jj < s->Tk; jj++) row[jj] = row[jj] * s->scale;
    masked_softmax_row(s, row, b, n, i);
  }
  kt_sgemm(0, 0, s->Tq, s->Dv, s->Tk, p, s->Tk, v, ldv, j->out + (b * s->Tq * s->N + n) * s->Dv, ldv);
}

static void backward_task(void *ctx, long task, int thread) {
  (void)thread;
  const attn_job *j = (const attn_job *)ctx;
  const attn_shape *s = &j->s;
  long b = task / s->N, n = task % s->N, Tq = s->Tq, Tk = s->Tk;
  const float *q, *k, *v;
  head_ptrs(j, b, n, &q, &k, &v);
  const float *p = j->probs + task * Tq * Tk;
  long ldq = s->N * s->D, ldv = s->N * s->Dv;
  const float *dout = j->dout + (b * Tq * s->N + n) * s->Dv;
  float *dl = scratch_for((size_t)(Tq * Tk));
  if (dl == NULL) return;
  /* dV = Pᵀ dOut, dP = dOut Vᵀ (into dl), then dLogits in place. */
  kt_sgemm(1, 0, Tk, s->Dv, Tq, p, Tk, dout, ldv, j->dv + (b * Tk * s->N + n) * s->Dv, ldv);
  kt_sgemm(0, 1, Tq, Tk, s->Dv, dout, ldv, v, ldv, dl, Tk);
  for (long i = 0; i < Tq; i++) {
    const float *prow = p + i * Tk;
    float *row = dl + i * Tk;
    const uint8_t *mrow = mask_row(s, b, n, i);
    double weighted = 0;
    for (long jj = 0; jj < Tk; jj++) weighted += (double)prow[jj] * row[jj];
    float w = (float)weighted;
    for (long jj = 0; jj < Tk; jj++) row[jj] = keep_at(s, mrow, i, jj) ? prow[jj] * (row[jj] - w) * s->scale : 0.0f;
  }
  kt_sgemm(0, 0, Tq, s->D, Tk, dl, Tk, k, ldq, j->dq + (b * Tq * s->N + n) * s->D, ldq);
  kt_sgemm(1, 0, Tk, s->D, Tq, dl, Tk, q, ldq, j->dk + (b * Tk * s->N + n) * s->D, ldq);
}

/* dims = {B, Tq, Tk, N, D, Dv}; mask_shape = {b, n, q, k} sizes (1 = broadcast) when mask != NULL. */
static void shape_of(attn_shape *s, const long *dims, float scale, int causal, const uint8_t *mask, const long *mask_shape) {
  s->B = dims[0]; s->Tq = dims[1]; s->Tk = dims[2]; s->N = dims[3]; s->D = dims[4]; s->Dv = dims[5];
  s->scale = scale;
  s->causal = causal;
  s->mask = mask;
  if (mask != NULL) {
    s->ms[3] = mask_shape[3] == 1 ? 0 : 1;
    s->ms[2] = mask_shape[2] == 1 ? 0 : mask_shape[3];
    s->ms[1] = mask_shape[1] == 1 ? 0 : mask_shape[2] * mask_shape[3];
    s->ms[0] = mask_shape[0] == 1 ? 0 : mask_shape[1] * mask_shape[2] * mask_shape[3];
  }
}

/* Zero-size products leave their outputs zero: the caller passes zero-filled outputs then. */
void kt_attention_forward(const float *q, const float *k, const float *v, const uint8_t *mask, const long *mask_shape, const long *dims, float scale, int causal,
                          float *out, float *probs) {
  attn_job j;
  memset(&j, 0, sizeof j);
  shape_of(&j.s, dims, scale, causal, mask, mask_shape);
  j.q = q; j.k = k; j.v = v; j.out = out; j.p = probs;
  long heads = j.s.B * j.s.N;
  if (heads == 0 || j.s.Tq == 0 || j.s.Tk == 0) return;
  kt_parallel(forward_task, &j, heads);
}

void kt_attention_backward(const float *dout, const float *q, const float *k, const float *v, const uint8_t *mask, const long *mask_shape, const float *probs,
                           const long *dims, float scale, int causal, float *dq, float *dk, float *dv) {
  attn_job j;
  memset(&j, 0, sizeof j);
  shape_of(&j.s, dims, scale, causal, mask, mask_shape);
  j.q = q; j.k = k; j.v = v; j.dout = dout; j.probs = probs; j.dq = dq; j.dk = dk; j.dv = dv;
  long heads = j.s.B * j.s.N;
  if (heads == 0 || j.s.Tq == 0 || j.s.Tk == 0) return;
  kt_parallel(backward_task, &j, heads);
}
