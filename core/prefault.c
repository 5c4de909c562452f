/* prefault.c - see prefault.h. */
#include "core/prefault.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/cpus.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14's value */
#endif

#define QUEUE 64 /* ranges waiting: more than the start ever asks for at once */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int started, broken; /* broken: no thread, or a kernel without the call */
static uintptr_t lo[QUEUE], hi[QUEUE];
static unsigned head, n_queued;

static void *helper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    for (;;) {
        while (!n_queued)
            pthread_cond_wait(&cv, &mu);
        uintptr_t a = lo[head], b = hi[head];
        head = (head + 1) % QUEUE, n_queued--;
        pthread_mutex_unlock(&mu);
        /* EINVAL: the kernel has no such advice.  (Other failures, a range
         * the kernel could not populate whole, leave the rest to faults.) */
        int unsupported = madvise((void *)a, b - a, MADV_POPULATE_WRITE) != 0 && errno == EINVAL;
        pthread_mutex_lock(&mu);
        if (unsupported)
            broken = 1, n_queued = 0;
    }
    return NULL;
}

void prefault(void *p, size_t n)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), b = ((uintptr_t)p + n) & ~(page - 1);
    if (b <= a)
        return;
    pthread_mutex_lock(&mu);
    if (!started) {
        pthread_t th;
        started = 1;
        broken = cpus_thread_create(&th, helper, NULL) != 0;
        if (!broken)
            pthread_detach(th);
    }
    if (!broken && n_queued < QUEUE) {
        unsigned i = (head + n_queued) % QUEUE;
        lo[i] = a, hi[i] = b, n_queued++;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
}
