/*
 * LSTM and GRU recurrences over whole sequences (contracts in src/backend/sequence_kernels.ts).
 *
 * The batch rows of a sequence never interact, so the batch is split into one band of rows per
 * thread and each thread walks every timestep of its band alone: one job per sequence, no barrier
 * per step. A step is the band's recurrent product (the GEMM's single-thread entry, h @ R) and
 * then the gates, row by row, in a loop compiled for each ISA (its activations are seq_math.h's
 * vectorizable float32 ones). The backward pass walks the steps in reverse the same way, writing
 * the gate gradients (= the input projection's gradient) for every step; the recurrent kernel's
 * gradient is then one GEMM over all steps, Σ_t hPrev_tᵀ dZ_t, threaded by the GEMM itself.
 */
/* Floating-point exception flags are never read (JavaScript cannot see them); without this GCC
 * keeps the clamps of seq_math.h's activations as branches and does not vectorize the gate loops
 * for AVX2. */
#pragma GCC optimize("no-trapping-math")
#include "kt.h"
#include "seq_math.h"

#include <stdlib.h>
#include <string.h>

/* Per-thread scratch, grown as needed (a band's step product and state gradients). */
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

/* ------------------------------------------------------------------ gate loops (one copy per ISA) */

/* LSTM gates of one row: z = zr + xr (4U, order i f c o), writes the activated gates, tanh(c'),
 * c' and h' (c' and h' to cn / hn, the rest to the workspace row or scratch). */
static inline __attribute__((always_inline)) void lstm_gates_body(const float *KT_RESTRICT zr, const float *KT_RESTRICT xr, const float *KT_RESTRICT c, long U,
                                   float *KT_RESTRICT gates, float *KT_RESTRICT tc, float *KT_RESTRICT cn, float *KT_RESTRICT hn) {
  for (long j = 0; j < U; j++) {
    float i = seq_sigmoid(zr[j] + xr[j]);
    float f = seq_sigmoid(zr[U + j] + xr[U + j]);
    float g = seq_tanh(zr[2 * U + j] + xr[2 * U + j]);
    float o = seq_sigmoid(zr[3 * U + j] + xr[3 * U + j]);
    float cv = f * c[j] + i * g;
    float t = seq_tanh(cv);
    gates[j] = i;
    gates[U + j] = f;
    gates[2 * U + j] = g;
    gates[3 * U + j] = o;
    tc[j] = t;
    cn[j] = cv;
    hn[j] = o * t;
  }
}

/* LSTM gate gradients of one row from the saved gates; dh is read, dc updated to the carry's
 * gradient before the step, dz (4U) written. */
static inline __attribute__((always_inline)) void lstm_grad_body(const float *KT_RESTRICT gates, const float *KT_RESTRICT tc, const float *KT_RESTRICT cprev, const float *KT_RESTRICT dh,
                                  float *KT_RESTRICT dc, float *KT_RESTRICT dz, long U) {
  for (long j = 0; j < U; j++) {
    float i = gates[j], f = gates[U + j], g = gates[2 * U + j], o = gates[3 * U + j], t = tc[j];
    float d = dh[j];
    float dO = (d * t) * (o * (1.0f - o));
    float dct = dc[j] + (d * o) * (1.0f - t * t);
    dz[j] = (dct * g) * (i * (1.0f - i));
    dz[U + j] = (dct * cprev[j]) * (f * (1.0f - f));
    dz[2 * U + j] = (dct * i) * (1.0f - g * g);
    dz[3 * U + j] = dO;
    dc[j] = dct * f;
  }
}

/* GRU gates of one row: inner = zr + rb, x = xr (3U, order z r h). Writes z, r, hh (gates),
 * inner_h and h'. */
static inline __attribute__((always_inline)) void gru_gates_body(const float *KT_RESTRICT zr, const float *KT_RESTRICT rb, const float *KT_RESTRICT xr, const float *KT_RESTRICT h, long U,
                                  float *KT_RESTRICT gates, float *KT_RESTRICT ih, float *KT_RESTRICT hn) {
  for (long j = 0; j < U; j++) {
    float iz = zr[j] + rb[j], ir = zr[U + j] + rb[U + j], ihv = zr[2 * U + j] + rb[2 * U + j];
    float z = seq_sigmoid(xr[j] + iz);
    float r = seq_sigmoid(xr[U + j] + ir);
    float hh = seq_tanh(xr[2 * U + j] + r * ihv);
    gates[j] = z;
    gates[U + j] = r;
    gates[2 * U + j] = hh;
    ih[j] = ihv;
    hn[j] = z * h[j] + (1.0f - z) * hh;
  }
}

