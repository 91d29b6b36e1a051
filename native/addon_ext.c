/*
 * N-API functions of the kernels in kt_ext.h: reductions of any type, integer arg-reductions, the
 * argmax-match count, normalize, and the layout / scatter / gather kernels. As in addon.c, inputs
 * are read in place and the output is a fresh typed array; a function returns `undefined` for
 * arguments it does not take (the TypeScript wrapper then runs the reference kernel, which gives
 * its own error for bad ones), and never reads or writes outside an array.
 */
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kt.h"
#include "kt_ext.h"
#include "napi_ext.h"

#define MAX_ARGS 8

typedef struct {
  int dtype;
  void *data;
  size_t length;
} arr;

static int get_arr(napi_env env, napi_value v, arr *a) { return kt_napi_get_array(env, v, &a->dtype, &a->data, &a->length); }

static napi_value undefined_value(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

static int is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  return napi_typeof(env, v, &t) == napi_ok && (t == napi_null || t == napi_undefined);
}

/* A number that is an integer in [0, 2^53]. */
static int get_count(napi_env env, napi_value v, long *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok || !(d >= 0 && d <= 9007199254740992.0) || d != (double)(long)d) return 0;
  *out = (long)d;
  return 1;
}

static int get_int(napi_env env, napi_value v, int32_t *out) { return napi_get_value_int32(env, v, out) == napi_ok; }

static int get_double(napi_env env, napi_value v, double *out) { return napi_get_value_double(env, v, out) == napi_ok; }

static int mul_ok(long a, long b, long *out) { return !__builtin_mul_overflow(a, b, out); }

static int product3(long a, long b, long c, long *out) {
  long ab;
  return mul_ok(a, b, &ab) && mul_ok(ab, c, out);
}

/* The typed-array type that stores dtype `d` (bool in a Uint8Array). */
static int storage_of(int d) { return d == KT_BOOL ? KT_U8 : d; }

static int valid_dtype(int32_t d) { return d >= KT_F32 && d <= KT_BOOL; }

#define ARGS(N)                                                                  \
  size_t argc = MAX_ARGS;                                                        \
  napi_value argv[MAX_ARGS];                                                     \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL; \
  if (argc < (N)) {                                                              \
    napi_throw_type_error(env, NULL, "keras-ts native: too few arguments");      \
    return NULL;                                                                 \
  }

/* Every index in [0, n). */
static int indices_in_range(const int32_t *idx, size_t count, long n) {
  for (size_t q = 0; q < count; q++)
    if (idx[q] < 0 || idx[q] >= n) return 0;
  return 1;
}

/* reduceAny(op, x, outer, n, inner, outDtype): op 0 sum, 1 prod, 2 max, 3 min, 4 any, 5 all. */
static napi_value js_reduce_any(napi_env env, napi_callback_info info) {
  ARGS(6);
  int32_t op, od;
  arr x;
  long outer, n, inner, total;
  if (!get_int(env, argv[0], &op) || op < KT_R_SUM || op > KT_R_ALL || !get_arr(env, argv[1], &x) || !get_count(env, argv[2], &outer) ||
      !get_count(env, argv[3], &n) || !get_count(env, argv[4], &inner) || !get_int(env, argv[5], &od) || !valid_dtype(od) ||
      !product3(outer, n, inner, &total) || (size_t)total != x.length)
    return undefined_value(env);
  void *out;
  napi_value result = kt_napi_new_output(env, od, (size_t)(outer * inner), &out);
  if (result == NULL || outer * inner == 0) return result;
  kt_reduce_any(op, x.data, x.dtype, out, od, outer, n, inner);
  return result;
}

