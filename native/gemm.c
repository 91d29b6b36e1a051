/*
 * GEMM for float32 (and a plain int32 product).
 *
 * Large products use the Goto/BLIS scheme: for each NC-wide column block of op(B) and KC-deep
 * slice of the shared dimension, pack B into NR-wide slivers (zero padded); for each MC-tall row
 * block of op(A), pack A into MR-tall slivers; then an MR x NR register-blocked micro-kernel runs
 * over every pair of slivers. Transposes are folded into the packing, so the micro-kernel always
 * reads unit-stride panels. Small products (the per-step shapes of small-batch training) take a
 * direct path that reads op(B) rows in place, skipping the packing that would cost as much as the
 * arithmetic.
 *
 * At 1024^3 the AVX-512 kernel itself runs at ~95% of the in-cache rate; what separates that
 * from the whole product is packing (vectorized, with software prefetch, see pack512) and the
 * latency of the C tile (prefetched near the end of each kernel call).
 *
 * Threads split the output into rectangular tiles (along N when op(A) is the smaller operand, so
 * the redundant packing is the cheaper one; along M otherwise), or split a batch; every thread
 * packs into its own scratch, so there is no barrier inside a product.
 *
 * Micro-kernels: AVX-512 (MR x 32, two zmm columns), AVX2 (6 x 16), portable C (4 x 16 or 2 x 16,
 * by the target's vector registers), chosen at run time. Accumulation is float32 with FMA (AVX
 * paths, and the portable path where the target has it).
 */
#include "kt.h"
#include "simd256.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if KT_X86
#include <immintrin.h>
#endif

#ifndef KT_MR512
#define KT_MR512 12
#endif
#ifndef KT_KC512
#define KT_KC512 256
#endif
#ifndef KT_MC512
#define KT_MC512 120
#endif
#ifndef KT_NC512
#define KT_NC512 1024
#endif

typedef void (*ukr_fn)(long kc, const float *KT_RESTRICT a, const float *KT_RESTRICT b, float *c, long ldc, int mr, int nr, int acc);
typedef void (*direct_fn)(long m, long n, long k, const float *a, long a_rs, long a_cs, const float *b, long ldb, float *c, long ldc);

typedef void (*pack_fn)(long ext, long kc, const float *src, long rs, long ps, int w, float *dst);

typedef struct {
  int mr, nr, kc, mc, nc;
  ukr_fn ukr;
  direct_fn direct;
  pack_fn pack;
  /* The direct kernel keeps a block of C in registers (see direct_wide). */
  int register_direct;
} gemm_impl;

/* ------------------------------------------------------------------ scratch (per thread) */

static __thread float *scratch_a, *scratch_b, *scratch_t;
static __thread size_t scratch_a_n, scratch_b_n, scratch_t_n;

static float *grow(float **buf, size_t *have, size_t need) {
  if (*have < need) {
    free(*buf);
    size_t bytes = ((need * sizeof(float) + 63) / 64) * 64;
    *buf = (float *)aligned_alloc(64, bytes);
    *have = *buf ? need : 0;
  }
  return *buf;
}

/* ------------------------------------------------------------------ packing */

/*
 * Packing A and packing B are the same operation seen from the micro-kernel: a panel with `ext`
 * entries along the micro-tile dimension (rows of op(A), columns of op(B)) and kc along the
 * shared one, element (r, p) at src[r * rs + p * ps], cut into slivers of w entries, each stored
 * p-major (w values per p) with entries past `ext` zero. op(A) is (rs, ps) = (a_rs, a_cs), op(B)
 * (b_cs, b_rs).
 */
static void pack_c(long ext, long kc, const float *src, long rs, long ps, int w, float *dst) {
  for (long i = 0; i < ext; i += w) {
    long rows = ext - i < w ? ext - i : w;
    const float *s0 = src + i * rs;
    if (rs == 1) {
      /* The w entries of one p are contiguous: copy them per p. */
      for (long p = 0; p < kc; p++) {
        const float *s = s0 + p * ps;
        long r = 0;
        for (; r < rows; r++) dst[r] = s[r];
        for (; r < w; r++) dst[r] = 0.0f;
        dst += w;
      }
    } else {
      /* Each entry's kc values are contiguous (or neither is): read them once, scatter with
       * stride w. */
      for (long r = 0; r < rows; r++) {
        const float *s = s0 + r * rs;
        float *d = dst + r;
        for (long p = 0; p < kc; p++) d[p * w] = s[p * ps];
      }
      for (long r = rows; r < w; r++)
        for (long p = 0; p < kc; p++) dst[p * w + r] = 0.0f;
      dst += kc * w;
    }
  }
}

/* ------------------------------------------------------------------ AVX-512 */
#if KT_X86

/*
 * The tile of C is read (k slices after the first) and written once, at the end of a kernel call
 * whose kc steps take thousands of cycles: its rows, ldc apart, usually come from L2 or L3 (a
 * 1024-wide C is 4 MB, and 4 KB row strides put a tile's rows in the same L1 sets). Prefetching
 * them KT_PFC_K steps before the end hides that latency: 1024^3 on Zen 5, 1 thread, +2-3%.
 * (Prefetching at the start of the call did as well only when also refreshed near the end: the
 * streamed A and B slivers evict the tile from L1 in between.)
 */
#ifndef KT_PFC_K
#define KT_PFC_K 32
#endif
#define UKR512_STEP(MR_, AS_)                                                                     \
  {                                                                                               \
    __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16);                                   \
    _Pragma("GCC unroll 16") for (int i = 0; i < MR_; i++) {                                      \
      __m512 av = _mm512_set1_ps(a[i]);                                                           \
      c0[i] = _mm512_fmadd_ps(av, b0, c0[i]);                                                     \
      c1[i] = _mm512_fmadd_ps(av, b1, c1[i]);                                                     \
    }                                                                                             \
    a += AS_;                                                                                     \
    b += 32;                                                                                      \
  }
