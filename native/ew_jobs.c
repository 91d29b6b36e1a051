/*
 * Elementwise drivers shared by the N-API addon and the WebAssembly exports (see ew_jobs.h): the
 * flat and broadcast-plan binary loops, unary loops and select, split over the thread pool.
 */
#include "ew_jobs.h"

#include <string.h>

#include "ew_ops.h"
#include "kt.h"
#include "kt_ext.h"

/* One flat binary loop, whatever the element types. */
typedef struct {
  int kind; /* 0 f32->f32, 1 f32->bool, 2 i32->i32, 3 i32->bool, 4 u8->bool, 5 any types (ew_generic.c) */
  int op;
  const ew_table *t;
  int ta, tb, to; /* kind 5 */
} bin_kernel;

static int run_flat_binary(const bin_kernel *k, int mode, const void *a, const void *b, void *out, long n) {
  switch (k->kind) {
    case 0: return k->t->binary_f32(k->op, mode, a, b, out, n);
    case 1: return k->t->binary_f32_bool(k->op, mode, a, b, out, n);
    case 2: return k->t->binary_i32(k->op, mode, a, b, out, n);
    case 3: return k->t->binary_i32_bool(k->op, mode, a, b, out, n);
    case 4: return k->t->binary_u8_bool(k->op, mode, a, b, out, n);
    default: return kt_binary_any(k->op, mode, a, k->ta, b, k->tb, out, k->to, n);
  }
}

#define MAX_RANK 32
typedef struct {
  bin_kernel k;
  int mode; /* flat mode, or 3 for the broadcast plan */
  const char *a, *b;
  char *out;
  int ea, eb, eo;
  long n;
  long chunks;
  /* broadcast plan */
  int rank;
  long dims[MAX_RANK], as[MAX_RANK], bs[MAX_RANK];
  long inner, sa, sb, steps;
} bin_job;

static void bin_task(void *ctx, long task, int thread) {
  (void)thread;
  const bin_job *j = (const bin_job *)ctx;
  if (j->mode != 3) {
    /* chunk boundaries on 64-element multiples */
    long per = ((j->n + j->chunks - 1) / j->chunks + 63) & ~63L;
    long i0 = task * per, i1 = i0 + per < j->n ? i0 + per : j->n;
    if (i0 >= i1) return;
    const char *a = j->mode == M_SCALAR_A ? j->a : j->a + i0 * j->ea;
    const char *b = j->mode == M_SCALAR_B ? j->b : j->b + i0 * j->eb;
    run_flat_binary(&j->k, j->mode, a, b, j->out + i0 * j->eo, i1 - i0);
    return;
  }
  long s0 = task * j->steps / j->chunks, s1 = (task + 1) * j->steps / j->chunks;
  if (s0 >= s1) return;
  long counter[MAX_RANK];
  long ia = 0, ib = 0, rem = s0;
  for (int d = j->rank - 1; d >= 0; d--) {
    counter[d] = rem % j->dims[d];
    rem /= j->dims[d];
    ia += counter[d] * j->as[d];
    ib += counter[d] * j->bs[d];
  }
  const long inner = j->inner;
  int sub = j->sa && j->sb ? M_SAME : j->sa ? M_SCALAR_B : j->sb ? M_SCALAR_A : -1;
  char *o = j->out + s0 * inner * j->eo;
  for (long step = s0; step < s1; step++) {
    if (sub >= 0) run_flat_binary(&j->k, sub, j->a + ia * j->ea, j->b + ib * j->eb, o, inner);
    else {
      run_flat_binary(&j->k, M_SAME, j->a + ia * j->ea, j->b + ib * j->eb, o, 1);
      for (long q = 1; q < inner; q++) memcpy(o + q * j->eo, o, j->eo);
    }
    o += inner * j->eo;
    for (int d = j->rank - 1; d >= 0; d--) {
      counter[d]++;
      ia += j->as[d];
      ib += j->bs[d];
      if (counter[d] < j->dims[d]) break;
      ia -= j->as[d] * j->dims[d];
      ib -= j->bs[d] * j->dims[d];
      counter[d] = 0;
    }
  }
}

