/* Standalone benchmark of the non-GEMM kernels on every ISA this CPU has (not part of the addon):
 *   cc -O3 -std=gnu11 -ffp-contract=off -fno-math-errno -pthread -I.. kernel_bench.c ../misc.c ../fused.c \
 *      ../elementwise.c ../gemm.c ../threadpool.c ../cpu.c -lm -o /tmp/kernel_bench
 *   /tmp/kernel_bench [threads]
 * Shapes are those of the seed models' training steps (batch 32 and 128). Prints the median time
 * per call in microseconds for each ISA, and AVX2's time over AVX-512's. */
#define _GNU_SOURCE
#include "kt.h"
#include "ew_ops.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp_double(const void *x, const void *y) { double a = *(const double *)x, b = *(const double *)y; return (a > b) - (a < b); }
static float *rnd(long n, unsigned s, float lo, float hi) {
  float *p = aligned_alloc(64, ((n * 4 + 63) / 64) * 64);
  for (long i = 0; i < n; i++) { s = s * 1103515245 + 12345; p[i] = lo + (hi - lo) * (((s >> 9) & 0xFFFF) / 65536.0f); }
  return p;
}

typedef struct { const char *name; void (*fn)(void); } bench_case;

static float *X, *Y, *Z, *W, *G, *S0, *S1, *S2, *OUT;
static int32_t *LABELS, *IDX;

#define CASE(NAME, BODY) static void NAME(void) { BODY; }
CASE(dense_epi_relu_32x128, { kt_dense_forward(X, W, Y, OUT, 32, 0, 128, 1); })
CASE(dense_epi_sigmoid_32x25, { kt_dense_forward(X, W, Y, OUT, 32, 0, 25, 2); })
CASE(dense_epi_relu_128x512, { kt_dense_forward(X, W, Y, OUT, 128, 0, 512, 1); })
CASE(dense_epi_softmaxlin_128x10, { kt_dense_forward(X, W, Y, OUT, 128, 0, 10, 0); })
CASE(act_grad_relu_128x512, { kt_dense_backward(X, Y, NULL, NULL, 128, 0, 512, 1, OUT, NULL, NULL, NULL); })
CASE(act_grad_sigmoid_32x25, { kt_dense_backward(X, Y, NULL, NULL, 32, 0, 25, 2, OUT, NULL, NULL, NULL); })
CASE(bias_grad_128x512, { kt_reduce_f32(0, X, OUT, 1, 128, 512); })
CASE(bias_grad_32x128, { kt_reduce_f32(0, X, OUT, 1, 32, 128); })
CASE(sum_rows_1000x1000, { kt_reduce_f32(0, X, OUT, 1000, 1000, 1); })
CASE(max_rows_128x10, { kt_reduce_f32(2, X, OUT, 128, 10, 1); })
CASE(argmax_128x10, { kt_argreduce_f32(1, X, (int32_t *)OUT, 128, 10, 1); })
CASE(softmax_1000x1000, { kt_softmax_f32(X, OUT, 1000, 1000, 0); })
CASE(softmax_128x10, { kt_softmax_f32(X, OUT, 128, 10, 0); })
CASE(xent_sparse_32x10, { kt_softmax_xent(X, 32, 10, LABELS, NULL, OUT); })
CASE(xent_dense_128x10, { kt_softmax_xent(X, 128, 10, NULL, Y, OUT); })
CASE(xent_bwd_sparse_32x10, { kt_softmax_xent_backward(X, 32, 10, LABELS, NULL, Z, OUT); })
CASE(xent_bwd_dense_128x10, { kt_softmax_xent_backward(X, 128, 10, NULL, Y, Z, OUT); })
CASE(adam_100k, { kt_adam(W, G, S0, S1, NULL, 100480, 1e-3, 0.9, 0.999, 1e-7, 1.0); })
CASE(rmsprop_400k, { kt_rmsprop(W, G, S0, NULL, NULL, 401920, 1e-3, 0.9, 0.0, 1e-7, 1.0); })
CASE(sgd_20k, { kt_sgd(W, G, NULL, 19625, 1e-2, 0.0, 1.0, 0); })
CASE(gather_32_rows_of_784, { kt_gather(X, OUT, 1, 1000, 784, IDX, 32, 4); })
CASE(transpose_784x128, { kt_transpose2d(X, OUT, 1, 784, 128, 4); })
CASE(exp_1m, { kt_ew()->unary_f32(U_EXP, X, OUT, 1000000); })
CASE(sigmoid_1m, { kt_ew()->unary_f32(U_SIGMOID, X, OUT, 1000000); })
CASE(tanh_1m, { kt_ew()->unary_f32(U_TANH, X, OUT, 1000000); })
CASE(relu_1m, { kt_ew()->unary_f32(U_RELU, X, OUT, 1000000); })
CASE(add_1m, { kt_ew()->binary_f32(B_ADD, M_SAME, X, Y, OUT, 1000000); })
CASE(mul_scalar_1m, { kt_ew()->binary_f32(B_MULTIPLY, M_SCALAR_B, X, Y, OUT, 1000000); })
CASE(greater_1m, { kt_ew()->binary_f32_bool(B_GREATER, M_SAME, X, Y, (uint8_t *)OUT, 1000000); })

