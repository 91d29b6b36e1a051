/*
 * Kernels that take any storage type (ew_generic.c, reduce_ext.c, layout.c) and the N-API glue
 * between addon.c and addon_ext.c. Element types are the dtype codes of kt.h; a value crosses
 * between types as the reference backend's JavaScript does: read exactly as a float64, combined in
 * float64, stored with a typed array's conversion (float32 rounding, ToInt32, ToUint8) or, for bool,
 * `!== 0`.
 */
#ifndef KT_EXT_H
#define KT_EXT_H

#include <stddef.h>
#include <stdint.h>

#include "kt.h"

/* Bytes per element of an array of dtype code `t`. */
static inline int kt_esize(int t) { return t == KT_F32 || t == KT_I32 ? 4 : 1; }

/* Tasks for a kernel of `work` elements made of `units` independent parts: one below
 * KT_PAR_MIN_ELEMS (a thread's start costs more), else a task per thread. */
static inline long kt_pick_tasks(long work, long units) {
  int threads = kt_num_threads();
  if (threads <= 1 || work < KT_PAR_MIN_ELEMS || units < 2) return 1;
  return units < threads ? units : threads;
}

/* ---- elementwise on any mix of storage types (ew_generic.c) ---- */
/* Flat modes as ew_ops.h (M_SAME / M_SCALAR_A / M_SCALAR_B). Return 0 for an unknown op, and
 * answer that question alone when n == 0. */
int kt_binary_any(int op, int mode, const void *a, int ta, const void *b, int tb, void *out, int to, long n);
int kt_unary_any(int op, const void *x, int tx, void *out, int to, long n);

/* ---- reductions of any type (reduce_ext.c) ---- */
enum { KT_R_SUM = 0, KT_R_PROD = 1, KT_R_MAX = 2, KT_R_MIN = 3, KT_R_ANY = 4, KT_R_ALL = 5 };
/* [outer, n, inner] -> [outer, inner], accumulated in float64 in the reference's order. */
void kt_reduce_any(int op, const void *x, int tx, void *out, int to, long outer, long n, long inner);
void kt_argreduce_int(int is_max, const void *x, int tx, int32_t *out, long outer, long n, long inner);
/* Rows of `pred` [rows, cols] whose argmax equals labels[r] (read as a number), or the argmax of
 * row r of `one_hot`; exactly one of labels / one_hot is non-NULL. */
long kt_count_argmax_matches(const float *pred, long rows, long cols, const void *labels, int tl, const void *one_hot, int th);
/* The normalize kernel (rule on NormalizeArgs, src/backend/fused_kernels.ts), laid out by the
 * caller as the reference lays it out: `blocks` independent blocks of `steps * inner` elements,
 * an odometer over dims[0..rank) whose slice index advances by slice_strides[d]. */
enum { KT_NORM_L2 = 0, KT_NORM_L1 = 1, KT_NORM_INF = 2, KT_NORM_P = 3 };
int kt_normalize(const void *x, int tx, float *out, long blocks, int rank, const long *dims, const long *slice_strides, long inner, int inner_kept,
                 long slices, int kind, int epsilon_mode, double p, double q, double bound);

/* ---- layout (layout.c) ---- */
#define KT_MAX_RANK 32
/* dst[dst_off + Σ i_d ds[d]] = src[src_off + Σ i_d ss[d]] over the box dims[0..rank); strides may
 * be 0 (broadcast) or negative (reverse). Element size 1 or 4. */
void kt_copy_strided(const void *src, long src_off, const long *ss, void *dst, long dst_off, const long *ds, const long *dims, int rank, int esize);
void kt_concat(const void *const *xs, const long *widths, long count, long outer, void *out, int esize);
void kt_cumulative(int is_prod, const void *x, int tx, void *out, int to, long outer, long n, long inner);
/* Indices are checked by the caller (0 <= index < n). */
void kt_scatter_add(const void *updates, int t, const int32_t *idx, long m, void *out, long outer, long n, long inner);
void kt_gather_along_axis(const void *x, int esize, const int32_t *idx, void *out, long outer, long n, long m, long inner);
void kt_scatter_add_along_axis(const void *updates, int t, const int32_t *idx, void *out, long outer, long n, long m, long inner);

/* Stores float64 values with the conversion of an array of type `to` (bool: `!== 0`). */
void kt_store_f64(const double *v, void *out, int to, long n);
/* Reads n elements of type `t` as float64. */
void kt_load_f64(const void *x, int t, double *out, long n);

#endif