static long pick_chunks(long work, long units) {
  int threads = kt_num_threads();
  if (threads <= 1 || work < KT_PAR_MIN_ELEMS || units < 2) return 1;
  return units < threads ? units : threads;
}


int kt_binary(int op, int ta, int tb, int out_dtype, const void *a, size_t a_len, const void *b, size_t b_len, void *out, long n, int mode,
              const int32_t *plan, size_t plan_len, const char **error) {
  bin_job j;
  memset(&j, 0, sizeof j);
  j.k.op = op;
  j.k.t = kt_ew();
  j.n = n;
  j.mode = mode;
  j.k.kind = 5;
  if (ta == tb) {
    if (ta == KT_F32 && out_dtype == KT_F32) j.k.kind = 0;
    else if (ta == KT_F32 && out_dtype == KT_BOOL) j.k.kind = 1;
    else if (ta == KT_I32 && out_dtype == KT_I32) j.k.kind = 2;
    else if (ta == KT_I32 && out_dtype == KT_BOOL) j.k.kind = 3;
    else if (ta == KT_U8 && out_dtype == KT_BOOL) j.k.kind = 4;
  }
  /* Type and op combinations without a loop of their own convert on read (ew_generic.c). */
  if (j.k.kind != 5 && !run_flat_binary(&j.k, M_SAME, NULL, NULL, NULL, 0)) j.k.kind = 5;
  j.k.ta = ta;
  j.k.tb = tb;
  j.k.to = out_dtype;
  if (!run_flat_binary(&j.k, M_SAME, NULL, NULL, NULL, 0)) return KT_UNSUPPORTED;
  j.ea = kt_esize(ta);
  j.eb = kt_esize(tb);
  j.eo = kt_esize(out_dtype);
  j.a = a;
  j.b = b;
  if (n < 0 || mode < M_SAME || mode > KT_MODE_PLAN) { *error = "binary: bad size or mode"; return KT_BAD_ARGS; }
  if (mode == M_SAME && (a_len < (size_t)n || b_len < (size_t)n)) { *error = "binary: operand too short"; return KT_BAD_ARGS; }
  if (mode == M_SCALAR_A && (a_len < 1 || b_len < (size_t)n)) { *error = "binary: operand too short"; return KT_BAD_ARGS; }
  if (mode == M_SCALAR_B && (b_len < 1 || a_len < (size_t)n)) { *error = "binary: operand too short"; return KT_BAD_ARGS; }
  if (mode == KT_MODE_PLAN) {
    const int32_t *p = plan;
    int rank = p == NULL || plan_len < 1 ? -1 : p[0];
    if (rank < 0 || rank > MAX_RANK || plan_len < (size_t)(1 + 3 * rank + 3)) { *error = "binary: bad plan"; return KT_BAD_ARGS; }
    j.rank = rank;
    long steps = 1, amax = 0, bmax = 0;
    for (int d = 0; d < rank; d++) {
      j.dims[d] = p[1 + d];
      j.as[d] = p[1 + rank + d];
      j.bs[d] = p[1 + 2 * rank + d];
      steps *= j.dims[d];
      amax += (j.dims[d] - 1) * j.as[d];
      bmax += (j.dims[d] - 1) * j.bs[d];
    }
    j.inner = p[1 + 3 * rank];
    j.sa = p[2 + 3 * rank];
    j.sb = p[3 + 3 * rank];
    j.steps = steps;
    if (steps * j.inner != j.n) { *error = "binary: plan does not match the output size"; return KT_BAD_ARGS; }
    amax += j.sa ? j.inner : 1;
    bmax += j.sb ? j.inner : 1;
    if (j.n > 0 && ((size_t)amax > a_len || (size_t)bmax > b_len)) { *error = "binary: plan reads past an operand"; return KT_BAD_ARGS; }
  }
  if (out == NULL || n == 0) return KT_DONE;
  j.out = out;
  j.chunks = j.mode == KT_MODE_PLAN ? pick_chunks(j.n, j.steps) : pick_chunks(j.n, j.n / 4096);
  kt_parallel(bin_task, &j, j.chunks);
  return KT_DONE;
}

