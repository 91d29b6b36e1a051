/*
 * Max and average pooling, forward and backward (contracts on maxPoolForward ... avgPoolBackward
 * in src/backend/fused_kernels.ts), 1 to 3 spatial axes seen as 3, either data format.
 *
 * A table gives, for every (output position, window tap), the input position read (-1 in the
 * padding). Channels last, each position's channels are one vector loop per tap; channels first,
 * each channel plane is walked position by position. Sums and the order in which gradients add
 * up follow the reference kernels, so the results are theirs bit for bit: window sums in double,
 * in tap order; max pooling keeps the first NaN, else the first maximum. Threads take images
 * (channels last) or channel planes (channels first).
 *
 * Pooling backward is memory bound (mnist_convnet's first pool: an 11 MB input). Where windows do
 * not overlap (stride >= pool size, the usual case), every input element gets its gradient from
 * at most one window, so the windows' elements are written outright and only the elements no
 * window covers are zeroed, instead of a zeroing pass over dx followed by read-add-write: one
 * pass over dx instead of three (26x26x32, batch 128: 2.1 -> 1.2 ms).
 */
#include "kt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const kt_pool_geom *g;
  long P, S, T;
  int32_t *reads;
  /* In-bounds taps of each output position. */
  float *counts;
  /* Windows overlap (some stride < pool size); else the input positions no window covers. */
  int overlap;
  int32_t *holes;
  long nholes;
} pool_plan;

static void plan_free(pool_plan *pl) {
  free(pl->reads);
  free(pl->counts);
  free(pl->holes);
  pl->reads = NULL;
  pl->counts = NULL;
  pl->holes = NULL;
}

static int plan_init(pool_plan *pl, const kt_pool_geom *g) {
  pl->holes = NULL;
  pl->g = g;
  pl->P = g->out[0] * g->out[1] * g->out[2];
  pl->S = g->in[0] * g->in[1] * g->in[2];
  pl->T = g->k[0] * g->k[1] * g->k[2];
  pl->reads = (int32_t *)malloc((size_t)(pl->P * pl->T + 1) * sizeof(int32_t));
  pl->counts = (float *)malloc((size_t)(pl->P + 1) * sizeof(float));
  if (pl->reads == NULL || pl->counts == NULL) {
    plan_free(pl);
    return 0;
  }
  int32_t *r = pl->reads;
  long p = 0;
  for (long z = 0; z < g->out[0]; z++)
    for (long y = 0; y < g->out[1]; y++)
      for (long x = 0; x < g->out[2]; x++, p++) {
        long count = 0;
        for (long a = 0; a < g->k[0]; a++) {
          long iz = z * g->stride[0] + a - g->pad[0];
          for (long b = 0; b < g->k[1]; b++) {
            long iy = y * g->stride[1] + b - g->pad[1];
            for (long c = 0; c < g->k[2]; c++) {
              long ix = x * g->stride[2] + c - g->pad[2];
              int in = iz >= 0 && iz < g->in[0] && iy >= 0 && iy < g->in[1] && ix >= 0 && ix < g->in[2];
              *r++ = in ? (int32_t)((iz * g->in[1] + iy) * g->in[2] + ix) : -1;
              count += in;
            }
          }
        }
        pl->counts[p] = (float)count;
      }
  pl->overlap = 0;
  for (int d = 0; d < 3; d++) pl->overlap = pl->overlap || g->stride[d] < g->k[d];
  pl->holes = NULL;
  pl->nholes = 0;
  if (!pl->overlap) {
    uint8_t *covered = (uint8_t *)calloc((size_t)pl->S + 1, 1);
    pl->holes = (int32_t *)malloc((size_t)(pl->S + 1) * sizeof(int32_t));
    if (covered == NULL || pl->holes == NULL) {
      free(covered);
      plan_free(pl);
      return 0;
    }
    for (long i = 0; i < pl->P * pl->T; i++)
      if (pl->reads[i] >= 0) covered[pl->reads[i]] = 1;
    for (long i = 0; i < pl->S; i++)
      if (!covered[i]) pl->holes[pl->nholes++] = (int32_t)i;
    free(covered);
  }
  return 1;
}

typedef struct {
  const pool_plan *pl;
  const float *x, *dout;
  float *out;
  int mode; /* 0 max forward, 1 max backward, 2 avg forward, 3 avg backward */
  int failed;
} pool_job;

/* ---- channels last: one image per call, vector loops over the C channels ---- */

