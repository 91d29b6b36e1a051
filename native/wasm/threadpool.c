/*
 * The thread pool of kt.h for WebAssembly. Workers are Web Workers (worker_threads in Node) that
 * the JavaScript side starts, each instantiating this module on the same shared memory and then
 * calling kt_worker_main, which never returns: it takes tasks of the jobs the calling thread posts,
 * as threadpool.c's pthreads do (an atomic task counter, the caller taking part, a generation
 * number announcing each job).
 *
 * Differences from threadpool.c: a worker counts from the moment it enters kt_worker_main (a
 * browser may start workers late, or not until the page yields to its event loop, and until then
 * the caller runs every task itself); the caller never blocks (a browser's main thread may not
 * wait on memory), it spins until the workers' tasks are done; an idle worker polls for a while
 * (KT_WASM_SPIN_POLLS) and then sleeps in memory.atomic.wait32 until the caller notifies it.
 *
 * The single-threaded build (no shared memory) has only the serial path.
 */
#include "../kt.h"
#include "wasm.h"

#ifdef KT_WASM_THREADS

#define KT_MAX_THREADS 64
/* Polls of the job generation before a worker sleeps: a few tens of microseconds, so the next
 * kernel of a training step (usually microseconds later) finds the worker awake, while a worker
 * of an idle program does not keep a core busy. */
#ifndef KT_WASM_SPIN_POLLS
#define KT_WASM_SPIN_POLLS 20000
#endif

static int requested = 1; /* threads the program asked for, the caller included */
static int online;        /* workers inside kt_worker_main */
static int owner;         /* 1 while a job runs: a nested or concurrent kt_parallel runs serially */

static kt_task_fn job_fn;
static void *job_ctx;
static int job_tasks;
static int job_threads; /* threads allowed on the current job, the caller included */
static int job_next;
static int job_done;
static int job_generation;
static int sleepers;

static int load(int *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

int kt_num_threads(void) {
  int n = 1 + load(&online);
  int r = load(&requested);
  return r < n ? r : n;
}

void kt_set_num_threads(int n) {
  if (n < 1) n = 1;
  if (n > KT_MAX_THREADS) n = KT_MAX_THREADS;
  __atomic_store_n(&requested, n, __ATOMIC_RELEASE);
}

static void run_tasks(int thread) {
  for (;;) {
    int t = __atomic_fetch_add(&job_next, 1, __ATOMIC_ACQ_REL);
    if (t >= job_tasks) break;
    job_fn(job_ctx, t, thread);
    __atomic_fetch_add(&job_done, 1, __ATOMIC_RELEASE);
  }
}

KT_EXPORT("kt_worker_main") void kt_worker_main(void) {
  int id = 1 + __atomic_fetch_add(&online, 1, __ATOMIC_ACQ_REL);
  int seen = load(&job_generation);
  for (;;) {
    int g;
    int polls = 0;
    while ((g = load(&job_generation)) == seen) {
      if (++polls < KT_WASM_SPIN_POLLS) continue;
      __atomic_fetch_add(&sleepers, 1, __ATOMIC_SEQ_CST);
      /* Returns at once if a job was posted after the load above (the value differs). */
      __builtin_wasm_memory_atomic_wait32(&job_generation, seen, -1);
      __atomic_fetch_sub(&sleepers, 1, __ATOMIC_ACQ_REL);
      polls = 0;
    }
    seen = g;
    if (id < load(&job_threads)) run_tasks(id);
  }
}

void kt_parallel(kt_task_fn fn, void *ctx, long ntasks) {
  if (ntasks <= 0) return;
  int threads = kt_num_threads();
  if (ntasks == 1 || threads == 1 || __atomic_exchange_n(&owner, 1, __ATOMIC_ACQUIRE) != 0) {
    for (long t = 0; t < ntasks; t++) fn(ctx, t, 0);
    return;
  }
  job_fn = fn;
  job_ctx = ctx;
  job_tasks = (int)ntasks;
  __atomic_store_n(&job_threads, threads, __ATOMIC_RELAXED);
  /* job_done first: a worker still leaving the previous job may take a task of this one as soon
   * as job_next is reset; the release store publishes the job to it. */
  __atomic_store_n(&job_done, 0, __ATOMIC_RELAXED);
  __atomic_store_n(&job_next, 0, __ATOMIC_RELEASE);
  __atomic_fetch_add(&job_generation, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&sleepers, __ATOMIC_SEQ_CST) > 0) __builtin_wasm_memory_atomic_notify(&job_generation, KT_MAX_THREADS);
  run_tasks(0);
  while (load(&job_done) < ntasks) {
  }
  __atomic_store_n(&owner, 0, __ATOMIC_RELEASE);
}

/* Workers that have joined the pool so far. */
KT_EXPORT("kt_w_workers") int kt_w_workers(void) { return load(&online); }

#else

int kt_num_threads(void) { return 1; }
void kt_set_num_threads(int n) { (void)n; }
void kt_parallel(kt_task_fn fn, void *ctx, long ntasks) {
  for (long t = 0; t < ntasks; t++) fn(ctx, t, 0);
}

#endif

KT_EXPORT("kt_w_threads") int kt_w_threads(void) { return kt_num_threads(); }
KT_EXPORT("kt_w_set_threads") void kt_w_set_threads(int n) { kt_set_num_threads(n); }
