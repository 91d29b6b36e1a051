/*
 * keras-ts native CPU kernels: shared declarations.
 *
 * Every kernel reads contiguous row-major arrays and writes a separate output array that the
 * caller allocated (a JavaScript ArrayBuffer, uninitialized: a kernel writes every element of its
 * output, or the caller asks for a zero-filled one); inputs are never written.
 */
#ifndef KT_H
#define KT_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define KT_X86 1
#define KT_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,fma")))
#define KT_AVX2 __attribute__((target("avx2,fma")))
#else
#define KT_X86 0
#endif

#define KT_RESTRICT __restrict__

/* The portable GEMM loops may contract a * b + c into one fused multiply-add (the rest of the code
 * is built with -ffp-contract=off, for results equal to the reference's): on arm64 that makes
 * NEON's fmla of a multiply and an add, and a baseline x86-64 build, without FMA, keeps both.
 * KT_CONTRACT_FN goes before such a function (GCC), KT_CONTRACT_BODY first in its body (clang). */
#if defined(__clang__)
#define KT_CONTRACT_FN
#define KT_CONTRACT_BODY _Pragma("clang fp contract(fast)")
#elif defined(__GNUC__)
#define KT_CONTRACT_FN __attribute__((optimize("fp-contract=fast")))
#define KT_CONTRACT_BODY
#else
#define KT_CONTRACT_FN
#define KT_CONTRACT_BODY
#endif

/* dtype codes shared with the TypeScript wrapper. */
enum { KT_F32 = 0, KT_I32 = 1, KT_U8 = 2, KT_BOOL = 3 };

/* ---- CPU features ---- */
enum { KT_ISA_C = 0, KT_ISA_AVX2 = 1, KT_ISA_AVX512 = 2 };
int kt_isa(void);            /* best ISA this CPU (and KERAS_TS_ISA) allows */
const char *kt_isa_name(int isa);
void kt_set_isa(int isa);    /* clamps to what the CPU supports */

/* ---- thread pool ---- */
/* `fn(ctx, task, thread)` for task in [0, ntasks); `thread` in [0, kt_num_threads()) is unique among
 * tasks running at the same time (for per-thread scratch). Runs on the calling thread alone when
 * ntasks == 1, the pool has one thread, or another JavaScript thread is using the pool. */
typedef void (*kt_task_fn)(void *ctx, long task, int thread);
void kt_parallel(kt_task_fn fn, void *ctx, long ntasks);
int kt_num_threads(void);
void kt_set_num_threads(int n);
/* Elements below which elementwise / reduction kernels stay on the calling thread. */
#define KT_PAR_MIN_ELEMS (1L << 16)

/* ---- GEMM ---- */
/* C[b] = op(A[b]) @ op(B[b]) for b in [0, batch): op(A) is m x k, op(B) is k x n, C is m x n
 * row-major and contiguous (batch stride m*n). A is stored m x k (k x m when transA), B k x n
 * (n x k when transB); strideA / strideB are the batch strides (0 = one matrix for every b). */
void kt_sgemm_batched(long batch, long m, long n, long k, int transA, int transB,
                      const float *A, long strideA, const float *B, long strideB, float *C);
void kt_igemm_batched(long batch, long m, long n, long k, int transA, int transB,
                      const int32_t *A, long strideA, const int32_t *B, long strideB, int32_t *C);
/* Single-matrix entry with leading dimensions, on the calling thread alone (the conv kernels call
 * it from their own threads; benchmarks, tests). */
void kt_sgemm(int transA, int transB, long m, long n, long k, const float *A, long lda,
              const float *B, long ldb, float *C, long ldc);

/* ---- other kernels (misc.c) ---- */
void kt_reduce_f32(int op, const float *x, float *out, long outer, long n, long inner);
void kt_argreduce_f32(int is_max, const float *x, int32_t *out, long outer, long n, long inner);
void kt_softmax_f32(const float *x, float *out, long rows, long cols, int log_);
void kt_transpose_f32(const float *src, long rows, long cols, long ls, float *dst, long ld);
void kt_transpose2d(const void *x, void *out, long batch, long rows, long cols, int esize);
void kt_gather(const void *x, void *out, long outer, long n, long inner, const int32_t *idx, long m, int esize);
void kt_cast(const void *x, int src, void *out, int dst, long n);
void kt_fill(void *out, int dtype, long n, double value);

/* ---- fused training kernels (fused.c) ---- */
void kt_dense_forward(const float *x, const float *w, const float *bias, float *out, long m, long k, long n, int act);
void kt_dense_backward(const float *dout, const float *out, const float *x, const float *w, long m, long k, long n, int act,
                       float *dz_scratch, float *dX, float *dW, float *db);
void kt_softmax_xent(const float *logits, long rows, long cols, const int32_t *labels, const float *dense, float *loss);
void kt_softmax_xent_backward(const float *logits, long rows, long cols, const int32_t *labels, const float *dense, const float *row_scale, float *out);
/* In place: w and the slots are overwritten (rules on the Backend interface, src/backend/backend.ts). */
void kt_sgd(float *w, const float *grad, float *m, long size, double lr, double mu, double decay, int nesterov);
void kt_rmsprop(float *w, const float *grad, float *v, float *m, float *a, long size, double lr, double rho, double mu, double eps, double decay);
void kt_adam(float *w, const float *grad, float *m, float *v, float *vh, long size, double alpha, double beta1, double beta2, double eps, double decay);

