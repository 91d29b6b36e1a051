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

/* Conv and pooling take their geometry as the int32 array the JavaScript side builds (geometry.c);
 * 0 for an inconsistent geometry or when out of memory for scratch. */
KT_EXPORT("kt_w_conv_forward")
int kt_w_conv_forward(const float *x, const float *w, const float *bias, float *out, const int32_t *geom, int act) {
  kt_conv_geom g;
  return kt_conv_geom_read(geom, 23, &g) && kt_conv_forward(x, w, bias, out, &g, act);
}

KT_EXPORT("kt_w_conv_backward")
int kt_w_conv_backward(const float *dout, const float *out, const float *x, const float *w, const int32_t *geom, int act, float *dx, float *dw, float *db) {
  kt_conv_geom g;
  return kt_conv_geom_read(geom, 23, &g) && kt_conv_backward(dout, out, x, w, &g, act, dx, dw, db);
}

/* mode 0 max forward (a = x), 1 max backward (a = dOut, x), 2 average forward, 3 average backward (a = dOut). */
KT_EXPORT("kt_w_pool")
int kt_w_pool(int mode, const float *a, const float *x, float *out, const int32_t *geom) {
  kt_pool_geom g;
  if (!kt_pool_geom_read(geom, 18, &g)) return 0;
  switch (mode) {
    case 0: return kt_max_pool_forward(a, out, &g);
    case 1: return kt_max_pool_backward(a, x, out, &g);
    case 2: return kt_avg_pool_forward(a, out, &g);
    case 3: return kt_avg_pool_backward(a, out, &g);
    default: return 0;
  }
}

#ifdef KT_WASM_THREADS
/* Bytes and alignment of a thread's TLS block (the linker's symbols; a worker's block is
 * allocated by the JavaScript side and handed to __wasm_init_tls). */
KT_EXPORT("kt_w_tls_size") size_t kt_w_tls_size(void) { return __builtin_wasm_tls_size(); }
KT_EXPORT("kt_w_tls_align") size_t kt_w_tls_align(void) { return __builtin_wasm_tls_align(); }
#endif
