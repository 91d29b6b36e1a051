/*
 * Layout kernels: one strided box copy (general transposes, broadcasts, slices, reversals and the
 * interior of a padding), concatenation, running sums / products, and the scatter / gather kernels
 * along an axis. Copies move element bits (NaN payloads and -0 included); the arithmetic ones
 * follow the reference kernels' order and conversions.
 */
#include "kt.h"
#include "kt_ext.h"

#include <string.h>

/* ---------------------------------------------------------------- strided box copy */
typedef struct {
  const char *src;
  char *dst;
  int es;
  int rank; /* outer axes, walked by an odometer */
  long dims[KT_MAX_RANK], ss[KT_MAX_RANK], ds[KT_MAX_RANK];
  long inner, sin, din;
  /* tile: an outer axis read with unit stride while the inner one is written with unit stride
   * (a transpose): copied as [inner, tile_n] blocks transposed in cache-sized tiles. */
  int tiled;
  long tile_n, tile_ds;
  long steps, chunks, parts;
} copy_job;

static void copy_run(const char *s, long sin, char *d, long din, long n, int es) {
  if (sin == 1 && din == 1) {
    memcpy(d, s, (size_t)n * es);
  } else if (es == 4) {
    const uint32_t *p = (const uint32_t *)s;
    uint32_t *o = (uint32_t *)d;
    if (sin == 0) {
      uint32_t v = *p;
      if (din == 1) for (long i = 0; i < n; i++) o[i] = v;
      else for (long i = 0; i < n; i++) o[i * din] = v;
    } else if (din == 1) {
      for (long i = 0; i < n; i++) o[i] = p[i * sin];
    } else {
      for (long i = 0; i < n; i++) o[i * din] = p[i * sin];
    }
  } else {
    const uint8_t *p = (const uint8_t *)s;
    uint8_t *o = (uint8_t *)d;
    if (sin == 0 && din == 1) memset(o, *p, (size_t)n);
    else for (long i = 0; i < n; i++) o[i * din] = p[i * sin];
  }
}

#define TILE 16
/* dst[c * ld + r] = src[r * ls + c] for r < rows, c < cols (1-byte elements). */
static void transpose_u8(const uint8_t *src, long rows, long cols, long ls, uint8_t *dst, long ld) {
  for (long r0 = 0; r0 < rows; r0 += TILE) {
    long r1 = r0 + TILE < rows ? r0 + TILE : rows;
    for (long c0 = 0; c0 < cols; c0 += TILE) {
      long c1 = c0 + TILE < cols ? c0 + TILE : cols;
      for (long c = c0; c < c1; c++)
        for (long r = r0; r < r1; r++) dst[c * ld + r] = src[r * ls + c];
    }
  }
}

static void copy_task(void *ctx, long task, int thread) {
  (void)thread;
  const copy_job *j = (const copy_job *)ctx;
  const int es = j->es;
  if (j->parts > 1) {
    /* One run split over the tasks. */
    long i0 = task * j->inner / j->parts, i1 = (task + 1) * j->inner / j->parts;
    if (i0 < i1) copy_run(j->src + i0 * j->sin * es, j->sin, j->dst + i0 * j->din * es, j->din, i1 - i0, es);
    return;
  }
  long s0 = task * j->steps / j->chunks, s1 = (task + 1) * j->steps / j->chunks;
  if (s0 >= s1) return;
  long counter[KT_MAX_RANK];
  long is = 0, id = 0, rem = s0;
  for (int d = j->rank - 1; d >= 0; d--) {
    counter[d] = rem % j->dims[d];
    rem /= j->dims[d];
    is += counter[d] * j->ss[d];
    id += counter[d] * j->ds[d];
  }
  for (long step = s0; step < s1; step++) {
    const char *s = j->src + is * es;
    char *d = j->dst + id * es;
    if (!j->tiled) copy_run(s, j->sin, d, j->din, j->inner, es);
    else if (es == 4) kt_transpose_f32((const float *)s, j->inner, j->tile_n, j->sin, (float *)d, j->tile_ds);
    else transpose_u8((const uint8_t *)s, j->inner, j->tile_n, j->sin, (uint8_t *)d, j->tile_ds);
    for (int d = j->rank - 1; d >= 0; d--) {
      counter[d]++;
      is += j->ss[d];
      id += j->ds[d];
      if (counter[d] < j->dims[d]) break;
      is -= j->ss[d] * j->dims[d];
      id -= j->ds[d] * j->dims[d];
      counter[d] = 0;
    }
  }
}

