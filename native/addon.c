/*
 * N-API surface of the keras-ts native backend. One call per kernel: inputs are typed arrays read
 * in place (napi_get_typedarray_info, no copy), the output is a new JavaScript ArrayBuffer-backed
 * typed array the kernel writes into (uninitialized unless the kernel needs zeros, 64-byte aligned
 * when large: see "output allocation"), so the garbage collector owns and frees it. A function
 * returns `undefined` for a type / op combination it does not implement; the TypeScript wrapper
 * then runs the reference kernel instead.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif

#include "ew_ops.h"
#include "kt.h"
#include "kt_ext.h"
#include "napi_ext.h"

#define CALL(env, expr)                                                   \
  do {                                                                    \
    if ((expr) != napi_ok) {                                              \
      napi_throw_error((env), NULL, "keras-ts native: N-API call failed: " #expr); \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

#define MAX_ARGS 12

static napi_value undefined_value(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static napi_value throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return NULL;
}

typedef struct {
  int dtype;       /* KT_F32 / KT_I32 / KT_U8 (a Uint8Array is uint8 or bool storage) */
  void *data;
  size_t length;
} tarray;

static int esize_of(int dtype) { return dtype == KT_F32 || dtype == KT_I32 ? 4 : 1; }

/* Reads a Float32Array / Int32Array / Uint8Array in place. Returns 0 for anything else. */
static int get_array(napi_env env, napi_value v, tarray *out) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, NULL, NULL) != napi_ok) return 0;
  switch (type) {
    case napi_float32_array: out->dtype = KT_F32; break;
    case napi_int32_array: out->dtype = KT_I32; break;
    case napi_uint8_array: out->dtype = KT_U8; break;
    default: return 0;
  }
  out->data = data;
  out->length = length;
  return 1;
}

/* ------------------------------------------------------------------ output allocation
 *
 * Kernel outputs are fresh typed arrays the garbage collector owns. Two kinds:
 *
 *   new_array   zero-filled (napi_create_arraybuffer), for kernels that leave elements unwritten;
 *   new_output  uninitialized (the storage of a node Buffer, napi_create_buffer), for kernels that
 *               write every element: no zero-fill pass over memory the kernel overwrites anyway.
 *
 * KERAS_TS_ALLOC=zero makes every output zero-filled (for comparisons); KERAS_TS_ALLOC=poison fills
 * the uninitialized ones with 0xff bytes (NaN, -1) so that a kernel leaving an element unwritten
 * shows in the tests. A pool of native blocks
 * handed out as external ArrayBuffers was measured and dropped: in Node 20 the finalizer of an
 * external ArrayBuffer runs only when the event loop turns (a synchronous training loop never
 * gets its blocks back), and external backing stores make V8 run a mark-compact every few
 * milliseconds, where V8's own young array buffers die in cheap scavenges.
 */

static int alloc_zero = -1, alloc_poison = 0;

static napi_typedarray_type ta_type(int dtype) {
  return dtype == KT_F32 ? napi_float32_array : dtype == KT_I32 ? napi_int32_array : napi_uint8_array;
}

/* Storage of at least this many bytes starts on a 64-byte boundary (the allocation is 64 bytes
 * longer and the typed array starts at an offset into it): the GEMM and elementwise kernels then
 * read whole cache lines (a 16-byte-aligned operand costs the direct GEMM kernel 15-20%). */
#define ALIGN_MIN_BYTES ((size_t)1024)
#define ALIGN 64

static size_t align_offset(const void *p) {
  return (size_t)((ALIGN - (uintptr_t)p % ALIGN) % ALIGN);
}

/* A fresh zero-filled typed array of `n` elements of `dtype`, its storage in *data. */
static napi_value new_array(napi_env env, int dtype, size_t n, void **data) {
  napi_value ab, ta;
  size_t bytes = n * (size_t)esize_of(dtype);
  size_t pad = bytes >= ALIGN_MIN_BYTES ? ALIGN : 0;
  void *p = NULL;
  if (napi_create_arraybuffer(env, bytes + pad, &p, &ab) != napi_ok) {
    napi_throw_error(env, NULL, "keras-ts native: cannot allocate the output array");
    return NULL;
  }
  size_t offset = pad ? align_offset(p) : 0;
  if (offset % (size_t)esize_of(dtype) != 0) offset = 0;
  if (napi_create_typedarray(env, ta_type(dtype), n, ab, offset, &ta) != napi_ok) {
    napi_throw_error(env, NULL, "keras-ts native: cannot create the output array");
    return NULL;
  }
  *data = (char *)p + offset;
  return ta;
}

/* A fresh typed array whose elements the caller must all write. */
static napi_value new_output(napi_env env, int dtype, size_t n, void **data) {
  if (alloc_zero < 0) {
    const char *s = getenv("KERAS_TS_ALLOC");
    alloc_zero = s != NULL && strcmp(s, "zero") == 0;
    alloc_poison = s != NULL && strcmp(s, "poison") == 0;
  }
  size_t bytes = n * (size_t)esize_of(dtype);
  if (alloc_zero || bytes == 0) return new_array(env, dtype, n, data);
  size_t pad = bytes >= ALIGN_MIN_BYTES ? ALIGN : 0;
  napi_value buf, ab, ta;
  void *p = NULL;
  size_t offset = 0;
  if (napi_create_buffer(env, bytes + pad, &p, &buf) != napi_ok || napi_get_typedarray_info(env, buf, NULL, NULL, NULL, &ab, &offset) != napi_ok) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return NULL;
    return new_array(env, dtype, n, data);
  }
  /* `p` is the Buffer's first byte, at `offset` into its ArrayBuffer. */
  size_t skip = pad ? align_offset(p) : 0;
  if ((offset + skip) % (size_t)esize_of(dtype) != 0) skip = 0;
  if ((offset + skip) % (size_t)esize_of(dtype) != 0 || napi_create_typedarray(env, ta_type(dtype), n, ab, offset + skip, &ta) != napi_ok) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return NULL;
    return new_array(env, dtype, n, data);
  }
  p = (char *)p + skip;
  if (alloc_poison) memset(p, 0xff, bytes);
  *data = p;
  return ta;
}

static int64_t get_i64(napi_env env, napi_value v) {
  int64_t r = 0;
  napi_get_value_int64(env, v, &r);
  return r;
}
static int32_t get_i32(napi_env env, napi_value v) {
  int32_t r = 0;
  napi_get_value_int32(env, v, &r);
  return r;
}
static double get_f64(napi_env env, napi_value v) {
  double r = 0;
  napi_get_value_double(env, v, &r);
  return r;
}
static int get_bool(napi_env env, napi_value v) {
  bool r = false;
  if (napi_get_value_bool(env, v, &r) != napi_ok) return get_i32(env, v) != 0;
  return r;
}

#define ARGS(N)                                                          \
  size_t argc = MAX_ARGS;                                                \
  napi_value argv[MAX_ARGS];                                             \
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));       \
  if (argc < (N)) {                                                      \
    napi_throw_type_error(env, NULL, "keras-ts native: too few arguments"); \
    return NULL;                                                         \
  }

/* ------------------------------------------------------------------ elementwise plumbing */

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