/* ---- sequence kernels (rnn.c, attention.c; contracts in src/backend/sequence_kernels.ts) ---- */
/* out / ws may be NULL (no output sequence / no workspace). h, c receive the final states.
 * kt_gru_forward returns 0 when out of memory. */
void kt_lstm_forward(const float *x, const float *h0, const float *c0, const float *R, const uint8_t *mask, long B, long T, long U,
                     int back, int zero_out, float *out, float *h, float *c, float *ws);
int kt_gru_forward(const float *x, const float *h0, const float *R, const float *rb, const uint8_t *mask, long B, long T, long U,
                   int back, int zero_out, float *out, float *h, float *ws);
/* dh / dc hold dH / dC (zeros when absent) on entry and dH0 / dC0 on return; dR, db may be NULL.
 * Return 0 when out of memory. */
int kt_lstm_backward(const float *dout, const float *R, const uint8_t *mask, const float *ws, long B, long T, long U, int back, int zero_out,
                     float *dx, float *dh, float *dc, float *dR);
int kt_gru_backward(const float *dout, const float *R, const uint8_t *mask, const float *ws, long B, long T, long U, int back, int zero_out,
                    float *dx, float *dh, float *dR, float *db);
/* dims = {B, Tq, Tk, N, D, Dv}; mask_shape: the mask's [B|1, N|1, Tq|1, Tk|1] when mask != NULL. */
void kt_attention_forward(const float *q, const float *k, const float *v, const uint8_t *mask, const long *mask_shape, const long *dims, float scale, int causal,
                          float *out, float *probs);
void kt_attention_backward(const float *dout, const float *q, const float *k, const float *v, const uint8_t *mask, const long *mask_shape, const float *probs,
                           const long *dims, float scale, int causal, float *dq, float *dk, float *dv);

/* ---- activation gradient (fused.c): dz = dout * act'(out), act' taken from the output ---- */
void kt_activation_grad(const float *dout, const float *out, float *dz, long size, int act);

/* ---- convolution, pooling, batch normalization (conv.c, pool.c, bn.c) ----
 * Geometries as ConvArgs / PoolArgs in src/backend/fused_kernels.ts, always with 3 spatial axes
 * (1- and 2-d ones have leading axes of extent 1); channels_first selects [batch, channels, ...]. */
typedef struct {
  long batch, cin, cout, groups;
  long in[3], out[3], k[3], stride[3], dil[3], pad[3];
  int channels_first;
} kt_conv_geom;
/* out = act(conv(x, w) + bias); bias may be NULL. Returns 0 when out of memory for scratch. */
int kt_conv_forward(const float *x, const float *w, const float *bias, float *out, const kt_conv_geom *g, int act);
/* Any of dx, dw, db may be NULL (not computed); x is read only for dw, w only for dx, out only
 * when act != 0. Returns 0 when out of memory for scratch (nothing usable written). */
int kt_conv_backward(const float *dout, const float *out, const float *x, const float *w, const kt_conv_geom *g, int act,
                     float *dx, float *dw, float *db);

typedef struct {
  long batch, channels;
  long in[3], out[3], k[3], stride[3], pad[3];
  int channels_first;
} kt_pool_geom;
/* Each returns 0 when out of memory for scratch. */
int kt_max_pool_forward(const float *x, float *out, const kt_pool_geom *g);
int kt_max_pool_backward(const float *dout, const float *x, float *dx, const kt_pool_geom *g);
int kt_avg_pool_forward(const float *x, float *out, const kt_pool_geom *g);
int kt_avg_pool_backward(const float *dout, float *dx, const kt_pool_geom *g);

/* x as [outer, channels, inner]; gamma / beta may be NULL (1 and 0). */
void kt_bn_training(const float *x, const float *gamma, const float *beta, float *out, float *mean, float *var,
                    long outer, long channels, long inner, double eps);
void kt_bn_inference(const float *x, const float *mean, const float *var, const float *gamma, const float *beta, float *out,
                     long outer, long channels, long inner, double eps);
/* dx, dgamma, dbeta may be NULL. */
void kt_bn_training_backward(const float *dout, const float *x, const float *mean, const float *var, const float *gamma,
                             long outer, long channels, long inner, double eps, float *dx, float *dgamma, float *dbeta);

/* NAME(PARAMS) running NAME##_body compiled for AVX-512, for AVX2 or portably, as the ISA in use. */
#if KT_X86
#define KT_ISA_DISPATCH(NAME, PARAMS, ARGS)                      \
  KT_AVX512 static void NAME##_avx512 PARAMS { NAME##_body ARGS; } \
  KT_AVX2 static void NAME##_avx2 PARAMS { NAME##_body ARGS; }     \
  static void NAME PARAMS {                                      \
    int isa_ = kt_isa();                                         \
    if (isa_ == KT_ISA_AVX512) NAME##_avx512 ARGS;               \
    else if (isa_ == KT_ISA_AVX2) NAME##_avx2 ARGS;              \
    else NAME##_body ARGS;                                       \
  }
#else
#define KT_ISA_DISPATCH(NAME, PARAMS, ARGS) \
  static void NAME PARAMS { NAME##_body ARGS; }
#endif

#endif