/* argReduceInt(isMax, x, outer, n, inner): x int32 or uint8. */
static napi_value js_argreduce_int(napi_env env, napi_callback_info info) {
  ARGS(5);
  bool is_max;
  arr x;
  long outer, n, inner, total;
  if (napi_get_value_bool(env, argv[0], &is_max) != napi_ok || !get_arr(env, argv[1], &x) || x.dtype == KT_F32 || !get_count(env, argv[2], &outer) ||
      !get_count(env, argv[3], &n) || !get_count(env, argv[4], &inner) || !product3(outer, n, inner, &total) || (size_t)total != x.length)
    return undefined_value(env);
  void *out;
  napi_value result = n == 0 ? kt_napi_new_zeros(env, KT_I32, (size_t)(outer * inner), &out) : kt_napi_new_output(env, KT_I32, (size_t)(outer * inner), &out);
  if (result == NULL || outer * inner == 0 || n == 0) return result;
  kt_argreduce_int(is_max, x.data, x.dtype, out, outer, n, inner);
  return result;
}

/* countArgmaxMatches(pred, rows, cols, labels | null, oneHot | null) -> number */
static napi_value js_count_argmax_matches(napi_env env, napi_callback_info info) {
  ARGS(5);
  arr pred, labels = {0, NULL, 0}, one_hot = {0, NULL, 0};
  long rows, cols, cells;
  if (!get_arr(env, argv[0], &pred) || pred.dtype != KT_F32 || !get_count(env, argv[1], &rows) || !get_count(env, argv[2], &cols) ||
      !mul_ok(rows, cols, &cells) || (size_t)cells != pred.length)
    return undefined_value(env);
  int has_labels = !is_nullish(env, argv[3]), has_one_hot = !is_nullish(env, argv[4]);
  if (has_labels == has_one_hot) return undefined_value(env);
  if (has_labels && (!get_arr(env, argv[3], &labels) || labels.length != (size_t)rows)) return undefined_value(env);
  if (has_one_hot && (!get_arr(env, argv[4], &one_hot) || one_hot.length != (size_t)cells)) return undefined_value(env);
  long count = kt_count_argmax_matches(pred.data, rows, cols, labels.data, labels.dtype, one_hot.data, one_hot.dtype);
  napi_value v;
  if (napi_create_double(env, (double)count, &v) != napi_ok) return NULL;
  return v;
}

/* normalize(x, plan, kind, epsilonMode, p, q, bound): plan = [blocks, rank, dims[rank],
 * sliceStrides[rank], inner, innerKept, slices] (the reference's layout); float32 result. */
static napi_value js_normalize(napi_env env, napi_callback_info info) {
  ARGS(7);
  arr x, plan;
  int32_t kind, eps;
  double p, q, bound;
  if (!get_arr(env, argv[0], &x) || !get_arr(env, argv[1], &plan) || plan.dtype != KT_I32 || plan.length < 2 || !get_int(env, argv[2], &kind) ||
      kind < KT_NORM_L2 || kind > KT_NORM_P || !get_int(env, argv[3], &eps) || !get_double(env, argv[4], &p) || !get_double(env, argv[5], &q) ||
      !get_double(env, argv[6], &bound))
    return undefined_value(env);
  const int32_t *pl = plan.data;
  long blocks = pl[0];
  int rank = pl[1];
  if (blocks < 0 || rank < 0 || rank > KT_MAX_RANK || plan.length != (size_t)(2 + 2 * rank + 3)) return undefined_value(env);
  long dims[KT_MAX_RANK], strides[KT_MAX_RANK];
  long steps = 1, inner = pl[2 + 2 * rank], slices = pl[4 + 2 * rank], total;
  int kept = pl[3 + 2 * rank] != 0;
  if (inner < 1 || slices < 1) return undefined_value(env);
  /* The highest slice index the odometer reaches must be a slice. */
  long reach = kept ? inner - 1 : 0;
  for (int d = 0; d < rank; d++) {
    dims[d] = pl[2 + d];
    strides[d] = pl[2 + rank + d];
    if (dims[d] < 1 || strides[d] < 0 || !mul_ok(steps, dims[d], &steps)) return undefined_value(env);
    reach += (dims[d] - 1) * strides[d];
    if (reach >= slices) return undefined_value(env);
  }
  if (!product3(blocks, steps, inner, &total) || (size_t)total != x.length) return undefined_value(env);
  void *out;
  napi_value result = kt_napi_new_output(env, KT_F32, x.length, &out);
  if (result == NULL || x.length == 0) return result;
  if (!kt_normalize(x.data, x.dtype, out, blocks, rank, dims, strides, inner, kept, slices, kind, eps != 0, p, q, bound)) return undefined_value(env);
  return result;
}