/* binary(op, a, b, outDtype, n, mode, plan?) */
static napi_value js_binary(napi_env env, napi_callback_info info) {
  ARGS(6);
  tarray a, b;
  if (!get_array(env, argv[1], &a) || !get_array(env, argv[2], &b)) return undefined_value(env);
  bin_job j;
  memset(&j, 0, sizeof j);
  j.k.op = get_i32(env, argv[0]);
  j.k.t = kt_ew();
  int od = get_i32(env, argv[3]);
  j.n = get_i64(env, argv[4]);
  j.mode = get_i32(env, argv[5]);
  j.k.kind = 5;
  if (a.dtype == b.dtype) {
    if (a.dtype == KT_F32 && od == KT_F32) j.k.kind = 0;
    else if (a.dtype == KT_F32 && od == KT_BOOL) j.k.kind = 1;
    else if (a.dtype == KT_I32 && od == KT_I32) j.k.kind = 2;
    else if (a.dtype == KT_I32 && od == KT_BOOL) j.k.kind = 3;
    else if (a.dtype == KT_U8 && od == KT_BOOL) j.k.kind = 4;
  }
  /* Type and op combinations without a loop of their own convert on read (ew_generic.c). */
  if (j.k.kind != 5 && !run_flat_binary(&j.k, M_SAME, NULL, NULL, NULL, 0)) j.k.kind = 5;
  j.k.ta = a.dtype;
  j.k.tb = b.dtype;
  j.k.to = od;
  if (!run_flat_binary(&j.k, M_SAME, NULL, NULL, NULL, 0)) return undefined_value(env);
  j.ea = esize_of(a.dtype);
  j.eb = esize_of(b.dtype);
  j.eo = esize_of(od);
  j.a = a.data;
  j.b = b.data;
  /* bounds */
  if (j.mode == M_SAME && (a.length < (size_t)j.n || b.length < (size_t)j.n)) return throw_range(env, "binary: operand too short");
  if (j.mode == M_SCALAR_A && (a.length < 1 || b.length < (size_t)j.n)) return throw_range(env, "binary: operand too short");
  if (j.mode == M_SCALAR_B && (b.length < 1 || a.length < (size_t)j.n)) return throw_range(env, "binary: operand too short");
  if (j.mode == 3) {
    if (argc < 7) return throw_range(env, "binary: missing plan");
    tarray plan;
    if (!get_array(env, argv[6], &plan) || plan.dtype != KT_I32) return throw_range(env, "binary: bad plan");
    const int32_t *p = plan.data;
    int rank = p[0];
    if (rank < 0 || rank > MAX_RANK || plan.length < (size_t)(1 + 3 * rank + 3)) return throw_range(env, "binary: bad plan");
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
    if (steps * j.inner != j.n) return throw_range(env, "binary: plan does not match the output size");
    amax += j.sa ? j.inner : 1;
    bmax += j.sb ? j.inner : 1;
    if (j.n > 0 && ((size_t)amax > a.length || (size_t)bmax > b.length)) return throw_range(env, "binary: plan reads past an operand");
  }
  void *out;
  napi_value result = new_output(env, od, (size_t)j.n, &out);
  if (result == NULL || j.n == 0) return result;
  j.out = out;
  j.chunks = j.mode == 3 ? pick_chunks(j.n, j.steps) : pick_chunks(j.n, j.n / 4096);
  kt_parallel(bin_task, &j, j.chunks);
  return result;
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

/* unary(op, x, outDtype) */
static napi_value js_unary(napi_env env, napi_callback_info info) {
  ARGS(3);
  tarray x;
  if (!get_array(env, argv[1], &x)) return undefined_value(env);
  un_job j;
  memset(&j, 0, sizeof j);
  j.op = get_i32(env, argv[0]);
  int od = get_i32(env, argv[2]);
  j.t = kt_ew();
  if (x.dtype == KT_F32 && od == KT_F32) j.kind = 0;
  else if (x.dtype == KT_F32 && od == KT_BOOL) j.kind = 1;
  else if (x.dtype == KT_I32 && od == KT_I32) j.kind = 2;
  else if (x.dtype == KT_U8 && od == KT_BOOL) j.kind = 3;
  else j.kind = 4;
  /* Type and op combinations without a loop of their own convert on read (ew_generic.c). */
  if (j.kind != 4 && !run_flat_unary(&j, NULL, NULL, 0)) j.kind = 4;
  j.tx = x.dtype;
  j.to = od;
  if (!run_flat_unary(&j, NULL, NULL, 0)) return undefined_value(env);
  j.n = (long)x.length;
  j.x = x.data;
  j.ex = esize_of(x.dtype);
  j.eo = esize_of(od);
  void *out;
  napi_value result = new_output(env, od, x.length, &out);
  if (result == NULL || j.n == 0) return result;
  j.out = out;
  /* transcendental ops are ~20x the work of a load/store: thread them sooner */
  long work = (j.kind == 0 && (j.op >= U_EXP && j.op <= U_SIGMOID)) || j.op >= U_ERF ? j.n * 16 : j.n;
  j.chunks = pick_chunks(work, j.n / 1024);
  kt_parallel(un_task, &j, j.chunks);
  return result;
}

/* select(cond, a, b, outDtype, n, plan): out = cond ? a : b; a and b already hold outDtype's storage. */
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

static napi_value js_select(napi_env env, napi_callback_info info) {
  ARGS(6);
  tarray c, a, b, plan;
  if (!get_array(env, argv[0], &c) || !get_array(env, argv[1], &a) || !get_array(env, argv[2], &b)) return undefined_value(env);
  int od = get_i32(env, argv[3]);
  long n = get_i64(env, argv[4]);
  int ostore = od == KT_BOOL ? KT_U8 : od;
  if (c.dtype != KT_U8 || a.dtype != ostore || b.dtype != ostore) return undefined_value(env);
  if (!get_array(env, argv[5], &plan) || plan.dtype != KT_I32) return throw_range(env, "select: bad plan");
  const int32_t *p = plan.data;
  int rank = p[0];
  if (rank < 0 || rank > MAX_RANK || plan.length < (size_t)(1 + 4 * rank + 4)) return throw_range(env, "select: bad plan");
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
  if (steps * j.inner != n) return throw_range(env, "select: plan does not match the output size");
  cmax += j.sc ? j.inner : 1;
  amax += j.sa ? j.inner : 1;
  bmax += j.sb ? j.inner : 1;
  if (n > 0 && ((size_t)cmax > c.length || (size_t)amax > a.length || (size_t)bmax > b.length)) return throw_range(env, "select: plan reads past an operand");
  void *out;
  napi_value result = new_output(env, od, (size_t)n, &out);
  if (result == NULL || n == 0) return result;
  j.c = c.data;
  j.a = a.data;
  j.b = b.data;
  j.out = out;
  j.es = esize_of(ostore);
  j.chunks = pick_chunks(n, steps);
  kt_parallel(sel_task, &j, j.chunks);
  return result;
}

/* ------------------------------------------------------------------ other kernels */

/* matmul(a, b, batch, m, n, k, transA, transB, aStride, bStride) */
static napi_value js_matmul(napi_env env, napi_callback_info info) {
  ARGS(10);
  tarray a, b;
  if (!get_array(env, argv[0], &a) || !get_array(env, argv[1], &b)) return undefined_value(env);
  long batch = get_i64(env, argv[2]), m = get_i64(env, argv[3]), n = get_i64(env, argv[4]), k = get_i64(env, argv[5]);
  int ta = get_bool(env, argv[6]), tb = get_bool(env, argv[7]);
  long sa = get_i64(env, argv[8]), sb = get_i64(env, argv[9]);
  if (a.dtype != b.dtype || (a.dtype != KT_F32 && a.dtype != KT_I32)) return undefined_value(env);
  if (batch < 0 || m < 0 || n < 0 || k < 0 || sa < 0 || sb < 0) return throw_range(env, "matmul: negative size");
  if (batch > 0 && ((size_t)((batch - 1) * sa + m * k) > a.length || (size_t)((batch - 1) * sb + k * n) > b.length))
    return throw_range(env, "matmul: operand too short");
  void *out;
  napi_value result = k == 0 ? new_array(env, a.dtype, (size_t)(batch * m * n), &out) : new_output(env, a.dtype, (size_t)(batch * m * n), &out);
  if (result == NULL || batch * m * n == 0 || k == 0) return result;
  if (a.dtype == KT_F32) kt_sgemm_batched(batch, m, n, k, ta, tb, a.data, sa, b.data, sb, out);
  else kt_igemm_batched(batch, m, n, k, ta, tb, a.data, sa, b.data, sb, out);
  return result;
}

/* reduce(op, x, outer, n, inner): float32 in, float32 out; op 0 sum, 1 prod, 2 max, 3 min. */
static napi_value js_reduce(napi_env env, napi_callback_info info) {
  ARGS(5);
  tarray x;
  if (!get_array(env, argv[1], &x) || x.dtype != KT_F32) return undefined_value(env);
  int op = get_i32(env, argv[0]);
  long outer = get_i64(env, argv[2]), n = get_i64(env, argv[3]), inner = get_i64(env, argv[4]);
  if (op < 0 || op > 3) return undefined_value(env);
  if (outer < 0 || n < 0 || inner < 0 || (size_t)(outer * n * inner) > x.length) return throw_range(env, "reduce: input too short");
  void *out;
  napi_value result = new_output(env, KT_F32, (size_t)(outer * inner), &out);
  if (result == NULL || outer * inner == 0) return result;
  kt_reduce_f32(op, x.data, out, outer, n, inner);
  return result;
}

/* argReduce(isMax, x, outer, n, inner) */
static napi_value js_argreduce(napi_env env, napi_callback_info info) {
  ARGS(5);
  tarray x;
  if (!get_array(env, argv[1], &x) || x.dtype != KT_F32) return undefined_value(env);
  int is_max = get_bool(env, argv[0]);
  long outer = get_i64(env, argv[2]), n = get_i64(env, argv[3]), inner = get_i64(env, argv[4]);
  if (outer < 0 || n < 0 || inner < 0 || (size_t)(outer * n * inner) > x.length) return throw_range(env, "argReduce: input too short");
  void *out;
  napi_value result = n == 0 ? new_array(env, KT_I32, (size_t)(outer * inner), &out) : new_output(env, KT_I32, (size_t)(outer * inner), &out);
  if (result == NULL || outer * inner == 0 || n == 0) return result;
  kt_argreduce_f32(is_max, x.data, out, outer, n, inner);
  return result;
}

/* softmax(x, rows, cols, log) */
static napi_value js_softmax(napi_env env, napi_callback_info info) {
  ARGS(4);
  tarray x;
  if (!get_array(env, argv[0], &x) || x.dtype != KT_F32) return undefined_value(env);
  long rows = get_i64(env, argv[1]), cols = get_i64(env, argv[2]);
  int lg = get_bool(env, argv[3]);
  if (rows < 0 || cols < 0 || (size_t)(rows * cols) > x.length) return throw_range(env, "softmax: input too short");
  void *out;
  napi_value result = x.length == (size_t)(rows * cols) ? new_output(env, KT_F32, x.length, &out) : new_array(env, KT_F32, x.length, &out);
  if (result == NULL || rows * cols == 0) return result;
  kt_softmax_f32(x.data, out, rows, cols, lg);
  return result;
}

/* transpose2d(x, batch, rows, cols): [batch, rows, cols] -> [batch, cols, rows], same element type. */
static napi_value js_transpose2d(napi_env env, napi_callback_info info) {
  ARGS(4);
  tarray x;
  if (!get_array(env, argv[0], &x)) return undefined_value(env);
  long batch = get_i64(env, argv[1]), rows = get_i64(env, argv[2]), cols = get_i64(env, argv[3]);
  if (batch < 0 || rows < 0 || cols < 0 || (size_t)(batch * rows * cols) != x.length) return throw_range(env, "transpose: size mismatch");
  void *out;
  napi_value result = new_output(env, x.dtype, x.length, &out);
  if (result == NULL || x.length == 0) return result;
  kt_transpose2d(x.data, out, batch, rows, cols, esize_of(x.dtype));
  return result;
}

/* gather(x, outer, n, inner, indices, into?): slices along the middle axis, into a fresh array or
 * `into`; undefined if an index is out of range. */
static napi_value js_gather(napi_env env, napi_callback_info info) {
  ARGS(5); /* argv[5], `into`, is undefined when not passed */
  tarray x, idx;
  if (!get_array(env, argv[0], &x) || !get_array(env, argv[4], &idx) || idx.dtype != KT_I32) return undefined_value(env);
  long outer = get_i64(env, argv[1]), n = get_i64(env, argv[2]), inner = get_i64(env, argv[3]);
  if (outer < 0 || n < 0 || inner < 0 || (size_t)(outer * n * inner) > x.length) return throw_range(env, "gather: input too short");
  const int32_t *ix = idx.data;
  long m = (long)idx.length;
  if (outer * inner > 0)
    for (long q = 0; q < m; q++)
      if (ix[q] < 0 || ix[q] >= n) return undefined_value(env);
  void *out;
  napi_value result;
  napi_valuetype into_type;
  if (napi_typeof(env, argv[5], &into_type) != napi_ok) return undefined_value(env);
  if (into_type == napi_undefined) {
    result = new_output(env, x.dtype, (size_t)(outer * m * inner), &out);
  } else {
    /* The caller's array of x's type and the result's size, written over. */
    tarray into;
    if (!get_array(env, argv[5], &into) || into.dtype != x.dtype || into.length != (size_t)(outer * m * inner)) return undefined_value(env);
    out = into.data;
    result = argv[5];
  }
  if (result == NULL || outer * m * inner == 0) return result;
  kt_gather(x.data, out, outer, n, inner, ix, m, esize_of(x.dtype));
  return result;
}

/* sliceRange(x, start, count): elements [start, start + count) of x as a fresh array of its type. */
static napi_value js_slice_range(napi_env env, napi_callback_info info) {
  ARGS(3);
  tarray x;
  if (!get_array(env, argv[0], &x)) return undefined_value(env);
  int64_t start = get_i64(env, argv[1]), count = get_i64(env, argv[2]);
  if (start < 0 || count < 0 || (size_t)(start + count) > x.length) return throw_range(env, "sliceRange: out of bounds");
  void *out;
  napi_value result = new_output(env, x.dtype, (size_t)count, &out);
  if (result == NULL || count == 0) return result;
  int es = esize_of(x.dtype);
  memcpy(out, (const char *)x.data + start * es, (size_t)count * es);
  return result;
}

/* cast(x, dtype) */
static napi_value js_cast(napi_env env, napi_callback_info info) {
  ARGS(2);
  tarray x;
  if (!get_array(env, argv[0], &x)) return undefined_value(env);
  int od = get_i32(env, argv[1]);
  if (od < KT_F32 || od > KT_BOOL) return undefined_value(env);
  void *out;
  napi_value result = new_output(env, od, x.length, &out);
  if (result == NULL || x.length == 0) return result;
  kt_cast(x.data, x.dtype, out, od, (long)x.length);
  return result;
}

/* fill(size, value, dtype) */
static napi_value js_fill(napi_env env, napi_callback_info info) {
  ARGS(3);
  long n = get_i64(env, argv[0]);
  double v = get_f64(env, argv[1]);
  int od = get_i32(env, argv[2]);
  if (n < 0 || od < KT_F32 || od > KT_BOOL) return undefined_value(env);
  void *out;
  napi_value result = new_output(env, od, (size_t)n, &out);
  if (result == NULL || n == 0) return result;
  kt_fill(out, od, n, v);
  return result;
}


/* ------------------------------------------------------------------ fused kernels */

/* A float32 array of exactly `n` elements, or null / undefined when `nullable`; 0 otherwise. */
static int get_f32(napi_env env, napi_value v, size_t n, int nullable, const float **out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_null || t == napi_undefined) {
    *out = NULL;
    return nullable;
  }
  tarray a;
  if (!get_array(env, v, &a) || a.dtype != KT_F32 || a.length != n) return 0;
  *out = a.data;
  return 1;
}