/* MR_ rows of the tile, AS_ the row count of the packed A sliver (its stride per p). */
#define UKR512_BODY(MR_, AS_)                                                                     \
  __m512 c0[MR_], c1[MR_];                                                                        \
  _Pragma("GCC unroll 16") for (int i = 0; i < MR_; i++) {                                        \
    c0[i] = _mm512_setzero_ps();                                                                  \
    c1[i] = _mm512_setzero_ps();                                                                  \
  }                                                                                               \
  long p = 0;                                                                                     \
  for (; p < kc - KT_PFC_K; p++) UKR512_STEP(MR_, AS_)                                            \
  for (int i = 0; i < MR_ && i < mr; i++) {                                                       \
    const char *ci = (const char *)(c + i * ldc);                                                 \
    _mm_prefetch(ci, _MM_HINT_T0);                                                                \
    if (nr > 16) _mm_prefetch(ci + 64, _MM_HINT_T0);                                              \
    _mm_prefetch(ci + 4 * (nr - 1), _MM_HINT_T0);                                                 \
  }                                                                                               \
  for (; p < kc; p++) UKR512_STEP(MR_, AS_)                                                       \
  if (nr == 32 && mr == MR_) {                                                                    \
    if (acc) {                                                                                    \
      _Pragma("GCC unroll 16") for (int i = 0; i < MR_; i++) {                                    \
        float *ci = c + i * ldc;                                                                  \
        _mm512_storeu_ps(ci, _mm512_add_ps(_mm512_loadu_ps(ci), c0[i]));                          \
        _mm512_storeu_ps(ci + 16, _mm512_add_ps(_mm512_loadu_ps(ci + 16), c1[i]));                \
      }                                                                                           \
    } else {                                                                                      \
      _Pragma("GCC unroll 16") for (int i = 0; i < MR_; i++) {                                    \
        _mm512_storeu_ps(c + i * ldc, c0[i]);                                                     \
        _mm512_storeu_ps(c + i * ldc + 16, c1[i]);                                                \
      }                                                                                           \
    }                                                                                             \
    return;                                                                                       \
  }                                                                                               \
  __mmask16 m0 = nr >= 16 ? 0xFFFF : (__mmask16)((1u << nr) - 1);                                 \
  __mmask16 m1 = nr >= 32 ? 0xFFFF : nr <= 16 ? 0 : (__mmask16)((1u << (nr - 16)) - 1);           \
  /* Unrolled with constant indices: indexing c0 / c1 with a run-time bound makes clang keep them  \
   * in memory, and store them in the k loop. */                                                  \
  _Pragma("GCC unroll 16") for (int i = 0; i < MR_; i++) {                                        \
    if (i >= mr) break;                                                                           \
    float *ci = c + i * ldc;                                                                      \
    __m512 v0 = c0[i], v1 = c1[i];                                                                \
    if (acc) {                                                                                    \
      v0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, ci), v0);                                      \
      v1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, ci + 16), v1);                                 \
    }                                                                                             \
    _mm512_mask_storeu_ps(ci, m0, v0);                                                            \
    _mm512_mask_storeu_ps(ci + 16, m1, v1);                                                       \
  }

/* Bottom-edge tiles of 1-4 and 5-8 rows run a shorter kernel over the same packed sliver (rows
 * KT_MR512 apart) instead of the full one on zero padding. */
KT_AVX512 static void ukr512_4(long kc, const float *KT_RESTRICT a, const float *KT_RESTRICT b, float *c, long ldc, int mr, int nr, int acc) {
  UKR512_BODY(4, KT_MR512)
}
KT_AVX512 static void ukr512_8(long kc, const float *KT_RESTRICT a, const float *KT_RESTRICT b, float *c, long ldc, int mr, int nr, int acc) {
  UKR512_BODY(8, KT_MR512)
}
KT_AVX512 static void ukr512(long kc, const float *KT_RESTRICT a, const float *KT_RESTRICT b, float *c, long ldc, int mr, int nr, int acc) {
  if (KT_MR512 > 8 && mr <= 4) {
    ukr512_4(kc, a, b, c, ldc, mr, nr, acc);
    return;
  }
  if (KT_MR512 > 8 && mr <= 8) {
    ukr512_8(kc, a, b, c, ldc, mr, nr, acc);
    return;
  }
  UKR512_BODY(KT_MR512, KT_MR512)
}

/* Packing with whole-vector moves. The scalar scatter of pack_c (one store per float, w floats
 * apart) took ~12% of a 1024^3 product on Zen 5, more than the gap to OpenBLAS; this takes ~4%. */

/* Entries are rows of `ld` apart with p contiguous: transpose 4 entries x 16 p at a time (a 4x4
 * transpose in each 128-bit lane), storing each p's 4 values with one 128-bit store. */
/* Software prefetch distances of the packing loops, in floats along a row (KT_PFP) and in rows
 * (KT_PFB): the hardware prefetchers do not follow 12-32 interleaved row streams 4 KB apart.
 * Worth ~1% on 1024^3. */
#ifndef KT_PFP
#define KT_PFP 64
#endif
#ifndef KT_PFB
#define KT_PFB 8
#endif
#define PACK512_STORE_LANE(L_)                                                                    \
  {                                                                                               \
    float *d_ = dst + (p + 4 * (L_)) * w + g;                                                     \
    if (np >= 4 * (L_) + 4) {                                                                     \
      _mm_storeu_ps(d_, _mm512_extractf32x4_ps(u0, L_));                                          \
      _mm_storeu_ps(d_ + w, _mm512_extractf32x4_ps(u1, L_));                                      \
      _mm_storeu_ps(d_ + 2 * w, _mm512_extractf32x4_ps(u2, L_));                                  \
      _mm_storeu_ps(d_ + 3 * w, _mm512_extractf32x4_ps(u3, L_));                                  \
    } else {                                                                                      \
      int left_ = np - 4 * (L_);                                                                  \
      if (left_ > 0) _mm_storeu_ps(d_, _mm512_extractf32x4_ps(u0, L_));                           \
      if (left_ > 1) _mm_storeu_ps(d_ + w, _mm512_extractf32x4_ps(u1, L_));                       \
      if (left_ > 2) _mm_storeu_ps(d_ + 2 * w, _mm512_extractf32x4_ps(u2, L_));                   \
    }                                                                                             \
  }