typedef struct {
  int kind; /* 0 f32->f32, 1 f32->bool, 2 i32->i32, 3 u8->bool (logicalNot), 4 any types (ew_generic.c) */
  int op;
  int tx, to; /* kind 4 */
  const ew_table *t;
  const char *x;
  char *out;
  int ex, eo;
  long n, chunks;
} un_job;

static int run_flat_unary(const un_job *j, const void *x, void *out, long n) {
  switch (j->kind) {
    case 0: return j->t->unary_f32(j->op, x, out, n);
    case 1: return j->t->unary_f32_bool(j->op, x, out, n);
    case 2: return j->t->unary_i32(j->op, x, out, n);
    case 4: return kt_unary_any(j->op, x, j->tx, out, j->to, n);
    default: {
      if (j->op != U_LOGICALNOT) return 0;
      const uint8_t *s = x;
      uint8_t *o = out;
      for (long i = 0; i < n; i++) o[i] = s[i] == 0;
      return 1;
    }
  }
}

static void un_task(void *ctx, long task, int thread) {
  (void)thread;
  const un_job *j = (const un_job *)ctx;
  long per = ((j->n + j->chunks - 1) / j->chunks + 63) & ~63L;
  long i0 = task * per, i1 = i0 + per < j->n ? i0 + per : j->n;
  if (i0 < i1) run_flat_unary(j, j->x + i0 * j->ex, j->out + i0 * j->eo, i1 - i0);
}


int kt_unary(int op, int dtype, int out_dtype, const void *x, void *out, long n) {
  un_job j;
  memset(&j, 0, sizeof j);
  j.op = op;
  j.t = kt_ew();
  if (dtype == KT_F32 && out_dtype == KT_F32) j.kind = 0;
  else if (dtype == KT_F32 && out_dtype == KT_BOOL) j.kind = 1;
  else if (dtype == KT_I32 && out_dtype == KT_I32) j.kind = 2;
  else if (dtype == KT_U8 && out_dtype == KT_BOOL) j.kind = 3;
  else j.kind = 4;
  /* Type and op combinations without a loop of their own convert on read (ew_generic.c). */
  if (j.kind != 4 && !run_flat_unary(&j, NULL, NULL, 0)) j.kind = 4;
  j.tx = dtype;
  j.to = out_dtype;
  if (!run_flat_unary(&j, NULL, NULL, 0)) return KT_UNSUPPORTED;
  if (out == NULL || n <= 0) return KT_DONE;
  j.n = n;
  j.x = x;
  j.ex = kt_esize(dtype);
  j.eo = kt_esize(out_dtype);
  j.out = out;
  /* transcendental ops are ~20x the work of a load/store: thread them sooner */
  long work = (j.kind == 0 && (j.op >= U_EXP && j.op <= U_SIGMOID)) || j.op >= U_ERF ? j.n * 16 : j.n;
  j.chunks = pick_chunks(work, j.n / 1024);
  kt_parallel(un_task, &j, j.chunks);
  return KT_DONE;
}

/* out = cond ? a : b through a plan of three inputs. */
typedef struct {
  const uint8_t *c;
  const char *a, *b;
  char *out;
  int es;
  int rank;
  long dims[MAX_RANK], cs[MAX_RANK], as[MAX_RANK], bs[MAX_RANK];
  long inner, sc, sa, sb, steps, chunks;
} sel_job;

