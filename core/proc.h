/* proc.h - starting the program under ptrace, shared by both engines.
 *
 * Owns: finding the program like a shell does (PATH), refusing what cannot run
 * (missing, not executable, not an x86-64 ELF) with one clear line before
 * anything is started, the fork/PTRACE_TRACEME/exec sequence with ASLR off,
 * reading the tracee's memory, and turning a wait status into cachesim's exit
 * status.  Must not: decode, count or write profiles.
 */
#ifndef CACHESIM_PROC_H
#define CACHESIM_PROC_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/base/diag.h"

/* cachesim's exit statuses for a program it could not start (shell convention). */
enum { PROC_EXIT_NOEXEC = 126, PROC_EXIT_NOTFOUND = 127 };

/* Finds name (through PATH unless it contains a '/') and checks that it can run:
 * a regular executable file that is an x86-64 ELF or a "#!" script.  Returns 0
 * and a malloc'd path in *path, or PROC_EXIT_NOTFOUND / PROC_EXIT_NOEXEC with a
 * message naming the file. */
int proc_resolve(const char *name, char **path, struct diag_err *e);

struct proc_spawn {
    const char *path;
    char *const *argv;
    char *const *envp; /* NULL: inherit */
    int aslr;          /* 0: personality(ADDR_NO_RANDOMIZE), so addresses repeat */
};

/* Forks, PTRACE_TRACEME, execs.  On success returns 0 with the child stopped at
 * its exec (at the dynamic loader's first instruction) and *pid set.  If the
 * exec itself fails, returns -1 with a message (the child is reaped). */
int proc_spawn(const struct proc_spawn *s, pid_t *pid, struct diag_err *e);

/* Reads up to n bytes of the tracee's memory at addr through fd (an open
 * /proc/PID/mem).  Returns the number read (short at the end of a mapping). */
size_t proc_read(int memfd, uint64_t addr, void *buf, size_t n);

/* Opens /proc/PID/mem for reading and writing; -1 on failure. */
int proc_open_mem(pid_t pid);

/* The exit status cachesim returns for a program's wait status: its exit code,
 * or 128+N if it died of signal N. */
int proc_exit_status(int wstatus);

/* "prog arg1 arg2" from /proc/PID/cmdline (Cachegrind's cmd: line: args
 * joined by single spaces, no quoting).  malloc'd; falls back to "???". */
char *proc_cmdline(pid_t pid);
#endif