KT_AVX512 static void pack512_rows(long rows, long kc, const float *src, long ld, int w, float *dst) {
  for (long p = 0; p < kc; p += 16) {
    int np = kc - p < 16 ? (int)(kc - p) : 16;
    __mmask16 pm = np == 16 ? 0xFFFF : (__mmask16)((1u << np) - 1);
    for (int g = 0; g < w; g += 4) {
      __m512 x0, x1, x2, x3;
      const float *s = src + g * ld + p;
      if (g + 4 <= rows) {
        _mm_prefetch((const char *)(s + KT_PFP), _MM_HINT_T0);
        _mm_prefetch((const char *)(s + ld + KT_PFP), _MM_HINT_T0);
        _mm_prefetch((const char *)(s + 2 * ld + KT_PFP), _MM_HINT_T0);
        _mm_prefetch((const char *)(s + 3 * ld + KT_PFP), _MM_HINT_T0);
        x0 = _mm512_maskz_loadu_ps(pm, s);
        x1 = _mm512_maskz_loadu_ps(pm, s + ld);
        x2 = _mm512_maskz_loadu_ps(pm, s + 2 * ld);
        x3 = _mm512_maskz_loadu_ps(pm, s + 3 * ld);
      } else {
        /* Entries past `rows` are not read: they pack as zeros. */
        x0 = g < rows ? _mm512_maskz_loadu_ps(pm, s) : _mm512_setzero_ps();
        x1 = g + 1 < rows ? _mm512_maskz_loadu_ps(pm, s + ld) : _mm512_setzero_ps();
        x2 = g + 2 < rows ? _mm512_maskz_loadu_ps(pm, s + 2 * ld) : _mm512_setzero_ps();
        x3 = _mm512_setzero_ps();
      }
      __m512 t0 = _mm512_unpacklo_ps(x0, x1), t1 = _mm512_unpackhi_ps(x0, x1);
      __m512 t2 = _mm512_unpacklo_ps(x2, x3), t3 = _mm512_unpackhi_ps(x2, x3);
      __m512 u0 = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
      __m512 u1 = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t0), _mm512_castps_pd(t2)));
      __m512 u2 = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
      __m512 u3 = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t1), _mm512_castps_pd(t3)));
      PACK512_STORE_LANE(0)
      PACK512_STORE_LANE(1)
      PACK512_STORE_LANE(2)
      PACK512_STORE_LANE(3)
    }
  }
}

/* Entries contiguous for each p (ld apart from one p to the next): copy up to w per p. */
KT_AVX512 static void pack512_cols(long rows, long kc, const float *src, long ld, int w, float *dst) {
  if (w == 32 && rows == 32) {
    for (long p = 0; p < kc; p++, src += ld, dst += 32) {
      _mm_prefetch((const char *)(src + KT_PFB * ld), _MM_HINT_T0);
      _mm_prefetch((const char *)(src + KT_PFB * ld + 31), _MM_HINT_T0);
      _mm512_storeu_ps(dst, _mm512_loadu_ps(src));
      _mm512_storeu_ps(dst + 16, _mm512_loadu_ps(src + 16));
    }
    return;
  }
  for (long p = 0; p < kc; p++, src += ld, dst += w) {
    for (int c = 0; c < w; c += 16) {
      int n = w - c < 16 ? w - c : 16, v = rows - c < n ? (int)(rows - c) : n;
      __mmask16 sm = n == 16 ? 0xFFFF : (__mmask16)((1u << n) - 1);
      __mmask16 lm = v <= 0 ? 0 : v == 16 ? 0xFFFF : (__mmask16)((1u << v) - 1);
      _mm512_mask_storeu_ps(dst + c, sm, _mm512_maskz_loadu_ps(lm, src + c));
    }
  }
}

KT_AVX512 static void pack512(long ext, long kc, const float *src, long rs, long ps, int w, float *dst) {
  if ((rs != 1 && ps != 1) || (w & 3) != 0) {
    pack_c(ext, kc, src, rs, ps, w, dst);
    return;
  }
  if (ps != 1 && w < 16) {
    /* Narrow slivers (op(A) transposed) read only w floats per p, a partial line from a new
     * page each time: walk p outermost so that each p reads one contiguous run for all slivers. */
    long ns = (ext + w - 1) / w;
    for (long p = 0; p < kc; p++) {
      const float *s = src + p * ps;
      for (long j = 0; j < ns; j++) {
        long rows = ext - j * w < w ? ext - j * w : w;
        __mmask16 sm = (__mmask16)((1u << w) - 1), lm = (__mmask16)((1u << rows) - 1);
        _mm512_mask_storeu_ps(dst + j * kc * w + p * w, sm, _mm512_maskz_loadu_ps(lm, s + j * w));
      }
    }
    return;
  }
  for (long i = 0; i < ext; i += w, dst += kc * w) {
    long rows = ext - i < w ? ext - i : w;
    if (ps == 1) pack512_rows(rows, kc, src + i * rs, rs, w, dst);
    else pack512_cols(rows, kc, src + i, ps, w, dst);
  }
}

/* Direct product for small shapes: op(A) read in place through strides, B row-major (ldb). Row
 * blocks of R, column blocks of 32 (masked at the edge, loads too, so nothing past B is read). */
#define DIRECT512_BLOCK(R_)                                                                       \
  {                                                                                               \
    __m512 c0[R_], c1[R_];                                                                        \
    _Pragma("GCC unroll 8") for (int r = 0; r < R_; r++) {                                        \
      c0[r] = _mm512_setzero_ps();                                                                \
      c1[r] = _mm512_setzero_ps();                                                                \
    }                                                                                             \
    const float *bp = b + j;                                                                      \
    const float *ap = a + i * a_rs;                                                               \
    for (long p = 0; p < k; p++) {                                                                \
      __m512 b0 = _mm512_maskz_loadu_ps(m0, bp), b1 = _mm512_maskz_loadu_ps(m1, bp + 16);         \
      _Pragma("GCC unroll 8") for (int r = 0; r < R_; r++) {                                      \
        __m512 av = _mm512_set1_ps(ap[r * a_rs]);                                                 \
        c0[r] = _mm512_fmadd_ps(av, b0, c0[r]);                                                   \
        c1[r] = _mm512_fmadd_ps(av, b1, c1[r]);                                                   \
      }                                                                                           \
      bp += ldb;                                                                                  \
      ap += a_cs;                                                                                 \
    }                                                                                             \
    _Pragma("GCC unroll 8") for (int r = 0; r < R_; r++) {                                        \
      _mm512_mask_storeu_ps(c + (i + r) * ldc + j, m0, c0[r]);                                    \
      _mm512_mask_storeu_ps(c + (i + r) * ldc + j + 16, m1, c1[r]);                               \
    }                                                                                             \
  }

