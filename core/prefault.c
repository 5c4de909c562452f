/* prefault.c - see prefault.h. */
#include "core/prefault.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
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

/* prefault_touch: on a VM whose hypervisor keeps shadow page tables, a page
 * the kernel has mapped still costs about 4 us at its first touch (the
 * hypervisor's own fault), against 9.5 us for a page not populated at all;
 * touched by the helper first, the engine thread's first write is then as
 * cheap as any other (docs/performance.md).  Reading changes nothing, but
 * the range may be unmapped between the populating and the reading (a table
 * freed, the heap trimmed): the fault this raises ends the reading
 * (on_fault), and is nobody else's business. */
static __thread sigjmp_buf *touching;
static __thread volatile uintptr_t reached;
static struct sigaction old_segv, old_bus;
static pthread_once_t catching = PTHREAD_ONCE_INIT;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (touching && si->si_code > 0)
        siglongjmp(*touching, 1);
    /* Not ours: as if this handler had never been installed.  A fault's
     * instruction faults again and meets the old disposition; a signal sent
     * by someone (kill: si_code <= 0) is sent again. */
    sigaction(sig, sig == SIGSEGV ? &old_segv : &old_bus, NULL);
    if (si->si_code <= 0)
        raise(sig);
}

static void catch_faults(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
}

/* (Not checked by AddressSanitizer: what it reads may be a freed block's
 * pages, which are ours to read but not the program's.) */
static __attribute__((noinline, no_sanitize_address)) void read_pages(uintptr_t a, uintptr_t b)
{
    for (reached = a; reached < b; reached += 4096)
        (void)*(volatile const char *)reached;
}

size_t prefault_touch(void *p, size_t n)
{
    pthread_once(&catching, catch_faults);
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)4095, b = (uintptr_t)p + n;
    sigjmp_buf jb;
    reached = a;
    if (sigsetjmp(jb, 1) == 0) {
        touching = &jb;
        read_pages(a, b);
    }
    touching = NULL;
    return (reached - a) / 4096;
}

static void *helper(void *arg)
{
    (void)arg;
    /* Helper threads start with every signal blocked (core/cpus.h), and a
     * fault raised while its signal is blocked kills the process. */
    sigset_t faults;
    sigemptyset(&faults);
    sigaddset(&faults, SIGSEGV);
    sigaddset(&faults, SIGBUS);
    pthread_sigmask(SIG_UNBLOCK, &faults, NULL);
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
        if (!unsupported)
            prefault_touch((void *)a, b - a);
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

void prefault_heap(void)
{
    static uintptr_t seen; /* the break at the last call (only the engine thread calls) */
    uintptr_t top = (uintptr_t)sbrk(0);
    if (top == (uintptr_t)-1)
        return;
    if (seen && top > seen)
        prefault((void *)seen, top - seen);
    seen = top;
}