/* Reads `rank` and the `count` lists of `rank` values that follow it in an Int32Array plan. */
static int read_plan(napi_env env, napi_value v, int count, int *rank, long lists[][KT_MAX_RANK]) {
  arr plan;
  if (!get_arr(env, v, &plan) || plan.dtype != KT_I32 || plan.length < 1) return 0;
  const int32_t *p = plan.data;
  *rank = p[0];
  if (*rank < 0 || *rank > KT_MAX_RANK || plan.length != (size_t)(1 + count * *rank)) return 0;
  for (int l = 0; l < count; l++)
    for (int d = 0; d < *rank; d++) lists[l][d] = p[1 + l * *rank + d];
  return 1;
}

/* Whether every element offset a (non-empty) strided box reaches from `offset` is in [0, length). */
static int box_inside(long offset, const long *dims, const long *strides, int rank, size_t length) {
  const long limit = (long)length;
  if (offset < 0 || offset >= limit) return 0;
  long lo = offset, hi = offset;
  for (int d = 0; d < rank; d++) {
    long span;
    if (!mul_ok(dims[d] - 1, strides[d], &span) || span > limit || span < -limit) return 0;
    if (span < 0) lo += span;
    else hi += span;
  }
  return lo >= 0 && hi < limit;
}

/* copyStrided(x, offset, plan = [rank, dims[rank], strides[rank]]): out (contiguous, of dims) =
 * x[offset + Σ i_d strides[d]]; strides may be 0 or negative. Same element type as x. */
static napi_value js_copy_strided(napi_env env, napi_callback_info info) {
  ARGS(3);
  arr x;
  long offset, lists[2][KT_MAX_RANK];
  int rank;
  double off;
  if (!get_arr(env, argv[0], &x) || !get_double(env, argv[1], &off) || !(off >= 0 && off <= 9007199254740992.0) || off != (double)(long)off ||
      !read_plan(env, argv[2], 2, &rank, lists))
    return undefined_value(env);
  offset = (long)off;
  long *dims = lists[0], *strides = lists[1], size = 1;
  for (int d = 0; d < rank; d++)
    if (dims[d] < 0 || !mul_ok(size, dims[d], &size)) return undefined_value(env);
  if (size > 0 && !box_inside(offset, dims, strides, rank, x.length)) return undefined_value(env);
  long dst[KT_MAX_RANK];
  for (long d = rank - 1, s = 1; d >= 0; d--) {
    dst[d] = s;
    s *= dims[d];
  }
  void *out;
  napi_value result = kt_napi_new_output(env, x.dtype, (size_t)size, &out);
  if (result == NULL || size == 0) return result;
  kt_copy_strided(x.data, offset, strides, out, 0, dst, dims, rank, kt_esize(x.dtype));
  return result;
}

/* pad(x, plan = [rank, shape[rank], before[rank], after[rank]], value): constant padding, x's type. */
static napi_value js_pad(napi_env env, napi_callback_info info) {
  ARGS(3);
  arr x;
  long lists[3][KT_MAX_RANK];
  int rank;
  double value;
  if (!get_arr(env, argv[0], &x) || !read_plan(env, argv[1], 3, &rank, lists) || !get_double(env, argv[2], &value)) return undefined_value(env);
  long *shape = lists[0], *before = lists[1], *after = lists[2];
  long out_dims[KT_MAX_RANK], src_strides[KT_MAX_RANK], dst_strides[KT_MAX_RANK], size = 1, in_size = 1;
  for (int d = 0; d < rank; d++) {
    if (shape[d] < 0 || before[d] < 0 || after[d] < 0) return undefined_value(env);
    out_dims[d] = shape[d] + before[d] + after[d];
    if (!mul_ok(size, out_dims[d], &size) || !mul_ok(in_size, shape[d], &in_size)) return undefined_value(env);
  }
  if ((size_t)in_size != x.length) return undefined_value(env);
  long offset = 0;
  for (long d = rank - 1, s = 1, t = 1; d >= 0; d--) {
    src_strides[d] = s;
    dst_strides[d] = t;
    offset += before[d] * t;
    s *= shape[d];
    t *= out_dims[d];
  }
  void *out;
  napi_value result = value == 0 ? kt_napi_new_zeros(env, x.dtype, (size_t)size, &out) : kt_napi_new_output(env, x.dtype, (size_t)size, &out);
  if (result == NULL || size == 0) return result;
  if (value != 0) kt_fill(out, x.dtype, size, value);
  if (in_size > 0) kt_copy_strided(x.data, 0, src_strides, out, offset, dst_strides, shape, rank, kt_esize(x.dtype));
  return result;
}