static void sel_task(void *ctx, long task, int thread) {
  (void)thread;
  const sel_job *j = (const sel_job *)ctx;
  long s0 = task * j->steps / j->chunks, s1 = (task + 1) * j->steps / j->chunks;
  if (s0 >= s1) return;
  long counter[MAX_RANK];
  long ic = 0, ia = 0, ib = 0, rem = s0;
  for (int d = j->rank - 1; d >= 0; d--) {
    counter[d] = rem % j->dims[d];
    rem /= j->dims[d];
    ic += counter[d] * j->cs[d];
    ia += counter[d] * j->as[d];
    ib += counter[d] * j->bs[d];
  }
  const long inner = j->inner, sc = j->sc, sa = j->sa, sb = j->sb;
  long o = s0 * inner;
  for (long step = s0; step < s1; step++) {
    const uint8_t *c = j->c + ic;
    if (j->es == 4) {
      const uint32_t *a = (const uint32_t *)j->a + ia, *b = (const uint32_t *)j->b + ib;
      uint32_t *out = (uint32_t *)j->out + o;
      if (sc == 1 && sa == 1 && sb == 1) for (long q = 0; q < inner; q++) out[q] = c[q] ? a[q] : b[q];
      else for (long q = 0; q < inner; q++) out[q] = c[q * sc] ? a[q * sa] : b[q * sb];
    } else {
      const uint8_t *a = (const uint8_t *)j->a + ia, *b = (const uint8_t *)j->b + ib;
      uint8_t *out = (uint8_t *)j->out + o;
      for (long q = 0; q < inner; q++) out[q] = c[q * sc] ? a[q * sa] : b[q * sb];
    }
    o += inner;
    for (int d = j->rank - 1; d >= 0; d--) {
      counter[d]++;
      ic += j->cs[d];
      ia += j->as[d];
      ib += j->bs[d];
      if (counter[d] < j->dims[d]) break;
      ic -= j->cs[d] * j->dims[d];
      ia -= j->as[d] * j->dims[d];
      ib -= j->bs[d] * j->dims[d];
      counter[d] = 0;
    }
  }
}


int kt_select(int out_dtype, const uint8_t *cond, size_t cond_len, const void *a, size_t a_len, const void *b, size_t b_len, void *out, long n,
              const int32_t *plan, size_t plan_len, const char **error) {
  const int32_t *p = plan;
  int rank = p == NULL || plan_len < 1 ? -1 : p[0];
  if (rank < 0 || rank > MAX_RANK || plan_len < (size_t)(1 + 4 * rank + 4)) { *error = "select: bad plan"; return KT_BAD_ARGS; }
  sel_job j;
  memset(&j, 0, sizeof j);
  j.rank = rank;
  long steps = 1, cmax = 0, amax = 0, bmax = 0;
  for (int d = 0; d < rank; d++) {
    j.dims[d] = p[1 + d];
    j.cs[d] = p[1 + rank + d];
    j.as[d] = p[1 + 2 * rank + d];
    j.bs[d] = p[1 + 3 * rank + d];
    steps *= j.dims[d];
    cmax += (j.dims[d] - 1) * j.cs[d];
    amax += (j.dims[d] - 1) * j.as[d];
    bmax += (j.dims[d] - 1) * j.bs[d];
  }
  j.inner = p[1 + 4 * rank];
  j.sc = p[2 + 4 * rank];
  j.sa = p[3 + 4 * rank];
  j.sb = p[4 + 4 * rank];
  j.steps = steps;
  if (steps * j.inner != n) { *error = "select: plan does not match the output size"; return KT_BAD_ARGS; }
  cmax += j.sc ? j.inner : 1;
  amax += j.sa ? j.inner : 1;
  bmax += j.sb ? j.inner : 1;
  if (n > 0 && ((size_t)cmax > cond_len || (size_t)amax > a_len || (size_t)bmax > b_len)) { *error = "select: plan reads past an operand"; return KT_BAD_ARGS; }
  if (out == NULL || n == 0) return KT_DONE;
  j.c = cond;
  j.a = a;
  j.b = b;
  j.out = out;
  j.es = kt_esize(out_dtype == KT_BOOL ? KT_U8 : out_dtype);
  j.chunks = pick_chunks(n, steps);
  kt_parallel(sel_task, &j, j.chunks);
  return KT_DONE;
}