KT_AVX512 static void direct512(long m, long n, long k, const float *a, long a_rs, long a_cs, const float *b, long ldb, float *c, long ldc) {
  for (long j = 0; j < n; j += 32) {
    long cols = n - j;
    __mmask16 m0 = cols >= 16 ? 0xFFFF : (__mmask16)((1u << cols) - 1);
    __mmask16 m1 = cols >= 32 ? 0xFFFF : cols <= 16 ? 0 : (__mmask16)((1u << (cols - 16)) - 1);
    long i = 0;
    for (; i + 6 <= m; i += 6) DIRECT512_BLOCK(6)
    switch (m - i) {
      case 5: DIRECT512_BLOCK(5) break;
      case 4: DIRECT512_BLOCK(4) break;
      case 3: DIRECT512_BLOCK(3) break;
      case 2: DIRECT512_BLOCK(2) break;
      case 1: DIRECT512_BLOCK(1) break;
      default: break;
    }
  }
}

/* ------------------------------------------------------------------ AVX2 */

/*
 * 6 x 16 tile: 12 accumulators, two B vectors and a broadcast fill 15 of the 16 ymm registers.
 * Edge tiles (mr < 6 or nr < 16) are first stored whole into a stack tile by a fully unrolled
 * loop, then copied mr x nr: indexing the accumulator arrays with a run-time bound instead makes
 * GCC keep them in memory, and the k loop then stores all 12 back to the stack every step (Zen 5,
 * 1 thread, 1024^3: 66 against 131 GFLOP/s). native/bench/check_kernel_loops.py checks for that.
 */
#define UKR256_MR 6
#define UKR256_NR 16
#ifndef KT_KC256
#define KT_KC256 256
#endif
#ifndef KT_MC256
#define KT_MC256 120
#endif
#ifndef KT_NC256
#define KT_NC256 1024
#endif
#define UKR256_STEP                                                                               \
  {                                                                                               \
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);                                    \
    _Pragma("GCC unroll 8") for (int i = 0; i < UKR256_MR; i++) {                                 \
      __m256 av = _mm256_broadcast_ss(a + i);                                                     \
      c0[i] = _mm256_fmadd_ps(av, b0, c0[i]);                                                     \
      c1[i] = _mm256_fmadd_ps(av, b1, c1[i]);                                                     \
    }                                                                                             \
    a += UKR256_MR;                                                                               \
    b += UKR256_NR;                                                                               \
  }
KT_AVX2 static void ukr256(long kc, const float *KT_RESTRICT a, const float *KT_RESTRICT b, float *c, long ldc, int mr, int nr, int acc) {
  __m256 c0[UKR256_MR], c1[UKR256_MR];
  _Pragma("GCC unroll 8") for (int i = 0; i < UKR256_MR; i++) {
    c0[i] = _mm256_setzero_ps();
    c1[i] = _mm256_setzero_ps();
  }
  long p = 0;
  for (; p < kc - KT_PFC_K; p++) UKR256_STEP
  for (int i = 0; i < UKR256_MR && i < mr; i++) {
    const char *ci = (const char *)(c + i * ldc);
    _mm_prefetch(ci, _MM_HINT_T0);
    _mm_prefetch(ci + 4 * (nr - 1), _MM_HINT_T0);
  }
  for (; p < kc; p++) UKR256_STEP
  if (nr == UKR256_NR && mr == UKR256_MR) {
    _Pragma("GCC unroll 8") for (int i = 0; i < UKR256_MR; i++) {
      float *ci = c + i * ldc;
      if (acc) {
        c0[i] = _mm256_add_ps(_mm256_loadu_ps(ci), c0[i]);
        c1[i] = _mm256_add_ps(_mm256_loadu_ps(ci + 8), c1[i]);
      }
      _mm256_storeu_ps(ci, c0[i]);
      _mm256_storeu_ps(ci + 8, c1[i]);
    }
    return;
  }
  float tile[UKR256_MR][UKR256_NR] __attribute__((aligned(32)));
  _Pragma("GCC unroll 8") for (int i = 0; i < UKR256_MR; i++) {
    _mm256_store_ps(tile[i], c0[i]);
    _mm256_store_ps(tile[i] + 8, c1[i]);
  }
  for (int i = 0; i < mr; i++) {
    float *ci = c + i * ldc;
    if (acc) for (int j = 0; j < nr; j++) ci[j] += tile[i][j];
    else for (int j = 0; j < nr; j++) ci[j] = tile[i][j];
  }
}

/* Stores the first w (6 or 8) floats of v. */
KT_AVX2 static inline void store256_w(float *d, __m256 v, int w) {
  if (w == 8) {
    _mm256_storeu_ps(d, v);
  } else {
    _mm_storeu_ps(d, _mm256_castps256_ps128(v));
    _mm_storel_pi((__m64 *)(d + 4), _mm256_extractf128_ps(v, 1));
  }
}

/* Entries are rows `ld` apart with p contiguous: transpose 8 entries x 8 p at a time. Slivers
 * are 6 (A) or 16 (B) wide: groups of 8 entries, of which a 6-wide sliver stores 6. */
