/*
 * Convolution forward and backward (contracts on convForward / convBackward in
 * src/backend/fused_kernels.ts), 1 to 3 spatial axes seen as 3, any strides, dilation, padding
 * and feature groups, either data format.
 *
 * The arithmetic is the packed GEMM (gemm.c, every ISA): a block of output positions has its
 * patches copied into a [positions, taps * channels] matrix (im2col) in per-thread scratch sized
 * to stay in L2, one GEMM per group multiplies it by the kernel's columns straight into the
 * output rows, and the bias and activation are applied to those rows while they are in cache.
 * The backward pass takes, per image, dZ (the activation's gradient from the saved output), the
 * kernel gradient as patchesᵀ @ dZ summed into per-thread accumulators, and the input gradient
 * as dZ @ Wᵀ scattered back over the patches' positions (col2im). 1x1 convolutions with stride 1
 * and no padding skip the patch matrix altogether. Depthwise convolutions (one input channel per
 * group) run a direct loop over channels instead of one tiny GEMM per channel.
 *
 * A direct kernel (a 12 x 32 register tile of output pixels x channels broadcasting from the
 * padded image in place, no patch matrix; 6 x 16 on AVX2) was measured against this on Zen 5, one
 * thread, 3x3 convs: AVX-512 forward 239 vs 222 GFLOP/s at 64 -> 64 channels 32x32 "same", equal
 * at 30x30 "valid", slower at 13x13 (169 vs 211: rows of 11 leave narrow tiles) and on one input
 * channel (63 vs 78); AVX2 104 vs 122 with the AVX2 GEMM. So every shape takes im2col + GEMM.
 *
 * Channels-first images are transposed to channels last in scratch on the way in (and back on the
 * way out). Threads take whole images (forward: blocks of positions of an image too); every
 * thread owns its scratch, so no task waits on another.
 */
#include "kt.h"
#include "ew_ops.h"

#include <stdlib.h>
#include <string.h>

enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_SIGMOID = 2, ACT_TANH = 3 };

/* Patch matrices of about this many floats per block (256 KB): with the kernel's columns they
 * stay in a 1 MB L2 while the GEMM runs. */
#define PATCH_BLOCK_FLOATS 65536L

typedef struct {
  const kt_conv_geom *g;
  long P, S, T, cg, og, K;
  long pblk, nblk;
  int pointwise;
  /* For each (output position, tap), the input position read, or -1 in the padding. */
  int32_t *reads;
} conv_plan;

/* ------------------------------------------------------------------ scratch (per thread) */

typedef struct {
  float *p;
  size_t n;
} buf;

static __thread buf s_patch, s_in, s_out, s_dz, s_t, s_tmp;

/* Grown as needed; given back when a call needs far less than a much earlier one did, so one
 * large image does not keep its scratch for good. */
static float *grow(buf *b, size_t need) {
  if (b->n < need || (b->n > ((size_t)1 << 22) && need < b->n / 8)) {
    free(b->p);
    size_t bytes = ((need * sizeof(float) + 63) / 64) * 64;
    b->p = (float *)aligned_alloc(64, bytes);
    b->n = b->p ? need : 0;
  }
  return b->p;
}

/* ------------------------------------------------------------------ geometry */

