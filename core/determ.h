/* determ.h - --deterministic: the program's sources of nondeterminism, fixed.
 *
 * Owns: what the program sees instead of real randomness and real time.
 * Virtual time depends only on the number of instructions executed (1 ns per
 * instruction from 2020-01-01T00:00:00Z for wall clocks, from 0 for the
 * others); randomness (getrandom, /dev/urandom and /dev/random reads,
 * AT_RANDOM) comes from a fixed-seed generator; the vDSO is hidden from the
 * program (its AT_SYSINFO_EHDR auxv entry is voided) so glibc's clock calls
 * become system calls we see; rdtsc returns the virtual clock; the environment
 * is normalized (determ_env).  Engine-independent: the engines report exec
 * stops, completed system calls and rdtsc, whatever way they observe them.
 * Must not: decode, count, or know about ptrace.
 */
#ifndef CACHESIM_DETERM_H
#define CACHESIM_DETERM_H
#include <stdint.h>

struct determ;

struct determ *determ_new(void);
void determ_free(struct determ *d);

/* At an exec stop (before the loader's first instruction), with the stack
 * pointer pointing at argc: void AT_SYSINFO_EHDR and fill AT_RANDOM's 16 bytes.
 * memfd is the process's /proc/PID/mem.  0 or -1. */
int determ_exec(struct determ *d, int memfd, uint64_t rsp);

/* A system call `nr` with args[6] completed with result *ret; rewrites what
 * the program receives (memory through memfd, and *ret).  executed is the
 * instruction count (the clock).  Returns 1 if *ret changed. */
int determ_syscall(struct determ *d, int memfd, uint64_t nr, const uint64_t args[6], int64_t *ret,
                   uint64_t executed);

/* The virtual time-stamp counter. */
uint64_t determ_tsc(uint64_t executed);

/* The normalized environment for --deterministic (malloc'd, NULL-terminated):
 * PATH, HOME, TMPDIR and LD_LIBRARY_PATH kept from env if set, plus LANG=C,
 * LC_ALL=C, TZ=UTC; everything else dropped, so a CI runner's job ids and
 * session variables cannot change counts (ld.so reads every variable). */
char **determ_env(char **env);
#endif
