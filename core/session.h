/* session.h - what both engines share about the traced processes.
 *
 * Owns: the list of traced processes (struct tracee: memory fd, symbolizer,
 * consumer, command line), describing an instruction the first time it runs
 * (read bytes -> decode -> symbolize -> consumer), the virtualized instructions
 * (cpuid, client requests), what happens at exec, fork and exit (profile
 * written atomically, terminal summary), and the output file names.
 * Must not: know how an engine runs code (ptrace stepping or translation).
 */
#ifndef CACHESIM_SESSION_H
#define CACHESIM_SESSION_H
#include <stdint.h>
#include <sys/types.h>

#include "core/base/diag.h"
#include "core/consumer.h"
#include "core/decode.h"
#include "core/determ.h"
#include "core/options.h"
#include "core/sym.h"

struct code_region {
    uint64_t start, end, off, ino;
    int writable;
};

struct tracee {
    struct session *s;      /* its session (for callbacks) */
    pid_t pid;
    int memfd;              /* /proc/PID/mem */
    struct sym *sym;
    struct consumer *cons;
    char *cmd;              /* the cmd: line */
    unsigned seq;           /* profiles written so far (%n) */
    unsigned dumps;         /* DUMP_STATS parts written so far */
    struct determ *det;     /* --deterministic state, or NULL */
    struct code_region *code; /* executable mappings, sorted (NULL: to be read) */
    struct code_pages *pages; /* recently read pages of read-only code, or NULL */
    size_t n_code;
    struct tracee *next;
};

struct session {
    const struct options *opt;
    struct cons_config ccfg;
    char *cwd;              /* where cachesim started: relative out files go here */
    struct dec *dec;
    struct tracee *tracees;
    int name_at_end;        /* CACHESIM_NAME_AT_END: every instruction named at the
                               end, as if no object's symbols were ever read in time
                               (tests/e2e/naming.sh) */
};

/* Sets up from options: cache geometry (detected, then overridden; warnings
 * printed with the "--PID--" prefix unless -q), decoder.  Dies on failure. */
void session_init(struct session *s, const struct options *opt);
void session_release(struct session *s);

/* A new traced process.  parent != NULL: a forked child inheriting parent's
 * counts and cache state; else a fresh consumer.  cmd is copied. */
struct tracee *session_tracee_new(struct session *s, pid_t pid, struct tracee *parent,
                                  const char *cmd);
struct tracee *session_tracee_find(struct session *s, pid_t pid);

/* The described instruction at addr, describing it now if it is new or its
 * bytes changed since (code rewritten or remapped).  NULL if it cannot be
 * decoded or read, with a message naming the address, bytes and function. */
struct cons_insn *session_insn(struct session *s, struct tracee *t, uint64_t addr,
                               struct diag_err *e);

/* What following a VEX superblock needs of the instruction at addr: how it
 * ends a VEX block (enum vex_end), where VEX goes on after it (a direct
 * jump's or call's target, else the next instruction), its &&-idiom's
 * length (aa_n) and whether its code is writable.  Unlike session_insn it
 * describes nothing new (no symbols, no counting plan): the translator asks
 * for up to 50 instructions ahead of every block that does not end a
 * superblock, most of which it never translates.  Returns 0 if the code
 * cannot be read or decoded. */
struct session_flow {
    uint64_t next;
    uint8_t vexend, aa_n, writable;
};
int session_flow(struct session *s, struct tracee *t, uint64_t addr, struct session_flow *f);

/* A system call of t that can change mappings (mmap, munmap, mprotect, mremap) completed: if an
 * executable mapping went away or changed, forget descriptions and symbols and
 * return 1 (an engine drops what it derived from the old code); if one
 * appeared, let the symbolizer see it. */
int session_maps_syscall(struct session *s, struct tracee *t);

/* t called execve successfully.  With --trace-children=yes the new image gets a
 * fresh profile (the pre-exec counts are dropped, like Cachegrind) and 1 is
 * returned: keep tracing.  Otherwise the pre-exec profile is written now and 0
 * is returned: the engine detaches and the new program runs natively. */
int session_exec(struct session *s, struct tracee *t);

/* t ended with wait status wstatus: write its profile and summary, free it
 * (unless it was the last: the process's exit then takes its memory back). */
void session_tracee_exit(struct session *s, struct tracee *t, int wstatus);
/* t is the only process being traced: when it ends, the run does. */
int session_last(const struct session *s, const struct tracee *t);

/* t stopped at an exec (its first instruction), stack pointer rsp at argc:
 * places the initial stack where Cachegrind's would be modulo 64 KiB (unless
 * --stack-align=native) and, under --deterministic, fixes AT_RANDOM and hides
 * the vDSO.  Returns the stack pointer the program must start with. */
uint64_t session_exec_stop(struct session *s, struct tracee *t, uint64_t rsp);

/* A system call completed (nr, args[6], result *ret).  Returns 1 if *ret was
 * changed and must be written back to the program's RAX. */
int session_syscall_done(struct session *s, struct tracee *t, uint64_t nr, const uint64_t args[6],
                         int64_t *ret);

/* 1 if rdtsc/rdtscp must be virtualized (--deterministic); *tsc gets the value. */
int session_rdtsc(struct session *s, struct tracee *t, uint64_t *tsc);

/* Virtualized cpuid: the host's values, with AVX-512 and AMX hidden unless
 * --cpuid=native, and rdrand/rdseed hidden under --deterministic. */
void session_cpuid(struct session *s, uint32_t leaf, uint32_t subleaf, uint64_t regs[4]);

/* A Valgrind client request with argument block args[0..5] (request code
 * first) and default result dflt; returns the result the program sees in RDX. */
uint64_t session_clreq(struct session *s, struct tracee *t, const uint64_t args[6], uint64_t dflt);

#endif
