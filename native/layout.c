/*
 * The general layout kernel: a strided copy over an index space. Slices of any box, transposes of
 * any permutation, broadcasts (stride 0), reversals (negative strides), padding and concatenation
 * (strides of the output) are each one call. Portable C; the innermost axis is a tight loop (a
 * memcpy where both of its strides are 1).
 */
#include <string.h>

#include "kt.h"

#define KT_COPY_MAX_RANK 32

typedef struct {
  const char *src;
  char *dst;
  int rank, esize;
  long dims[KT_COPY_MAX_RANK], ss[KT_COPY_MAX_RANK], ds[KT_COPY_MAX_RANK];
  long chunks;
} copy_job;

/* Rows [r0, r1) of the outer index space (all axes but the last, row-major). */
static void copy_rows(const copy_job *j, long r0, long r1) {
  const int last = j->rank - 1, es = j->esize;
  const long inner = j->dims[last], si = j->ss[last], di = j->ds[last];
  long counter[KT_COPY_MAX_RANK];
  long s = 0, d = 0, rem = r0;
  for (int a = last - 1; a >= 0; a--) {
    counter[a] = rem % j->dims[a];
    rem /= j->dims[a];
    s += counter[a] * j->ss[a];
    d += counter[a] * j->ds[a];
  }
  for (long r = r0; r < r1; r++) {
    if (si == 1 && di == 1) {
      memcpy(j->dst + d * es, j->src + s * es, (size_t)(inner * es));
    } else if (es == 4) {
      const uint32_t *sp = (const uint32_t *)j->src + s;
      uint32_t *dp = (uint32_t *)j->dst + d;
      if (di == 1) for (long i = 0; i < inner; i++) dp[i] = sp[i * si];
      else for (long i = 0; i < inner; i++) dp[i * di] = sp[i * si];
    } else {
      const uint8_t *sp = (const uint8_t *)j->src + s;
      uint8_t *dp = (uint8_t *)j->dst + d;
      for (long i = 0; i < inner; i++) dp[i * di] = sp[i * si];
    }
    for (int a = last - 1; a >= 0; a--) {
      counter[a]++;
      s += j->ss[a];
      d += j->ds[a];
      if (counter[a] < j->dims[a]) break;
      s -= j->ss[a] * j->dims[a];
      d -= j->ds[a] * j->dims[a];
      counter[a] = 0;
    }
  }
}

static void copy_task(void *ctx, long task, int thread) {
  (void)thread;
  const copy_job *j = (const copy_job *)ctx;
  long rows = 1;
  for (int a = 0; a < j->rank - 1; a++) rows *= j->dims[a];
  copy_rows(j, task * rows / j->chunks, (task + 1) * rows / j->chunks);
}

int kt_copy_strided(const void *src, void *dst, int rank, const int32_t *dims, const int32_t *src_strides, const int32_t *dst_strides, int esize) {
  if (rank < 1 || rank > KT_COPY_MAX_RANK || (esize != 4 && esize != 1)) return 0;
  copy_job j;
  j.src = src;
  j.dst = dst;
  j.rank = rank;
  j.esize = esize;
  long total = 1;
  for (int a = 0; a < rank; a++) {
    j.dims[a] = dims[a];
    j.ss[a] = src_strides[a];
    j.ds[a] = dst_strides[a];
    total *= dims[a];
  }
  if (total == 0) return 1;
  long rows = total / j.dims[rank - 1];
  int threads = kt_num_threads();
  j.chunks = threads > 1 && total >= KT_PAR_MIN_ELEMS && rows >= threads ? threads : 1;
  kt_parallel(copy_task, &j, j.chunks);
  return 1;
}