static napi_value true_value(napi_env env) {
  napi_value v;
  napi_get_boolean(env, 1, &v);
  return v;
}

static napi_value null_value(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

/* An array [a0, a1, ...] of results (null where a result is absent). */
static napi_value pack_results(napi_env env, napi_value *vals, int count) {
  napi_value arr;
  if (napi_create_array_with_length(env, count, &arr) != napi_ok) return NULL;
  for (int i = 0; i < count; i++) napi_set_element(env, arr, i, vals[i] ? vals[i] : null_value(env));
  return arr;
}

/* denseForward(x, w, bias|null, m, k, n, act) */
static napi_value js_dense_forward(napi_env env, napi_callback_info info) {
  ARGS(7);
  long m = get_i64(env, argv[3]), k = get_i64(env, argv[4]), n = get_i64(env, argv[5]);
  int act = get_i32(env, argv[6]);
  const float *x, *w, *bias;
  if (m < 0 || k < 0 || n < 0 || act < 0 || act > 3) return undefined_value(env);
  if (!get_f32(env, argv[0], (size_t)(m * k), 0, &x) || !get_f32(env, argv[1], (size_t)(k * n), 0, &w) || !get_f32(env, argv[2], (size_t)n, 1, &bias))
    return undefined_value(env);
  void *out;
  napi_value result = new_output(env, KT_F32, (size_t)(m * n), &out);
  if (result == NULL) return NULL;
  kt_dense_forward(x, w, bias, out, m, k, n, act);
  return result;
}

/* denseBackward(dOut, out, x, w, m, k, n, act, needDX, needDW, needDB) -> [dX, dW, db] */
static napi_value js_dense_backward(napi_env env, napi_callback_info info) {
  ARGS(11);
  long m = get_i64(env, argv[4]), k = get_i64(env, argv[5]), n = get_i64(env, argv[6]);
  int act = get_i32(env, argv[7]);
  int need_dx = get_bool(env, argv[8]);
  const float *dout, *out = NULL, *x, *w;
  if (m < 0 || k < 0 || n < 0 || act < 0 || act > 3) return undefined_value(env);
  if (!get_f32(env, argv[0], (size_t)(m * n), 0, &dout) || !get_f32(env, argv[2], (size_t)(m * k), 0, &x) || !get_f32(env, argv[3], (size_t)(k * n), 0, &w))
    return undefined_value(env);
  if (act != 0 && !get_f32(env, argv[1], (size_t)(m * n), 0, &out)) return undefined_value(env);
  napi_value vals[3] = {NULL, NULL, NULL};
  void *dx = NULL, *dw = NULL, *db = NULL;
  if (need_dx && (vals[0] = new_output(env, KT_F32, (size_t)(m * k), &dx)) == NULL) return NULL;
  /* dW and db: false, true (a fresh array) or the float32 array to write into. */
  const size_t grad_sizes[2] = {(size_t)(k * n), (size_t)n};
  void **grads[2] = {&dw, &db};
  for (int g = 0; g < 2; g++) {
    napi_value target = argv[9 + g];
    napi_valuetype type;
    if (napi_typeof(env, target, &type) != napi_ok) return undefined_value(env);
    if (type == napi_boolean) {
      if (get_bool(env, target) && (vals[1 + g] = new_output(env, KT_F32, grad_sizes[g], grads[g])) == NULL) return NULL;
    } else {
      const float *into;
      if (!get_f32(env, target, grad_sizes[g], 0, &into)) return undefined_value(env);
      *grads[g] = (void *)into;
      vals[1 + g] = target;
    }
  }
  /* dZ scratch: kept per JavaScript thread and grown as needed (a fresh malloc of a few hundred
   * KB per call is an mmap + page faults + munmap each step). Shrunk when much larger than needed. */
  static __thread float *scratch;
  static __thread size_t scratch_n;
  size_t need = act != 0 ? (size_t)(m * n) : 0;
  if (need > scratch_n || (need > 0 && scratch_n > ((size_t)1 << 20) && need < scratch_n / 8)) {
    free(scratch);
    scratch = need > 0 ? (float *)aligned_alloc(64, ((need * sizeof(float) + 63) / 64) * 64) : NULL;
    scratch_n = scratch != NULL ? need : 0;
    if (need > 0 && scratch == NULL) return undefined_value(env);
  }
  kt_dense_backward(dout, out, x, w, m, k, n, act, scratch, dx, dw, db);
  return pack_results(env, vals, 3);
}

/* softmaxXent(logits, rows, cols, labels|null, dense|null, rowScale|undefined): loss [rows], or the logits' gradient when rowScale is given. */
static napi_value js_softmax_xent(napi_env env, napi_callback_info info) {
  ARGS(6);
  long rows = get_i64(env, argv[1]), cols = get_i64(env, argv[2]);
  const float *logits, *dense, *scale;
  if (rows < 0 || cols < 0 || !get_f32(env, argv[0], (size_t)(rows * cols), 0, &logits) || !get_f32(env, argv[4], (size_t)(rows * cols), 1, &dense))
    return undefined_value(env);
  const int32_t *labels = NULL;
  napi_valuetype t;
  napi_typeof(env, argv[3], &t);
  if (t != napi_null && t != napi_undefined) {
    tarray l;
    if (!get_array(env, argv[3], &l) || l.dtype != KT_I32 || l.length != (size_t)rows) return undefined_value(env);
    labels = l.data;
  }
  if ((labels == NULL) == (dense == NULL)) return undefined_value(env);
  if (!get_f32(env, argv[5], (size_t)rows, 1, &scale)) return undefined_value(env);
  void *out;
  napi_value result = new_output(env, KT_F32, (size_t)(scale ? rows * cols : rows), &out);
  if (result == NULL) return NULL;
  if (scale) kt_softmax_xent_backward(logits, rows, cols, labels, dense, scale, out);
  else kt_softmax_xent(logits, rows, cols, labels, dense, out);
  return result;
}

/* The optimizer updates overwrite the variable and its slots in place and return true; undefined
 * (for the reference kernel) when an argument is not a float32 array of the variable's length. */

/* sgd(var, grad, momentum|null, lr, mu, decay, nesterov) */
static napi_value js_sgd(napi_env env, napi_callback_info info) {
  ARGS(7);
  tarray v;
  if (!get_array(env, argv[0], &v) || v.dtype != KT_F32) return undefined_value(env);
  const float *grad, *mom;
  if (!get_f32(env, argv[1], v.length, 0, &grad) || !get_f32(env, argv[2], v.length, 1, &mom)) return undefined_value(env);
  kt_sgd(v.data, grad, (float *)mom, (long)v.length, get_f64(env, argv[3]), get_f64(env, argv[4]), get_f64(env, argv[5]), get_bool(env, argv[6]));
  return true_value(env);
}

/* rmsprop(var, grad, velocity, momentum|null, averageGradient|null, lr, rho, mu, eps, decay) */
static napi_value js_rmsprop(napi_env env, napi_callback_info info) {
  ARGS(10);
  tarray v;
  if (!get_array(env, argv[0], &v) || v.dtype != KT_F32) return undefined_value(env);
  const float *grad, *vel, *mom, *avg;
  if (!get_f32(env, argv[1], v.length, 0, &grad) || !get_f32(env, argv[2], v.length, 0, &vel) || !get_f32(env, argv[3], v.length, 1, &mom) ||
      !get_f32(env, argv[4], v.length, 1, &avg))
    return undefined_value(env);
  kt_rmsprop(v.data, grad, (float *)vel, (float *)mom, (float *)avg, (long)v.length, get_f64(env, argv[5]), get_f64(env, argv[6]), get_f64(env, argv[7]),
             get_f64(env, argv[8]), get_f64(env, argv[9]));
  return true_value(env);
}

/* adam(var, grad, momentum, velocity, velocityHat|null, alpha, beta1, beta2, eps, decay) */
static napi_value js_adam(napi_env env, napi_callback_info info) {
  ARGS(10);
  tarray v;
  if (!get_array(env, argv[0], &v) || v.dtype != KT_F32) return undefined_value(env);
  const float *grad, *mom, *vel, *hat;
  if (!get_f32(env, argv[1], v.length, 0, &grad) || !get_f32(env, argv[2], v.length, 0, &mom) || !get_f32(env, argv[3], v.length, 0, &vel) ||
      !get_f32(env, argv[4], v.length, 1, &hat))
    return undefined_value(env);
  kt_adam(v.data, grad, (float *)mom, (float *)vel, (float *)hat, (long)v.length, get_f64(env, argv[5]), get_f64(env, argv[6]), get_f64(env, argv[7]),
          get_f64(env, argv[8]), get_f64(env, argv[9]));
  return true_value(env);
}

/* ------------------------------------------------------------------ conv, pooling, batch norm */

/* A gradient target argument: false (none), true (a fresh array of n, into *vals), or a float32
 * array of n to write into (then *vals is that array). 0 when it is none of these. */
static int get_target(napi_env env, napi_value v, size_t n, napi_value *vals, float **into) {
  napi_valuetype type;
  *into = NULL;
  *vals = NULL;
  if (napi_typeof(env, v, &type) != napi_ok) return 0;
  if (type == napi_boolean) {
    if (!get_bool(env, v)) return 1;
    void *p;
    if ((*vals = new_output(env, KT_F32, n, &p)) == NULL) return 0;
    *into = p;
    return 1;
  }
  const float *a;
  if (!get_f32(env, v, n, 0, &a)) return 0;
  *into = (float *)a;
  *vals = v;
  return 1;
}

/* Geometry of a conv: Int32Array [batch, cin, cout, groups, in x3, out x3, k x3, stride x3,
 * dilation x3, pad x3, channelsFirst] (3 spatial axes); 0 unless consistent. */
static int get_conv_geom(napi_env env, napi_value v, kt_conv_geom *g) {
  tarray a;
  if (!get_array(env, v, &a) || a.dtype != KT_I32 || a.length != 23) return 0;
  const int32_t *p = a.data;
  for (int i = 0; i < 22; i++) if (p[i] < 0) return 0;
  g->batch = p[0]; g->cin = p[1]; g->cout = p[2]; g->groups = p[3];
  for (int d = 0; d < 3; d++) {
    g->in[d] = p[4 + d]; g->out[d] = p[7 + d]; g->k[d] = p[10 + d];
    g->stride[d] = p[13 + d]; g->dil[d] = p[16 + d]; g->pad[d] = p[19 + d];
    if (g->stride[d] < 1 || g->dil[d] < 1) return 0;
  }
  g->channels_first = p[22] != 0;
  return g->groups >= 1 && g->cin % g->groups == 0 && g->cout % g->groups == 0;
}

static size_t conv_x_size(const kt_conv_geom *g) { return (size_t)(g->batch * g->cin * g->in[0] * g->in[1] * g->in[2]); }
static size_t conv_out_size(const kt_conv_geom *g) { return (size_t)(g->batch * g->cout * g->out[0] * g->out[1] * g->out[2]); }
static size_t conv_w_size(const kt_conv_geom *g) { return (size_t)(g->k[0] * g->k[1] * g->k[2] * (g->cin / g->groups) * g->cout); }

/* convForward(x, w, bias|null, geom, act) */
static napi_value js_conv_forward(napi_env env, napi_callback_info info) {
  ARGS(5);
  kt_conv_geom g;
  int act = get_i32(env, argv[4]);
  const float *x, *w, *bias;
  if (!get_conv_geom(env, argv[3], &g) || act < 0 || act > 3) return undefined_value(env);
  if (!get_f32(env, argv[0], conv_x_size(&g), 0, &x) || !get_f32(env, argv[1], conv_w_size(&g), 0, &w) || !get_f32(env, argv[2], (size_t)g.cout, 1, &bias))
    return undefined_value(env);
  void *out;
  napi_value result = new_output(env, KT_F32, conv_out_size(&g), &out);
  if (result == NULL) return NULL;
  if (!kt_conv_forward(x, w, bias, out, &g, act)) return undefined_value(env);
  return result;
}

/* convBackward(dOut, out|null, x|null, w|null, geom, act, needDX, needDW, needDB) -> [dX, dW, db] */
static napi_value js_conv_backward(napi_env env, napi_callback_info info) {
  ARGS(9);
  kt_conv_geom g;
  int act = get_i32(env, argv[5]);
  if (!get_conv_geom(env, argv[4], &g) || act < 0 || act > 3) return undefined_value(env);
  int need_dx = get_bool(env, argv[6]);
  const float *dout, *out, *x, *w;
  if (!get_f32(env, argv[0], conv_out_size(&g), 0, &dout) || !get_f32(env, argv[1], conv_out_size(&g), 1, &out) ||
      !get_f32(env, argv[2], conv_x_size(&g), 1, &x) || !get_f32(env, argv[3], conv_w_size(&g), 1, &w))
    return undefined_value(env);
  if (act != 0 && out == NULL) return undefined_value(env);
  napi_value vals[3] = {NULL, NULL, NULL};
  float *dx = NULL, *dw = NULL, *db = NULL;
  if (!get_target(env, argv[7], conv_w_size(&g), &vals[1], &dw) || !get_target(env, argv[8], (size_t)g.cout, &vals[2], &db)) return undefined_value(env);
  if ((dw != NULL && x == NULL) || (need_dx && w == NULL)) return undefined_value(env);
  if (need_dx) {
    void *p;
    if ((vals[0] = new_output(env, KT_F32, conv_x_size(&g), &p)) == NULL) return NULL;
    dx = p;
  }
  if (!kt_conv_backward(dout, out, x, w, &g, act, dx, dw, db)) return undefined_value(env);
  return pack_results(env, vals, 3);
}

/* Geometry of a pooling: Int32Array [batch, channels, in x3, out x3, k x3, stride x3, pad x3, channelsFirst]. */
static int get_pool_geom(napi_env env, napi_value v, kt_pool_geom *g) {
  tarray a;
  if (!get_array(env, v, &a) || a.dtype != KT_I32 || a.length != 18) return 0;
  const int32_t *p = a.data;
  for (int i = 0; i < 17; i++) if (p[i] < 0) return 0;
  g->batch = p[0]; g->channels = p[1];
  for (int d = 0; d < 3; d++) {
    g->in[d] = p[2 + d]; g->out[d] = p[5 + d]; g->k[d] = p[8 + d]; g->stride[d] = p[11 + d]; g->pad[d] = p[14 + d];
    if (g->stride[d] < 1 || g->k[d] < 1) return 0;
  }
  g->channels_first = p[17] != 0;
  return 1;
}

/* pool(mode, a, x|null, geom): mode 0 max forward (a = x), 1 max backward (a = dOut, x), 2 average
 * forward (a = x), 3 average backward (a = dOut). */
static napi_value js_pool(napi_env env, napi_callback_info info) {
  ARGS(4);
  int mode = get_i32(env, argv[0]);
  kt_pool_geom g;
  if (mode < 0 || mode > 3 || !get_pool_geom(env, argv[3], &g)) return undefined_value(env);
  size_t xs = (size_t)(g.batch * g.channels * g.in[0] * g.in[1] * g.in[2]);
  size_t os = (size_t)(g.batch * g.channels * g.out[0] * g.out[1] * g.out[2]);
  int backward = mode == 1 || mode == 3;
  const float *a, *x = NULL;
  if (!get_f32(env, argv[1], backward ? os : xs, 0, &a)) return undefined_value(env);
  if (mode == 1 && !get_f32(env, argv[2], xs, 0, &x)) return undefined_value(env);
  void *out;
  napi_value result = new_output(env, KT_F32, backward ? xs : os, &out);
  if (result == NULL) return NULL;
  int ok = mode == 0 ? kt_max_pool_forward(a, out, &g) : mode == 1 ? kt_max_pool_backward(a, x, out, &g)
         : mode == 2 ? kt_avg_pool_forward(a, out, &g) : kt_avg_pool_backward(a, out, &g);
  return ok ? result : undefined_value(env);
}

static int get_bn_dims(napi_env env, napi_value *argv, long *outer, long *channels, long *inner, double *eps) {
  *outer = get_i64(env, argv[0]);
  *channels = get_i64(env, argv[1]);
  *inner = get_i64(env, argv[2]);
  *eps = get_f64(env, argv[3]);
  return *outer >= 0 && *channels >= 0 && *inner >= 0 && *eps >= 0;
}

/* bnTraining(x, gamma|null, beta|null, outer, channels, inner, eps) -> [out, mean, variance] */
static napi_value js_bn_training(napi_env env, napi_callback_info info) {
  ARGS(7);
  long outer, c, inner;
  double eps;
  const float *x, *gamma, *beta;
  if (!get_bn_dims(env, argv + 3, &outer, &c, &inner, &eps)) return undefined_value(env);
  if (!get_f32(env, argv[0], (size_t)(outer * c * inner), 0, &x) || !get_f32(env, argv[1], (size_t)c, 1, &gamma) || !get_f32(env, argv[2], (size_t)c, 1, &beta))
    return undefined_value(env);
  napi_value vals[3];
  void *out, *mean, *var;
  if ((vals[0] = new_output(env, KT_F32, (size_t)(outer * c * inner), &out)) == NULL || (vals[1] = new_output(env, KT_F32, (size_t)c, &mean)) == NULL ||
      (vals[2] = new_output(env, KT_F32, (size_t)c, &var)) == NULL)
    return NULL;
  kt_bn_training(x, gamma, beta, out, mean, var, outer, c, inner, eps);
  return pack_results(env, vals, 3);
}

/* bnInference(x, mean, variance, gamma|null, beta|null, outer, channels, inner, eps) */
static napi_value js_bn_inference(napi_env env, napi_callback_info info) {
  ARGS(9);
  long outer, c, inner;
  double eps;
  const float *x, *mean, *var, *gamma, *beta;
  if (!get_bn_dims(env, argv + 5, &outer, &c, &inner, &eps)) return undefined_value(env);
  if (!get_f32(env, argv[0], (size_t)(outer * c * inner), 0, &x) || !get_f32(env, argv[1], (size_t)c, 0, &mean) || !get_f32(env, argv[2], (size_t)c, 0, &var) ||
      !get_f32(env, argv[3], (size_t)c, 1, &gamma) || !get_f32(env, argv[4], (size_t)c, 1, &beta))
    return undefined_value(env);
  void *out;
  napi_value result = new_output(env, KT_F32, (size_t)(outer * c * inner), &out);
  if (result == NULL) return NULL;
  kt_bn_inference(x, mean, var, gamma, beta, out, outer, c, inner, eps);
  return result;
}

/* bnTrainingBackward(dOut, x, mean, variance, gamma|null, outer, channels, inner, eps, needDX, needDGamma, needDBeta) -> [dX, dGamma, dBeta] */
static napi_value js_bn_training_backward(napi_env env, napi_callback_info info) {
  ARGS(12);
  long outer, c, inner;
  double eps;
  const float *dout, *x, *mean, *var, *gamma;
  if (!get_bn_dims(env, argv + 5, &outer, &c, &inner, &eps)) return undefined_value(env);
  size_t n = (size_t)(outer * c * inner);
  if (!get_f32(env, argv[0], n, 0, &dout) || !get_f32(env, argv[1], n, 0, &x) || !get_f32(env, argv[2], (size_t)c, 0, &mean) ||
      !get_f32(env, argv[3], (size_t)c, 0, &var) || !get_f32(env, argv[4], (size_t)c, 1, &gamma))
    return undefined_value(env);
  napi_value vals[3] = {NULL, NULL, NULL};
  float *dx = NULL, *dgamma, *dbeta;
  if (!get_target(env, argv[10], (size_t)c, &vals[1], &dgamma) || !get_target(env, argv[11], (size_t)c, &vals[2], &dbeta)) return undefined_value(env);
  if (get_bool(env, argv[9])) {
    void *p;
    if ((vals[0] = new_output(env, KT_F32, n, &p)) == NULL) return NULL;
    dx = p;
  }
  kt_bn_training_backward(dout, x, mean, var, gamma, outer, c, inner, eps, dx, dgamma, dbeta);
  return pack_results(env, vals, 3);
}

/* ------------------------------------------------------------------ sequence kernels (rnn.c, attention.c) */

/* A bool (Uint8Array) array of exactly n elements, or null / undefined; 0 otherwise. */
static int get_mask(napi_env env, napi_value v, size_t n, const uint8_t **out) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_null || t == napi_undefined) {
    *out = NULL;
    return 1;
  }
  tarray a;
  if (!get_array(env, v, &a) || a.dtype != KT_U8 || a.length != n) return 0;
  *out = a.data;
  return 1;
}