/* concat(xs, widths, outer, outDtype): xs[k] is [outer, widths[k]] in outDtype's storage. */
static napi_value js_concat(napi_env env, napi_callback_info info) {
  ARGS(4);
  arr widths;
  long outer;
  int32_t od;
  uint32_t count;
  bool is_array;
  if (napi_is_array(env, argv[0], &is_array) != napi_ok || !is_array || napi_get_array_length(env, argv[0], &count) != napi_ok ||
      !get_arr(env, argv[1], &widths) || widths.dtype != KT_I32 || widths.length != count || !get_count(env, argv[2], &outer) ||
      !get_int(env, argv[3], &od) || !valid_dtype(od))
    return undefined_value(env);
  const void **xs = malloc(sizeof(void *) * (count + 1));
  long *w = malloc(sizeof(long) * (count + 1));
  napi_value result = NULL;
  long row = 0, size;
  if (xs == NULL || w == NULL) goto done;
  for (uint32_t k = 0; k < count; k++) {
    napi_value item;
    arr x;
    long len;
    w[k] = ((const int32_t *)widths.data)[k];
    if (napi_get_element(env, argv[0], k, &item) != napi_ok || !get_arr(env, item, &x) || x.dtype != storage_of(od) || w[k] < 0 ||
        !mul_ok(outer, w[k], &len) || (size_t)len != x.length) {
      result = undefined_value(env);
      goto done;
    }
    xs[k] = x.data;
    row += w[k];
  }
  if (!mul_ok(outer, row, &size)) {
    result = undefined_value(env);
    goto done;
  }
  void *out;
  result = kt_napi_new_output(env, od, (size_t)size, &out);
  if (result != NULL && size > 0) kt_concat(xs, w, count, outer, out, kt_esize(od));
done:
  free(xs);
  free(w);
  return result;
}

/* cumulative(isProd, x, outer, n, inner, outDtype) */
static napi_value js_cumulative(napi_env env, napi_callback_info info) {
  ARGS(6);
  bool is_prod;
  arr x;
  long outer, n, inner, total;
  int32_t od;
  if (napi_get_value_bool(env, argv[0], &is_prod) != napi_ok || !get_arr(env, argv[1], &x) || !get_count(env, argv[2], &outer) ||
      !get_count(env, argv[3], &n) || !get_count(env, argv[4], &inner) || !get_int(env, argv[5], &od) || !valid_dtype(od) ||
      !product3(outer, n, inner, &total) || (size_t)total != x.length)
    return undefined_value(env);
  void *out;
  napi_value result = kt_napi_new_output(env, od, x.length, &out);
  if (result == NULL || x.length == 0) return result;
  kt_cumulative(is_prod, x.data, x.dtype, out, od, outer, n, inner);
  return result;
}

/* scatterAdd(updates, indices, outer, n, inner): zeros [outer, n, inner] of updates' type, plus
 * updates [outer, indices.length, inner] at the indices along the middle axis. */