static inline void max_last_body(const pool_plan *pl, const float *KT_RESTRICT x, float *KT_RESTRICT out, long C) {
  for (long p = 0; p < pl->P; p++) {
    const int32_t *r = pl->reads + p * pl->T;
    float *o = out + p * C;
    int first = 1;
    for (long t = 0; t < pl->T; t++) {
      if (r[t] < 0) continue;
      const float *v = x + (long)r[t] * C;
      if (first) {
        for (long c = 0; c < C; c++) o[c] = v[c];
        first = 0;
      } else {
        /* Keep a NaN once there; take a NaN or a larger value otherwise. */
        for (long c = 0; c < C; c++) {
          float b = o[c], a = v[c];
          o[c] = (b == b && (a > b || a != a)) ? a : b;
        }
      }
    }
    if (first) for (long c = 0; c < C; c++) o[c] = -INFINITY;
  }
}
KT_ISA_DISPATCH(max_last, (const pool_plan *pl, const float *x, float *out, long C), (pl, x, out, C))

/*
 * dOut of each position added to the element its window chose. Vector loops only: the window's
 * maximum first (as the forward pass), then a second walk over the taps gives each channel's dOut
 * to the first tap holding that maximum (`done` marks the channels served), instead of a scatter
 * through per-channel indices, which does not vectorize (4x slower on 26x26x32).
 */
static inline void max_back_last_body(const pool_plan *pl, const float *KT_RESTRICT x, const float *KT_RESTRICT dout, float *KT_RESTRICT dx, long C,
                                      float *KT_RESTRICT best, float *KT_RESTRICT done, int assign) {
  for (long p = 0; p < pl->P; p++) {
    const int32_t *r = pl->reads + p * pl->T;
    int first = 1;
    for (long t = 0; t < pl->T; t++) {
      if (r[t] < 0) continue;
      const float *v = x + (long)r[t] * C;
      if (first) {
        for (long c = 0; c < C; c++) best[c] = v[c];
        first = 0;
      } else {
        for (long c = 0; c < C; c++) {
          float b = best[c], a = v[c];
          best[c] = (b == b && (a > b || a != a)) ? a : b;
        }
      }
    }
    if (first) continue;
    const float *d = dout + p * C;
    for (long c = 0; c < C; c++) done[c] = 0.0f;
    for (long t = 0; t < pl->T; t++) {
      if (r[t] < 0) continue;
      const float *v = x + (long)r[t] * C;
      float *o = dx + (long)r[t] * C;
      /* Assigned: 0 + g, as the reference's accumulation from zero gives (+0 for a -0 gradient). */
      if (assign) {
        for (long c = 0; c < C; c++) {
          float b = best[c], a = v[c];
          int hit = done[c] == 0.0f && (a == b || (a != a && b != b));
          o[c] = hit ? 0.0f + d[c] : 0.0f;
          done[c] = hit ? 1.0f : done[c];
        }
      } else {
        for (long c = 0; c < C; c++) {
          float b = best[c], a = v[c];
          int hit = done[c] == 0.0f && (a == b || (a != a && b != b));
          o[c] += hit ? d[c] : 0.0f;
          done[c] = hit ? 1.0f : done[c];
        }
      }
    }
  }
}
KT_ISA_DISPATCH(max_back_last, (const pool_plan *pl, const float *x, const float *dout, float *dx, long C, float *best, float *done, int assign),
                (pl, x, dout, dx, C, best, done, assign))

static inline void avg_last_body(const pool_plan *pl, const float *KT_RESTRICT x, float *KT_RESTRICT out, long C, double *KT_RESTRICT acc) {
  for (long p = 0; p < pl->P; p++) {
    const int32_t *r = pl->reads + p * pl->T;
    for (long c = 0; c < C; c++) acc[c] = 0;
    for (long t = 0; t < pl->T; t++) {
      if (r[t] < 0) continue;
      const float *v = x + (long)r[t] * C;
      for (long c = 0; c < C; c++) acc[c] += v[c];
    }
    float count = pl->counts[p];
    float *o = out + p * C;
    for (long c = 0; c < C; c++) o[c] = (float)acc[c] / count;
  }
}
KT_ISA_DISPATCH(avg_last, (const pool_plan *pl, const float *x, float *out, long C, double *acc), (pl, x, out, C, acc))

static inline void avg_back_last_body(const pool_plan *pl, const float *KT_RESTRICT dout, float *KT_RESTRICT dx, long C, float *KT_RESTRICT share, int assign) {
  for (long p = 0; p < pl->P; p++) {
    const int32_t *r = pl->reads + p * pl->T;
    const float *d = dout + p * C;
    float count = pl->counts[p];
    for (long c = 0; c < C; c++) share[c] = d[c] / count;
    for (long t = 0; t < pl->T; t++) {
      if (r[t] < 0) continue;
      float *o = dx + (long)r[t] * C;
      if (assign) for (long c = 0; c < C; c++) o[c] = 0.0f + share[c];
      else for (long c = 0; c < C; c++) o[c] += share[c];
    }
  }
}
KT_ISA_DISPATCH(avg_back_last, (const pool_plan *pl, const float *dout, float *dx, long C, float *share, int assign), (pl, dout, dx, C, share, assign))

/* ---- channels first: one channel plane per call ---- */