/* A gradient target: false (not wanted, *data NULL), true (a fresh output) or the float32 array of
 * n elements to write into. 0 for anything else or when allocation failed (*failed set then). */
static int get_grad_target(napi_env env, napi_value v, size_t n, float **data, napi_value *result) {
  napi_valuetype type;
  *data = NULL;
  *result = NULL;
  if (napi_typeof(env, v, &type) != napi_ok) return 0;
  if (type == napi_boolean) {
    if (!get_bool(env, v)) return 1;
    void *p;
    *result = new_output(env, KT_F32, n, &p);
    *data = p;
    return *result != NULL;
  }
  const float *into;
  if (!get_f32(env, v, n, 0, &into)) return 0;
  *data = (float *)into;
  *result = v;
  return 1;
}

/* A fresh float32 array holding `src` (n elements), or zeros when src is NULL. */
static napi_value copy_or_zeros(napi_env env, const float *src, size_t n, float **data) {
  void *p;
  napi_value r = src != NULL ? new_output(env, KT_F32, n, &p) : new_array(env, KT_F32, n, &p);
  if (r != NULL && src != NULL && n > 0) memcpy(p, src, n * sizeof(float));
  *data = p;
  return r;
}

enum { SEQ_BACKWARDS = 1, SEQ_ZERO_OUTPUT = 2, SEQ_RETURN_SEQUENCES = 4, SEQ_TRAINING = 8 };