/* GRU gradients of one row: dx and dinner (3U each) and the direct part of dh_prev (dh * z). */
static inline __attribute__((always_inline)) void gru_grad_body(const float *KT_RESTRICT gates, const float *KT_RESTRICT ih, const float *KT_RESTRICT hprev, const float *KT_RESTRICT dh,
                                 float *KT_RESTRICT dx, float *KT_RESTRICT dinner, float *KT_RESTRICT ddirect, long U) {
  for (long j = 0; j < U; j++) {
    float z = gates[j], r = gates[U + j], hh = gates[2 * U + j], d = dh[j];
    float dZ = (d * (hprev[j] - hh)) * (z * (1.0f - z));
    float dPreH = (d * (1.0f - z)) * (1.0f - hh * hh);
    float dR = (dPreH * ih[j]) * (r * (1.0f - r));
    dx[j] = dZ;
    dx[U + j] = dR;
    dx[2 * U + j] = dPreH;
    dinner[j] = dZ;
    dinner[U + j] = dR;
    dinner[2 * U + j] = dPreH * r;
    ddirect[j] = d * z;
  }
}

#define LSTM_GATES_PARAMS const float *zr, const float *xr, const float *c, long U, float *gates, float *tc, float *cn, float *hn
#define LSTM_GATES_ARGS zr, xr, c, U, gates, tc, cn, hn
#define LSTM_GRAD_PARAMS const float *gates, const float *tc, const float *cprev, const float *dh, float *dc, float *dz, long U
#define LSTM_GRAD_ARGS gates, tc, cprev, dh, dc, dz, U
#define GRU_GATES_PARAMS const float *zr, const float *rb, const float *xr, const float *h, long U, float *gates, float *ih, float *hn
#define GRU_GATES_ARGS zr, rb, xr, h, U, gates, ih, hn
#define GRU_GRAD_PARAMS const float *gates, const float *ih, const float *hprev, const float *dh, float *dx, float *dinner, float *ddirect, long U
#define GRU_GRAD_ARGS gates, ih, hprev, dh, dx, dinner, ddirect, U

#if KT_X86
#define ISA_VARIANTS(NAME, PARAMS, ARGS)                             \
  KT_AVX512 static void NAME##_avx512(PARAMS) { NAME##_body(ARGS); } \
  KT_AVX2 static void NAME##_avx2(PARAMS) { NAME##_body(ARGS); }     \
  static void NAME(PARAMS) {                                         \
    int isa = kt_isa();                                              \
    if (isa == KT_ISA_AVX512) NAME##_avx512(ARGS);                   \
    else if (isa == KT_ISA_AVX2) NAME##_avx2(ARGS);                  \
    else NAME##_body(ARGS);                                          \
  }
