/* consumer.h - the one event consumer both engines feed.
 *
 * Owns: the static instruction table (each executed instruction described once:
 * decoded accesses plus a pointer to its source line's cost cell, "resolve once,
 * count many"), the simulated I1/D1/LL caches of one traced process, the cost
 * table (core/base/profile) and whether counting is on (client requests,
 * --instr-at-start, --toggle-collect), the terminal summary and writing the
 * profile.
 * Must not: know which engine runs, touch ptrace, decode bytes or look up symbols
 * (the engine hands in a decoded instruction and its source location).
 *
 * The stream: cons_insn_add() once per static instruction, then for every
 * execution cons_exec() with the data addresses of that execution.  Same stream,
 * same profile, byte for byte, whichever engine produced it.
 *
 * Counting rules applied here (Cachegrind's): every execution is one Ir and one
 * I1 fetch of the instruction's length; LL is looked up only on an L1 miss; a
 * DEC_MODIFY access counts as one data read; access sizes are clamped to the
 * smallest line size; a straddling access is one access and at most one miss.
 */
#ifndef CACHESIM_CONSUMER_H
#define CACHESIM_CONSUMER_H
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/base/diag.h"
#include "core/base/profile.h"
#include "core/decode.h"
#include "sim/cache.h"
#include "sim/cacheconf.h"

/* Column numbers of the cost lines (cache simulation on; off: only EV_IR). */
enum { EV_IR, EV_I1MR, EV_ILMR, EV_DR, EV_D1MR, EV_DLMR, EV_DW, EV_D1MW, EV_DLMW, EV_N };

struct cons_config {
    int cache_sim;              /* simulate caches; 0: Ir only, like --cache-sim=no */
    struct cache_hierarchy geom; /* validated geometries */
    int collecting;             /* initial state (--instr-at-start) */
    const char *const *toggle;  /* --toggle-collect globs (fnmatch), or NULL */
    int n_toggle;
};

/* The instructions VEX merges after a conditional branch (its &&-idiom,
 * core/vexdead.h): their Ir is counted also when the branch goes the other
 * way, like Cachegrind's.  Kept apart: few branches have one. */
struct cons_andand {
    uint64_t addr[3];
    const struct cons_insn *in[3]; /* resolved once (cons_seq_new, or when first needed) */
    int tried;
};

/* A static instruction, described once.  There are tens of thousands (70 K
 * in SQLite's workload), so it is kept small: no text, only the accesses it
 * has, the &&-idiom apart. */
struct cons_insn {
    uint64_t addr;
    int64_t *cell;               /* its (file, fn, line) cost cell in the profile */
    const char *fn;              /* function name (interned by the symbolizer) */
    struct cons_insn *next;      /* hash chain (private) */
    struct cons_andand *aa;      /* aa_n > 0: the merged instructions */
    uint8_t toggle;              /* fn matches a --toggle-collect glob */
    uint8_t verify;              /* in writable memory: engines re-check its bytes */
    /* VEX superblock shape (core/vexdead.h): how a block ends here; for a
     * conditional branch, how many instructions its &&-idiom merges. */
    uint8_t vexend;              /* enum vex_end */
    uint8_t aa_n;
    uint8_t bytes[DEC_MAX_LEN];  /* the bytes it was decoded from (len of them) */
    struct dec_insn dec;         /* last: only its first dec.n_acc accesses exist, no text */
};

struct consumer;

struct consumer *cons_new(const struct cons_config *cfg);
void cons_free(struct consumer *c);

/* A deep copy (profile, cache state, collecting state) for a forked child that
 * is traced: the child inherits the counts gathered so far and the simulated
 * cache state, like Cachegrind's.  The instruction table is not copied. */
struct consumer *cons_clone(struct consumer *c);

/* The instruction at addr, or NULL if not described yet. */
struct cons_insn *cons_insn_find(struct consumer *c, uint64_t addr);

/* Describes the instruction at addr (replacing an older description of the same
 * address, e.g. after code was unmapped and other code mapped there).  file
 * NULL (fn may be NULL then too; not with --toggle-collect, which matches fn
 * now): its name is not known yet; the namer (cons_set_namer) gives it
 * later, and until then it counts apart. */