/* A recurrent forward's workspace: `given` (a spare Float32Array of exactly n elements, which a
 * backward kernel consumed: every element is overwritten) when there is one, else a new output.
 * Reusing it saves a training step a large allocation, and V8 the garbage collections that
 * allocations of external memory this size set off. */
static napi_value workspace_output(napi_env env, napi_value given, size_t n, void **data) {
  tarray a;
  if (given != NULL && get_array(env, given, &a) && a.dtype == KT_F32 && a.length == n) {
    *data = (void *)a.data;
    return given;
  }
  return new_output(env, KT_F32, n, data);
}

/* lstmForward(x, h0, c0, R, mask|null, B, T, U, flags, spareWorkspace?) -> [outputs|null, h, c, workspace|null] */
static napi_value js_lstm_forward(napi_env env, napi_callback_info info) {
  ARGS(9);
  long B = get_i64(env, argv[5]), T = get_i64(env, argv[6]), U = get_i64(env, argv[7]);
  int flags = get_i32(env, argv[8]);
  if (B < 0 || T < 0 || U < 0) return undefined_value(env);
  const float *x, *h0, *c0, *R;
  const uint8_t *mask;
  if (!get_f32(env, argv[0], (size_t)(B * T * 4 * U), 0, &x) || !get_f32(env, argv[1], (size_t)(B * U), 0, &h0) || !get_f32(env, argv[2], (size_t)(B * U), 0, &c0) ||
      !get_f32(env, argv[3], (size_t)(U * 4 * U), 0, &R) || !get_mask(env, argv[4], (size_t)(B * T), &mask))
    return undefined_value(env);
  napi_value vals[4] = {NULL, NULL, NULL, NULL};
  void *out = NULL, *h, *c, *ws = NULL;
  if ((flags & SEQ_RETURN_SEQUENCES) && (vals[0] = new_output(env, KT_F32, (size_t)(B * T * U), &out)) == NULL) return NULL;
  if ((vals[1] = new_output(env, KT_F32, (size_t)(B * U), &h)) == NULL || (vals[2] = new_output(env, KT_F32, (size_t)(B * U), &c)) == NULL) return NULL;
  if ((flags & SEQ_TRAINING) && (vals[3] = workspace_output(env, argc > 9 ? argv[9] : NULL, (size_t)(B * T * 7 * U), &ws)) == NULL) return NULL;
  kt_lstm_forward(x, h0, c0, R, mask, B, T, U, flags & SEQ_BACKWARDS, (flags & SEQ_ZERO_OUTPUT) != 0, out, h, c, ws);
  return pack_results(env, vals, 4);
}