#else
#define ISA_VARIANTS(NAME, PARAMS, ARGS) \
  static void NAME(PARAMS) { NAME##_body(ARGS); }
#endif

ISA_VARIANTS(lstm_gates, LSTM_GATES_PARAMS, LSTM_GATES_ARGS)
ISA_VARIANTS(lstm_grad, LSTM_GRAD_PARAMS, LSTM_GRAD_ARGS)
ISA_VARIANTS(gru_gates, GRU_GATES_PARAMS, GRU_GATES_ARGS)
ISA_VARIANTS(gru_grad, GRU_GRAD_PARAMS, GRU_GRAD_ARGS)

/* ------------------------------------------------------------------ jobs */

typedef struct {
  long B, T, U;
  int back, zero_out;
  const uint8_t *mask;
  long chunks;
} seq_shape;

/* Rows [b0, b1) of band `task`. */
static void band(const seq_shape *s, long task, long *b0, long *b1) {
  *b0 = task * s->B / s->chunks;
  *b1 = (task + 1) * s->B / s->chunks;
}

static int kept(const seq_shape *s, long b, long t) { return s->mask == NULL || s->mask[b * s->T + t] != 0; }

/* Bands: one per thread when the sequence has enough work (rows x product size x steps). */
static long band_count(long B, long T, long U, long G) {
  int threads = kt_num_threads();
  if (threads <= 1 || B < 8 || B * T * U * G < (1L << 20)) return 1;
  long by_rows = B / 4;
  return by_rows < threads ? by_rows : threads;
}

/* The output of walk step s for row b: the new state, the unchanged one, or zeros. */
static void store_output(const seq_shape *s, float *out, long b, long step, const float *value, int keep) {
  if (out == NULL) return;
  float *o = out + (b * s->T + step) * s->U;
  if (!keep && s->zero_out) memset(o, 0, (size_t)s->U * sizeof(float));
  else memcpy(o, value, (size_t)s->U * sizeof(float));
}

typedef struct {
  seq_shape s;
  const float *x, *R, *rb;
  float *out, *h, *c, *ws;
} fwd_job;

static void lstm_forward_task(void *ctx, long task, int thread) {
  (void)thread;
  const fwd_job *j = (const fwd_job *)ctx;
  const seq_shape *s = &j->s;
  long b0, b1, U = s->U, G = 4 * U, T = s->T, B = s->B;
  band(s, task, &b0, &b1);
  long rows = b1 - b0;
  if (rows <= 0) return;
  /* z [rows, G], plus a row of gates / tanh(c) when no workspace keeps them, c' and h'. */
  float *z = scratch_for((size_t)(rows * G + G + 3 * U));
  if (z == NULL) return;
  float *row_gates = z + rows * G, *row_tc = row_gates + G, *cn = row_tc + U, *hn = cn + U;
  float *ws_gates = j->ws, *ws_tc = j->ws ? j->ws + B * T * G : NULL;
  float *ws_hprev = j->ws ? ws_tc + B * T * U : NULL, *ws_cprev = j->ws ? ws_hprev + B * T * U : NULL;
  for (long step = 0; step < T; step++) {
    long t = s->back ? T - 1 - step : step;
    kt_sgemm(0, 0, rows, G, U, j->h + b0 * U, U, j->R, G, z, G);
    for (long b = b0; b < b1; b++) {
      long row = b * T + t;
      float *h = j->h + b * U, *c = j->c + b * U;
      float *gates = row_gates, *tc = row_tc;
      if (j->ws != NULL) {
        memcpy(ws_hprev + row * U, h, (size_t)U * sizeof(float));
        memcpy(ws_cprev + row * U, c, (size_t)U * sizeof(float));
        gates = ws_gates + row * G;
        tc = ws_tc + row * U;
      }
      lstm_gates(z + (b - b0) * G, j->x + row * G, c, U, gates, tc, cn, hn);
      int keep = kept(s, b, t);
      if (keep) {
        memcpy(c, cn, (size_t)U * sizeof(float));
        memcpy(h, hn, (size_t)U * sizeof(float));
      }
      store_output(s, j->out, b, step, h, keep);
    }
  }
}

static void gru_forward_task(void *ctx, long task, int thread) {
  (void)thread;
  const fwd_job *j = (const fwd_job *)ctx;
  const seq_shape *s = &j->s;
  long b0, b1, U = s->U, G = 3 * U, T = s->T, B = s->B;
  band(s, task, &b0, &b1);
  long rows = b1 - b0;
  if (rows <= 0) return;
  float *z = scratch_for((size_t)(rows * G + G + 2 * U));
  if (z == NULL) return;
  float *row_gates = z + rows * G, *row_ih = row_gates + G, *hn = row_ih + U;
  float *ws_ih = j->ws ? j->ws + B * T * G : NULL, *ws_hprev = j->ws ? ws_ih + B * T * U : NULL;
  for (long step = 0; step < T; step++) {
    long t = s->back ? T - 1 - step : step;
    kt_sgemm(0, 0, rows, G, U, j->h + b0 * U, U, j->R, G, z, G);
    for (long b = b0; b < b1; b++) {
      long row = b * T + t;
      float *h = j->h + b * U;
      float *gates = row_gates, *ih = row_ih;
      if (j->ws != NULL) {
        memcpy(ws_hprev + row * U, h, (size_t)U * sizeof(float));
        gates = j->ws + row * G;
        ih = ws_ih + row * U;
      }
      gru_gates(z + (b - b0) * G, j->rb, j->x + row * G, h, U, gates, ih, hn);
      int keep = kept(s, b, t);
      if (keep) memcpy(h, hn, (size_t)U * sizeof(float));
      store_output(s, j->out, b, step, h, keep);
    }
  }
}

void kt_lstm_forward(const float *x, const float *h0, const float *c0, const float *R, const uint8_t *mask, long B, long T, long U,
                     int back, int zero_out, float *out, float *h, float *c, float *ws) {
  memcpy(h, h0, (size_t)(B * U) * sizeof(float));
  memcpy(c, c0, (size_t)(B * U) * sizeof(float));
  if (B == 0 || T == 0 || U == 0) return;
  fwd_job j = {{B, T, U, back, zero_out, mask, band_count(B, T, U, 4 * U)}, x, R, NULL, out, h, c, ws};
  kt_parallel(lstm_forward_task, &j, j.s.chunks);
}

int kt_gru_forward(const float *x, const float *h0, const float *R, const float *rb, const uint8_t *mask, long B, long T, long U,
                   int back, int zero_out, float *out, float *h, float *ws) {
  memcpy(h, h0, (size_t)(B * U) * sizeof(float));
  if (B == 0 || T == 0 || U == 0) return 1;
  /* No recurrent bias: zeros (adding them changes nothing), so the gate loop has no branch. */
  float *zeros = rb == NULL ? (float *)calloc((size_t)(3 * U), sizeof(float)) : NULL;
  if (rb == NULL && zeros == NULL) return 0;
  fwd_job j = {{B, T, U, back, zero_out, mask, band_count(B, T, U, 3 * U)}, x, R, rb != NULL ? rb : zeros, out, h, NULL, ws};
  kt_parallel(gru_forward_task, &j, j.s.chunks);
  free(zeros);
  return 1;
}

/* ------------------------------------------------------------------ backward */

typedef struct {
  seq_shape s;
  const float *dout, *ws, *RT;
  float *dx, *dinner, *dh, *dc;
} bwd_job;

/* dh += dOut of walk step `step` (none where a masked step output zeros). */
static void add_output_grad(const bwd_job *j, long b, long step, int keep, float *dh) {
  const seq_shape *s = &j->s;
  if (j->dout == NULL || (!keep && s->zero_out)) return;
  const float *d = j->dout + (b * s->T + step) * s->U;
  for (long q = 0; q < s->U; q++) dh[q] = dh[q] + d[q];
}

static void lstm_backward_task(void *ctx, long task, int thread) {
  (void)thread;
  const bwd_job *j = (const bwd_job *)ctx;
  const seq_shape *s = &j->s;
  long b0, b1, U = s->U, G = 4 * U, T = s->T, B = s->B;
  band(s, task, &b0, &b1);
  long rows = b1 - b0;
  if (rows <= 0) return;
  float *dhp = scratch_for((size_t)(rows * U));
  if (dhp == NULL) return;
  const float *ws_tc = j->ws + B * T * G, *ws_cprev = ws_tc + 2 * B * T * U;
  for (long step = T - 1; step >= 0; step--) {
    long t = s->back ? T - 1 - step : step;
    for (long b = b0; b < b1; b++) {
      long row = b * T + t;
      int keep = kept(s, b, t);
      float *dh = j->dh + b * U;
      add_output_grad(j, b, step, keep, dh);
      if (!keep) {
        memset(j->dx + row * G, 0, (size_t)G * sizeof(float));
        continue;
      }
      lstm_grad(j->ws + row * G, ws_tc + row * U, ws_cprev + row * U, dh, j->dc + b * U, j->dx + row * G, U);
    }
    kt_sgemm(0, 0, rows, U, G, j->dx + (b0 * T + t) * G, T * G, j->RT, U, dhp, U);
    for (long b = b0; b < b1; b++)
      if (kept(s, b, t)) memcpy(j->dh + b * U, dhp + (b - b0) * U, (size_t)U * sizeof(float));
  }
}

static void gru_backward_task(void *ctx, long task, int thread) {
  (void)thread;
  const bwd_job *j = (const bwd_job *)ctx;
  const seq_shape *s = &j->s;
  long b0, b1, U = s->U, G = 3 * U, T = s->T, B = s->B;
  band(s, task, &b0, &b1);
  long rows = b1 - b0;
  if (rows <= 0) return;
  float *dhp = scratch_for((size_t)(2 * rows * U));
  if (dhp == NULL) return;
  float *direct = dhp + rows * U;
  const float *ws_ih = j->ws + B * T * G, *ws_hprev = ws_ih + B * T * U;
  for (long step = T - 1; step >= 0; step--) {
    long t = s->back ? T - 1 - step : step;
    for (long b = b0; b < b1; b++) {
      long row = b * T + t;
      int keep = kept(s, b, t);
      float *dh = j->dh + b * U;
      add_output_grad(j, b, step, keep, dh);
      if (!keep) {
        memset(j->dx + row * G, 0, (size_t)G * sizeof(float));
        memset(j->dinner + row * G, 0, (size_t)G * sizeof(float));
        continue;
      }
      gru_grad(j->ws + row * G, ws_ih + row * U, ws_hprev + row * U, dh, j->dx + row * G, j->dinner + row * G, direct + (b - b0) * U, U);
    }
    kt_sgemm(0, 0, rows, U, G, j->dinner + (b0 * T + t) * G, T * G, j->RT, U, dhp, U);
    for (long b = b0; b < b1; b++) {
      if (!kept(s, b, t)) continue;
      float *dh = j->dh + b * U;
      const float *p = dhp + (b - b0) * U, *q = direct + (b - b0) * U;
      for (long u = 0; u < U; u++) dh[u] = p[u] + q[u];
    }
  }
}

/* Rᵀ [G, U], shared read-only by the bands. */
static float *transposed(const float *R, long U, long G) {
  float *RT = (float *)aligned_alloc(64, (((size_t)(U * G) * sizeof(float) + 63) / 64) * 64 + 64);
  if (RT != NULL && U * G > 0) kt_transpose_f32(R, U, G, G, RT, U);
  return RT;
}

/* Returns 0 when out of memory (nothing useful was written). dh / dc hold dH / dC (or zeros) on
 * entry and dH0 / dC0 on return. */
int kt_lstm_backward(const float *dout, const float *R, const uint8_t *mask, const float *ws, long B, long T, long U, int back, int zero_out,
                     float *dx, float *dh, float *dc, float *dR) {
  long G = 4 * U;
  if (B > 0 && T > 0 && U > 0) {
    float *RT = transposed(R, U, G);
    if (RT == NULL) return 0;
    bwd_job j = {{B, T, U, back, zero_out, mask, band_count(B, T, U, G)}, dout, ws, RT, dx, NULL, dh, dc};
    kt_parallel(lstm_backward_task, &j, j.s.chunks);
    free(RT);
  }
  if (dR != NULL) kt_sgemm_batched(1, U, G, B * T, 1, 0, ws + B * T * (G + U), 0, dx, 0, dR);
  return 1;
}

int kt_gru_backward(const float *dout, const float *R, const uint8_t *mask, const float *ws, long B, long T, long U, int back, int zero_out,
                    float *dx, float *dh, float *dR, float *db) {
  long G = 3 * U;
  float *dinner = (float *)malloc((size_t)(B * T * G) * sizeof(float) + 64);
  if (dinner == NULL) return 0;
  if (B > 0 && T > 0 && U > 0) {
    float *RT = transposed(R, U, G);
    if (RT == NULL) {
      free(dinner);
      return 0;
    }
    bwd_job j = {{B, T, U, back, zero_out, mask, band_count(B, T, U, G)}, dout, ws, RT, dx, dinner, dh, NULL};
    kt_parallel(gru_backward_task, &j, j.s.chunks);
    free(RT);
  }
  if (dR != NULL) kt_sgemm_batched(1, U, G, B * T, 1, 0, ws + B * T * (G + U), 0, dinner, 0, dR);
  if (db != NULL) {
    if (B * T > 0) kt_reduce_f32(0, dinner, db, 1, B * T, G);
    else memset(db, 0, (size_t)G * sizeof(float));
  }
  free(dinner);
  return 1;
}
