/* Standalone GEMM benchmark (not part of the addon build):
 *   cc -O3 -ffp-contract=off -fno-math-errno -pthread -I.. gemm_bench.c ../gemm.c ../threadpool.c ../cpu.c ../misc.c -ldl -lm -o /tmp/gemm_bench
 *   /tmp/gemm_bench [threads]
 * Environment: ROUNDS (timing rounds per shape, default 7), ONLY (index of the one shape to run),
 * SHAPES ("m,k,n,tA,tB;..." instead of the built-in list), REPS (calls per timing round; REPS=1 with
 * many ROUNDS times single calls, whose best is robust to other processes taking the core),
 * OPENBLAS (path of the library to compare with), OPENBLAS_CORETYPE (OpenBLAS's own kernel choice).
 * Compares against OpenBLAS's cblas_sgemm when a libopenblas.so.0 can be dlopen'ed. */
#define _GNU_SOURCE
#include "kt.h"
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
typedef void (*cblas_sgemm_t)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*set_threads_t)(int);

static float *rnd(long n, unsigned s) { float *p = aligned_alloc(64, ((n * 4 + 63) / 64) * 64); for (long i = 0; i < n; i++) { s = s * 1103515245 + 12345; p[i] = ((s >> 9) & 0xFFFF) / 32768.0f - 1.0f; } return p; }

static void pause_ms(long ms) { struct timespec t = {ms / 1000, (ms % 1000) * 1000000L}; nanosleep(&t, NULL); }
static int cmp_double(const void *x, const void *y) { double a = *(const double *)x, b = *(const double *)y; return (a > b) - (a < b); }

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1;
  kt_set_num_threads(threads);
  void *h = dlopen(getenv("OPENBLAS") ? getenv("OPENBLAS") : "libopenblas.so.0", RTLD_NOW);
  cblas_sgemm_t ob = h ? (cblas_sgemm_t)dlsym(h, "cblas_sgemm") : NULL;
  if (h) { set_threads_t st = (set_threads_t)dlsym(h, "openblas_set_num_threads"); if (st) st(threads); }
  long shapes[][5] = {{128, 784, 512, 0, 0}, {1024, 1024, 1024, 0, 0}, {32, 784, 128, 0, 0}, {32, 128, 128, 0, 0}, {32, 128, 10, 0, 0},
                      {32, 128, 784, 0, 1}, {784, 128, 32, 1, 0}, {32, 10, 128, 0, 1}, {128, 10, 32, 1, 0}, {128, 128, 32, 1, 0}};
  int ns = sizeof shapes / sizeof shapes[0];
  /* SHAPES="m,k,n,tA,tB;..." replaces the list (up to 32 shapes). */
  long custom[32][5];
  if (getenv("SHAPES")) {
    ns = 0;
    for (const char *p = getenv("SHAPES"); *p && ns < 32;) {
      long v[5] = {0, 0, 0, 0, 0};
      int used = 0;
      sscanf(p, "%ld,%ld,%ld,%ld,%ld%n", &v[0], &v[1], &v[2], &v[3], &v[4], &used);
      if (used == 0) break;
      memcpy(custom[ns++], v, sizeof v);
      p += used;
      if (*p == ';') p++;
    }
  }
  const char *only = getenv("ONLY");
  printf("threads=%d isa=%s openblas=%s\n", threads, kt_isa_name(kt_isa()), ob ? "yes" : "no");
  for (int s = 0; s < ns; s++) {
    if (only && atoi(only) != s) continue;
    const long *sh = getenv("SHAPES") ? custom[s] : shapes[s];
    long m = sh[0], k = sh[1], n = sh[2];
    int tA = (int)sh[3], tB = (int)sh[4];
    float *a = rnd(m * k, 1), *b = rnd(k * n, 2), *c = aligned_alloc(64, m * n * 4 + 64), *c2 = aligned_alloc(64, m * n * 4 + 64);
    double flops = 2.0 * m * n * k;
    int reps = getenv("REPS") ? atoi(getenv("REPS")) : (int)(3e8 / flops) + 1;
    double best = 1e9, bestob = 1e9;
    int rounds = getenv("ROUNDS") ? atoi(getenv("ROUNDS")) : 7;
    double *tk = calloc(rounds, sizeof(double)), *to = calloc(rounds, sizeof(double));
    /* Blocks of rounds, keras-ts's and OpenBLAS's in turn, each after a pause: the idle threads of
     * either pool spin for a while after a call (OpenBLAS's for tens of milliseconds), and on a
     * 2-core machine a spinning thread of the other library takes the core a worker needs, which
     * turned 2-thread timings into 1-thread ones when the two alternated call by call. Blocks
     * rather than one run each, so that a burst of load from other processes is less likely to
     * fall on one library only. */
    int block = rounds < 4 ? rounds : 4;
    for (int r0 = 0; r0 < rounds; r0 += block) {
      int r1 = r0 + block < rounds ? r0 + block : rounds;
      for (int lib = 0; lib < (ob ? 2 : 1); lib++) {
        if (ob || r0 == 0) pause_ms(lib == 0 ? 150 : 20);
        for (int r = r0; r < r1; r++) {
          double t0 = now();
          if (lib == 0)
            for (int i = 0; i < reps; i++) kt_sgemm_batched(1, m, n, k, tA, tB, a, 0, b, 0, c);
          else
            for (int i = 0; i < reps; i++) ob(101, tA ? 112 : 111, tB ? 112 : 111, m, n, k, 1.0f, a, tA ? m : k, b, tB ? k : n, 0.0f, c2, n);
          double t = (now() - t0) / reps;
          if (lib == 0) { tk[r] = t; if (t < best) best = t; }
          else { to[r] = t; if (t < bestob) bestob = t; }
        }
      }
    }
    double err = 0;
    for (long i = 0; i < m; i += (m > 64 ? 7 : 1))
      for (long j = 0; j < n; j += 3) {
        double ref = 0;
        for (long p = 0; p < k; p++) ref += (double)(tA ? a[p * m + i] : a[i * k + p]) * (tB ? b[j * k + p] : b[p * n + j]);
        double e = fabs(ref - c[i * n + j]) / (1 + fabs(ref));
        if (e > err) err = e;
      }
    /* Best of the rounds, then the medians: the best shows what the code can do, the median how
     * much a busy machine blurs that. */
    qsort(tk, rounds, sizeof(double), cmp_double);
    qsort(to, rounds, sizeof(double), cmp_double);
    double mk = tk[rounds / 2], mo = to[rounds / 2];
    printf("%4ld x %4ld x %4ld tA=%d tB=%d  kt %7.1f GFLOP/s (%8.1f us)  openblas %7.1f  ratio %.2f | median %7.1f / %7.1f  ratio %.2f  err %.1e\n",
           m, k, n, tA, tB, flops / best / 1e9, best * 1e6, ob ? flops / bestob / 1e9 : 0.0, ob ? bestob / best : 0.0,
           flops / mk / 1e9, ob ? flops / mo / 1e9 : 0.0, ob ? mo / mk : 0.0, err);
    free(a); free(b); free(c); free(c2); free(tk); free(to);
  }
  return 0;
}