void kt_copy_strided(const void *src, long src_off, const long *ss, void *dst, long dst_off, const long *ds, const long *dims, int rank, int esize) {
  copy_job j;
  memset(&j, 0, sizeof j);
  j.src = (const char *)src + src_off * esize;
  j.dst = (char *)dst + dst_off * esize;
  j.es = esize;
  /* Drop size-1 axes; merge an axis into the next when both strides continue it. */
  long md[KT_MAX_RANK], ms[KT_MAX_RANK], mt[KT_MAX_RANK];
  int m = 0;
  for (int d = 0; d < rank; d++) {
    if (dims[d] == 0) return;
    if (dims[d] == 1) continue;
    if (m > 0 && ms[m - 1] == ss[d] * dims[d] && mt[m - 1] == ds[d] * dims[d]) {
      md[m - 1] *= dims[d];
      ms[m - 1] = ss[d];
      mt[m - 1] = ds[d];
    } else {
      md[m] = dims[d];
      ms[m] = ss[d];
      mt[m] = ds[d];
      m++;
    }
  }
  if (m == 0) {
    memcpy(j.dst, j.src, (size_t)esize);
    return;
  }
  j.inner = md[m - 1];
  j.sin = ms[m - 1];
  j.din = mt[m - 1];
  int tile = -1;
  if (j.din == 1 && j.sin > 1 && j.inner >= 4)
    for (int d = 0; d < m - 1; d++)
      if (ms[d] == 1 && md[d] >= 4 && mt[d] > 0) { tile = d; break; }
  j.rank = 0;
  for (int d = 0; d < m - 1; d++) {
    if (d == tile) continue;
    j.dims[j.rank] = md[d];
    j.ss[j.rank] = ms[d];
    j.ds[j.rank] = mt[d];
    j.rank++;
  }
  if (tile >= 0) {
    j.tiled = 1;
    j.tile_n = md[tile];
    j.tile_ds = mt[tile];
  }
  j.steps = 1;
  for (int d = 0; d < j.rank; d++) j.steps *= j.dims[d];
  long total = j.steps * j.inner * (j.tiled ? j.tile_n : 1);
  j.parts = 1;
  j.chunks = kt_pick_tasks(total, j.steps);
  if (j.steps == 1 && !j.tiled) {
    j.parts = kt_pick_tasks(total, j.inner / 4096);
    j.chunks = j.parts;
  }
  kt_parallel(copy_task, &j, j.chunks);
}

/* ---------------------------------------------------------------- concat */
typedef struct {
  const void *const *xs;
  const long *widths;
  long count, outer, row;
  char *out;
  int es;
  long chunks;
} concat_job;

static void concat_task(void *ctx, long task, int thread) {
  (void)thread;
  const concat_job *j = (const concat_job *)ctx;
  long o0 = task * j->outer / j->chunks, o1 = (task + 1) * j->outer / j->chunks;
  const size_t es = (size_t)j->es;
  for (long o = o0; o < o1; o++) {
    char *dst = j->out + (size_t)o * j->row * es;
    for (long k = 0; k < j->count; k++) {
      size_t w = (size_t)j->widths[k] * es;
      memcpy(dst, (const char *)j->xs[k] + (size_t)o * w, w);
      dst += w;
    }
  }
}

void kt_concat(const void *const *xs, const long *widths, long count, long outer, void *out, int esize) {
  concat_job j = {xs, widths, count, outer, 0, out, esize, 1};
  for (long k = 0; k < count; k++) j.row += widths[k];
  j.chunks = kt_pick_tasks(outer * j.row, outer);
  kt_parallel(concat_task, &j, j.chunks);
}

/* ---------------------------------------------------------------- cumulative sum / product */
#define CUM_BLOCK 512