static const bench_case CASES[] = {
#define C(N) {#N, N}
  C(dense_epi_relu_32x128), C(dense_epi_sigmoid_32x25), C(dense_epi_relu_128x512), C(dense_epi_softmaxlin_128x10),
  C(act_grad_relu_128x512), C(act_grad_sigmoid_32x25), C(bias_grad_128x512), C(bias_grad_32x128), C(sum_rows_1000x1000),
  C(max_rows_128x10), C(argmax_128x10), C(softmax_1000x1000), C(softmax_128x10), C(xent_sparse_32x10), C(xent_dense_128x10),
  C(xent_bwd_sparse_32x10), C(xent_bwd_dense_128x10), C(adam_100k), C(rmsprop_400k), C(sgd_20k), C(gather_32_rows_of_784),
  C(transpose_784x128), C(exp_1m), C(sigmoid_1m), C(tanh_1m), C(relu_1m), C(add_1m), C(mul_scalar_1m), C(greater_1m),
#undef C
};

static double time_case(const bench_case *c) {
  double t0 = now();
  long reps = 0;
  do { c->fn(); reps++; } while (now() - t0 < 0.02);
  double times[9];
  for (int r = 0; r < 9; r++) {
    double s = now();
    for (long i = 0; i < reps; i++) c->fn();
    times[r] = (now() - s) / reps;
  }
  qsort(times, 9, sizeof(double), cmp_double);
  return times[4] * 1e6;
}

int main(int argc, char **argv) {
  kt_set_num_threads(argc > 1 ? atoi(argv[1]) : 1);
  long big = 1L << 21;
  X = rnd(big, 1, -4, 4); Y = rnd(big, 2, 0, 1); Z = rnd(big, 3, 0.5f, 1); W = rnd(big, 4, -1, 1); G = rnd(big, 5, -1, 1);
  S0 = rnd(big, 6, 0, 1); S1 = rnd(big, 7, 0, 1); S2 = rnd(big, 8, 0, 1); OUT = rnd(big, 9, 0, 1);
  LABELS = malloc(128 * sizeof(int32_t)); IDX = malloc(32 * sizeof(int32_t));
  for (int i = 0; i < 128; i++) LABELS[i] = (i * 7) % 10;
  for (int i = 0; i < 32; i++) IDX[i] = (i * 397) % 1000;
  int top = kt_isa();
  int isas[3], nisa = 0;
  for (int isa = top; isa >= KT_ISA_C; isa--) isas[nisa++] = isa;
  printf("%-30s", "kernel (us per call)");
  for (int i = 0; i < nisa; i++) printf("%10s", kt_isa_name(isas[i]));
  if (top == KT_ISA_AVX512) printf("%12s", "avx2/avx512");
  printf("\n");
  const char *only = getenv("ONLY");
  for (size_t c = 0; c < sizeof CASES / sizeof CASES[0]; c++) {
    if (only && !strstr(CASES[c].name, only)) continue;
    double t[3];
    printf("%-30s", CASES[c].name);
    for (int i = 0; i < nisa; i++) {
      kt_set_isa(isas[i]);
      t[i] = time_case(&CASES[c]);
      printf("%10.2f", t[i]);
    }
    kt_set_isa(top);
    if (top == KT_ISA_AVX512) printf("%12.2f", t[1] / t[0]);
    printf("\n");
  }
  return 0;
}
