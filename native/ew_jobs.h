/*
 * Elementwise drivers shared by the N-API addon (addon.c) and the WebAssembly exports
 * (native/wasm/exports.c): binary, unary and select over flat arrays or a broadcast plan, split
 * over the thread pool. The caller owns the memory; these check that the plan and the lengths are
 * consistent and run the per-ISA loops of elementwise.c.
 *
 * Each returns KT_DONE, KT_UNSUPPORTED (no C loop for this op / type combination: the caller runs
 * the reference kernel) or KT_BAD_ARGS (lengths or plan inconsistent; *error names the problem).
 * Called with out == NULL, a driver only checks (nothing is read or written), so a caller can
 * decide before it allocates or copies anything.
 */
#ifndef KT_EW_JOBS_H
#define KT_EW_JOBS_H
#include <stddef.h>
#include <stdint.h>

enum { KT_BAD_ARGS = -1, KT_UNSUPPORTED = 0, KT_DONE = 1 };

/* Flat modes of ew_ops.h (same, scalar A, scalar B), or KT_MODE_PLAN for a broadcast plan:
 * int32 [rank, dims..., strides of each input..., inner, inner stride of each input...]. */
#define KT_MODE_PLAN 3

/* out = op(a, b), n elements of out_dtype; operands of different dtypes convert on read. */
int kt_binary(int op, int ta, int tb, int out_dtype, const void *a, size_t a_len, const void *b, size_t b_len, void *out, long n, int mode,
              const int32_t *plan, size_t plan_len, const char **error);

/* out = op(x), n elements, any input and output dtypes. */
int kt_unary(int op, int dtype, int out_dtype, const void *x, void *out, long n);

/* out = cond ? a : b (cond uint8, a and b already in out_dtype's storage), through a plan of three inputs. */
int kt_select(int out_dtype, const uint8_t *cond, size_t cond_len, const void *a, size_t a_len, const void *b, size_t b_len, void *out, long n,
              const int32_t *plan, size_t plan_len, const char **error);
#endif