#define DEF_CUMULATIVE(NAME, T)                                                                    \
  /* Rows [o0, o1) when inner == 1; else the columns [i0, i0 + w) of outer block o0. */           \
  static void NAME(int is_prod, const T *x, char *out, int to, long o0, long o1, long n, long inner, long i0, long w) { \
    double buf[CUM_BLOCK];                                                                         \
    const int eo = kt_esize(to);                                                                   \
    if (inner == 1) {                                                                              \
      for (long o = o0; o < o1; o++) {                                                             \
        double acc = is_prod ? 1 : 0;                                                              \
        const T *row = x + o * n;                                                                  \
        for (long r0 = 0; r0 < n; r0 += CUM_BLOCK) {                                               \
          long e = n - r0 < CUM_BLOCK ? n - r0 : CUM_BLOCK;                                        \
          if (is_prod) for (long r = 0; r < e; r++) buf[r] = acc *= row[r0 + r];                   \
          else for (long r = 0; r < e; r++) buf[r] = acc += row[r0 + r];                           \
          kt_store_f64(buf, out + (o * n + r0) * eo, to, e);                                       \
        }                                                                                          \
      }                                                                                            \
      return;                                                                                      \
    }                                                                                              \
    for (long i = 0; i < w; i++) buf[i] = is_prod ? 1 : 0;                                         \
    const T *p = x + o0 * n * inner + i0;                                                          \
    char *q = out + (o0 * n * inner + i0) * eo;                                                    \
    for (long r = 0; r < n; r++, p += inner, q += inner * eo) {                                    \
      if (is_prod) for (long i = 0; i < w; i++) buf[i] *= p[i];                                    \
      else for (long i = 0; i < w; i++) buf[i] += p[i];                                            \
      kt_store_f64(buf, q, to, w);                                                                 \
    }                                                                                              \
  }
DEF_CUMULATIVE(cumulative_f32, float)
DEF_CUMULATIVE(cumulative_i32, int32_t)
DEF_CUMULATIVE(cumulative_u8, uint8_t)

typedef struct {
  int is_prod, tx, to;
  const void *x;
  char *out;
  long outer, n, inner, chunks;
} cumulative_job;

static void cumulative_part(const cumulative_job *j, long o0, long o1, long i0, long w) {
  if (j->tx == KT_F32) cumulative_f32(j->is_prod, j->x, j->out, j->to, o0, o1, j->n, j->inner, i0, w);
  else if (j->tx == KT_I32) cumulative_i32(j->is_prod, j->x, j->out, j->to, o0, o1, j->n, j->inner, i0, w);
  else cumulative_u8(j->is_prod, j->x, j->out, j->to, o0, o1, j->n, j->inner, i0, w);
}

static void cumulative_task(void *ctx, long task, int thread) {
  (void)thread;
  const cumulative_job *j = (const cumulative_job *)ctx;
  if (j->inner == 1) {
    cumulative_part(j, task * j->outer / j->chunks, (task + 1) * j->outer / j->chunks, 0, 1);
    return;
  }
  long blocks = (j->inner + CUM_BLOCK - 1) / CUM_BLOCK, total = j->outer * blocks;
  long t0 = task * total / j->chunks, t1 = (task + 1) * total / j->chunks;
  for (long t = t0; t < t1; t++) {
    long o = t / blocks, i0 = (t % blocks) * CUM_BLOCK;
    cumulative_part(j, o, o + 1, i0, j->inner - i0 < CUM_BLOCK ? j->inner - i0 : CUM_BLOCK);
  }
}

void kt_cumulative(int is_prod, const void *x, int tx, void *out, int to, long outer, long n, long inner) {
  cumulative_job j = {is_prod, tx, to, x, out, outer, n, inner, 1};
  long units = inner == 1 ? outer : outer * ((inner + CUM_BLOCK - 1) / CUM_BLOCK);
  j.chunks = kt_pick_tasks(outer * n * inner, units);
  kt_parallel(cumulative_task, &j, j.chunks);
}

/* ---------------------------------------------------------------- scatter / gather */
/*
 * The scatter-adds add in the reference's order for every output element (the order of the
 * indices), with its arithmetic: float32 addition (what rounding the float64 sum of two float32
 * values gives), int32 and uint8 addition modulo 2^32 and 2^8. Threads split the output's columns,
 * so each element is still summed in that order.
 */
#define ADD_LOOP(T, DST, SRC, N)                                        \
  {                                                                     \
    T *d_ = (T *)(DST);                                                 \
    const T *s_ = (const T *)(SRC);                                     \
    for (long i_ = 0; i_ < (N); i_++) d_[i_] = (T)(d_[i_] + s_[i_]);    \
  }

static void add_run(int t, void *dst, const void *src, long n) {
  if (t == KT_F32) ADD_LOOP(float, dst, src, n)
  else if (t == KT_I32) ADD_LOOP(uint32_t, dst, src, n)
  else ADD_LOOP(uint8_t, dst, src, n)
}