/* lstmBackward(dOut|null, dH|null, dC|null, R, mask|null, workspace, B, T, U, flags, needDR) -> [dX, dH0, dC0, dR|null] */
static napi_value js_lstm_backward(napi_env env, napi_callback_info info) {
  ARGS(11);
  long B = get_i64(env, argv[6]), T = get_i64(env, argv[7]), U = get_i64(env, argv[8]);
  int flags = get_i32(env, argv[9]);
  if (B < 0 || T < 0 || U < 0) return undefined_value(env);
  const float *dout, *dH, *dC, *R, *ws;
  const uint8_t *mask;
  if (!get_f32(env, argv[0], (size_t)(B * T * U), 1, &dout) || !get_f32(env, argv[1], (size_t)(B * U), 1, &dH) || !get_f32(env, argv[2], (size_t)(B * U), 1, &dC) ||
      !get_f32(env, argv[3], (size_t)(U * 4 * U), 0, &R) || !get_mask(env, argv[4], (size_t)(B * T), &mask) || !get_f32(env, argv[5], (size_t)(B * T * 7 * U), 0, &ws))
    return undefined_value(env);
  napi_value vals[4] = {NULL, NULL, NULL, NULL};
  void *dx;
  float *dh, *dc, *dR;
  if ((vals[0] = new_output(env, KT_F32, (size_t)(B * T * 4 * U), &dx)) == NULL) return NULL;
  if ((vals[1] = copy_or_zeros(env, dH, (size_t)(B * U), &dh)) == NULL || (vals[2] = copy_or_zeros(env, dC, (size_t)(B * U), &dc)) == NULL) return NULL;
  if (!get_grad_target(env, argv[10], (size_t)(U * 4 * U), &dR, &vals[3])) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return NULL;
    return undefined_value(env);
  }
  if (!kt_lstm_backward(dout, R, mask, ws, B, T, U, flags & SEQ_BACKWARDS, (flags & SEQ_ZERO_OUTPUT) != 0, dx, dh, dc, dR)) return undefined_value(env);
  return pack_results(env, vals, 4);
}

