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
/* Single-matrix entry with leading dimensions (for benchmarks and tests). */
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

#endif