typedef struct {
  const char *updates;
  int t;
  const int32_t *idx;
  char *out;
  long outer, n, m, inner, col_parts, chunks;
  int along; /* scatterAddAlongAxis: an index per element */
} scatter_job;

static void scatter_task(void *ctx, long task, int thread) {
  (void)thread;
  const scatter_job *j = (const scatter_job *)ctx;
  const int es = kt_esize(j->t);
  long total = j->outer * j->col_parts;
  long u0 = task * total / j->chunks, u1 = (task + 1) * total / j->chunks;
  for (long u = u0; u < u1; u++) {
    long o = u / j->col_parts, part = u % j->col_parts;
    long i0 = part * j->inner / j->col_parts, i1 = (part + 1) * j->inner / j->col_parts;
    char *out = j->out + o * j->n * j->inner * es;
    const char *upd = j->updates + o * j->m * j->inner * es;
    if (!j->along) {
      for (long q = 0; q < j->m; q++)
        add_run(j->t, out + (j->idx[q] * j->inner + i0) * es, upd + (q * j->inner + i0) * es, i1 - i0);
      continue;
    }
    const int32_t *idx = j->idx + o * j->m * j->inner;
    for (long q = 0; q < j->m; q++) {
      const int32_t *row = idx + q * j->inner;
      const char *src = upd + q * j->inner * es;
      if (j->t == KT_F32) for (long i = i0; i < i1; i++) ((float *)out)[row[i] * j->inner + i] += ((const float *)src)[i];
      else if (j->t == KT_I32) for (long i = i0; i < i1; i++) ((uint32_t *)out)[row[i] * j->inner + i] += ((const uint32_t *)src)[i];
      else for (long i = i0; i < i1; i++) ((uint8_t *)out)[row[i] * j->inner + i] += ((const uint8_t *)src)[i];
    }
  }
}

static void run_scatter(scatter_job *j) {
  int threads = kt_num_threads();
  long work = j->outer * j->m * j->inner;
  j->col_parts = j->outer >= threads || j->inner < 2 * 64 ? 1 : threads;
  j->chunks = kt_pick_tasks(work, j->outer * j->col_parts);
  kt_parallel(scatter_task, j, j->chunks);
}

void kt_scatter_add(const void *updates, int t, const int32_t *idx, long m, void *out, long outer, long n, long inner) {
  scatter_job j = {updates, t, idx, out, outer, n, m, inner, 1, 1, 0};
  run_scatter(&j);
}

void kt_scatter_add_along_axis(const void *updates, int t, const int32_t *idx, void *out, long outer, long n, long m, long inner) {
  scatter_job j = {updates, t, idx, out, outer, n, m, inner, 1, 1, 1};
  run_scatter(&j);
}

typedef struct {
  const char *x;
  int es;
  const int32_t *idx;
  char *out;
  long outer, n, m, inner, chunks;
} gather_axis_job;

static void gather_axis_task(void *ctx, long task, int thread) {
  (void)thread;
  const gather_axis_job *j = (const gather_axis_job *)ctx;
  long rows = j->outer * j->m;
  long r0 = task * rows / j->chunks, r1 = (task + 1) * rows / j->chunks;
  const long inner = j->inner;
  for (long r = r0; r < r1; r++) {
    long o = r / j->m;
    const int32_t *ix = j->idx + r * inner;
    if (j->es == 4) {
      const uint32_t *src = (const uint32_t *)j->x + o * j->n * inner;
      uint32_t *dst = (uint32_t *)j->out + r * inner;
      for (long i = 0; i < inner; i++) dst[i] = src[ix[i] * inner + i];
    } else {
      const uint8_t *src = (const uint8_t *)j->x + o * j->n * inner;
      uint8_t *dst = (uint8_t *)j->out + r * inner;
      for (long i = 0; i < inner; i++) dst[i] = src[ix[i] * inner + i];
    }
  }
}

void kt_gather_along_axis(const void *x, int esize, const int32_t *idx, void *out, long outer, long n, long m, long inner) {
  gather_axis_job j = {x, esize, idx, out, outer, n, m, inner, 1};
  j.chunks = kt_pick_tasks(outer * m * inner, outer * m);
  kt_parallel(gather_axis_task, &j, j.chunks);
}
