/* dbt.h - the translator engine's code cache: basic blocks of the traced
 * program, decoded once, copied with instrumentation into shared memory and run
 * there at native speed.
 *
 * Owns: the memory it adds to a traced process (one memfd mapped into both
 * processes: a hash table of translated entry points, per-thread areas with a
 * trace buffer and a guard, code chunks placed within 2 GiB of the code they
 * translate), the translation of blocks, chaining of direct exits, the inline
 * indirect-branch lookup, and turning a thread that stopped inside translated
 * code back into the program's own state (registers, original rip) with the
 * records it produced handed to the consumer in program order.
 * Must not: run the ptrace loop (core/step.c does, for both engines), count
 * anything itself (every execution goes through cons_exec), decode bytes
 * (session_insn does) or write profiles.
 *
 * Contract with the engine loop: a thread is either "stepping" (the reference
 * engine's state: stopped before an original instruction) or "in the cache"
 * (PTRACE_CONT inside translated code).  dbt_enter moves a stepping thread into
 * the cache when the instruction at its rip can be translated; every stop of a
 * thread in the cache goes to dbt_stop, which either resumes it in the cache
 * or returns it stepping, with its registers at an original instruction
 * boundary and every instruction before that boundary counted.
 *
 * Records: per executed block one 8-byte block id, then the effective address
 * of each data access of the block's instructions, in the order the consumer
 * expects them (the decoder's), computed with `lea` of the same recipe before
 * the instruction runs.  A full buffer faults on the guard page; dbt_stop
 * drains it and restarts the store.
 */
#ifndef CACHESIM_DBT_H
#define CACHESIM_DBT_H
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "core/base/diag.h"
#include "core/session.h"

struct dbt;        /* one traced address space */
struct dbt_thread; /* one thread's area in it */

/* Adds cachesim's memory to the process t, stopped at its exec (thread tid,
 * registers at the loader's entry, stack already placed).  NULL with a
 * message if the process cannot take it (then the engine steps it).  The
 * reference engine calls it too, and dbt_thread_new, without ever entering:
 * the program then sees the same address space under both engines. */
struct dbt *dbt_new(struct session *s, struct tracee *t, pid_t tid, struct diag_err *e);
void dbt_free(struct dbt *d);
/* dbt_free for the last process of the run: what anyone sees is done (the
 * counts in, the worker joined, -v's figures), and the memory is left to
 * the process's exit, which takes it back at once (freed piece by piece, it
 * cost 2 ms of munmaps on the VMs of docs/performance.md).  Where
 * MEM_FREE_AT_EXIT (core/base/diag.h) it is dbt_free. */
void dbt_end(struct dbt *d);

/* Where a process has cachesim's memory: a forked child inherits these
 * mappings, shared with its parent's memfd. */
struct dbt_layout {
    uint64_t base_tr, thr_tr;
    unsigned n_chunks;
    uint64_t chunk_tr[16], chunk_bytes[16];
};
void dbt_layout_of(const struct dbt *d, struct dbt_layout *l);

/* t is a forked child (own address space, not vfork), stopped at an
 * instruction boundary in thread tid, holding its parent's mappings at layout
 * l: replaces them, at the same addresses, with a memfd of its own, so it can
 * run translated too.  NULL with a message if it cannot (it is then stepped). */
struct dbt *dbt_new_forked(struct session *s, struct tracee *t, pid_t tid,
                           const struct dbt_layout *l, struct diag_err *e);

/* A thread of d, stopped at an instruction boundary: gives it its trace area
 * (and its gs base).  Its executions are counted with superblock state sb
 * (the engine's, per thread: cons_set_sb).  NULL with a message if no area
 * is left. */
struct dbt_thread *dbt_thread_new(struct dbt *d, pid_t tid, struct cons_sb *sb,
                                  struct diag_err *e);
/* The thread ended: its remaining records are counted, its area reused. */
void dbt_thread_end(struct dbt_thread *th);

/* The thread is stepping at u->rip (the instruction there not yet executed).
 * If the code there can run translated, sets u (rip, fs base slot) for the
 * cache, writes the registers and returns 1: continue the thread.  Returns 0 if
 * the instruction must be stepped; -1 on an error (message in e). */
int dbt_enter(struct dbt_thread *th, struct user_regs_struct *u, struct diag_err *e);

enum dbt_stop_result {
    DBT_RESUME = 1, /* handled (an exit linked, a full buffer drained): continue it */
    DBT_STEP,       /* the thread is stepping again at u->rip (registers written) */
    DBT_SIGNAL,     /* the program's own signal: the thread is stepping at u->rip
                       (registers written); deliver it as the reference engine does */
    DBT_ERROR,      /* message in e */
};

/* A thread in the cache stopped with signal sig (SIGTRAP for our exit stubs,
 * SIGSEGV for a full buffer, anything else is the program's). */
enum dbt_stop_result dbt_stop(struct dbt_thread *th, int sig, struct user_regs_struct *u,
                              struct diag_err *e);

/* After dbt_stop returned DBT_STEP: 1 if the instruction to step is a
 * system call whose execution the translator counts in the thread's stream
 * (the thread's records before it are not counted yet, and the worker may be
 * counting): the engine must not count it, nor wait for the worker at its
 * step, but tell dbt_step_ran once it ran.  Anything else happening to the
 * thread first (a signal, its end) calls dbt_undefer, after which the
 * engine counts the system call itself as usual. */
int dbt_step_deferred(const struct dbt_thread *th);
void dbt_step_ran(struct dbt_thread *th);
void dbt_undefer(struct dbt_thread *th);
/* The thread goes on stepping (dbt_enter does this when it returns 0): what
 * it recorded, a system call's record included, is counted before anything
 * the engine counts next. */
void dbt_stay(struct dbt_thread *th);

/* Counts every complete record the thread has produced (the thread is stopped
 * or gone). */
void dbt_drain(struct dbt_thread *th);

/* Waits until every record handed to the worker thread (which counts a
 * full buffer while the program fills the other) is counted.  The engine
 * calls it before it touches the consumer for any reason; dbt_stop and
 * dbt_drain do it themselves. */
void dbt_sync(struct dbt *d);

/* 1 if stepping `in` with registers u would set the gs base, which
 * translated code uses for its per-thread area (wrgsbase, arch_prctl
 * ARCH_SET_GS): not supported by the translator; the engine stops with a
 * message naming --engine=step. */
int dbt_sets_gs(const struct cons_insn *in, const struct user_regs_struct *u);

/* Code was unmapped or changed: translations made so far are not entered
 * again (threads still inside one leave it at its next exit). */
void dbt_invalidate(struct dbt *d);

#endif