static napi_value js_scatter_add(napi_env env, napi_callback_info info) {
  ARGS(5);
  arr upd, idx;
  long outer, n, inner, total, size;
  if (!get_arr(env, argv[0], &upd) || !get_arr(env, argv[1], &idx) || idx.dtype != KT_I32 || !get_count(env, argv[2], &outer) ||
      !get_count(env, argv[3], &n) || !get_count(env, argv[4], &inner) || !product3(outer, (long)idx.length, inner, &total) ||
      (size_t)total != upd.length || !product3(outer, n, inner, &size))
    return undefined_value(env);
  if (outer * inner > 0 && !indices_in_range(idx.data, idx.length, n)) return undefined_value(env);
  void *out;
  napi_value result = kt_napi_new_zeros(env, upd.dtype, (size_t)size, &out);
  if (result == NULL || total == 0) return result;
  kt_scatter_add(upd.data, upd.dtype, idx.data, (long)idx.length, out, outer, n, inner);
  return result;
}

/* gatherAlongAxis(x, indices, outer, n, m, inner): x [outer, n, inner], indices [outer, m, inner]. */
static napi_value js_gather_along_axis(napi_env env, napi_callback_info info) {
  ARGS(6);
  arr x, idx;
  long outer, n, m, inner, xs, size;
  if (!get_arr(env, argv[0], &x) || !get_arr(env, argv[1], &idx) || idx.dtype != KT_I32 || !get_count(env, argv[2], &outer) ||
      !get_count(env, argv[3], &n) || !get_count(env, argv[4], &m) || !get_count(env, argv[5], &inner) || !product3(outer, n, inner, &xs) ||
      (size_t)xs != x.length || !product3(outer, m, inner, &size) || (size_t)size != idx.length || !indices_in_range(idx.data, idx.length, n))
    return undefined_value(env);
  void *out;
  napi_value result = kt_napi_new_output(env, x.dtype, (size_t)size, &out);
  if (result == NULL || size == 0) return result;
  kt_gather_along_axis(x.data, kt_esize(x.dtype), idx.data, out, outer, n, m, inner);
  return result;
}

/* scatterAddAlongAxis(updates, indices, outer, n, m, inner): adjoint of gatherAlongAxis. */
static napi_value js_scatter_add_along_axis(napi_env env, napi_callback_info info) {
  ARGS(6);
  arr upd, idx;
  long outer, n, m, inner, total, size;
  if (!get_arr(env, argv[0], &upd) || !get_arr(env, argv[1], &idx) || idx.dtype != KT_I32 || !get_count(env, argv[2], &outer) ||
      !get_count(env, argv[3], &n) || !get_count(env, argv[4], &m) || !get_count(env, argv[5], &inner) || !product3(outer, m, inner, &total) ||
      (size_t)total != upd.length || idx.length != upd.length || !product3(outer, n, inner, &size) || !indices_in_range(idx.data, idx.length, n))
    return undefined_value(env);
  void *out;
  napi_value result = kt_napi_new_zeros(env, upd.dtype, (size_t)size, &out);
  if (result == NULL || total == 0) return result;
  kt_scatter_add_along_axis(upd.data, upd.dtype, idx.data, out, outer, n, m, inner);
  return result;
}

napi_status kt_define_ext(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"reduceAny", NULL, js_reduce_any, NULL, NULL, NULL, napi_enumerable, NULL},
    {"argReduceInt", NULL, js_argreduce_int, NULL, NULL, NULL, napi_enumerable, NULL},
    {"countArgmaxMatches", NULL, js_count_argmax_matches, NULL, NULL, NULL, napi_enumerable, NULL},
    {"normalize", NULL, js_normalize, NULL, NULL, NULL, napi_enumerable, NULL},
    {"copyStrided", NULL, js_copy_strided, NULL, NULL, NULL, napi_enumerable, NULL},
    {"pad", NULL, js_pad, NULL, NULL, NULL, napi_enumerable, NULL},
    {"concat", NULL, js_concat, NULL, NULL, NULL, napi_enumerable, NULL},
    {"cumulative", NULL, js_cumulative, NULL, NULL, NULL, napi_enumerable, NULL},
    {"scatterAdd", NULL, js_scatter_add, NULL, NULL, NULL, napi_enumerable, NULL},
    {"gatherAlongAxis", NULL, js_gather_along_axis, NULL, NULL, NULL, napi_enumerable, NULL},
    {"scatterAddAlongAxis", NULL, js_scatter_add_along_axis, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