static int plan_init(conv_plan *pl, const kt_conv_geom *g) {
  pl->g = g;
  pl->P = g->out[0] * g->out[1] * g->out[2];
  pl->S = g->in[0] * g->in[1] * g->in[2];
  pl->T = g->k[0] * g->k[1] * g->k[2];
  pl->cg = g->cin / g->groups;
  pl->og = g->cout / g->groups;
  pl->K = pl->T * pl->cg;
  long per = pl->K > 0 ? PATCH_BLOCK_FLOATS / pl->K : pl->P;
  if (per < 16) per = 16;
  pl->pblk = per < pl->P ? per : pl->P;
  pl->nblk = pl->pblk > 0 ? (pl->P + pl->pblk - 1) / pl->pblk : 0;
  pl->pointwise = pl->T == 1 && g->groups == 1 && pl->S == pl->P;
  for (int d = 0; d < 3; d++) pl->pointwise = pl->pointwise && g->stride[d] == 1 && g->pad[d] == 0 && g->in[d] == g->out[d];
  pl->reads = NULL;
  if (pl->pointwise || pl->P * pl->T == 0) return 1;
  pl->reads = (int32_t *)malloc((size_t)(pl->P * pl->T) * sizeof(int32_t));
  if (pl->reads == NULL) return 0;
  int32_t *r = pl->reads;
  for (long z = 0; z < g->out[0]; z++)
    for (long y = 0; y < g->out[1]; y++)
      for (long x = 0; x < g->out[2]; x++)
        for (long a = 0; a < g->k[0]; a++) {
          long iz = z * g->stride[0] + a * g->dil[0] - g->pad[0];
          for (long b = 0; b < g->k[1]; b++) {
            long iy = y * g->stride[1] + b * g->dil[1] - g->pad[1];
            for (long c = 0; c < g->k[2]; c++) {
              long ix = x * g->stride[2] + c * g->dil[2] - g->pad[2];
              int in = iz >= 0 && iz < g->in[0] && iy >= 0 && iy < g->in[1] && ix >= 0 && ix < g->in[2];
              *r++ = in ? (int32_t)((iz * g->in[1] + iy) * g->in[2] + ix) : -1;
            }
          }
        }
  return 1;
}

/* ------------------------------------------------------------------ vector loops (per ISA) */

/* Patches of positions [p0, p1) of group g: row p - p0 holds, tap by tap, the cg channels read. */
static inline void im2col_body(const conv_plan *pl, const float *KT_RESTRICT img, long g, long p0, long p1, float *KT_RESTRICT patches) {
  const long T = pl->T, cg = pl->cg, cin = pl->g->cin, K = pl->K;
  const float *src0 = img + g * cg;
  if (cg == 1) {
    /* One channel (a first layer on grey images): one value per tap, not a copy call each. */
    for (long p = p0; p < p1; p++) {
      const int32_t *r = pl->reads + p * T;
      float *dst = patches + (p - p0) * K;
      for (long t = 0; t < T; t++) dst[t] = r[t] < 0 ? 0.0f : src0[(long)r[t] * cin];
    }
    return;
  }
  for (long p = p0; p < p1; p++) {
    const int32_t *r = pl->reads + p * T;
    float *dst = patches + (p - p0) * K;
    for (long t = 0; t < T; t++, dst += cg) {
      if (r[t] < 0) {
        for (long c = 0; c < cg; c++) dst[c] = 0.0f;
      } else {
        const float *src = src0 + (long)r[t] * cin;
        for (long c = 0; c < cg; c++) dst[c] = src[c];
      }
    }
  }
}
KT_ISA_DISPATCH(im2col, (const conv_plan *pl, const float *img, long g, long p0, long p1, float *patches), (pl, img, g, p0, p1, patches))

/* Adjoint of im2col: the patch gradients added into the image gradient. */
static inline void col2im_body(const conv_plan *pl, const float *KT_RESTRICT dpatches, long g, long p0, long p1, float *KT_RESTRICT dimg) {
  const long T = pl->T, cg = pl->cg, cin = pl->g->cin, K = pl->K;
  float *dst0 = dimg + g * cg;
  if (cg == 1) {
    for (long p = p0; p < p1; p++) {
      const int32_t *r = pl->reads + p * T;
      const float *src = dpatches + (p - p0) * K;
      for (long t = 0; t < T; t++)
        if (r[t] >= 0) dst0[(long)r[t] * cin] += src[t];
    }
    return;
  }
  for (long p = p0; p < p1; p++) {
    const int32_t *r = pl->reads + p * T;
    const float *src = dpatches + (p - p0) * K;
    for (long t = 0; t < T; t++, src += cg) {
      if (r[t] < 0) continue;
      float *dst = dst0 + (long)r[t] * cin;
      for (long c = 0; c < cg; c++) dst[c] += src[c];
    }
  }
}
KT_ISA_DISPATCH(col2im, (const conv_plan *pl, const float *dpatches, long g, long p0, long p1, float *dimg), (pl, dpatches, g, p0, p1, dimg))