KT_AVX2 static void pack256_rows(long rows, long kc, const float *src, long ld, int w, float *dst) {
  for (long p = 0; p < kc; p += 8) {
    int np = kc - p < 8 ? (int)(kc - p) : 8;
    __m256i pm = kt_mask256(np);
    for (int g = 0; g < w; g += 8) {
      int gw = w - g < 8 ? w - g : 8;
      const float *s = src + g * ld + p;
      __m256 r[8];
      if (np == 8 && g + gw <= rows) {
        _Pragma("GCC unroll 8") for (int e = 0; e < 8; e++) {
          if (e < gw) {
            _mm_prefetch((const char *)(s + e * ld + KT_PFP), _MM_HINT_T0);
            r[e] = _mm256_loadu_ps(s + e * ld);
          } else {
            r[e] = _mm256_setzero_ps();
          }
        }
      } else {
        /* Entries past `rows` are not read: they pack as zeros. */
        _Pragma("GCC unroll 8") for (int e = 0; e < 8; e++)
          r[e] = e < gw && g + e < rows ? _mm256_maskload_ps(s + e * ld, pm) : _mm256_setzero_ps();
      }
      kt_transpose8x8(r);
      float *d = dst + p * w + g;
      if (np == 8) {
        _Pragma("GCC unroll 8") for (int q = 0; q < 8; q++) store256_w(d + q * w, r[q], gw);
      } else {
        for (int q = 0; q < np; q++) store256_w(d + q * w, r[q], gw);
      }
    }
  }
}

/* Entries contiguous for each p (ld apart from one p to the next): copy w per p, zeros past
 * `rows`. */
KT_AVX2 static void pack256_cols(long rows, long kc, const float *src, long ld, int w, float *dst) {
  if (w == 16 && rows == 16) {
    for (long p = 0; p < kc; p++, src += ld, dst += 16) {
      _mm_prefetch((const char *)(src + KT_PFB * ld), _MM_HINT_T0);
      _mm_prefetch((const char *)(src + KT_PFB * ld + 15), _MM_HINT_T0);
      _mm256_store_ps(dst, _mm256_loadu_ps(src));
      _mm256_store_ps(dst + 8, _mm256_loadu_ps(src + 8));
    }
    return;
  }
  for (long p = 0; p < kc; p++, src += ld, dst += w)
    for (int g = 0; g < w; g += 8) store256_w(dst + g, _mm256_maskload_ps(src + g, kt_mask256(rows - g)), w - g < 8 ? w - g : 8);
}

KT_AVX2 static void pack256(long ext, long kc, const float *src, long rs, long ps, int w, float *dst) {
  if ((rs != 1 && ps != 1) || (w != 6 && w != 16)) {
    pack_c(ext, kc, src, rs, ps, w, dst);
    return;
  }
  if (ps != 1 && w < 8) {
    /* Narrow slivers (op(A) transposed) read only w floats per p, a partial line from a new
     * page each time: walk p outermost so that each p reads one contiguous run for all slivers. */
    long ns = (ext + w - 1) / w;
    for (long p = 0; p < kc; p++) {
      const float *s = src + p * ps;
      for (long j = 0; j < ns; j++)
        store256_w(dst + j * kc * w + p * w, _mm256_maskload_ps(s + j * w, kt_mask256(ext - j * w < w ? ext - j * w : w)), w);
    }
    return;
  }
  for (long i = 0; i < ext; i += w, dst += kc * w) {
    long rows = ext - i < w ? ext - i : w;
    if (ps == 1) pack256_rows(rows, kc, src + i * rs, rs, w, dst);
    else pack256_cols(rows, kc, src + i, ps, w, dst);
  }
}

/* Direct product for small shapes, as direct512: op(A) read in place through strides, B
 * row-major (ldb), a block of R_ rows x 16 columns of C in registers. Column edges load and store
 * through masks (nothing past B or C is touched); EDGE_ is 0 for whole 16-column blocks. */
#define DIRECT256_BLOCK(R_, EDGE_)                                                                \
  {                                                                                               \
    __m256 c0[R_], c1[R_];                                                                        \
    _Pragma("GCC unroll 8") for (int r = 0; r < R_; r++) {                                        \
      c0[r] = _mm256_setzero_ps();                                                                \
      c1[r] = _mm256_setzero_ps();                                                                \
    }                                                                                             \
    const float *bp = b + j;                                                                      \
    const float *ap = a + i * a_rs;                                                               \
    for (long p = 0; p < k; p++) {                                                                \
      __m256 b0 = EDGE_ ? _mm256_maskload_ps(bp, m0) : _mm256_loadu_ps(bp);                       \
      __m256 b1 = EDGE_ ? _mm256_maskload_ps(bp + 8, m1) : _mm256_loadu_ps(bp + 8);               \
      _Pragma("GCC unroll 8") for (int r = 0; r < R_; r++) {                                      \
        __m256 av = _mm256_broadcast_ss(ap + r * a_rs);                                           \
        c0[r] = _mm256_fmadd_ps(av, b0, c0[r]);                                                   \
        c1[r] = _mm256_fmadd_ps(av, b1, c1[r]);                                                   \
      }                                                                                           \
      bp += ldb;                                                                                  \
      ap += a_cs;                                                                                 \
    }                                                                                             \
    _Pragma("GCC unroll 8") for (int r = 0; r < R_; r++) {                                        \
      float *cr = c + (i + r) * ldc + j;                                                          \
      if (EDGE_) {                                                                                \
        _mm256_maskstore_ps(cr, m0, c0[r]);                                                       \
        _mm256_maskstore_ps(cr + 8, m1, c1[r]);                                                   \
      } else {                                                                                    \
        _mm256_storeu_ps(cr, c0[r]);                                                              \
        _mm256_storeu_ps(cr + 8, c1[r]);                                                          \
      }                                                                                           \
    }                                                                                             \
  }

#define DIRECT256_ROWS(EDGE_)                                                                     \
  {                                                                                               \
    long i = 0;                                                                                   \
    for (; i + 6 <= m; i += 6) DIRECT256_BLOCK(6, EDGE_)                                          \
    switch (m - i) {                                                                              \
      case 5: DIRECT256_BLOCK(5, EDGE_) break;                                                    \
      case 4: DIRECT256_BLOCK(4, EDGE_) break;                                                    \
      case 3: DIRECT256_BLOCK(3, EDGE_) break;                                                    \
      case 2: DIRECT256_BLOCK(2, EDGE_) break;                                                    \
      case 1: DIRECT256_BLOCK(1, EDGE_) break;                                                    \
      default: break;                                                                             \
    }                                                                                             \
  }

