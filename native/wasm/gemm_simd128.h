/*
 * GEMM kernels for WebAssembly SIMD128, included by gemm.c when it is compiled for wasm32 with
 * -msimd128 (the blocked driver, the packing and the thread split are gemm.c's).
 *
 * V8 turns each f32x4 operation into one SSE/AVX (or NEON) instruction and keeps wasm locals in
 * the 16 vector registers of x86-64 where it can. There is no fused multiply-add (relaxed SIMD's
 * needs a flag in Node 20), so a step is a multiply and an add, and the tiles are sized to fit
 * the registers: the micro-kernel holds WASM_MR x 8 of C (12 accumulators for 6 rows), two B
 * vectors and one broadcast A value. Loads of B are unaligned v128 loads (V8 emits movups), A
 * values come in with load32_splat.
 */
#include <wasm_simd128.h>

#ifndef KT_WASM_MR
#define KT_WASM_MR 6
#endif
#define KT_WASM_NR 8

/* The full tile in registers; edge tiles (mr < MR or nr < 8) store through a stack tile. */
static void ukr_wasm(long kc, const float *KT_RESTRICT a, const float *KT_RESTRICT b, float *c, long ldc, int mr, int nr, int acc) {
  v128_t c0[KT_WASM_MR], c1[KT_WASM_MR];
  _Pragma("clang loop unroll(full)") for (int i = 0; i < KT_WASM_MR; i++) c0[i] = c1[i] = wasm_f32x4_splat(0.0f);
  for (long p = 0; p < kc; p++) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    _Pragma("clang loop unroll(full)") for (int i = 0; i < KT_WASM_MR; i++) {
      v128_t av = wasm_v128_load32_splat(a + i);
      c0[i] = wasm_f32x4_add(c0[i], wasm_f32x4_mul(av, b0));
      c1[i] = wasm_f32x4_add(c1[i], wasm_f32x4_mul(av, b1));
    }
    a += KT_WASM_MR;
    b += KT_WASM_NR;
  }
  if (mr == KT_WASM_MR && nr == KT_WASM_NR) {
    _Pragma("clang loop unroll(full)") for (int i = 0; i < KT_WASM_MR; i++) {
      float *ci = c + i * ldc;
      if (acc) {
        c0[i] = wasm_f32x4_add(wasm_v128_load(ci), c0[i]);
        c1[i] = wasm_f32x4_add(wasm_v128_load(ci + 4), c1[i]);
      }
      wasm_v128_store(ci, c0[i]);
      wasm_v128_store(ci + 4, c1[i]);
    }
    return;
  }
  float tile[KT_WASM_MR][KT_WASM_NR];
  _Pragma("clang loop unroll(full)") for (int i = 0; i < KT_WASM_MR; i++) {
    wasm_v128_store(tile[i], c0[i]);
    wasm_v128_store(tile[i] + 4, c1[i]);
  }
  for (int i = 0; i < mr; i++) {
    float *ci = c + i * ldc;
    if (acc) for (int j = 0; j < nr; j++) ci[j] += tile[i][j];
    else for (int j = 0; j < nr; j++) ci[j] = tile[i][j];
  }
}

/* Direct product for small shapes (no packing): R_ rows x 8 columns of C in registers, op(A)
 * read in place through its strides, B row-major (ldb). */
#define DIRECT_WASM_BLOCK(R_)                                                                     \
  {                                                                                               \
    v128_t c0[R_], c1[R_];                                                                        \
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R_; r++) c0[r] = c1[r] = wasm_f32x4_splat(0.0f); \
    const float *bp = b + j;                                                                      \
    const float *ap = a + i * a_rs;                                                               \
    for (long p = 0; p < k; p++) {                                                                \
      v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);                                \
      _Pragma("clang loop unroll(full)") for (int r = 0; r < R_; r++) {                           \
        v128_t av = wasm_v128_load32_splat(ap + r * a_rs);                                        \
        c0[r] = wasm_f32x4_add(c0[r], wasm_f32x4_mul(av, b0));                                    \
        c1[r] = wasm_f32x4_add(c1[r], wasm_f32x4_mul(av, b1));                                    \
      }                                                                                           \
      bp += ldb;                                                                                  \
      ap += a_cs;                                                                                 \
    }                                                                                             \
    _Pragma("clang loop unroll(full)") for (int r = 0; r < R_; r++) {                             \
      wasm_v128_store(c + (i + r) * ldc + j, c0[r]);                                              \
      wasm_v128_store(c + (i + r) * ldc + j + 4, c1[r]);                                          \
    }                                                                                             \
  }

static void direct_wasm(long m, long n, long k, const float *a, long a_rs, long a_cs, const float *b, long ldb, float *c, long ldc) {
  long j = 0;
  for (; j + KT_WASM_NR <= n; j += KT_WASM_NR) {
    long i = 0;
    for (; i + 6 <= m; i += 6) DIRECT_WASM_BLOCK(6)
    switch (m - i) {
      case 5: DIRECT_WASM_BLOCK(5) break;
      case 4: DIRECT_WASM_BLOCK(4) break;
      case 3: DIRECT_WASM_BLOCK(3) break;
      case 2: DIRECT_WASM_BLOCK(2) break;
      case 1: DIRECT_WASM_BLOCK(1) break;
      default: break;
    }
  }
  if (j == n) return;
  /* The last n % 8 columns: a row of C at a time, 4 and then 1 wide. */
  for (long i = 0; i < m; i++) {
    float *ci = c + i * ldc;
    long jj = j;
    for (; jj + 4 <= n; jj += 4) {
      v128_t s = wasm_f32x4_splat(0.0f);
      const float *ap = a + i * a_rs;
      const float *bp = b + jj;
      for (long p = 0; p < k; p++, ap += a_cs, bp += ldb) s = wasm_f32x4_add(s, wasm_f32x4_mul(wasm_v128_load32_splat(ap), wasm_v128_load(bp)));
      wasm_v128_store(ci + jj, s);
    }
    for (; jj < n; jj++) {
      float s = 0.0f;
      for (long p = 0; p < k; p++) s += a[i * a_rs + p * a_cs] * b[p * ldb + jj];
      ci[jj] = s;
    }
  }
}

/* register_direct 0: direct_wide's bounds are the x86 caches'; for SIMD128 the direct and blocked
 * paths measured alike (26-32 GFLOP/s) on the shapes it would move (128x784x512, 512^3). */
static const gemm_impl impl_wasm = {KT_WASM_MR, KT_WASM_NR, 256, 96, 1024, ukr_wasm, direct_wasm, pack_c, 0};