/* rows [m, n] += bias (per column), or += the column sums of rows into acc (per column). */
static inline void add_rows_body(float *KT_RESTRICT rows, const float *KT_RESTRICT bias, long m, long n) {
  for (long r = 0; r < m; r++) {
    float *row = rows + r * n;
    for (long c = 0; c < n; c++) row[c] = row[c] + bias[c];
  }
}
KT_ISA_DISPATCH(add_rows, (float *rows, const float *bias, long m, long n), (rows, bias, m, n))

static inline void column_sums_body(const float *KT_RESTRICT rows, float *KT_RESTRICT acc, long m, long n) {
  for (long r = 0; r < m; r++) {
    const float *row = rows + r * n;
    for (long c = 0; c < n; c++) acc[c] += row[c];
  }
}
KT_ISA_DISPATCH(column_sums, (const float *rows, float *acc, long m, long n), (rows, acc, m, n))

/* acc[r * lda + c] += src[r * n + c] for an [m, n] block. */
static inline void add_block_body(float *KT_RESTRICT acc, long lda, const float *KT_RESTRICT src, long m, long n) {
  for (long r = 0; r < m; r++)
    for (long c = 0; c < n; c++) acc[r * lda + c] += src[r * n + c];
}
KT_ISA_DISPATCH(add_block, (float *acc, long lda, const float *src, long m, long n), (acc, lda, src, m, n))

/*
 * Depthwise (one input channel per group, og = cout / cin outputs each): out[p, c*og + j] =
 * Σ_t x[r(p,t), c] * w[t, c*og + j] over positions [p0, p1), a vector loop over channels.
 */
static inline void dw_forward_body(const conv_plan *pl, const float *KT_RESTRICT img, const float *KT_RESTRICT w, long p0, long p1, float *KT_RESTRICT out) {
  const long T = pl->T, cin = pl->g->cin, cout = pl->g->cout, og = pl->og;
  for (long p = p0; p < p1; p++) {
    float *o = out + (p - p0) * cout;
    for (long c = 0; c < cout; c++) o[c] = 0.0f;
    const int32_t *r = pl->reads + p * T;
    for (long t = 0; t < T; t++) {
      if (r[t] < 0) continue;
      const float *xr = img + (long)r[t] * cin;
      const float *wt = w + t * cout;
      if (og == 1) for (long c = 0; c < cout; c++) o[c] += xr[c] * wt[c];
      else for (long c = 0; c < cout; c++) o[c] += xr[c / og] * wt[c];
    }
  }
}
KT_ISA_DISPATCH(dw_forward, (const conv_plan *pl, const float *img, const float *w, long p0, long p1, float *out), (pl, img, w, p0, p1, out))

/* Depthwise backward over positions [p0, p1): dimg += dZ · w per tap, dw += x · dZ per tap. */
static inline void dw_backward_body(const conv_plan *pl, const float *KT_RESTRICT img, const float *KT_RESTRICT w, const float *KT_RESTRICT dz, long p0, long p1,
                                    float *KT_RESTRICT dimg, float *KT_RESTRICT dw) {
  const long T = pl->T, cin = pl->g->cin, cout = pl->g->cout, og = pl->og;
  for (long p = p0; p < p1; p++) {
    const float *d = dz + p * cout;
    const int32_t *r = pl->reads + p * T;
    for (long t = 0; t < T; t++) {
      if (r[t] < 0) continue;
      if (dimg != NULL) {
        float *dx = dimg + (long)r[t] * cin;
        const float *wt = w + t * cout;
        if (og == 1) for (long c = 0; c < cout; c++) dx[c] += d[c] * wt[c];
        else for (long c = 0; c < cout; c++) dx[c / og] += d[c] * wt[c];
      }
      if (dw != NULL) {
        const float *xr = img + (long)r[t] * cin;
        float *dwt = dw + t * cout;
        if (og == 1) for (long c = 0; c < cout; c++) dwt[c] += xr[c] * d[c];
        else for (long c = 0; c < cout; c++) dwt[c] += xr[c / og] * d[c];
      }
    }
  }
}
KT_ISA_DISPATCH(dw_backward, (const conv_plan *pl, const float *img, const float *w, const float *dz, long p0, long p1, float *dimg, float *dw),
                (pl, img, w, dz, p0, p1, dimg, dw))