struct cons_insn *cons_insn_add(struct consumer *c, uint64_t addr, const struct dec_insn *d,
                                const uint8_t *bytes, const char *file, const char *fn,
                                unsigned long line);

/* Sets in's &&-idiom: the n (0..3) instructions at addr[] VEX merges after it. */
void cons_insn_set_andand(struct consumer *c, struct cons_insn *in, unsigned n,
                          const uint64_t *addr);

/* Where a thread is in VEX's superblock formation (Cachegrind's unit of
 * translation): instructions and extents of the current superblock (n = 0:
 * the next instruction starts one), a conditional branch whose &&-idiom is
 * decided by where it went, instructions left of a merged block entered.
 * One per thread, so that threads interleaving do not change each other's
 * counts; zero-initialised.  The engine names the thread whose executions it
 * hands in next with cons_set_sb (NULL: the consumer's own). */
struct cons_sb {
    unsigned n, ext, merged_left;
    const struct cons_insn *pend_aa;
    uint64_t cont; /* where the superblock goes on (n or merged_left nonzero): an
                      execution starting anywhere else starts a new one */
};
void cons_set_sb(struct consumer *c, struct cons_sb *sb);

/* How the consumer gets the description of an instruction that has not run
 * (an &&-idiom's merged instructions): the engine's session_insn. */
typedef struct cons_insn *(*cons_describe_fn)(void *ctx, uint64_t addr);
void cons_set_describer(struct consumer *c, cons_describe_fn fn, void *ctx);

/* How the consumer names an instruction described without a name
 * (cons_insn_add with file NULL): the engine's symbolizer, called from
 * cons_settle and cons_insn_flush, on the thread that calls those. */
typedef void (*cons_name_fn)(void *ctx, uint64_t addr, const char **file, const char **fn,
                             unsigned long *line);
void cons_set_namer(struct consumer *c, cons_name_fn fn, void *ctx);

/* Forgets every description (exec, munmap of code): the next execution of any
 * address is described anew.  Costs already counted stay.  The records stay
 * allocated until cons_free, so an engine may still commit an execution of a
 * record it looked up before the flush. */
void cons_insn_flush(struct consumer *c);

/* Sets whether executions are counted (client requests START/STOP/TOGGLE). */
void cons_set_collecting(struct consumer *c, int on);
int cons_collecting(const struct consumer *c);

/* Resets all counts to zero (ZERO_STATS); cache state is kept. */
void cons_zero(struct consumer *c);

/* One execution of in: Ir + I1 fetch, then access i of in->dec for every bit i
 * set in `present`, at addr[i], in order.  The hot path.
 * With --toggle-collect, counting happens only while a matching function is on
 * the call stack (callees and recursion included, like Callgrind's): a
 * function is entered when a call (possibly through PLT jumps) reaches an
 * instruction of it, and left when a ret pops the slot that call pushed (or a
 * slot above it: longjmp, exceptions).  Tracked per process. */
void cons_exec(struct consumer *c, const struct cons_insn *in, const uint64_t *addr,
               uint64_t present);

/* A sequence of static instructions that always execute together, in order,
 * with every data access happening (a translated block): the fast path.
 * Prepared once: which instruction fetches can miss (an instruction on the
 * line the previous one ended on is an MRU hit, which changes nothing), each
 * access's clamped size and cost column.  Ir, Dr and Dw of an execution are
 * known in advance, so they are added up per sequence and moved into the
 * profile cells when the profile is read (cons_settle).  The results are the
 * same as cons_exec for each instruction in turn.  with_acc = 0: executions
 * without addresses (Ir only, no data accesses counted).  Owned by c. */
struct cons_seq;
struct cons_seq *cons_seq_new(struct consumer *c, const struct cons_insn *const *in, unsigned n,
                              int with_acc);

/* One execution of q, the data addresses of all its accesses in order (as
 * many as its instructions' n_acc add up to; none if !with_acc). */
void cons_seq_exec(struct consumer *c, struct cons_seq *q, const uint64_t *addr);

/* One execution of q without addresses (with_acc = 0) whose last
 * instruction, a conditional branch, was taken or not: a pending &&-idiom
 * is decided at once, for an engine that does not hand in every execution
 * (see cons_seq_add). */
void cons_seq_exec_dir(struct consumer *c, struct cons_seq *q, int taken);

