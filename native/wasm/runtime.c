/*
 * What the kernels need from a C library, for WebAssembly: a thread-safe allocator over the linear
 * memory, the ISA queries of cpu.c (one level here, SIMD128) and getenv (no environment). Math
 * functions and the string functions come from wasi-libc's libc.a (pure code, no WASI imports).
 *
 * The allocator serves blocks in size classes (powers of two up to 64 KB, then four classes per
 * power of two, so a large block wastes at most a quarter) from per-class free lists, and carves
 * new blocks from the top of the heap, growing the memory when it runs out. Memory is never given
 * back: WebAssembly memories do not shrink, and the kernels' allocations (GEMM packing buffers, the
 * JavaScript side's per-call arena) are reused from call to call. Every block is 64-byte aligned
 * (the GEMM's packed panels ask for it) behind a 64-byte header holding its class.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../kt.h"
#include "wasm.h"

#define ALIGN 64
#define HEADER 64
#define CLASSES 128

extern unsigned char __heap_base;

static uintptr_t heap_top;
static void *free_lists[CLASSES];
static volatile int heap_lock;

static void lock(void) {
  while (__atomic_exchange_n(&heap_lock, 1, __ATOMIC_ACQUIRE) != 0)
    while (__atomic_load_n(&heap_lock, __ATOMIC_RELAXED) != 0) {
    }
}
static void unlock(void) { __atomic_store_n(&heap_lock, 0, __ATOMIC_RELEASE); }

/* Class of a request of n bytes (n >= 1) and the capacity of a class. */
static int class_of(size_t n) {
  if (n <= 64) return 0;
  int log = 63 - __builtin_clzll((unsigned long long)(n - 1)); /* 2^log < n <= 2^(log+1) */
  if (log < 16) return log + 1 - 6;                            /* 128 .. 64K: one class each */
  /* Above 64 KB: quarters of [2^log, 2^(log+1)). */
  size_t base = (size_t)1 << log;
  int quarter = (int)((n - 1 - base) >> (log - 2));
  return 11 + (log - 16) * 4 + quarter;
}
static size_t capacity_of(int c) {
  if (c <= 10) return (size_t)64 << c;
  int log = 16 + (c - 11) / 4, quarter = (c - 11) % 4;
  size_t base = (size_t)1 << log;
  return base + (size_t)(quarter + 1) * (base >> 2);
}

static void *carve(size_t bytes) {
  if (heap_top == 0) heap_top = ((uintptr_t)&__heap_base + ALIGN - 1) & ~(uintptr_t)(ALIGN - 1);
  uint64_t start = heap_top, end = start + bytes;
  uint64_t have = (uint64_t)__builtin_wasm_memory_size(0) * 65536u;
  if (end > ((uint64_t)1 << 32) - 65536) return NULL;
  if (end > have) {
    size_t pages = (size_t)((end - have + 65535) / 65536);
    if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1) return NULL;
  }
  heap_top = (uintptr_t)end;
  return (void *)(uintptr_t)start;
}

void *malloc(size_t n) {
  if (n == 0) n = 1;
  if (n > ((size_t)1 << 31)) return NULL;
  int c = class_of(n);
  if (c >= CLASSES) return NULL;
  lock();
  void *block = free_lists[c];
  if (block != NULL) {
    free_lists[c] = *(void **)block;
  } else {
    char *raw = carve(HEADER + capacity_of(c));
    if (raw != NULL) {
      *(int32_t *)(raw + HEADER - 4) = c;
      block = raw + HEADER;
    }
  }
  unlock();
  return block;
}

void free(void *p) {
  if (p == NULL) return;
  int c = *(int32_t *)((char *)p - 4);
  lock();
  *(void **)p = free_lists[c];
  free_lists[c] = p;
  unlock();
}

void *calloc(size_t count, size_t size) {
  if (size != 0 && count > ((size_t)-1) / size) return NULL;
  void *p = malloc(count * size);
  if (p != NULL) memset(p, 0, count * size);
  return p;
}

void *realloc(void *p, size_t n) {
  if (p == NULL) return malloc(n);
  size_t have = capacity_of(*(int32_t *)((char *)p - 4));
  if (n <= have) return p;
  void *q = malloc(n);
  if (q != NULL) {
    memcpy(q, p, have);
    free(p);
  }
  return q;
}

void *aligned_alloc(size_t alignment, size_t n) { return alignment <= ALIGN ? malloc(n) : NULL; }

int posix_memalign(void **out, size_t alignment, size_t n) {
  void *p = aligned_alloc(alignment, n);
  if (p == NULL) return 12; /* ENOMEM */
  *out = p;
  return 0;
}

/* wasi-libc's acosh (musl, 2022) ignores the sign of x when choosing its formula, and gives
 * finite values for some x < -2; this one refuses the domain first, then takes musl's formulas. */
double acosh(double x) {
  if (!(x >= 1)) return x != x ? x : NAN;
  if (x < 2) return log1p(x - 1 + sqrt((x - 1) * (x - 1) + 2 * (x - 1)));
  if (x < 0x1p26) return log(2 * x - 1 / (x + sqrt(x * x - 1)));
  return log(x) + 0.693147180559945309417232121458176568;
}

char *getenv(const char *name) {
  (void)name;
  return NULL;
}

int kt_isa(void) { return KT_ISA_C; }
void kt_set_isa(int isa) { (void)isa; }
const char *kt_isa_name(int isa) {
  (void)isa;
  return "simd128";
}

/* ---- exports for the JavaScript side ---- */

KT_EXPORT("kt_w_malloc") void *kt_w_malloc(size_t n) { return malloc(n); }
KT_EXPORT("kt_w_free") void kt_w_free(void *p) { free(p); }
/* Bytes the heap has taken from the memory so far. */
KT_EXPORT("kt_w_heap_size") size_t kt_w_heap_size(void) { return heap_top == 0 ? 0 : heap_top - (uintptr_t)&__heap_base; }