/* One channel plane; `assign` as in the channels-last loops (backward, windows not overlapping). */
static void plane(const pool_plan *pl, int mode, const float *x, const float *dout, float *out, int assign) {
  const long T = pl->T;
  for (long p = 0; p < pl->P; p++) {
    const int32_t *r = pl->reads + p * T;
    if (mode == 0 || mode == 1) {
      long best = -1;
      float b = -INFINITY;
      for (long t = 0; t < T; t++) {
        if (r[t] < 0) continue;
        float a = x[r[t]];
        if (best < 0 || (b == b && (a > b || a != a))) {
          best = r[t];
          b = a;
        }
      }
      if (mode == 0) out[p] = b;
      else if (assign) {
        for (long t = 0; t < T; t++)
          if (r[t] >= 0) out[r[t]] = r[t] == best ? 0.0f + dout[p] : 0.0f;
      } else if (best >= 0) {
        out[best] += dout[p];
      }
    } else if (mode == 2) {
      double acc = 0;
      for (long t = 0; t < T; t++)
        if (r[t] >= 0) acc += x[r[t]];
      out[p] = (float)acc / pl->counts[p];
    } else {
      float share = dout[p] / pl->counts[p];
      for (long t = 0; t < T; t++)
        if (r[t] >= 0) {
          if (assign) out[r[t]] = 0.0f + share;
          else out[r[t]] += share;
        }
    }
  }
}

/* Before a backward pass: all of dx zeroed (windows overlap, gradients add up), or only the
 * elements no window covers (the windows' elements are then assigned). Returns `assign`. */
static int clear_gradient(const pool_plan *pl, float *dx, long channels) {
  if (pl->overlap) {
    memset(dx, 0, (size_t)(pl->S * channels) * sizeof(float));
    return 0;
  }
  for (long h = 0; h < pl->nholes; h++) memset(dx + (long)pl->holes[h] * channels, 0, (size_t)channels * sizeof(float));
  return 1;
}

static __thread float *s_f;
static __thread size_t s_fn;
static __thread double *s_d;
static __thread size_t s_dn;

static void pool_task(void *ctx, long task, int thread) {
  (void)thread;
  pool_job *j = (pool_job *)ctx;
  const pool_plan *pl = j->pl;
  const kt_pool_geom *g = pl->g;
  const long C = g->channels;
  int backward = j->mode == 1 || j->mode == 3;
  if (g->channels_first) {
    /* task = one (image, channel) plane */
    const float *x = j->x != NULL ? j->x + task * pl->S : NULL;
    const float *dout = j->dout != NULL ? j->dout + task * pl->P : NULL;
    float *out = j->out + task * (backward ? pl->S : pl->P);
    int assign = backward && clear_gradient(pl, out, 1);
    plane(pl, j->mode, x, dout, out, assign);
    return;
  }
  const float *x = j->x != NULL ? j->x + task * pl->S * C : NULL;
  const float *dout = j->dout != NULL ? j->dout + task * pl->P * C : NULL;
  float *out = j->out + task * (backward ? pl->S : pl->P) * C;
  int assign = backward && clear_gradient(pl, out, C);
  if (s_fn < (size_t)C * 2) {
    free(s_f);
    s_f = (float *)malloc((size_t)C * 2 * sizeof(float) + 64);
    s_fn = s_f ? (size_t)C * 2 : 0;
  }
  if (s_dn < (size_t)C) {
    free(s_d);
    s_d = (double *)malloc((size_t)C * sizeof(double) + 64);
    s_dn = s_d ? (size_t)C : 0;
  }
  if (s_f == NULL || s_d == NULL) {
    j->failed = 1;
    return;
  }
  switch (j->mode) {
    case 0: max_last(pl, x, out, C); break;
    case 1: max_back_last(pl, x, dout, out, C, s_f, s_f + C, assign); break;
    case 2: avg_last(pl, x, out, C, s_d); break;
    default: avg_back_last(pl, dout, out, C, s_f, assign); break;
  }
}

static int run(const kt_pool_geom *g, int mode, const float *x, const float *dout, float *out) {
  pool_plan pl;
  if (!plan_init(&pl, g)) return 0;
  long tasks = g->channels_first ? g->batch * g->channels : g->batch;
  int backward = mode == 1 || mode == 3;
  pool_job j = {&pl, x, dout, out, mode, 0};
  if (tasks > 0 && (backward ? pl.S : pl.P) > 0) kt_parallel(pool_task, &j, tasks);
  plan_free(&pl);
  return !j.failed;
}

int kt_max_pool_forward(const float *x, float *out, const kt_pool_geom *g) { return run(g, 0, x, NULL, out); }
int kt_max_pool_backward(const float *dout, const float *x, float *dx, const kt_pool_geom *g) { return run(g, 1, x, dout, dx); }
int kt_avg_pool_forward(const float *x, float *out, const kt_pool_geom *g) { return run(g, 2, x, NULL, out); }
int kt_avg_pool_backward(const float *dout, float *dx, const kt_pool_geom *g) { return run(g, 3, NULL, dout, dx); }
