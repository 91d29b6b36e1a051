/*
 * A persistent pthread pool. kt_num_threads() threads in all: the calling (JavaScript) thread
 * plus kt_num_threads() - 1 workers created on first use. A job is a function run for task
 * indices 0..ntasks-1; tasks are handed out by an atomic counter, the caller takes part, and
 * kt_parallel returns when every task has finished.
 *
 * Workers spin for a short while after a job (so back-to-back kernels in a training step do not
 * pay a sleep/wake each time), then sleep on a condition variable. Size: the number of online
 * cores, or KERAS_TS_NUM_THREADS (1 disables threading).
 */
#define _GNU_SOURCE
#include "kt.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#if KT_X86
#include <immintrin.h>
#define KT_PAUSE() _mm_pause()
#else
#define KT_PAUSE() ((void)0)
#endif

#define KT_MAX_THREADS 64
/*
 * After a job a worker waits for the next one in three stages: it spins with `pause` for
 * KT_SPIN_HOT_US (a job that follows at once: the two GEMMs of a dense backward), then keeps
 * polling but calls sched_yield() between polls until KT_SPIN_US have passed (KERAS_TS_SPIN_US
 * overrides), then sleeps on the condition variable. The yielding stage keeps the worker awake for
 * the next kernel of a training step (a sleeping worker wakes too late to take part in a kernel
 * of tens of microseconds) while leaving its core to any other runnable thread: on a 2-core
 * machine that is V8's garbage-collector and compiler threads. Seed 001 (MNIST, s/epoch) with 2
 * threads: pause-spinning 0.5-1 ms after each job 0.57-0.67 (slower than 1 thread, 0.48-0.52),
 * 10 us 0.46-0.49, the yielding 1 ms wait 0.41-0.42.
 */
#ifndef KT_SPIN_HOT_US
#define KT_SPIN_HOT_US 10
#endif
#ifndef KT_SPIN_US
#define KT_SPIN_US 1000
#endif
static long spin_hot_ns = KT_SPIN_HOT_US * 1000L;
static long spin_ns = KT_SPIN_US * 1000L;

static long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static pthread_once_t pool_once = PTHREAD_ONCE_INIT;
static int pool_threads = 1;        /* threads in use, caller included */
static int pool_started = 0;        /* workers created so far */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;   /* sleep/wake */
static pthread_cond_t pool_cond = PTHREAD_COND_INITIALIZER;
static pthread_mutex_t pool_owner = PTHREAD_MUTEX_INITIALIZER;  /* one job at a time */

static kt_task_fn job_fn;
static void *job_ctx;
static long job_tasks;
static int job_threads;              /* threads allowed on this job (caller included) */
static atomic_long job_next;
static atomic_long job_done;
static atomic_uint job_generation;
static atomic_int sleepers;

static int env_threads(void) {
  const char *s = getenv("KERAS_TS_NUM_THREADS");
  if (s != NULL && *s != '\0') {
    long v = strtol(s, NULL, 10);
    if (v >= 1) return v > KT_MAX_THREADS ? KT_MAX_THREADS : (int)v;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  return n > KT_MAX_THREADS ? KT_MAX_THREADS : (int)n;
}

static void pool_init(void) {
  pool_threads = env_threads();
  const char *s = getenv("KERAS_TS_SPIN_US");
  if (s != NULL && *s != '\0') {
    long v = strtol(s, NULL, 10);
    if (v >= 0) spin_ns = v * 1000L;
  }
}

static void run_tasks(int thread) {
  for (;;) {
    long t = atomic_fetch_add_explicit(&job_next, 1, memory_order_acq_rel);
    if (t >= job_tasks) break;
    job_fn(job_ctx, t, thread);
    atomic_fetch_add_explicit(&job_done, 1, memory_order_release);
  }
}

static void *worker_main(void *arg) {
  int id = (int)(intptr_t)arg;
  unsigned seen = atomic_load_explicit(&job_generation, memory_order_acquire);
  for (;;) {
    unsigned g;
    long spin_start = now_ns();
    int spins = 0;
    while ((g = atomic_load_explicit(&job_generation, memory_order_acquire)) == seen) {
      if ((++spins & 63) != 0) {
        KT_PAUSE();
        continue;
      }
      long waited = now_ns() - spin_start;
      if (waited < spin_ns) {
        if (waited >= spin_hot_ns) sched_yield();
        continue;
      }
      pthread_mutex_lock(&pool_lock);
      atomic_fetch_add(&sleepers, 1);
      while (atomic_load_explicit(&job_generation, memory_order_acquire) == seen) pthread_cond_wait(&pool_cond, &pool_lock);
      atomic_fetch_sub(&sleepers, 1);
      pthread_mutex_unlock(&pool_lock);
      spins = 0;
      spin_start = now_ns();
    }
    seen = g;
    if (id < job_threads) run_tasks(id);
  }
  return NULL;
}

int kt_num_threads(void) {
  pthread_once(&pool_once, pool_init);
  return pool_threads;
}

void kt_set_num_threads(int n) {
  pthread_once(&pool_once, pool_init);
  if (n < 1) n = 1;
  if (n > KT_MAX_THREADS) n = KT_MAX_THREADS;
  pthread_mutex_lock(&pool_owner);
  pool_threads = n;
  pthread_mutex_unlock(&pool_owner);
}

static void start_workers(int want) {
  while (pool_started < want - 1) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int id = pool_started + 1;
    if (pthread_create(&t, &attr, worker_main, (void *)(intptr_t)id) != 0) {
      pthread_attr_destroy(&attr);
      pool_threads = pool_started + 1;  /* run with what we have */
      return;
    }
    pthread_attr_destroy(&attr);
    pool_started++;
  }
}

void kt_parallel(kt_task_fn fn, void *ctx, long ntasks) {
  if (ntasks <= 0) return;
  pthread_once(&pool_once, pool_init);
  if (ntasks == 1 || pool_threads == 1 || pthread_mutex_trylock(&pool_owner) != 0) {
    /* Serial: one task, threading off, or another JavaScript thread holds the pool. */
    for (long t = 0; t < ntasks; t++) fn(ctx, t, 0);
    return;
  }
  start_workers(pool_threads);
  job_fn = fn;
  job_ctx = ctx;
  job_tasks = ntasks;
  job_threads = pool_threads;
  /* job_done first: a worker still leaving the previous job may grab a task of this one as soon
   * as job_next is reset; the release store publishes job_fn / job_ctx / job_tasks to it. */
  atomic_store_explicit(&job_done, 0, memory_order_relaxed);
  atomic_store_explicit(&job_next, 0, memory_order_release);
  atomic_fetch_add_explicit(&job_generation, 1, memory_order_release);
  if (atomic_load(&sleepers) > 0) {
    pthread_mutex_lock(&pool_lock);
    pthread_cond_broadcast(&pool_cond);
    pthread_mutex_unlock(&pool_lock);
  }
  run_tasks(0);
  while (atomic_load_explicit(&job_done, memory_order_acquire) < ntasks) KT_PAUSE();
  pthread_mutex_unlock(&pool_owner);
}