/* gruForward(x, h0, R, recurrentBias|null, mask|null, B, T, U, flags, spareWorkspace?) -> [outputs|null, h, workspace|null] */
static napi_value js_gru_forward(napi_env env, napi_callback_info info) {
  ARGS(9);
  long B = get_i64(env, argv[5]), T = get_i64(env, argv[6]), U = get_i64(env, argv[7]);
  int flags = get_i32(env, argv[8]);
  if (B < 0 || T < 0 || U < 0) return undefined_value(env);
  const float *x, *h0, *R, *rb;
  const uint8_t *mask;
  if (!get_f32(env, argv[0], (size_t)(B * T * 3 * U), 0, &x) || !get_f32(env, argv[1], (size_t)(B * U), 0, &h0) || !get_f32(env, argv[2], (size_t)(U * 3 * U), 0, &R) ||
      !get_f32(env, argv[3], (size_t)(3 * U), 1, &rb) || !get_mask(env, argv[4], (size_t)(B * T), &mask))
    return undefined_value(env);
  napi_value vals[3] = {NULL, NULL, NULL};
  void *out = NULL, *h, *ws = NULL;
  if ((flags & SEQ_RETURN_SEQUENCES) && (vals[0] = new_output(env, KT_F32, (size_t)(B * T * U), &out)) == NULL) return NULL;
  if ((vals[1] = new_output(env, KT_F32, (size_t)(B * U), &h)) == NULL) return NULL;
  if ((flags & SEQ_TRAINING) && (vals[2] = workspace_output(env, argc > 9 ? argv[9] : NULL, (size_t)(B * T * 5 * U), &ws)) == NULL) return NULL;
  if (!kt_gru_forward(x, h0, R, rb, mask, B, T, U, flags & SEQ_BACKWARDS, (flags & SEQ_ZERO_OUTPUT) != 0, out, h, ws)) return undefined_value(env);
  return pack_results(env, vals, 3);
}

/* gruBackward(dOut|null, dH|null, R, hasBias, mask|null, workspace, B, T, U, flags, needDR, needDB) -> [dX, dH0, dR|null, dB|null] */
static napi_value js_gru_backward(napi_env env, napi_callback_info info) {
  ARGS(12);
  long B = get_i64(env, argv[6]), T = get_i64(env, argv[7]), U = get_i64(env, argv[8]);
  int flags = get_i32(env, argv[9]);
  int has_bias = get_bool(env, argv[3]);
  if (B < 0 || T < 0 || U < 0) return undefined_value(env);
  const float *dout, *dH, *R, *ws;
  const uint8_t *mask;
  if (!get_f32(env, argv[0], (size_t)(B * T * U), 1, &dout) || !get_f32(env, argv[1], (size_t)(B * U), 1, &dH) || !get_f32(env, argv[2], (size_t)(U * 3 * U), 0, &R) ||
      !get_mask(env, argv[4], (size_t)(B * T), &mask) || !get_f32(env, argv[5], (size_t)(B * T * 5 * U), 0, &ws))
    return undefined_value(env);
  napi_value vals[4] = {NULL, NULL, NULL, NULL};
  void *dx;
  float *dh, *dR, *db = NULL;
  if ((vals[0] = new_output(env, KT_F32, (size_t)(B * T * 3 * U), &dx)) == NULL) return NULL;
  if ((vals[1] = copy_or_zeros(env, dH, (size_t)(B * U), &dh)) == NULL) return NULL;
  if (!get_grad_target(env, argv[10], (size_t)(U * 3 * U), &dR, &vals[2]) || (has_bias && !get_grad_target(env, argv[11], (size_t)(3 * U), &db, &vals[3]))) {
    bool pending = false;
    if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return NULL;
    return undefined_value(env);
  }
  if (!kt_gru_backward(dout, R, mask, ws, B, T, U, flags & SEQ_BACKWARDS, (flags & SEQ_ZERO_OUTPUT) != 0, dx, dh, dR, db)) return undefined_value(env);
  return pack_results(env, vals, 4);
}

/* Attention dims {B, Tq, Tk, N, D, Dv} and the mask shape from Int32Arrays; 0 when malformed. */
static int get_attention_dims(napi_env env, napi_value dims_v, napi_value mask_v, napi_value shape_v, long dims[6], long mask_shape[4], const uint8_t **mask) {
  tarray d;
  if (!get_array(env, dims_v, &d) || d.dtype != KT_I32 || d.length != 6) return 0;
  for (int i = 0; i < 6; i++) {
    dims[i] = ((const int32_t *)d.data)[i];
    if (dims[i] < 0) return 0;
  }
  napi_valuetype t;
  if (napi_typeof(env, mask_v, &t) != napi_ok) return 0;
  if (t == napi_null || t == napi_undefined) {
    *mask = NULL;
    return 1;
  }
  tarray sh;
  if (!get_array(env, shape_v, &sh) || sh.dtype != KT_I32 || sh.length != 4) return 0;
  const long full[4] = {dims[0], dims[3], dims[1], dims[2]};
  long n = 1;
  for (int i = 0; i < 4; i++) {
    mask_shape[i] = ((const int32_t *)sh.data)[i];
    if (mask_shape[i] != 1 && mask_shape[i] != full[i]) return 0;
    n *= mask_shape[i];
  }
  return get_mask(env, mask_v, (size_t)n, mask) && *mask != NULL;
}

/* attentionForward(q, k, v, mask|null, maskShape|null, dims, scale, causal) -> [out, probabilities] */
static napi_value js_attention_forward(napi_env env, napi_callback_info info) {
  ARGS(8);
  long dims[6], mask_shape[4] = {1, 1, 1, 1};
  const uint8_t *mask;
  if (!get_attention_dims(env, argv[5], argv[3], argv[4], dims, mask_shape, &mask)) return undefined_value(env);
  long B = dims[0], Tq = dims[1], Tk = dims[2], N = dims[3], D = dims[4], Dv = dims[5];
  const float *q, *k, *v;
  if (!get_f32(env, argv[0], (size_t)(B * Tq * N * D), 0, &q) || !get_f32(env, argv[1], (size_t)(B * Tk * N * D), 0, &k) || !get_f32(env, argv[2], (size_t)(B * Tk * N * Dv), 0, &v))
    return undefined_value(env);
  int empty = B * N == 0 || Tq == 0 || Tk == 0;
  napi_value vals[2];
  void *out, *probs;
  vals[0] = empty ? new_array(env, KT_F32, (size_t)(B * Tq * N * Dv), &out) : new_output(env, KT_F32, (size_t)(B * Tq * N * Dv), &out);
  if (vals[0] == NULL || (vals[1] = new_output(env, KT_F32, (size_t)(B * N * Tq * Tk), &probs)) == NULL) return NULL;
  kt_attention_forward(q, k, v, mask, mask_shape, dims, (float)get_f64(env, argv[6]), get_bool(env, argv[7]), out, probs);
  return pack_results(env, vals, 2);
}