/* `times` whole executions of q, counted by the engine (no --toggle-collect,
 * with_acc = 0): Ir only, none of the superblock steps.  Exact only for a
 * sequence whose last instruction ends every VEX superblock without an
 * &&-idiom (vexend VEX_END_OTHER, or VEX_END_COND with aa_n = 0) and no
 * other ends one: its counts do not depend on what ran before, and what runs
 * after starts afresh (an execution handed in next that does not continue
 * the superblock the consumer last saw starts a new one). */
void cons_seq_add(struct consumer *c, struct cons_seq *q, uint64_t times);
/* (times = UINT64_MAX takes one back: the engine counted an execution that
 * did not complete; the arithmetic is modular.) */

/* The first k instructions of q ran (the rest did not: a fault, a signal),
 * addresses as for cons_seq_exec: each goes through cons_exec. */
void cons_seq_exec_part(struct consumer *c, const struct cons_seq *q, const uint64_t *addr,
                        unsigned k);

/* Where one execution of q touches the caches, in execution order ("sites"):
 * the fetch of each instruction that does not continue the line the previous
 * one ended on (those are MRU hits in I1 by construction), and each data
 * access.  A translator that sees an access hit the line in the most
 * recently used way of its set may leave it out: that changes nothing in an
 * LRU cache and misses nowhere.  It hands in the rest as a record stream. */
struct cons_site {
    uint64_t addr;    /* a fetch: the instruction's address (a data access: 0) */
    int64_t *miss;    /* its L1 miss cell (I1mr, D1mr or D1mw); the LL one follows */
    uint8_t fetch;    /* 1: an instruction fetch (I1); 0: a data access (D1) */
    uint8_t size;     /* bytes, clamped to the smallest line */
    uint8_t insn;     /* its instruction in the sequence */
    uint8_t acc;      /* a data access: its number in the instruction's dec.acc */
};
unsigned cons_seq_sites(const struct cons_seq *q, const struct cons_site **sites);

/* The record stream, 64-bit words:
 * - CONS_REC_START(id) begins an execution of seqs[id] (its Ir, Dr, Dw and
 *   superblock steps).  Its byte CONS_REC_DIR_BYTE (0xFF as written) may be
 *   set by the engine, once the execution is complete, to 0 or 1: whether
 *   its last instruction, a conditional branch, was taken.  A pending
 *   &&-idiom is then decided as soon as its sites are counted, for an engine
 *   that counts some executions itself (cons_seq_add): the next record need
 *   not be the next execution.
 * - CONS_REC_CTX(id): the site words that follow are of an execution of
 *   seqs[id] that the engine counts itself (cons_seq_add).  Only its sites
 *   come through the stream, each preceded by this word.
 * - A word with bit 62 (CONS_REC_GLOBAL) set is a site named by its number
 *   in the engine's table of sites (struct cons_gsite, cons_rec_gsite): no
 *   context word before it.  Its address is the line address in bits 5-46
 *   (of a line of at least 32 bytes the access stays in: it is looked up as
 *   at the line's start); the site number is bits 0-4, then bits 48-61.  A
 *   fetch's word either has bit 47 (CONS_REC_GFETCH) set and the address of
 *   the one I1 line the instruction is on (the LL's lines being no smaller),
 *   or address 0: its site knows where it is.
 * - Any other word is site number w >> CONS_REC_TAG_SHIFT of the execution
 *   begun (or named) last, touched at address w & CONS_REC_ADDR_MASK
 *   (user-space addresses are below 2^47; a fetch's address is known and
 *   not read).
 * Same counts as cons_seq_exec.  Ids are below CONS_REC_CTX_BIT. */
#define CONS_REC_START(id) (~(uint64_t)(id))
#define CONS_REC_CTX_BIT (1u << 30)
#define CONS_REC_CTX(id) (~((uint64_t)(id) | CONS_REC_CTX_BIT))
#define CONS_REC_DIR_BYTE 4
#define CONS_REC_TAG_SHIFT 48
#define CONS_REC_ADDR_MASK ((1ull << CONS_REC_TAG_SHIFT) - 1)
#define CONS_REC_GLOBAL (1ull << 62)
#define CONS_REC_GLOBAL_LO 31u          /* the number's low bits, in the line's offset bits */
#define CONS_REC_GFETCH (1ull << 47)    /* a fetch's, with its I1 line (above user space) */
#define CONS_REC_GSITES_MAX (1u << 19) /* site numbers in a global word */
/* A site as a global word names it (cons_gsite_of): the site itself and
 * its sequence.  The worker reads it only on a miss or for a fetch whose
 * word has no line (cons_stream). */