static int depthwise(const conv_plan *pl) { return pl->cg == 1 && pl->g->groups > 1; }

/* bias and activation over an [m, n] block of output rows. */
static void epilogue(float *rows, const float *bias, long m, long n, int act) {
  if (bias != NULL) add_rows(rows, bias, m, n);
  const ew_table *t = kt_ew();
  if (act == ACT_RELU) t->unary_f32(U_RELU, rows, rows, m * n);
  else if (act == ACT_SIGMOID) t->unary_f32(U_SIGMOID, rows, rows, m * n);
  else if (act == ACT_TANH) t->unary_f32(U_TANH, rows, rows, m * n);
}

/* ------------------------------------------------------------------ forward */

typedef struct {
  const conv_plan *pl;
  const float *x, *w, *bias;
  float *out;
  int act;
  long blocks_per_task; /* nblk for channels first (whole images), else 1 */
  int failed;
} fwd_job;

/* Output rows [p0, p1) of one channels-last image into dst (rows of cout). */
static int forward_block(const conv_plan *pl, const float *img, const float *w, long p0, long p1, float *dst) {
  const kt_conv_geom *g = pl->g;
  long pb = p1 - p0;
  if (pl->pointwise) {
    kt_sgemm(0, 0, pb, g->cout, g->cin, img + p0 * g->cin, g->cin, w, g->cout, dst, g->cout);
    return 1;
  }
  if (depthwise(pl)) {
    dw_forward(pl, img, w, p0, p1, dst);
    return 1;
  }
  float *patches = grow(&s_patch, (size_t)(pl->pblk * pl->K));
  if (patches == NULL) return 0;
  for (long gi = 0; gi < g->groups; gi++) {
    im2col(pl, img, gi, p0, p1, patches);
    kt_sgemm(0, 0, pb, pl->og, pl->K, patches, pl->K, w + gi * pl->og, g->cout, dst + gi * pl->og, g->cout);
  }
  return 1;
}

static void fwd_task(void *ctx, long task, int thread) {
  (void)thread;
  fwd_job *j = (fwd_job *)ctx;
  const conv_plan *pl = j->pl;
  const kt_conv_geom *g = pl->g;
  long n = task / (pl->nblk / j->blocks_per_task);
  long b0 = (task % (pl->nblk / j->blocks_per_task)) * j->blocks_per_task;
  const float *img = j->x + n * pl->S * g->cin;
  float *dst = j->out + n * pl->P * g->cout;
  if (g->channels_first) {
    float *t = grow(&s_in, (size_t)(pl->S * g->cin));
    dst = grow(&s_out, (size_t)(pl->P * g->cout));
    if (t == NULL || dst == NULL) {
      j->failed = 1;
      return;
    }
    kt_transpose_f32(img, g->cin, pl->S, pl->S, t, g->cin);
    img = t;
  }
  for (long b = b0; b < b0 + j->blocks_per_task; b++) {
    long p0 = b * pl->pblk, p1 = p0 + pl->pblk < pl->P ? p0 + pl->pblk : pl->P;
    if (!forward_block(pl, img, j->w, p0, p1, dst + p0 * g->cout)) {
      j->failed = 1;
      return;
    }
    epilogue(dst + p0 * g->cout, j->bias, p1 - p0, g->cout, j->act);
  }
  if (g->channels_first) kt_transpose_f32(dst, pl->P, g->cout, g->cout, j->out + n * pl->P * g->cout, pl->P);
}