KT_AVX2 static void direct256(long m, long n, long k, const float *a, long a_rs, long a_cs, const float *b, long ldb, float *c, long ldc) {
  long j = 0;
  __m256i m0 = kt_mask256(n % 16), m1 = kt_mask256(n % 16 - 8);
  for (; j + 16 <= n; j += 16) DIRECT256_ROWS(0)
  if (j < n) DIRECT256_ROWS(1)
}

#endif /* KT_X86 */

/* ------------------------------------------------------------------ portable C */

/* Written with the GCC / clang vector extension (4 floats: the width of SSE and NEON) rather than
 * as loops over a float tile: arm64 GCC 12 vectorizes such loops along the tile's rows and keeps
 * the tile in memory, storing it every k step. */
typedef float kt_v4f __attribute__((vector_size(16)));
/* 4 x 16 takes 16 accumulators + 4 B vectors + a broadcast: right for targets with 32 vector
 * registers (arm64, ppc64, RISC-V V); with 16 (SSE, 32-bit ARM) it spills, 2 x 16 does not. */
#if defined(__aarch64__) || defined(__powerpc64__) || defined(__riscv)
#define UKRC_MR 4
#else
#define UKRC_MR 2
#endif
#define UKRC_NR 16
KT_CONTRACT_FN static void ukr_c(long kc, const float *KT_RESTRICT a, const float *KT_RESTRICT b, float *c, long ldc, int mr, int nr, int acc) {
  KT_CONTRACT_BODY
  kt_v4f t0[UKRC_MR], t1[UKRC_MR], t2[UKRC_MR], t3[UKRC_MR];
  _Pragma("GCC unroll 8") for (int i = 0; i < UKRC_MR; i++) t0[i] = t1[i] = t2[i] = t3[i] = (kt_v4f){0, 0, 0, 0};
  for (long p = 0; p < kc; p++) {
    const kt_v4f *bv = (const kt_v4f *)b;
    kt_v4f b0 = bv[0], b1 = bv[1], b2 = bv[2], b3 = bv[3];
    _Pragma("GCC unroll 8") for (int i = 0; i < UKRC_MR; i++) {
      kt_v4f av = {a[i], a[i], a[i], a[i]};
      t0[i] += av * b0;
      t1[i] += av * b1;
      t2[i] += av * b2;
      t3[i] += av * b3;
    }
    a += UKRC_MR;
    b += UKRC_NR;
  }
  float tile[UKRC_MR][UKRC_NR];
  _Pragma("GCC unroll 8") for (int i = 0; i < UKRC_MR; i++) {
    memcpy(tile[i], &t0[i], 16);
    memcpy(tile[i] + 4, &t1[i], 16);
    memcpy(tile[i] + 8, &t2[i], 16);
    memcpy(tile[i] + 12, &t3[i], 16);
  }
  for (int i = 0; i < mr; i++) {
    float *ci = c + i * ldc;
    if (acc) for (int j = 0; j < nr; j++) ci[j] += tile[i][j];
    else for (int j = 0; j < nr; j++) ci[j] = tile[i][j];
  }
}

/* Portable direct product: i-p-j with a row of C as accumulator. */
KT_CONTRACT_FN static void direct_c(long m, long n, long k, const float *a, long a_rs, long a_cs, const float *b, long ldb, float *c, long ldc) {
  KT_CONTRACT_BODY
  for (long i = 0; i < m; i++) {
    float *ci = c + i * ldc;
    for (long j = 0; j < n; j++) ci[j] = 0.0f;
    for (long p = 0; p < k; p++) {
      float av = a[i * a_rs + p * a_cs];
      const float *bp = b + p * ldb;
      for (long j = 0; j < n; j++) ci[j] += av * bp[j];
    }
  }
}

static const gemm_impl impl_c = {UKRC_MR, UKRC_NR, 256, 128, 1024, ukr_c, direct_c, pack_c, 0};
#if KT_X86
static const gemm_impl impl_avx2 = {UKR256_MR, UKR256_NR, KT_KC256, KT_MC256, KT_NC256, ukr256, direct256, pack256, 1};
static const gemm_impl impl_avx512 = {KT_MR512, 32, KT_KC512, KT_MC512, KT_NC512, ukr512, direct512, pack512, 1};
#endif

static const gemm_impl *select_impl(void) {
#if KT_X86
  int isa = kt_isa();
  if (isa == KT_ISA_AVX512) return &impl_avx512;
  if (isa == KT_ISA_AVX2) return &impl_avx2;
#endif
  return &impl_c;
}

/* ------------------------------------------------------------------ drivers */

static long round_up(long x, long q) { return ((x + q - 1) / q) * q; }

/* Blocked product of an (m x n) tile: op(A)(i,p) = a[i*a_rs + p*a_cs], op(B)(p,j) = b[p*b_rs + j*b_cs]. */
static void gemm_blocked(const gemm_impl *im, long m, long n, long k, const float *a, long a_rs, long a_cs,
                         const float *b, long b_rs, long b_cs, float *c, long ldc) {
  const int MR = im->mr, NR = im->nr;
  long KC = im->kc, MC = im->mc, NC = im->nc;
  /* Balance the k slices so the last one is not a sliver. */
  long kblocks = (k + KC - 1) / KC;
  KC = (k + kblocks - 1) / kblocks;
  /* Likewise the row blocks (m = 128 would otherwise run a 120-row block and an 8-row one, whose
   * pass over the packed B costs as much as a full block's). */
  long mblocks = (m + MC - 1) / MC;
  MC = round_up((m + mblocks - 1) / mblocks, MR);
  long nc_max = n < NC ? ((n + NR - 1) / NR) * NR : NC;
  long mc_max = m < MC ? ((m + MR - 1) / MR) * MR : MC;
  float *pb = grow(&scratch_b, &scratch_b_n, (size_t)KC * nc_max);
  float *pa = grow(&scratch_a, &scratch_a_n, (size_t)KC * mc_max);
  if (pb == NULL || pa == NULL) {
    /* Out of memory for scratch: unblocked fallback (correct, slow). */
    for (long i = 0; i < m; i++)
      for (long j = 0; j < n; j++) {
        float s = 0.0f;
        for (long p = 0; p < k; p++) s += a[i * a_rs + p * a_cs] * b[p * b_rs + j * b_cs];
        c[i * ldc + j] = s;
      }
    return;
  }
  for (long jc = 0; jc < n; jc += NC) {
    long nc = n - jc < NC ? n - jc : NC;
    for (long pc = 0; pc < k; pc += KC) {
      long kc = k - pc < KC ? k - pc : KC;
      im->pack(nc, kc, b + pc * b_rs + jc * b_cs, b_cs, b_rs, NR, pb);
      for (long ic = 0; ic < m; ic += MC) {
        long mc = m - ic < MC ? m - ic : MC;
        im->pack(mc, kc, a + ic * a_rs + pc * a_cs, a_rs, a_cs, MR, pa);
        for (long jr = 0; jr < nc; jr += NR) {
          int nr = (int)(nc - jr < NR ? nc - jr : NR);
          const float *bs = pb + jr * kc;
          for (long ir = 0; ir < mc; ir += MR) {
            int mr = (int)(mc - ir < MR ? mc - ir : MR);
            im->ukr(kc, pa + ir * kc, bs, c + (ic + ir) * ldc + jc + jr, ldc, mr, nr, pc > 0);
          }
        }
      }
    }
  }
}

