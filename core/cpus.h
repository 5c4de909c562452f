/* cpus.h - which CPUs cachesim's threads and the traced program run on.
 *
 * Owns: the choice of one CPU shared by the engine thread (the one that
 * waits for the program) and the program's first thread, and of the other
 * CPUs for cachesim's helper threads (the translator's worker, the symbol
 * readers).  Why: the engine thread and the program take turns (the program
 * is stopped while the engine handles its stop), and a ptrace stop costs
 * about 80 us when the two are on different CPUs against 15 us on one on
 * the VMs measured (a wakeup across CPUs is an inter-processor interrupt:
 * docs/performance.md), while the helpers work while the program runs.
 * Must not: change what is counted (affinity is invisible to the profile),
 * fail (every call falls back to leaving things as they were), or pin
 * anything when only one CPU is allowed.
 */
#ifndef CACHESIM_CPUS_H
#define CACHESIM_CPUS_H
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>

/* Called once by the engine thread before the program starts (the program
 * inherits the choice): the engine thread runs on the CPU it is on now,
 * helpers on the rest of the CPUs it was allowed.  No effect if fewer than
 * two CPUs are allowed, or if the environment variable CACHESIM_NO_PIN is
 * set (for a caller that places its processes itself). */
void cpus_pin_engine(void);

/* pthread_create for a helper thread: it takes no signals (cachesim's
 * handlers expect them in the engine thread) and runs on the helpers' CPUs.
 * Returns pthread_create's result. */
int cpus_thread_create(pthread_t *th, void *(*fn)(void *), void *arg);

/* A thread of the program other than the first, or a process it forks that
 * is not traced, may run on any CPU cachesim was allowed: the program's own
 * parallelism is not ours to take.  A process forked under --trace-children
 * keeps the engine's CPU: a shell's child makes a thousand stops or so
 * before its exec, each crossing CPUs when released (docs/architecture.md). */
void cpus_release(pid_t tid);

/* A process has just exec'd (a single thread again): it runs on the engine
 * thread's CPU, as the first program did, until it makes a thread
 * (cpus_release).  Under --trace-children a shell forks, the child execs and
 * the shell waits: with the child released, each of its stops crossed CPUs,
 * and a small program took twice as long (docs/performance.md).  Several
 * programs running at once (make -j) then share that CPU.  Not done once the
 * program has set an affinity of its own. */
void cpus_pin_exec(pid_t tid);

/* The program's view while its first thread is pinned: what a
 * sched_getaffinity of it that returned n bytes should have returned, the
 * CPUs cachesim was allowed, into out (n bytes).  Returns 0 (out untouched)
 * when nothing is hidden: not pinned, released, or the program has set its
 * own affinity (cpus_program_sets).  Programs size thread pools by it
 * (OpenMP, Rust's available_parallelism, Go, nproc), and must do under
 * cachesim what they do natively. */
int cpus_program_mask(void *out, size_t n);
/* The program set its own affinity: it sees what it set from now on. */
void cpus_program_sets(void);
#endif
