/* cpus.c - see cpus.h. */
#include "core/cpus.h"

#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static cpu_set_t allowed, helpers, engine;
static int pinned, hiding; /* hiding: the program's first thread is pinned by us */
static int program_set;     /* the program has set an affinity of its own */

void cpus_pin_engine(void)
{
    if (getenv("CACHESIM_NO_PIN") || sched_getaffinity(0, sizeof allowed, &allowed) != 0 ||
        CPU_COUNT(&allowed) < 2)
        return;
    int cpu = sched_getcpu();
    if (cpu < 0 || !CPU_ISSET(cpu, &allowed))
        return;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    helpers = allowed;
    CPU_CLR(cpu, &helpers);
    engine = one;
    pinned = hiding = sched_setaffinity(0, sizeof one, &one) == 0;
}

void cpus_pin_exec(pid_t tid)
{
    if (pinned && !program_set && sched_setaffinity(tid, sizeof engine, &engine) == 0)
        hiding = 1;
}

int cpus_thread_create(pthread_t *th, void *(*fn)(void *), void *arg)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0)
        return -1;
    if (pinned)
        pthread_attr_setaffinity_np(&attr, sizeof helpers, &helpers);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int r = pthread_create(th, &attr, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return r;
}

void cpus_release(pid_t tid)
{
    if (pinned)
        sched_setaffinity(tid, sizeof allowed, &allowed);
    hiding = 0;
}

int cpus_program_mask(void *out, size_t n)
{
    if (!hiding || n > sizeof allowed)
        return 0;
    memcpy(out, &allowed, n);
    return 1;
}

void cpus_program_sets(void) { hiding = 0, program_set = 1; }