/* Products at most this many multiply-adds take the direct path (when op(B) is row-major). */
#ifndef KT_DIRECT_MAX
#define KT_DIRECT_MAX (1L << 22)
#endif
/* Products below this many multiply-adds stay on one thread. */
#ifndef KT_PAR_MIN_FMAS
#define KT_PAR_MIN_FMAS (1L << 21)
#endif

/*
 * The register-blocked direct kernels also beat packing on larger products while a panel of B
 * (k x 32 floats for AVX-512, k x 16 for AVX2) stays in L2 and B's rows are not 4 KB apart (which
 * makes the panel's rows collide in the same L1 sets). Measured on Zen 5 (GFLOP/s, direct vs
 * blocked), AVX-512: 784x128x512 (A transposed) 271 vs 263, 2048x784x128 270 vs 237, 32x784x512
 * 205 vs 197, 128x784x784 270 vs 252, 128x400x512 266 vs 247; but 128x784x1024 152 vs 219 and
 * 128x1536x512 177 vs 218. AVX2 alike: 32x784x512 118 vs 88, 784x128x512 (A transposed) 119 vs
 * 114, 1024x784x128 132 vs 118, 128x784x784 130 vs 119; but 128x784x1024 84 vs 116, 128x1536x512
 * 83 vs 116. Rows 2 KB apart (n = 512) squeeze the panel into 4 of L1's 64 sets; from k ~ 640 on
 * that costs the direct kernel more than packing does, once m is large enough to amortize the
 * packing: 128x784x512 233 vs 240, 256x784x512 236 vs 260, 512x784x512 242 vs 263 (and
 * 128x640x512 even); AVX2 512x784x512 116 vs 120.
 */
static int direct_wide(const gemm_impl *im, long m, long n, long k, const float *b, long ldb) {
  if (!im->register_direct || k > 800 || n > 800 || (ldb & 1023) == 0) return 0;
  if ((ldb & 511) == 0 && k > 640 && m > 64) return 0;
  /* Rows of B that straddle cache lines cost the direct kernel ~15%, which packing avoids, except
   * for short products (m <= 64), where it still wins by more. */
  return m <= 64 || ((uintptr_t)b % 64 == 0 && ldb % 16 == 0);
}

static void gemm_tile(const gemm_impl *im, long m, long n, long k, const float *a, long a_rs, long a_cs,
                      const float *b, long b_rs, long b_cs, float *c, long ldc, int direct_ok) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (long i = 0; i < m; i++) memset(c + i * ldc, 0, (size_t)n * sizeof(float));
    return;
  }
  if (direct_ok && b_cs == 1 && (((m <= 2 * im->mr || m * n * k <= KT_DIRECT_MAX) && m * n * k <= 4 * KT_DIRECT_MAX) || direct_wide(im, m, n, k, b, b_rs))) {
    im->direct(m, n, k, a, a_rs, a_cs, b, b_rs, c, ldc);
    return;
  }
  gemm_blocked(im, m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, c, ldc);
}

typedef struct {
  const gemm_impl *im;
  long batch, m, n, k;
  int transA, transB;
  const float *A, *B;
  long strideA, strideB;
  float *C;
  /* tiling of one product: tm x tn tiles, boundaries rounded to the micro-tile */
  long tm, tn, mstep, nstep;
  int by_batch;
} sgemm_job;

static void sgemm_operands(const sgemm_job *j, long bi, const float **a, long *a_rs, long *a_cs, const float **b, long *b_rs, long *b_cs) {
  *a = j->A + bi * j->strideA;
  *b = j->B + bi * j->strideB;
  if (j->transA) { *a_rs = 1; *a_cs = j->m; } else { *a_rs = j->k; *a_cs = 1; }
  if (j->transB) { *b_rs = 1; *b_cs = j->k; } else { *b_rs = j->n; *b_cs = 1; }
}

static void sgemm_task(void *ctx, long task, int thread) {
  (void)thread;
  const sgemm_job *j = (const sgemm_job *)ctx;
  const float *a, *b;
  long a_rs, a_cs, b_rs, b_cs;
  if (j->by_batch) {
    long ntasks = j->tm;
    long b0 = task * j->batch / ntasks, b1 = (task + 1) * j->batch / ntasks;
    for (long bi = b0; bi < b1; bi++) {
      sgemm_operands(j, bi, &a, &a_rs, &a_cs, &b, &b_rs, &b_cs);
      gemm_tile(j->im, j->m, j->n, j->k, a, a_rs, a_cs, b, b_rs, b_cs, j->C + bi * j->m * j->n, j->n, 1);
    }
    return;
  }
  long per = j->tm * j->tn;
  long bi = task / per, t = task % per;
  long ti = t / j->tn, tj = t % j->tn;
  long i0 = ti * j->mstep, i1 = i0 + j->mstep < j->m ? i0 + j->mstep : j->m;
  long j0 = tj * j->nstep, j1 = j0 + j->nstep < j->n ? j0 + j->nstep : j->n;
  if (i0 >= i1 || j0 >= j1) return;
  sgemm_operands(j, bi, &a, &a_rs, &a_cs, &b, &b_rs, &b_cs);
  gemm_tile(j->im, i1 - i0, j1 - j0, j->k, a + i0 * a_rs, a_rs, a_cs, b + j0 * b_cs, b_rs, b_cs,
            j->C + bi * j->m * j->n + i0 * j->n + j0, j->n, 1);
}