/* attentionBackward(dOut, q, k, v, mask|null, maskShape|null, probabilities, dims, scale, causal) -> [dQ, dK, dV] */
static napi_value js_attention_backward(napi_env env, napi_callback_info info) {
  ARGS(10);
  long dims[6], mask_shape[4] = {1, 1, 1, 1};
  const uint8_t *mask;
  if (!get_attention_dims(env, argv[7], argv[4], argv[5], dims, mask_shape, &mask)) return undefined_value(env);
  long B = dims[0], Tq = dims[1], Tk = dims[2], N = dims[3], D = dims[4], Dv = dims[5];
  const float *dout, *q, *k, *v, *probs;
  if (!get_f32(env, argv[0], (size_t)(B * Tq * N * Dv), 0, &dout) || !get_f32(env, argv[1], (size_t)(B * Tq * N * D), 0, &q) ||
      !get_f32(env, argv[2], (size_t)(B * Tk * N * D), 0, &k) || !get_f32(env, argv[3], (size_t)(B * Tk * N * Dv), 0, &v) ||
      !get_f32(env, argv[6], (size_t)(B * N * Tq * Tk), 0, &probs))
    return undefined_value(env);
  int empty = B * N == 0 || Tq == 0 || Tk == 0;
  napi_value vals[3];
  void *dq, *dk, *dv;
  napi_value (*alloc)(napi_env, int, size_t, void **) = empty ? new_array : new_output;
  if ((vals[0] = alloc(env, KT_F32, (size_t)(B * Tq * N * D), &dq)) == NULL || (vals[1] = alloc(env, KT_F32, (size_t)(B * Tk * N * D), &dk)) == NULL ||
      (vals[2] = alloc(env, KT_F32, (size_t)(B * Tk * N * Dv), &dv)) == NULL)
    return NULL;
  kt_attention_backward(dout, q, k, v, mask, mask_shape, probs, dims, (float)get_f64(env, argv[8]), get_bool(env, argv[9]), dq, dk, dv);
  return pack_results(env, vals, 3);
}

/* info() -> { isa, threads } */
static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value o, isa, threads;
  CALL(env, napi_create_object(env, &o));
  CALL(env, napi_create_string_utf8(env, kt_isa_name(kt_isa()), NAPI_AUTO_LENGTH, &isa));
  CALL(env, napi_create_int32(env, kt_num_threads(), &threads));
  CALL(env, napi_set_named_property(env, o, "isa", isa));
  CALL(env, napi_set_named_property(env, o, "threads", threads));
  return o;
}

/* setNumThreads(n), setIsa("avx512" | "avx2" | "c"): for benchmarks and tests. */
static napi_value js_set_num_threads(napi_env env, napi_callback_info info) {
  ARGS(1);
  kt_set_num_threads(get_i32(env, argv[0]));
  return undefined_value(env);
}
static napi_value js_set_isa(napi_env env, napi_callback_info info) {
  ARGS(1);
  char buf[16] = {0};
  size_t len;
  CALL(env, napi_get_value_string_utf8(env, argv[0], buf, sizeof buf, &len));
  kt_set_isa(strcmp(buf, "avx512") == 0 ? KT_ISA_AVX512 : strcmp(buf, "avx2") == 0 ? KT_ISA_AVX2 : KT_ISA_C);
  return undefined_value(env);
}

/* ------------------------------------------------------------------ lent to addon_ext.c */

int kt_napi_get_array(napi_env env, napi_value v, int *dtype, void **data, size_t *length) {
  tarray a;
  if (!get_array(env, v, &a)) return 0;
  *dtype = a.dtype;
  *data = a.data;
  *length = a.length;
  return 1;
}

napi_value kt_napi_new_output(napi_env env, int dtype, size_t n, void **data) { return new_output(env, dtype, n, data); }

napi_value kt_napi_new_zeros(napi_env env, int dtype, size_t n, void **data) { return new_array(env, dtype, n, data); }

/*
 * glibc's allocator serves the large outputs (V8 allocates an ArrayBuffer's memory with malloc).
 * By default a block above 128 KB is mmap'ed fresh and unmapped when freed, and free memory over
 * 128 KB at the top of the heap is returned to the system at once: every large output of a training
 * step or a matmul then page-faults all its pages again (a 1024x1024 product: ~1,000 faults, 15-25%
 * of its time; 2 threads: 315 vs 426 GFLOP/s). Blocks under 32 MB (every array of a training step,
 * and these products) now come from the heap, and up to 64 MB of free heap stays mapped for reuse;
 * larger blocks (data sets) are still mmap'ed and returned when freed. Not done when the process
 * configures malloc itself (GLIBC_TUNABLES, MALLOC_*_ variables) or with KERAS_TS_MALLOC_TUNE=0.
 */
static void tune_malloc(void) {
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  const char *off = getenv("KERAS_TS_MALLOC_TUNE");
  if (off != NULL && strcmp(off, "0") == 0) return;
  const char *tunables = getenv("GLIBC_TUNABLES");
  if (tunables != NULL && strstr(tunables, "malloc") != NULL) return;
  if (getenv("MALLOC_MMAP_THRESHOLD_") != NULL || getenv("MALLOC_TRIM_THRESHOLD_") != NULL || getenv("MALLOC_TOP_PAD_") != NULL) return;
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

NAPI_MODULE_INIT() {
  static int tuned = 0;
  if (!tuned) {
    tuned = 1;
    tune_malloc();
  }
  napi_property_descriptor props[] = {
    {"binary", NULL, js_binary, NULL, NULL, NULL, napi_enumerable, NULL},
    {"unary", NULL, js_unary, NULL, NULL, NULL, napi_enumerable, NULL},
    {"select", NULL, js_select, NULL, NULL, NULL, napi_enumerable, NULL},
    {"matmul", NULL, js_matmul, NULL, NULL, NULL, napi_enumerable, NULL},
    {"reduce", NULL, js_reduce, NULL, NULL, NULL, napi_enumerable, NULL},
    {"argReduce", NULL, js_argreduce, NULL, NULL, NULL, napi_enumerable, NULL},
    {"softmax", NULL, js_softmax, NULL, NULL, NULL, napi_enumerable, NULL},
    {"transpose2d", NULL, js_transpose2d, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gather", NULL, js_gather, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sliceRange", NULL, js_slice_range, NULL, NULL, NULL, napi_enumerable, NULL},
    {"cast", NULL, js_cast, NULL, NULL, NULL, napi_enumerable, NULL},
    {"fill", NULL, js_fill, NULL, NULL, NULL, napi_enumerable, NULL},
    {"denseForward", NULL, js_dense_forward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"denseBackward", NULL, js_dense_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"softmaxXent", NULL, js_softmax_xent, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sgd", NULL, js_sgd, NULL, NULL, NULL, napi_enumerable, NULL},
    {"rmsprop", NULL, js_rmsprop, NULL, NULL, NULL, napi_enumerable, NULL},
    {"adam", NULL, js_adam, NULL, NULL, NULL, napi_enumerable, NULL},
    {"convForward", NULL, js_conv_forward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"convBackward", NULL, js_conv_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pool", NULL, js_pool, NULL, NULL, NULL, napi_enumerable, NULL},
    {"bnTraining", NULL, js_bn_training, NULL, NULL, NULL, napi_enumerable, NULL},
    {"bnInference", NULL, js_bn_inference, NULL, NULL, NULL, napi_enumerable, NULL},
    {"bnTrainingBackward", NULL, js_bn_training_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lstmForward", NULL, js_lstm_forward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"lstmBackward", NULL, js_lstm_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gruForward", NULL, js_gru_forward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gruBackward", NULL, js_gru_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"attentionForward", NULL, js_attention_forward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"attentionBackward", NULL, js_attention_backward, NULL, NULL, NULL, napi_enumerable, NULL},
    {"info", NULL, js_info, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setNumThreads", NULL, js_set_num_threads, NULL, NULL, NULL, napi_enumerable, NULL},
    {"setIsa", NULL, js_set_isa, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  if (kt_define_ext(env, exports) != napi_ok) return NULL;
  return exports;
}
