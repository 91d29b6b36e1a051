/*
 * Entry points of the WebAssembly build that the kernels' own signatures do not give directly (the
 * build script exports those by name): the elementwise drivers, whose error message goes to a
 * static the JavaScript side reads, and the layout of what the TLS and stacks of worker threads need.
 */
#include "../ew_jobs.h"
#include "../kt.h"
#include "wasm.h"

static const char *last_error = "";

/* The message of the last KT_BAD_ARGS, a NUL-terminated string in memory. */
KT_EXPORT("kt_w_error") const char *kt_w_error(void) { return last_error; }

KT_EXPORT("kt_w_binary")
int kt_w_binary(int op, int ta, int tb, int out_dtype, const void *a, size_t a_len, const void *b, size_t b_len, void *out, long n, int mode,
                const int32_t *plan, size_t plan_len) {
  return kt_binary(op, ta, tb, out_dtype, a, a_len, b, b_len, out, n, mode, plan, plan_len, &last_error);
}

KT_EXPORT("kt_w_select")
int kt_w_select(int out_dtype, const uint8_t *cond, size_t cond_len, const void *a, size_t a_len, const void *b, size_t b_len, void *out, long n,
                const int32_t *plan, size_t plan_len) {
  return kt_select(out_dtype, cond, cond_len, a, a_len, b, b_len, out, n, plan, plan_len, &last_error);
}

#ifdef KT_WASM_THREADS
/* Bytes and alignment of a thread's TLS block (the linker's symbols; a worker's block is
 * allocated by the JavaScript side and handed to __wasm_init_tls). */
KT_EXPORT("kt_w_tls_size") size_t kt_w_tls_size(void) { return __builtin_wasm_tls_size(); }
KT_EXPORT("kt_w_tls_align") size_t kt_w_tls_align(void) { return __builtin_wasm_tls_align(); }
#endif