/* Products with op(B) transposed are repacked to row-major first when small (direct path). */
static void sgemm_small_transb(const gemm_impl *im, long m, long n, long k, const float *a, long a_rs, long a_cs, const float *b, float *c) {
  float *bt = grow(&scratch_t, &scratch_t_n, (size_t)k * n);
  if (bt == NULL) {
    gemm_blocked(im, m, n, k, a, a_rs, a_cs, b, 1, k, c, n);
    return;
  }
  /* b is n x k; bt = b^T (k x n). */
  kt_transpose_f32(b, n, k, k, bt, n);
  im->direct(m, n, k, a, a_rs, a_cs, bt, n, c, n);
}

void kt_sgemm_batched(long batch, long m, long n, long k, int transA, int transB,
                      const float *A, long strideA, const float *B, long strideB, float *C) {
  if (batch <= 0 || m <= 0 || n <= 0) return;
  const gemm_impl *im = select_impl();
  long mn = m * n;
  if (k == 0) {
    memset(C, 0, (size_t)(batch * mn) * sizeof(float));
    return;
  }
  /* A row-major batch of A against one shared B is one (batch*m) x k product. */
  if (batch > 1 && strideB == 0 && !transA && strideA == m * k) {
    m *= batch;
    batch = 1;
    mn = m * n;
  }
  /* The same product for every batch entry: compute once, copy. */
  long distinct = (batch > 1 && strideA == 0 && strideB == 0) ? 1 : batch;
  long fmas = m * n * k;
  int threads = kt_num_threads();
  if (threads > 1 && fmas * distinct < KT_PAR_MIN_FMAS) threads = 1;
  /* A small product with op(B) transposed takes the direct path against B transposed once (into
   * this thread's scratch, which the other threads' tiles read). */
  if (distinct == 1 && transB && fmas <= KT_DIRECT_MAX && m >= 4) {
    float *bt = grow(&scratch_t, &scratch_t_n, (size_t)k * n);
    if (bt != NULL) {
      kt_transpose_f32(B, n, k, k, bt, n);
      B = bt;
      strideB = 0;
      transB = 0;
    }
  }

  sgemm_job j;
  memset(&j, 0, sizeof j);
  j.im = im; j.batch = distinct; j.m = m; j.n = n; j.k = k; j.transA = transA; j.transB = transB;
  j.A = A; j.B = B; j.strideA = strideA; j.strideB = strideB; j.C = C;

  if (threads == 1) {
    for (long bi = 0; bi < distinct; bi++) {
      const float *a, *b;
      long a_rs, a_cs, b_rs, b_cs;
      sgemm_operands(&j, bi, &a, &a_rs, &a_cs, &b, &b_rs, &b_cs);
      if (transB && fmas <= KT_DIRECT_MAX && m >= 4) sgemm_small_transb(im, m, n, k, a, a_rs, a_cs, b, C + bi * mn);
      else gemm_tile(im, m, n, k, a, a_rs, a_cs, b, b_rs, b_cs, C + bi * mn, n, 1);
    }
  } else if (distinct >= threads) {
    j.by_batch = 1;
    j.tm = distinct < 4L * threads ? threads : 4L * threads;
    if (j.tm > distinct) j.tm = distinct;
    kt_parallel(sgemm_task, &j, j.tm);
  } else {
    /* Split each product into `threads` tiles along the cheaper dimension. */
    long tm = 1, tn = threads;
    /* Splitting N repacks all of op(A) per tile (m*k), splitting M all of op(B) (k*n). */
    if (m * k > k * n) { tm = threads; tn = 1; }
    if (tn > 1 && n < tn * im->nr) { tm = threads; tn = 1; }
    if (tm > 1 && m < tm * im->mr) { tm = 1; tn = threads; }
    j.tm = tm; j.tn = tn;
    j.mstep = round_up((m + tm - 1) / tm, im->mr);
    j.nstep = round_up((n + tn - 1) / tn, im->nr);
    kt_parallel(sgemm_task, &j, distinct * tm * tn);
  }
  for (long bi = distinct; bi < batch; bi++) memcpy(C + bi * mn, C, (size_t)mn * sizeof(float));
}

void kt_sgemm(int transA, int transB, long m, long n, long k, const float *A, long lda, const float *B, long ldb, float *C, long ldc) {
  const gemm_impl *im = select_impl();
  long a_rs = transA ? 1 : lda, a_cs = transA ? lda : 1;
  long b_rs = transB ? 1 : ldb, b_cs = transB ? ldb : 1;
  gemm_tile(im, m, n, k, A, a_rs, a_cs, B, b_rs, b_cs, C, ldc, 1);
}

/* ------------------------------------------------------------------ int32 */

/* Wrapping int32 product (unsigned arithmetic, as NumPy's int32 matmul wraps). */
void kt_igemm_batched(long batch, long m, long n, long k, int transA, int transB,
                      const int32_t *A, long strideA, const int32_t *B, long strideB, int32_t *C) {
  for (long bi = 0; bi < batch; bi++) {
    const int32_t *a = A + bi * strideA, *b = B + bi * strideB;
    int32_t *c = C + bi * m * n;
    long a_rs = transA ? 1 : k, a_cs = transA ? m : 1;
    for (long i = 0; i < m; i++) {
      uint32_t *ci = (uint32_t *)(c + i * n);
      for (long j = 0; j < n; j++) ci[j] = 0;
      for (long p = 0; p < k; p++) {
        uint32_t av = (uint32_t)a[i * a_rs + p * a_cs];
        if (transB) for (long j = 0; j < n; j++) ci[j] += av * (uint32_t)b[j * k + p];
        else {
          const int32_t *bp = b + p * n;
          for (long j = 0; j < n; j++) ci[j] += av * (uint32_t)bp[j];
        }
      }
    }
  }
}