int kt_conv_forward(const float *x, const float *w, const float *bias, float *out, const kt_conv_geom *g, int act) {
  conv_plan pl;
  if (!plan_init(&pl, g)) return 0;
  if (g->batch * pl.P * g->cout == 0) {
    free(pl.reads);
    return 1;
  }
  fwd_job j = {&pl, x, w, bias, out, act, g->channels_first ? pl.nblk : 1, 0};
  long ntasks = g->batch * (pl.nblk / j.blocks_per_task);
  kt_parallel(fwd_task, &j, ntasks);
  free(pl.reads);
  return !j.failed;
}

/* ------------------------------------------------------------------ backward */

typedef struct {
  const conv_plan *pl;
  const float *dout, *out, *x, *w;
  /* The kernel's columns of each group transposed, [groups][og][K]: dZ Wᵀ as a plain product. */
  const float *wt;
  int act;
  float *dx;
  float *dw_acc, *db_acc; /* per thread: [threads][w size], [threads][cout] */
  long wsize;
  int failed;
} bwd_job;

static void bwd_task(void *ctx, long n, int thread) {
  bwd_job *j = (bwd_job *)ctx;
  const conv_plan *pl = j->pl;
  const kt_conv_geom *g = pl->g;
  const long P = pl->P, S = pl->S, cin = g->cin, cout = g->cout, og = pl->og, K = pl->K;
  const int cf = g->channels_first;
  /* dZ of this image, channels last. */
  const float *dout = j->dout + n * P * cout;
  const float *out = j->out != NULL ? j->out + n * P * cout : NULL;
  if (cf) {
    float *t = grow(&s_t, (size_t)(P * cout));
    if (t == NULL) goto oom;
    kt_transpose_f32(dout, cout, P, P, t, cout);
    dout = t;
    if (j->act != ACT_LINEAR) {
      float *o = grow(&s_out, (size_t)(P * cout));
      if (o == NULL) goto oom;
      kt_transpose_f32(out, cout, P, P, o, cout);
      out = o;
    }
  }
  const float *dz = dout;
  if (j->act != ACT_LINEAR) {
    float *d = grow(&s_dz, (size_t)(P * cout));
    if (d == NULL) goto oom;
    kt_activation_grad(dout, out, d, P * cout, j->act);
    dz = d;
  }
  if (j->db_acc != NULL) column_sums(dz, j->db_acc + (long)thread * cout, P, cout);
  float *dw = j->dw_acc != NULL ? j->dw_acc + (long)thread * j->wsize : NULL;
  const float *img = NULL;
  if (dw != NULL) {
    img = j->x + n * S * cin;
    if (cf) {
      float *t = grow(&s_in, (size_t)(S * cin));
      if (t == NULL) goto oom;
      kt_transpose_f32(img, cin, S, S, t, cin);
      img = t;
    }
  }
  float *dimg = NULL;
  if (j->dx != NULL) {
    dimg = j->dx + n * S * cin;
    if (cf) {
      /* s_out held the transposed forward output, which dZ no longer needs. */
      dimg = grow(&s_out, (size_t)(S * cin));
      if (dimg == NULL) goto oom;
    }
    if (!pl->pointwise) memset(dimg, 0, (size_t)(S * cin) * sizeof(float));
  }
  if (pl->pointwise) {
    /* dW += xᵀ dZ, dX = dZ Wᵀ: the patches are the image itself. */
    if (dw != NULL) {
      float *tmp = grow(&s_tmp, (size_t)(cin * cout));
      if (tmp == NULL) goto oom;
      kt_sgemm(1, 0, cin, cout, P, img, cin, dz, cout, tmp, cout);
      add_block(dw, cout, tmp, cin, cout);
    }
    if (dimg != NULL) kt_sgemm(0, 1, P, cin, cout, dz, cout, j->w, cout, dimg, cin);
  } else if (depthwise(pl)) {
    dw_backward(pl, img, j->w, dz, 0, P, dimg, dw);
  } else {
    float *patches = grow(&s_patch, (size_t)(pl->pblk * K));
    float *tmp = grow(&s_tmp, (size_t)(K * og > pl->pblk * K ? K * og : pl->pblk * K));
    if (patches == NULL || tmp == NULL) goto oom;
    for (long b = 0; b < pl->nblk; b++) {
      long p0 = b * pl->pblk, p1 = p0 + pl->pblk < P ? p0 + pl->pblk : P, pb = p1 - p0;
      for (long gi = 0; gi < g->groups; gi++) {
        const float *dzg = dz + p0 * cout + gi * og;
        if (dw != NULL) {
          im2col(pl, img, gi, p0, p1, patches);
          kt_sgemm(1, 0, K, og, pb, patches, K, dzg, cout, tmp, og);
          add_block(dw + gi * og, cout, tmp, K, og);
        }
        if (dimg != NULL) {
          kt_sgemm(0, 0, pb, K, og, dzg, cout, j->wt + gi * og * K, K, patches, K);
          col2im(pl, patches, gi, p0, p1, dimg);
        }
      }
    }
  }
  if (dimg != NULL && cf) kt_transpose_f32(dimg, S, cin, cin, j->dx + n * S * cin, S);
  return;
oom:
  j->failed = 1;
}