struct cons_gsite {
    const struct cons_site *site;
    struct cons_seq *seq;
};
/* The entry naming site idx (< its number of sites) of q. */
struct cons_gsite cons_gsite_of(struct cons_seq *q, unsigned idx);
/* The global word of site number g (< CONS_REC_GSITES_MAX), without its
 * line address. */
static inline uint64_t cons_rec_gword(uint32_t g)
{
    return CONS_REC_GLOBAL | (uint64_t)(g >> 5) << CONS_REC_TAG_SHIFT | (g & CONS_REC_GLOBAL_LO);
}
/* The global word of fetch site number g whose instruction is on I1 line
 * `line` alone (a multiple of 32). */
static inline uint64_t cons_rec_gfetch(uint32_t g, uint64_t line)
{
    return cons_rec_gword(g) | CONS_REC_GFETCH | line;
}
/* A global word's site number and address (its line's; a fetch's has
 * CONS_REC_GFETCH too, or is 0). */
static inline uint32_t cons_rec_gsite(uint64_t w)
{
    return (uint32_t)(w & CONS_REC_GLOBAL_LO) | (uint32_t)(w >> CONS_REC_TAG_SHIFT & 0x3FFF) << 5;
}
static inline uint64_t cons_rec_gaddr(uint64_t w)
{
    return w & CONS_REC_ADDR_MASK & ~(uint64_t)CONS_REC_GLOBAL_LO;
}
/* gs[0 .. n_gs) is the table global words name. */
void cons_stream(struct consumer *c, struct cons_seq *const *seqs, size_t n_seqs,
                 const struct cons_gsite *gs, size_t n_gs, const uint64_t *p, const uint64_t *q);
/* [p, q) are the site words (start and context words are skipped) of one
 * execution of seq of which only the first k instructions ran (a fault, a
 * signal): those are counted, with the sites of those instructions; a
 * global word counts if it names a site of seq. */
void cons_stream_part(struct consumer *c, struct cons_seq *seq, const struct cons_gsite *gs,
                      size_t n_gs, const uint64_t *p, const uint64_t *q, unsigned k);
/* The line address (block number times line size) in the most recently used
 * way of set `set` of D1 (data != 0) or I1: what a translator's filter of MRU
 * hits must hold for that set to agree with the simulation. */
uint64_t cons_mru_line(const struct consumer *c, int data, uint64_t set);

/* Moves the counts kept per sequence into the profile cells.  Every function
 * here that reads or writes counts does it first; engines need not. */
void cons_settle(struct consumer *c);

/* Instructions executed so far, counted or not (the virtual clock of
 * --deterministic). */
uint64_t cons_executed(struct consumer *c);

/* Executions an engine counts itself (a translator's per-block counters)
 * and hands in when asked: fn is called before any count is read or the
 * counting state changes (cons_settle, cons_set_collecting, cons_zero,
 * cons_executed, cons_clone), and hands them in with cons_seq_add.  NULL:
 * none. */
typedef void (*cons_pull_fn)(void *ctx);
void cons_set_pull(struct consumer *c, cons_pull_fn fn, void *ctx);

/* The profile being filled (for writing, dumping, tests). */
struct profile *cons_profile(struct consumer *c);

/* Writes the profile to path atomically, with desc: lines (cache simulation
 * only, like Cachegrind 3.21+; plus "Trigger: Client Request: NAME" for a
 * DUMP_STATS_AT part, as Callgrind names its dumps), "cmd: CMD", events and
 * summary.  trigger may be NULL. */
int cons_write(struct consumer *c, const char *path, const char *cmd, const char *trigger,
               struct diag_err *e);

/* Cachegrind's terminal summary ("==PID== I refs: ..." etc.) on f. */
void cons_print_summary(struct consumer *c, FILE *f, pid_t pid);

#endif
