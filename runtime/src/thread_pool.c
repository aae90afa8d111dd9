/*===- thread_pool.c - the kernels' parallel loops, on workers that spin --===*
 *
 * Halide's own pool puts an idle worker to sleep within microseconds, and
 * in a virtual machine waking one takes about as long as a small kernel
 * runs: by the time the worker joins, the calling thread has done most of
 * the iterations. (A chain of 40 element-wise kernels of 0.8 MB each ran
 * no faster on 2 threads than on 1.) Here workers spin between jobs for
 * SPIN_SECONDS before they sleep, so the consecutive kernels of a model
 * find them awake, and the caller runs iterations too.
 *
 * A spinning thread backs off: after a few hundred checks it yields the
 * core at each check, so when more threads want the cores than there are
 * (two models on one machine), the ones with work run instead of the ones
 * waiting. Alone on its cores, a yield returns at once and costs nothing.
 *
 * One job at a time: a parallel loop reached while another runs (a nested
 * loop, or two models run from two threads) runs serially in its caller.
 *
 *===----------------------------------------------------------------------===*/

#include "session.h"

#include "HalideRuntime.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

/* No PAUSE instruction in the spin loops: hypervisors take a vCPU that
 * executes many of them for one waiting on a lock and deschedule it. */
#define PAUSE() atomic_signal_fence(memory_order_seq_cst)

enum { MAX_WORKERS = 63, SPINS_BEFORE_YIELD = 256 };
static const double SPIN_SECONDS = 0.002;

static struct {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  int threads;        /* wanted, the caller included; 0: one per core */
  int workers;        /* started */
  int joining;        /* how many of them take part (fewer after cnnrt_set_threads) */
  int sleepers;       /* under lock */
  int open;           /* under lock: workers may join the current job */
  atomic_flag busy;   /* a job is running */
  atomic_uint generation;
  /* The job: written under the lock while no worker is inside one. */
  halide_task_t task;
  void *user_context;
  uint8_t *closure;
  int min, size, parts;
  atomic_int cursor[MAX_WORKERS + 1]; /* each part's next iteration */
  int end[MAX_WORKERS + 1];           /* and its end */
  atomic_int done, failed, active;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER,
          .busy = ATOMIC_FLAG_INIT};

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One check of a spin loop: a plain spin at first, then a yield. */
static void back_off(unsigned *spins) {
  if (++*spins < SPINS_BEFORE_YIELD)
    PAUSE();
  else
    sched_yield();
}

/* Runs part `own`'s iterations, then helps with the others'. Each part is
 * a contiguous range, so consecutive kernels give a thread the same share
 * of the data (on this machine, data another core wrote moves at a third
 * of the speed of data in the core's own cache). */
static void run_iterations(int own) {
  for (int k = 0; k < pool.parts; ++k) {
    int part = (own + k) % pool.parts, i;
    while ((i = atomic_fetch_add(&pool.cursor[part], 1)) < pool.end[part]) {
      int result = pool.task(pool.user_context, pool.min + i, pool.closure);
      if (result)
        atomic_store(&pool.failed, result);
      atomic_fetch_add_explicit(&pool.done, 1, memory_order_release);
    }
  }
}

static void *worker(void *number) {
  int index = (int)(intptr_t)number;
  unsigned seen = atomic_load(&pool.generation);
  for (;;) {
    double start = seconds_now();
    for (unsigned spins = 0; atomic_load_explicit(&pool.generation, memory_order_acquire) == seen;) {
      back_off(&spins);
      if (spins % 64 || seconds_now() - start < SPIN_SECONDS)
        continue;
      pthread_mutex_lock(&pool.lock);
      ++pool.sleepers;
      while (atomic_load(&pool.generation) == seen)
        pthread_cond_wait(&pool.wake, &pool.lock);
      --pool.sleepers;
      pthread_mutex_unlock(&pool.lock);
    }
    pthread_mutex_lock(&pool.lock);
    seen = atomic_load(&pool.generation);
    int join = pool.open && index < pool.joining;
    if (join)
      atomic_fetch_add(&pool.active, 1);
    pthread_mutex_unlock(&pool.lock);
    if (join) {
      run_iterations(index + 1);
      atomic_fetch_sub_explicit(&pool.active, 1, memory_order_release);
    }
  }
  return NULL;
}

static int serially(void *user_context, halide_task_t task, int min, int size,
                    uint8_t *closure) {
  for (int i = 0; i < size; ++i) {
    int result = task(user_context, min + i, closure);
    if (result)
      return result;
  }
  return 0;
}

static void start_workers(void) {
  int threads = pool.threads > 0 ? pool.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
  int wanted = threads - 1 < MAX_WORKERS ? threads - 1 : MAX_WORKERS;
  while (pool.workers < wanted) {
    pthread_t id;
    if (pthread_create(&id, NULL, worker, (void *)(intptr_t)pool.workers))
      break;
    pthread_detach(id);
    ++pool.workers;
  }
  pool.joining = wanted < pool.workers ? wanted : pool.workers;
}

static int do_par_for(void *user_context, halide_task_t task, int min, int size,
                      uint8_t *closure) {
  if (size <= 1 || pool.threads == 1 || atomic_flag_test_and_set(&pool.busy))
    return serially(user_context, task, min, size, closure);
  pthread_mutex_lock(&pool.lock);
  start_workers();
  pool.task = task;
  pool.user_context = user_context;
  pool.closure = closure;
  pool.min = min;
  pool.size = size;
  pool.parts = pool.joining + 1 < size ? pool.joining + 1 : size;
  for (int k = 0; k < pool.parts; ++k) {
    atomic_store(&pool.cursor[k], (int)((int64_t)size * k / pool.parts));
    pool.end[k] = (int)((int64_t)size * (k + 1) / pool.parts);
  }
  atomic_store(&pool.done, 0);
  atomic_store(&pool.failed, 0);
  pool.open = 1;
  atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
  if (pool.sleepers)
    pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.lock);

  run_iterations(0);
  unsigned spins = 0;
  while (atomic_load_explicit(&pool.done, memory_order_acquire) < size)
    back_off(&spins);
  pthread_mutex_lock(&pool.lock);
  pool.open = 0;
  pthread_mutex_unlock(&pool.lock);
  spins = 0;
  while (atomic_load_explicit(&pool.active, memory_order_acquire))
    back_off(&spins);
  int failed = atomic_load(&pool.failed);
  atomic_flag_clear(&pool.busy);
  return failed;
}

void cnnrt_set_threads(int threads) {
  pthread_mutex_lock(&pool.lock);
  pool.threads = threads > 0 ? (threads < MAX_WORKERS + 1 ? threads : MAX_WORKERS + 1) : 0;
  pthread_mutex_unlock(&pool.lock);
  cnnrt_use_thread_pool();
}

void cnnrt_use_thread_pool(void) { halide_set_custom_do_par_for(do_par_for); }