int kt_conv_backward(const float *dout, const float *out, const float *x, const float *w, const kt_conv_geom *g, int act,
                     float *dx, float *dw, float *db) {
  conv_plan pl;
  if (!plan_init(&pl, g)) return 0;
  long wsize = pl.T * pl.cg * g->cout;
  bwd_job j = {&pl, dout, out, x, w, NULL, act, dx, NULL, NULL, wsize, 0};
  float *wt = NULL;
  if (dx != NULL && !pl.pointwise && !depthwise(&pl) && wsize > 0) {
    /* w is [K, cout]; group g's columns transposed: wt[g][j][k] = w[k][g * og + j]. */
    if ((wt = (float *)malloc((size_t)wsize * sizeof(float))) == NULL) goto oom;
    for (long gi = 0; gi < g->groups; gi++) kt_transpose_f32(w + gi * pl.og, pl.K, pl.og, g->cout, wt + gi * pl.og * pl.K, pl.K);
    j.wt = wt;
  }
  if (dw != NULL && (j.dw_acc = (float *)calloc((size_t)(kt_num_threads() * wsize + 1), sizeof(float))) == NULL) goto oom;
  if (db != NULL && (j.db_acc = (float *)calloc((size_t)(kt_num_threads() * g->cout + 1), sizeof(float))) == NULL) goto oom;
  if (dx != NULL && (g->batch * pl.P * g->cout == 0 || pl.K == 0)) memset(dx, 0, (size_t)(g->batch * pl.S * g->cin) * sizeof(float));
  if (g->batch * pl.P * g->cout > 0) kt_parallel(bwd_task, &j, g->batch);
  if (j.failed) goto oom;
  /* Per-thread partial sums, added in thread order. */
  int nt = kt_num_threads();
  if (dw != NULL) {
    memcpy(dw, j.dw_acc, (size_t)wsize * sizeof(float));
    for (int t = 1; t < nt; t++) add_block(dw, wsize, j.dw_acc + (long)t * wsize, 1, wsize);
  }
  if (db != NULL) {
    memcpy(db, j.db_acc, (size_t)g->cout * sizeof(float));
    for (int t = 1; t < nt; t++) add_block(db, g->cout, j.db_acc + (long)t * g->cout, 1, g->cout);
  }
  free(wt);
  free(j.dw_acc);
  free(j.db_acc);
  free(pl.reads);
  return 1;
oom:
  free(wt);
  free(j.dw_acc);
  free(j.db_acc);
  free(pl.reads);
  return 0;
}
