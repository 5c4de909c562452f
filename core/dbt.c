/* dbt.c - see dbt.h.
 *
 * Memory (one memfd, mapped whole into cachesim and in parts into the program):
 *   [gadget page][hash table][thread areas ...][code chunks ...]
 * The gadget page holds `syscall; int3` (how we run a system call in the
 * program) and the path the program opens to map more of the memfd.  A thread
 * area is a page of slots (reached through the gs segment, which user code on
 * Linux leaves alone), the trace buffer and a guard (PROT_NONE in the program).
 * A code chunk is mapped read+execute within 2 GiB of the code it translates,
 * so a RIP-relative operand only needs its displacement adjusted.
 *
 * A translated block (scratch registers S and T are two the block never uses):
 *   entry:  save S, T to slots; S = buffer pointer; [S] = block id
 *   insn k: for each data access: T = lea(recipe); [S + 8 + 8j] = T
 *           the instruction itself (copied; RIP displacement adjusted)
 *   end:    buffer pointer = S + record size; restore T, S; exit
 * (Filtering mode, and quiet blocks, which count themselves: docs/architecture.md.)
 * Exits: direct ones jump to a one-byte int3 stub after the block until the
 * target is translated, then straight to it (the rel32 is patched, aligned so
 * the write is atomic).  Indirect ones hash the target into the shared table
 * inline (flags saved with lahf/seto) and jump through a slot; a miss traps.
 * Every point where a thread can be stopped cleanly is recorded per
 * instruction: before its instrumentation and before its copy (a fault in
 * the copy leaves the program's registers intact except S and T).
 */
#include "core/cpus.h"
#include "core/dbt.h"
#include "core/prefault.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/proc.h"
#include "core/vexdead.h"

#define GADGET_BYTES 4096u
#define HT_BITS 16
#define HT_N (1u << HT_BITS)
#define HT_OFF GADGET_BYTES
#define HT_BYTES (HT_N * 16u)
#define THR_MAX 128u
#define THR_SLOTS 65536u /* its slots, then its MRU filter tables (FILT_OFF) */
#define BUF_BYTES (3u << 20) /* 4 MiB: zlib's peak memory 36-39 MB against Cachegrind's 38; 3: 34-35 MB, no slower */
#define GUARD_BYTES (64u << 10)
#define HALF_BYTES (BUF_BYTES + GUARD_BYTES) /* two buffers, each followed by its guard */
/* Count-only mode: a counter per block for each thread, after its buffers
 * (blocks with a higher id record their executions instead). */
#define CNT_MAX (1u << 20)
#define CNT_OFF (THR_SLOTS + 2 * HALF_BYTES)
#define THR_STRIDE (CNT_OFF + CNT_MAX * 8u)
#define THR_OFF (HT_OFF + HT_BYTES)
#define CHUNK_BYTES (64ull << 20)
#define CHUNK_MAX 16u /* struct dbt_layout holds as many */
#define CHUNK_OFF ((uint64_t)THR_OFF + (uint64_t)THR_MAX * THR_STRIDE)
#define MEMFD_BYTES (CHUNK_OFF + CHUNK_MAX * CHUNK_BYTES)
#define BASE_HINT 0x7e0000000000ull /* far from the heap and from top-down mmaps */

/* Gadget page layout. */
#define G_SYSCALL 0   /* syscall; int3 */
#define G_PATH 256    /* "/proc/PID/fd/N" */

/* Slots of a thread area (gs-relative). */
enum { SV_S = 0, SV_T = 8, BUFPTR = 16, FSBASE = 24, SV_RAX = 32, SV_RCX = 40, SV_FLAGS = 48,
       JMP_TGT = 56, HTBASE = 64, SV_U = 72, REP_LINES = 80 /* two: rep_skip_test */ };

/* The MRU filter (filtering mode, see struct dbt): per thread, for each set
 * of I1 and then of D1, the line address in its most recently used way, as
 * the consumer's simulation has it once it has counted everything the thread
 * recorded.  An access to that line changes nothing in the simulation and
 * misses nowhere, so the translated code does not record it. */
#define FILT_OFF 128u
#define FILT_MAX ((THR_SLOTS - FILT_OFF) / 8u) /* sets of I1 and D1 together */
#define FILT_POISON 0xFFFFFFFFFFFFFFFFull     /* matches no line: the next access is recorded */

#define BLOCK_MAX_INSNS 48
#define CHAIN_MEMO_BITS 12
#define BLOCKS_MAX (1u << 22) /* translations per process */
#define BLOCK_MAX_ACC 120

/* Cold paths (a site's record when the filter misses, an access on two
 * lines) are emitted apart and placed after the block's exit stubs
 * (cold_place), so that the code a block runs when its checks hit is
 * contiguous: translated code is several times the size of the original,
 * and a program whose hot code does not fit the CPU's caches (SQLite) pays
 * for every line of it. */
/* Bytes of the longest cold path: a two-line access with its record and
 * imm32 masks for the largest lines measured 114 (zlib and SQLite drivers
 * with 32- to 256-byte lines); paths per block are at most its sites. */
#define COLD_PATH_MAX 160u
/* A jump per site at most, and a second one per straddling fetch site. */
#define COLD_FIXES (2 * BLOCK_MAX_INSNS + BLOCK_MAX_ACC)
#define COLD_BYTES (COLD_FIXES * COLD_PATH_MAX)
#define COLD_VBASE 0x100000000ull /* where cold code is assembled: relative jumps only */
struct cold {
    uint8_t buf[COLD_BYTES];
    size_t n;
    uint8_t *hot_p; /* the hot stream, while a cold path is written */
    uint64_t hot_pc;
    /* rel32 fields to fix once the cold code's place is known: in the hot
     * code (pc of the field, offset of the cold path), in the cold code
     * (offset of the field, hot target) */
    struct { uint64_t at, to; } to_cold[COLD_FIXES], to_hot[COLD_FIXES];
    unsigned n_to_cold, n_to_hot;
};

struct dbt_exit {
    uint64_t stub;   /* program address of its int3 */
    uint64_t patch;  /* program address of the rel32 that jumps to the stub */
    uint64_t target; /* original address it leads to */
    int linked;
};

/* An access whose address needs more than a lea: bt with a register bit
 * offset adds (offset >> 3), the offset taken from the register's value,
 * recorded raw in slot `extra` of the record (after the addresses). */
struct dbt_fix {
    uint16_t acc, extra;
    const struct dec_addr *m; /* the recipe (in the instruction's description) */
};

/* What the record walk needs of a block, kept apart from the block so that
 * the walk touches a small dense array (one entry per block id). */
struct rec_info {
    struct cons_seq *seq;      /* set when the block is made */
    uint16_t n_rec;
    uint8_t plain;             /* no fix-ups: the whole record goes to seq as is */
    uint8_t dir;               /* count-only: byte 4 of the id word says whether its
                                  last instruction's branch was taken */
};

struct pend_exit {
    struct dbt_block *b;
    unsigned i;
    struct pend_exit *next;
};

struct dbt_block {
    uint64_t orig, entry, end; /* original start; program addresses of its code */
    uint64_t miss;             /* its indirect-miss int3, or 0 */
    uint32_t id;
    uint8_t n, rs, rt, ru;     /* instructions; scratch registers (hardware numbers; ru
                                  only in filtering mode) */
    uint8_t has_u;             /* ru is used (and saved): the block has data sites */
    uint8_t n_exit;
    uint8_t noacc;             /* records carry no addresses (a rep check; --cache-sim=no) */
    uint8_t quiet;             /* adds 1 to its counter; no start record */
    uint8_t dir;               /* its record says where its branch went (an &&-idiom) */
    uint8_t fresh;             /* the variant entered where a superblock starts (alt) */
    uint8_t ends;              /* ends every VEX superblock, without an &&-idiom */
    uint8_t bare;              /* filtering mode, quiet, no data sites, the flags dead at
                                  its start and its fetch checks: its hot code uses no
                                  scratch register (bare_ok) */
    uint8_t part;              /* its place in its unit (0: the head, or alone) */
    uint64_t held_bound, held_copy; /* bit k: at instruction k's bound (copy) the
                                  program's flags are in ah/al and its rax in its
                                  slot (flag_runs) */
    uint16_t nf;               /* 0, or the offset of its entry past its first fetch
                                  check, for links from its line (emit_entry_fetch) */
    uint16_t vsave, vlen;      /* code in writable memory: its bytes are compared at
                                  entry (emit_verify): registers saved from vsave on,
                                  the block proper from vlen (0: not such a block) */
    uint64_t stale;            /* its int3 for bytes found changed (vlen != 0) */
    uint64_t loop, loop_out;   /* a last part's jump back to its unit's start (its
                                  rel32), and where it goes once translations are
                                  dropped instead; 0: none (translate) */
    uint16_t n_acc, n_rec;     /* addresses in its record; 8-byte slots after the id */
    uint8_t global;            /* quiet, its sites numbered in dbt's gsite from gbase:
                                  a recorded site is one global word (CONS_REC_GLOBAL) */
    uint32_t gbase;
    uint8_t n_fix;
    struct dbt_fix *fix;       /* accesses completed at counting time */
    struct cons_seq *seq;      /* the consumer's counting plan for it (finish_block) */
    struct dbt_exit exit[2];
    uint16_t *bound, *copy;    /* n offsets from entry each (after insn[]) */
    struct dbt_block *hnext; /* orig -> block chain (current generation only) */
    struct dbt_block *alt;   /* an &&-idiom block's fresh variant (translate_fresh), or NULL */
    struct dbt_block *head;  /* the first part of its unit (translate), or NULL */
    struct dbt_block *npart; /* the next part of its unit, or NULL */
    struct chunk *chunk;     /* where its code is */
    const struct cons_insn *insn[]; /* n of them; last */
};

struct chunk {
    uint64_t base; /* program address */
    uint8_t *mem;  /* cachesim's view */
    uint64_t used;
    uint64_t ahead; /* populated (asked for) up to here: chunk_ahead */
    uint64_t size; /* mapped: CHUNK_BYTES, or less where no such gap was in reach */
    struct dbt_block **blocks; /* in address order */
    size_t n_blocks, cap;
};

struct dbt_thread {
    struct dbt *d;
    pid_t tid;
    unsigned idx;
    unsigned half;     /* the buffer being filled: 0 or 1 */
    struct cons_sb *sb; /* its superblock state in the consumer */
    uint8_t *area;     /* cachesim's view of its thread area */
    uint64_t area_tr;  /* program address */
    uint64_t *seen;    /* count-only: what cachesim took of each counter (reserved) */
    int used;
    /* A system call being stepped whose execution goes into the stream once
     * it ran (sysc_defer), and whether it has since: then the filter is still
     * the thread's own, and its buffer holds records to count before anything
     * counted outside the stream (dbt_enter). */
    struct dbt_block *defer;
    int defer_done;
    uint64_t pop[2]; /* bytes of each buffer populated in the program (buf_ahead): kept
                        by the area's later threads, whose pages they are too */
};

struct dbt {
    struct session *s;
    struct tracee *t;
    int fd;            /* the memfd (cachesim's) */
    uint8_t *mem;      /* all of it, in cachesim */
    uint64_t base_tr;  /* program address of the gadget page */
    uint64_t thr_tr;   /* program address of thread area 0 */
    struct chunk chunk[CHUNK_MAX];
    unsigned n_chunks;
    struct dbt_thread thr[THR_MAX];
    /* By block id, BLOCKS_MAX reserved up front (address space only, so
     * they never need to move). */
    struct dbt_block **byid;
    struct rec_info *info;   /* what counting a record needs, densely */
    size_t n_blocks;
    struct dbt_block **hash; /* orig -> block, HT_N buckets */
    /* chain_ends_clean's scans by address (direct-mapped; addr + 1, so that
     * a zeroed entry matches nothing). */
    struct chain_memo { uint64_t addr; uint8_t clean; } chain_memo[1u << CHAIN_MEMO_BITS];
    struct pend_exit **pend; /* target -> exits waiting for it, HT_N buckets */
    int failed_chunk;        /* could not map more code memory: step the rest */
    int rec;                 /* record data addresses (cache simulation or --toggle-collect) */
    /* Filtering mode (cache simulation without --toggle-collect, and filter
     * tables that fit): records are the consumer's stream (cons_stream): a
     * block's start, then only the sites (fetches, accesses) that are not an
     * MRU hit by the thread's filter, each tagged with its number.  Otherwise
     * a block's record is its id and every data address (count_block). */
    int filt;
    unsigned i_shift, d_shift;  /* log2 of the I1 and D1 line sizes */
    int bmi2;                   /* the CPU has rorx (emit_filt_set) */
    uint64_t i_sets, d_sets;
    struct cons_seq **seqs;     /* by block id (filtering mode's stream) */
    /* Sites of quiet blocks by global number (filtering mode, when the LL's
     * lines are no smaller than D1's: a global word keeps only the D1 line
     * of its address).  Reserved up front like byid; appended to only. */
    struct cons_gsite *gsite; /* NULL: no global words */
    uint32_t n_gsite;
    int gfetch_line; /* the LL's lines are no smaller than I1's: a fetch on one I1
                        line writes that line in its global word (CONS_REC_GFETCH) */
    /* Count-only mode: the blocks that count executions in a per-thread
     * counter instead of recording them (translate), by id. */
    struct quiet { uint32_t id, base; } *quiet; /* base: the head of its unit, or id */
    size_t n_quiet, quiet_cap;
    /* The worker counting a full buffer while the program fills the other
     * one (double buffering).  Only one job at a time; anything else that
     * counts or reads counts waits for it first (dbt_sync); translating
     * does not (leave_stub). */
    pthread_t worker;
    int have_worker, busy, quit;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    const uint64_t *job_p, *job_q;
    struct cons_sb *job_sb;
    size_t job_n_blocks;   /* n_blocks and n_gsite when the job was handed over */
    uint32_t job_n_gsite;
    struct cold cold; /* the block being translated's cold paths */
    /* Stops of the program, by kind (-v prints them). */
    uint64_t n_exit, n_miss, n_full, n_step, n_signal, n_defer, n_stale;
    uint64_t n_units, n_parts, n_loops; /* translations of more than one part; loops back */
    struct dbt_block **sysc; /* one-instruction blocks of system calls (sysc_defer) */
    size_t n_sysc, sysc_cap;
    /* Record words counted, by the worker and by the engine thread; the
     * worker's CPU time once it has quit (-v prints them). */
    uint64_t n_words_worker, n_words_engine;
    double worker_cpu;
};

static void clear_pending(struct dbt *d);
static void *worker_main(void *arg);
static void fold(void *ctx);
static struct dbt_block *block_at(struct dbt *d, uint64_t pc, struct chunk **cp);
static void link_block(struct dbt *d, struct dbt_block *b);
static void link_exit(struct dbt *d, struct dbt_block *b, struct dbt_exit *x, struct dbt_block *t);

/* ------------------------------------------------------------ small helpers */

static uint64_t buf_tr(const struct dbt_thread *th, unsigned h)
{
    return th->area_tr + THR_SLOTS + (uint64_t)h * HALF_BYTES;
}
static uint8_t *buf_mem(const struct dbt_thread *th, unsigned h)
{
    return th->area + THR_SLOTS + (size_t)h * HALF_BYTES;
}

static uint64_t *slot(struct dbt_thread *th, unsigned off) { return (uint64_t *)(th->area + off); }
static uint64_t *counter(struct dbt_thread *th, uint32_t id)
{
    return (uint64_t *)(th->area + CNT_OFF) + id;
}

static size_t hash_of(uint64_t orig) { return (size_t)((orig >> 12) ^ orig) & (HT_N - 1); }

/* ----------------------------------------------------- running syscalls in it */

/* Runs system call nr in thread tid (stopped) at the gadget address, with the
 * thread's registers saved and restored.  Returns the result (-errno on
 * failure; -EIO if the thread could not be made to run it). */
static long inject(pid_t tid, uint64_t gadget, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
                   uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct user_regs_struct save, u;
    if (ptrace(PTRACE_GETREGS, tid, 0, &save) != 0)
        return -EIO;
    u = save;
    u.rip = gadget;
    u.rax = (uint64_t)nr;
    u.orig_rax = (uint64_t)-1;
    u.rdi = a0, u.rsi = a1, u.rdx = a2, u.r10 = a3, u.r8 = a4, u.r9 = a5;
    struct user_regs_struct want = u;
    int later = 0; /* a signal that arrived meanwhile: raised again afterwards */
    /* Each signal that stops the step before the gadget ran costs a try: a
     * 300 us interval timer in a program with threads used up 8 of them. */
    for (int tries = 0; tries < 64; tries++) {
        int st;
        /* Set every time: a stop inside a system call's exit (an exec event)
         * reports a trap before the gadget ran and may have rewritten rax. */
        if (ptrace(PTRACE_SETREGS, tid, 0, &want) != 0 || ptrace(PTRACE_SINGLESTEP, tid, 0, 0) != 0 ||
            waitpid(tid, &st, __WALL) != tid || !WIFSTOPPED(st))
            return -EIO;
        if (ptrace(PTRACE_GETREGS, tid, 0, &u) != 0)
            return -EIO;
        if (u.rip != gadget)
            break;
        if (WSTOPSIG(st) != SIGTRAP)
            later = WSTOPSIG(st);
    }
    long r = (long)u.rax;
    ptrace(PTRACE_SETREGS, tid, 0, &save);
    if (later)
        syscall(SYS_tkill, (int)tid, later);
    return r;
}

/* Maps [off, off+len) of the memfd at hint (MAP_FIXED_NOREPLACE; 0: anywhere)
 * in the program, through thread tid.  Returns the address or 0. */
static uint64_t map_in(struct dbt *d, pid_t tid, uint64_t gadget, uint64_t path_tr, uint64_t hint,
                       uint64_t len, int prot, uint64_t off)
{
    long fd = inject(tid, gadget, SYS_openat, (uint64_t)AT_FDCWD, path_tr, O_RDWR | O_CLOEXEC, 0, 0, 0);
    if (fd < 0)
        return 0;
    long a = inject(tid, gadget, SYS_mmap, hint, len, (uint64_t)prot,
                    MAP_SHARED | (hint ? MAP_FIXED_NOREPLACE : 0), (uint64_t)fd, off);
    if (hint && (a < 0 && a > -4096))
        a = inject(tid, gadget, SYS_mmap, 0, len, (uint64_t)prot, MAP_SHARED, (uint64_t)fd, off);
    inject(tid, gadget, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
    return a < 0 && a > -4096 ? 0 : (uint64_t)a;
}

static uint64_t gadget_tr(const struct dbt *d) { return d->base_tr + G_SYSCALL; }
static uint64_t path_tr(const struct dbt *d) { return d->base_tr + G_PATH; }

/* The program's entry point (AT_ENTRY), or 0. */
static uint64_t auxv_entry(pid_t pid)
{
    char path[64];
    uint64_t av[2], entry = 0;
    snprintf(path, sizeof path, "/proc/%d/auxv", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    while (fread(av, sizeof av, 1, f) == 1 && av[0] != 0)
        if (av[0] == 9 /* AT_ENTRY */)
            entry = av[1];
    fclose(f);
    return entry;
}

static struct chunk *chunk_for(struct dbt *d, pid_t tid, uint64_t addr);

/* The code written next, faulted in by the helper (core/prefault.h) before
 * the emitter gets there: 128 KiB ahead of what is used, 64 KiB at a time
 * (zlib's driver translates 4.3 MB of code, /bin/true 2.4 MB).  256 KiB
 * ahead, and the indirect-branch table populated too, were no faster and
 * took zlib's peak memory from 33.7 to 35.2 MB. */
#define CHUNK_AHEAD (128u << 10)
static void chunk_ahead(struct chunk *c)
{
    while (c->ahead < c->used + CHUNK_AHEAD && c->ahead < c->size) {
        uint64_t n = c->size - c->ahead < 65536 ? c->size - c->ahead : 65536;
        prefault(c->mem + c->ahead, n);
        c->ahead += n;
    }
}

/* Zeroed memory that is only backed once touched. */
static void *reserve(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        diag_die(EXIT_FAIL, "out of memory");
    return p;
}

/* A fresh memfd mapped in cachesim, with the gadget page filled in; the
 * program (thread tid, registers into *u) maps nothing yet.  The name it opens
 * is also written below its stack pointer, at *path_tr, for the first calls
 * (our gadget page is not there yet; nothing lives below the stack then). */
static struct dbt *dbt_alloc(struct session *s, struct tracee *t, pid_t tid,
                             struct user_regs_struct *u, uint64_t *path_tr, struct diag_err *e)
{
    char path[64];
    if (ptrace(PTRACE_GETREGS, tid, 0, u) != 0)
        return diag_set(e, "ptrace(GETREGS): %s", strerror(errno)), NULL;
    int fd = (int)syscall(SYS_memfd_create, "cachesim-dbt", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)MEMFD_BYTES) != 0) {
        if (fd >= 0)
            close(fd);
        return diag_set(e, "memfd_create: %s", strerror(errno)), NULL;
    }
    uint8_t *mem = mmap(NULL, MEMFD_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (mem == MAP_FAILED) {
        close(fd);
        return diag_set(e, "mmap of the code cache: %s", strerror(errno)), NULL;
    }
    struct dbt *d = xcalloc(1, sizeof *d);
    d->s = s;
    d->t = t;
    d->fd = fd;
    d->mem = mem;
    d->hash = xcalloc_now(HT_N, sizeof *d->hash);
    d->byid = reserve(BLOCKS_MAX * sizeof *d->byid);
    d->info = reserve(BLOCKS_MAX * sizeof *d->info);
    d->seqs = reserve(BLOCKS_MAX * sizeof *d->seqs);
    d->pend = xcalloc_now(HT_N, sizeof *d->pend);
    d->rec = s->opt->cache_sim || s->opt->n_toggle_collect;
    const struct cache_hierarchy *g = &s->ccfg.geom;
    d->i_shift = (unsigned)__builtin_ctz(g->i1.line);
    d->d_shift = (unsigned)__builtin_ctz(g->d1.line);
    d->i_sets = g->i1.size / g->i1.line / g->i1.assoc;
    d->d_sets = g->d1.size / g->d1.line / g->d1.assoc;
    d->filt = s->opt->cache_sim && !s->opt->n_toggle_collect && d->i_sets + d->d_sets <= FILT_MAX;
    if (d->filt && g->ll.line >= g->d1.line)
        d->gsite = reserve(CONS_REC_GSITES_MAX * sizeof *d->gsite);
    d->gfetch_line = g->ll.line >= g->i1.line;
    d->bmi2 = __builtin_cpu_supports("bmi2") && !getenv("CACHESIM_NO_BMI2"); /* (tests: engines.sh) */
    pthread_mutex_init(&d->mu, NULL);
    pthread_cond_init(&d->cv, NULL);
    d->have_worker = cpus_thread_create(&d->worker, worker_main, d) == 0;
    cons_set_pull(t->cons, fold, d);
    mem[G_SYSCALL] = 0x0f, mem[G_SYSCALL + 1] = 0x05, mem[G_SYSCALL + 2] = 0xcc;
    snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)getpid(), fd);
    size_t len = strlen(path) + 1;
    memcpy(mem + G_PATH, path, len);
    *path_tr = (u->rsp - 4096) & ~15ull;
    if (pwrite(t->memfd, path, len, (off_t)*path_tr) != (ssize_t)len) {
        dbt_free(d);
        return diag_set(e, "unable to write to process %d", (int)t->pid), NULL;
    }
    return d;
}

struct dbt *dbt_new(struct session *s, struct tracee *t, pid_t tid, struct diag_err *e)
{
    struct user_regs_struct u;
    uint64_t tmp_path;
    struct dbt *d = dbt_alloc(s, t, tid, &u, &tmp_path, e);
    if (!d)
        return NULL;
    /* Until our gadget page is there, borrow the program's first two bytes
     * (restored: it is stopped at its exec). */
    uint8_t saved[2], sc[2] = {0x0f, 0x05};
    int ok = proc_read(t->memfd, u.rip, saved, 2) == 2 &&
             pwrite(t->memfd, sc, 2, (off_t)u.rip) == 2;
    if (ok) {
        d->base_tr = map_in(d, tid, u.rip, tmp_path, BASE_HINT, GADGET_BYTES + HT_BYTES,
                            PROT_READ | PROT_EXEC, 0);
        pwrite(t->memfd, saved, 2, (off_t)u.rip);
    }
    if (!ok || !d->base_tr) {
        dbt_free(d);
        return diag_set(e, "unable to map the code cache into process %d", (int)t->pid), NULL;
    }
    /* The program's table of indirect targets: zlib's driver writes 250 of
     * its 256 pages (-10.7 +- 2.2 ms on 1 KiB of input, 30 pairs). */
    prefault(d->mem + HT_OFF, HT_BYTES);
    d->thr_tr = map_in(d, tid, gadget_tr(d), path_tr(d), d->base_tr + GADGET_BYTES + HT_BYTES,
                       (uint64_t)THR_MAX * THR_STRIDE, PROT_READ | PROT_WRITE, THR_OFF);
    if (!d->thr_tr) {
        dbt_free(d);
        return diag_set(e, "unable to map trace buffers into process %d", (int)t->pid), NULL;
    }
    /* The code chunks for the loader and the program, now rather than at the
     * first translation, so that both engines give the program the same
     * address space (programs read /proc/self/maps: pthread_getattr_np). */
    chunk_for(d, tid, u.rip);
    uint64_t entry = auxv_entry(t->pid);
    if (entry)
        chunk_for(d, tid, entry);
    return d;
}

void dbt_layout_of(const struct dbt *d, struct dbt_layout *l)
{
    l->base_tr = d->base_tr;
    l->thr_tr = d->thr_tr;
    l->n_chunks = d->n_chunks;
    for (unsigned i = 0; i < d->n_chunks; i++)
        l->chunk_tr[i] = d->chunk[i].base, l->chunk_bytes[i] = d->chunk[i].size;
}

struct dbt *dbt_new_forked(struct session *s, struct tracee *t, pid_t tid,
                           const struct dbt_layout *l, struct diag_err *e)
{
    struct user_regs_struct u;
    uint64_t tmp_path;
    struct dbt *d = dbt_alloc(s, t, tid, &u, &tmp_path, e);
    if (!d)
        return NULL;
    /* The inherited gadget page (the parent's, still mapped) runs the calls
     * until ours replaces it at the same address, with the same bytes. */
    uint64_t gadget = l->base_tr + G_SYSCALL;
    long fd = inject(tid, gadget, SYS_openat, (uint64_t)AT_FDCWD, tmp_path, O_RDWR | O_CLOEXEC,
                     0, 0, 0);
    int ok = fd >= 0;
    const int fixed = MAP_SHARED | MAP_FIXED;
    ok = ok && inject(tid, gadget, SYS_mmap, l->base_tr, GADGET_BYTES + HT_BYTES,
                      PROT_READ | PROT_EXEC, fixed, (uint64_t)fd, 0) == (long)l->base_tr;
    ok = ok && inject(tid, gadget, SYS_mmap, l->thr_tr, (uint64_t)THR_MAX * THR_STRIDE,
                      PROT_READ | PROT_WRITE, fixed, (uint64_t)fd, THR_OFF) == (long)l->thr_tr;
    for (unsigned i = 0; ok && i < l->n_chunks; i++) {
        uint64_t off = CHUNK_OFF + i * CHUNK_BYTES;
        ok = inject(tid, gadget, SYS_mmap, l->chunk_tr[i], l->chunk_bytes[i], PROT_READ | PROT_EXEC,
                    fixed, (uint64_t)fd, off) == (long)l->chunk_tr[i];
        d->chunk[i].base = l->chunk_tr[i];
        d->chunk[i].size = l->chunk_bytes[i];
        d->chunk[i].mem = d->mem + off;
        d->n_chunks = i + 1;
    }
    if (fd >= 0)
        inject(tid, gadget, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
    if (!ok) {
        dbt_free(d);
        return diag_set(e, "unable to give forked process %d its own code cache", (int)t->pid), NULL;
    }
    d->base_tr = l->base_tr;
    d->thr_tr = l->thr_tr;
    return d;
}

/* Everything dbt_free does that anyone sees: the counts in, the worker
 * joined, the figures printed. */
static void dbt_finish(struct dbt *d)
{
    fold(d);
    cons_set_pull(d->t->cons, NULL, NULL);
    if (d->have_worker) {
        pthread_mutex_lock(&d->mu);
        while (d->busy)
            pthread_cond_wait(&d->cv, &d->mu);
        d->quit = 1;
        pthread_cond_broadcast(&d->cv);
        pthread_mutex_unlock(&d->mu);
        pthread_join(d->worker, NULL);
    }
    uint64_t pop_kib = 0;
    for (unsigned i = 0; i < THR_MAX; i++)
        pop_kib += (d->thr[i].pop[0] + d->thr[i].pop[1]) >> 10;
    if (d->s->opt->verbose)
        fprintf(stderr,
                "--%d-- dbt: %zu blocks (%llu of them in %llu units; %llu loops back to "
                "their start); stops: %llu exits, %llu indirect misses, %llu full "
                "buffers, %llu to step (%llu system calls counted in the stream), %llu signals, "
                "%llu blocks found rewritten; "
                "record words: %llu by the worker (%.3f s CPU), %llu by the engine thread; "
                "trace buffers populated in the program: %llu KiB\n",
                (int)getpid(), d->n_blocks, (unsigned long long)d->n_parts,
                (unsigned long long)d->n_units, (unsigned long long)d->n_loops,
                (unsigned long long)d->n_exit,
                (unsigned long long)d->n_miss, (unsigned long long)d->n_full,
                (unsigned long long)d->n_step, (unsigned long long)d->n_defer,
                (unsigned long long)d->n_signal, (unsigned long long)d->n_stale,
                (unsigned long long)d->n_words_worker, d->worker_cpu,
                (unsigned long long)d->n_words_engine, (unsigned long long)pop_kib);
}

void dbt_end(struct dbt *d)
{
    if (MEM_FREE_AT_EXIT)
        dbt_free(d);
    else if (d)
        dbt_finish(d);
}

void dbt_free(struct dbt *d)
{
    if (!d)
        return;
    dbt_finish(d);
    pthread_mutex_destroy(&d->mu);
    pthread_cond_destroy(&d->cv);
    for (size_t i = 0; i < d->n_blocks; i++) {
        free(d->byid[i]->fix);
        free(d->byid[i]);
    }
    free(d->sysc);
    if (d->byid) {
        munmap(d->byid, BLOCKS_MAX * sizeof *d->byid);
        munmap(d->info, BLOCKS_MAX * sizeof *d->info);
        munmap(d->seqs, BLOCKS_MAX * sizeof *d->seqs);
    }
    if (d->gsite)
        munmap(d->gsite, CONS_REC_GSITES_MAX * sizeof *d->gsite);
    for (unsigned i = 0; i < d->n_chunks; i++)
        free(d->chunk[i].blocks);
    for (unsigned i = 0; i < THR_MAX; i++)
        if (d->thr[i].seen)
            munmap(d->thr[i].seen, CNT_MAX * sizeof *d->thr[i].seen);
    free(d->quiet);
    free(d->hash);
    clear_pending(d);
    free(d->pend);
    munmap(d->mem, MEMFD_BYTES);
    close(d->fd);
    free(d);
}

static void clear_pending(struct dbt *d)
{
    for (unsigned h = 0; h < HT_N; h++)
        for (struct pend_exit *p = d->pend[h], *next; p; p = next) {
            next = p->next;
            free(p);
        }
    memset(d->pend, 0, HT_N * sizeof *d->pend);
}

/* ------------------------------------------------------------------ threads */

/* The thread's MRU filter := the simulation's MRU lines, once everything
 * recorded is counted.  Whenever the thread enters translated code: counting
 * outside its stream (stepped instructions, a partial block, counting turned
 * off and on) changes the simulation behind the filter's back. */
static void filt_sync(struct dbt_thread *th)
{
    struct dbt *d = th->d;
    if (!d->filt)
        return;
    dbt_sync(d);
    uint64_t *f = slot(th, FILT_OFF);
    for (uint64_t i = 0; i < d->i_sets; i++)
        f[i] = cons_mru_line(d->t->cons, 0, i);
    for (uint64_t i = 0; i < d->d_sets; i++)
        f[d->i_sets + i] = cons_mru_line(d->t->cons, 1, i);
}

struct dbt_thread *dbt_thread_new(struct dbt *d, pid_t tid, struct cons_sb *sb,
                                  struct diag_err *e)
{
    unsigned i;
    for (i = 0; i < THR_MAX && d->thr[i].used; i++)
        ;
    if (i == THR_MAX)
        return diag_set(e, "more than %u threads at once", THR_MAX), NULL;
    struct dbt_thread *th = &d->thr[i];
    th->d = d;
    th->tid = tid;
    th->sb = sb;
    th->idx = i;
    th->area = d->mem + THR_OFF + (uint64_t)i * THR_STRIDE;
    th->area_tr = d->thr_tr + (uint64_t)i * THR_STRIDE;
    th->half = 0;
    long r = 0;
    for (unsigned h = 0; h < 2 && r == 0; h++)
        r = inject(tid, gadget_tr(d), SYS_mprotect, buf_tr(th, h) + BUF_BYTES, GUARD_BYTES,
                   PROT_NONE, 0, 0, 0);
    if (r != 0)
        return diag_set(e, "unable to protect the trace buffer of thread %d", (int)tid), NULL;
    struct user_regs_struct u;
    if (ptrace(PTRACE_GETREGS, tid, 0, &u) != 0)
        return diag_set(e, "ptrace(GETREGS): %s", strerror(errno)), NULL;
    u.gs_base = th->area_tr;
    if (ptrace(PTRACE_SETREGS, tid, 0, &u) != 0)
        return diag_set(e, "unable to set the gs base of thread %d", (int)tid), NULL;
    *slot(th, BUFPTR) = buf_tr(th, 0);
    *slot(th, HTBASE) = d->base_tr + HT_OFF;
    th->used = 1;
    th->defer = NULL;
    th->defer_done = 0;
    filt_sync(th);
    return th;
}

/* Count-only mode: what thread th's counters gained since last time, into
 * the consumer.  Only the program writes a counter (its thread may be adding
 * to it right now), so what was taken is remembered, not subtracted. */
static void fold_thread(struct dbt *d, struct dbt_thread *th)
{
    if (!th->seen)
        th->seen = reserve(CNT_MAX * sizeof *th->seen);
    for (size_t i = 0; i < d->n_quiet; i++) {
        uint32_t id = d->quiet[i].id, base = d->quiet[i].base;
        uint64_t v = __atomic_load_n(counter(th, id), __ATOMIC_RELAXED);
        if (base != id) /* a later part of a unit: its head's count, less its takings */
            v += __atomic_load_n(counter(th, base), __ATOMIC_RELAXED);
        if (v != th->seen[id]) {
            cons_seq_add(d->t->cons, d->seqs[id], v - th->seen[id]);
            th->seen[id] = v;
        }
    }
}

/* The consumer's pull (cons_set_pull): every thread's counters in. */
static void fold(void *ctx)
{
    struct dbt *d = ctx;
    dbt_sync(d); /* also what the consumer reads then: no cell may change meanwhile */
    if (!d->n_quiet)
        return;
    for (unsigned i = 0; i < THR_MAX; i++)
        if (d->thr[i].used)
            fold_thread(d, &d->thr[i]);
}

void dbt_thread_end(struct dbt_thread *th)
{
    if (!th)
        return;
    dbt_drain(th);
    if (th->d->n_quiet) {
        /* Its area goes to the next thread with counters at zero. */
        fold_thread(th->d, th);
        for (size_t i = 0; i < th->d->n_quiet; i++)
            *counter(th, th->d->quiet[i].id) = th->seen[th->d->quiet[i].id] = 0;
    }
    th->used = 0;
}

/* ---------------------------------------------------------------- records */

static void count_block(struct dbt *d, struct dbt_block *b, unsigned n, const uint64_t *a)
{
    struct consumer *c = d->t->cons;
    uint64_t tmp[BLOCK_MAX_ACC];
    if (b->n_fix) {
        memcpy(tmp, a, b->n_acc * sizeof *tmp);
        for (unsigned i = 0; i < b->n_fix; i++) {
            const struct dbt_fix *f = &b->fix[i];
            tmp[f->acc] += dec_bit_offset(f->m, a[f->extra]);
        }
        a = tmp;
    }
    if (n == b->n)
        cons_seq_exec(c, b->seq, a);
    else
        cons_seq_exec_part(c, b->seq, a, n);
}

/* Counts the records in [p, q), a thread's with superblock state sb, of
 * blocks and global sites numbered below n_blocks and n_gsite (their tables
 * as they were when the records were handed over: translating may append
 * to them meanwhile, leave_stub). */
static void count_records(struct dbt *d, struct cons_sb *sb, const uint64_t *p, const uint64_t *q,
                          size_t n_blocks, uint32_t n_gsite)
{
    cons_set_sb(d->t->cons, sb);
    struct consumer *c = d->t->cons;
    if (d->filt) {
        cons_stream(c, d->seqs, n_blocks, d->gsite, n_gsite, p, q);
        return;
    }
    while (p < q) {
        uint64_t w = *p++, id = (uint32_t)w;
        if (id >= n_blocks)
            break; /* cannot happen: a damaged buffer is not counted */
        const struct rec_info *ri = &d->info[id];
        if (ri->dir)
            cons_seq_exec_dir(c, ri->seq, (w >> 32 & 0xFF) != 0);
        else if (ri->plain)
            cons_seq_exec(c, ri->seq, p);
        else
            count_block(d, d->byid[id], d->byid[id]->n, p);
        p += ri->n_rec;
    }
}

static void *worker_main(void *arg)
{
    struct dbt *d = arg;
    pthread_mutex_lock(&d->mu);
    for (;;) {
        while (!d->busy && !d->quit)
            pthread_cond_wait(&d->cv, &d->mu);
        if (d->quit)
            break;
        pthread_mutex_unlock(&d->mu);
        d->n_words_worker += (uint64_t)(d->job_q - d->job_p);
        count_records(d, d->job_sb, d->job_p, d->job_q, d->job_n_blocks, d->job_n_gsite);
        pthread_mutex_lock(&d->mu);
        d->busy = 0;
        pthread_cond_broadcast(&d->cv);
    }
    struct timespec cpu;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu) == 0)
        d->worker_cpu = (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9;
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

void dbt_sync(struct dbt *d)
{
    if (!d->have_worker)
        return;
    pthread_mutex_lock(&d->mu);
    while (d->busy)
        pthread_cond_wait(&d->cv, &d->mu);
    pthread_mutex_unlock(&d->mu);
}

/* Hands [p, q) to the worker (counted while the program runs on), or counts
 * it here if there is no worker. */
static void count_async(struct dbt *d, struct cons_sb *sb, const uint64_t *p, const uint64_t *q)
{
    if (!d->have_worker) {
        d->n_words_engine += (uint64_t)(q - p);
        count_records(d, sb, p, q, d->n_blocks, d->n_gsite);
        return;
    }
    pthread_mutex_lock(&d->mu);
    while (d->busy)
        pthread_cond_wait(&d->cv, &d->mu);
    d->job_p = p, d->job_q = q, d->job_sb = sb;
    d->job_n_blocks = d->n_blocks, d->job_n_gsite = d->n_gsite;
    d->busy = 1;
    pthread_cond_broadcast(&d->cv);
    pthread_mutex_unlock(&d->mu);
}

void dbt_drain(struct dbt_thread *th)
{
    struct dbt *d = th->d;
    dbt_sync(d);
    uint64_t start = buf_tr(th, th->half), end = *slot(th, BUFPTR);
    const uint64_t *p = (const uint64_t *)buf_mem(th, th->half);
    d->n_words_engine += (end - start) / 8;
    count_records(d, th->sb, p, (const uint64_t *)(buf_mem(th, th->half) + (end - start)),
                  d->n_blocks, d->n_gsite);
    *slot(th, BUFPTR) = start;
}

/* The committed records, then the uncommitted one of block b (from the
 * buffer pointer to `end`, the record register's value): its first k
 * instructions ran. */
static void drain_partial(struct dbt_thread *th, struct dbt_block *b, unsigned k, uint64_t end)
{
    struct dbt *d = th->d;
    uint64_t off = *slot(th, BUFPTR) - buf_tr(th, th->half);
    const uint64_t *p = (const uint64_t *)(buf_mem(th, th->half) + off);
    uint64_t n = end > *slot(th, BUFPTR) ? (end - *slot(th, BUFPTR)) / 8 : 0;
    dbt_drain(th);
    d->n_words_engine += n;
    if (b->quiet) /* its counter has this execution, not complete */
        cons_seq_add(d->t->cons, b->seq, UINT64_MAX);
    if (!k)
        return;
    if (d->filt)
        /* its start word is skipped */
        cons_stream_part(d->t->cons, b->seq, d->gsite, d->n_gsite, p, p + n, k);
    else if ((uint32_t)p[0] == b->id)
        count_block(d, b, k, p + 1);
}

/* ------------------------------------------------------------- the encoder */

struct emit {
    uint8_t *p;
    uint64_t pc;        /* program address of p (in a cold path: COLD_VBASE + offset) */
    struct cold *cold;
};

static void put(struct emit *e, uint8_t b) { *e->p++ = b, e->pc++; }
static void put32(struct emit *e, uint32_t v)
{
    memcpy(e->p, &v, 4);
    e->p += 4, e->pc += 4;
}
static void put64(struct emit *e, uint64_t v)
{
    memcpy(e->p, &v, 8);
    e->p += 8, e->pc += 8;
}

/* REX prefix for a 64-bit (w) operation with reg / index / base registers
 * (hardware numbers, -1 for none); omitted when it would be a plain 0x40. */
static void rex(struct emit *e, int w, int r, int x, int b)
{
    uint8_t v = (uint8_t)(0x40 | (w << 3) | (r >= 8) << 2 | (x >= 8) << 1 | (b >= 8));
    if (v != 0x40)
        put(e, v);
}

/* ModRM [+SIB] [+disp] for [base + index*scale + disp] (base or index -1:
 * none), in the shortest form: translated code is mostly instrumentation, and
 * its size is what the program's front end pays for. */
static void modrm_mem(struct emit *e, int reg, int base, int index, int scale, int32_t disp)
{
    int ss = scale == 8 ? 3 : scale == 4 ? 2 : scale == 2 ? 1 : 0;
    int idx = index < 0 ? 4 : (index & 7);
    if (base < 0) { /* mod 00 with SIB base 101: disp32, no base (not RIP-relative) */
        put(e, (uint8_t)(0x04 | (reg & 7) << 3));
        put(e, (uint8_t)(ss << 6 | idx << 3 | 5));
        put32(e, (uint32_t)disp);
        return;
    }
    /* mod 00 with base 101 (rbp, r13) would mean no base: they take a disp8 of 0. */
    int mod = disp == 0 && (base & 7) != 5 ? 0 : disp >= -128 && disp <= 127 ? 1 : 2;
    if (index < 0 && (base & 7) != 4) { /* base 100 (rsp, r12) always needs a SIB */
        put(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | (base & 7)));
    } else {
        put(e, (uint8_t)(mod << 6 | (reg & 7) << 3 | 4));
        put(e, (uint8_t)(ss << 6 | idx << 3 | (base & 7)));
    }
    if (mod == 1)
        put(e, (uint8_t)(int8_t)disp);
    else if (mod == 2)
        put32(e, (uint32_t)disp);
}

static void op_mem(struct emit *e, int w, uint8_t opc, int reg, int base, int index, int scale,
                   int32_t disp)
{
    rex(e, w, reg, index, base);
    put(e, opc);
    modrm_mem(e, reg, base, index, scale, disp);
}

static void gs_store(struct emit *e, unsigned off, int r) { put(e, 0x65); op_mem(e, 1, 0x89, r, -1, -1, 1, (int32_t)off); }
static void gs_load(struct emit *e, int r, unsigned off) { put(e, 0x65); op_mem(e, 1, 0x8B, r, -1, -1, 1, (int32_t)off); }

static void mov_imm64(struct emit *e, int r, uint64_t v)
{
    rex(e, 1, -1, -1, r);
    put(e, (uint8_t)(0xB8 + (r & 7)));
    put64(e, v);
}

/* mov dst, src (64-bit). */
static void mov_rr(struct emit *e, int dst, int src)
{
    rex(e, 1, src, -1, dst);
    put(e, 0x89), put(e, (uint8_t)(0xC0 | (src & 7) << 3 | (dst & 7)));
}

/* <op> r, imm (64-bit, sign-extended; imm8 form when it fits): group 1
 * (81 /ext, 83 /ext): 0 add, 4 and, 7 cmp. */
static void alu_imm(struct emit *e, int ext, int r, int32_t imm)
{
    rex(e, 1, -1, -1, r);
    int short_form = imm >= -128 && imm <= 127;
    put(e, short_form ? 0x83 : 0x81), put(e, (uint8_t)(0xC0 | ext << 3 | (r & 7)));
    if (short_form)
        put(e, (uint8_t)(int8_t)imm);
    else
        put32(e, (uint32_t)imm);
}

/* Flags into ah (and OF into al), rax saved first; and back.  Around code
 * that changes flags the program may still read. */
static void flags_save(struct emit *e)
{
    gs_store(e, SV_RAX, 0);
    put(e, 0x9F);                             /* lahf */
    put(e, 0x0F), put(e, 0x90), put(e, 0xC0); /* seto al */
}
static void flags_restore(struct emit *e)
{
    put(e, 0x04), put(e, 0x7F); /* add al, 0x7f: OF back */
    put(e, 0x9E);               /* sahf */
    gs_load(e, 0, SV_RAX);
}

/* jmp/jcc rel32 whose rel32 is 4-byte aligned (patched atomically later).
 * Returns the program address of the rel32. */
static uint64_t jump32(struct emit *e, int cc)
{
    unsigned oplen = cc < 0 ? 1 : 2;
    while ((e->pc + oplen) % 4)
        put(e, 0x90);
    if (cc < 0)
        put(e, 0xE9);
    else
        put(e, 0x0F), put(e, (uint8_t)(0x80 | cc));
    uint64_t at = e->pc;
    put32(e, 0);
    return at;
}

static void set_rel32(uint8_t *at, uint64_t at_tr, uint64_t dest)
{
    int32_t rel = (int32_t)(int64_t)(dest - (at_tr + 4));
    __atomic_store_n((uint32_t *)at, (uint32_t)rel, __ATOMIC_RELEASE);
}

/* --------------------------------------------------------------- translation */

static int hw(unsigned dec_reg) { return (int)dec_reg - 1; }

static int fits32(int64_t v) { return v >= INT32_MIN && v <= INT32_MAX; }

/* Can the access recipe be computed with one lea (plus the fs base slot)? */
static int recipe_ok(const struct dec_addr *m)
{
    if (m->vsib || m->masked || m->idx_al || m->rfbm || m->seg == DEC_SEG_GS)
        return 0;
    if (m->seg == DEC_SEG_FS && ((m->base && m->index) || m->addr32 || m->base == DEC_RIP))
        return 0;
    return fits32(m->disp) || m->base == DEC_RIP;
}

/* The opcode byte after prefixes and REX. */
static size_t opcode_at(const uint8_t *b, size_t len)
{
    size_t i = 0;
    while (i < len && (b[i] == 0x66 || b[i] == 0x67 || b[i] == 0xF2 || b[i] == 0xF3 ||
                       b[i] == 0x2E || b[i] == 0x3E || b[i] == 0x26 || b[i] == 0x36 ||
                       b[i] == 0x64 || b[i] == 0x65 || b[i] == 0xF0))
        i++;
    if (i < len && (b[i] & 0xF0) == 0x40)
        i++;
    return i;
}

/* The condition code of conditional branch x (not loop or jrcxz), or -1. */
static int jcc_cc(const struct cons_insn *x)
{
    size_t op = opcode_at(x->bytes, x->dec.len);
    if (x->dec.flow != DEC_FLOW_JCC || op >= x->dec.len)
        return -1;
    uint8_t o = x->bytes[op];
    if (o >= 0xE0 && o <= 0xE3)
        return -1;
    return (o == 0x0F ? x->bytes[op + 1] : o) & 0xF;
}

/* Instructions that touch the gs or fs base directly (rd/wr fs/gs base). */
static int touches_seg_base(const uint8_t *b, size_t len)
{
    size_t i = opcode_at(b, len);
    return i + 2 < len && b[i] == 0x0F && b[i + 1] == 0xAE && (b[i + 2] >> 6) == 3 &&
           ((b[i + 2] >> 3) & 7) <= 3 && b[0] == 0xF3;
}

int dbt_sets_gs(const struct cons_insn *in, const struct user_regs_struct *u)
{
    const uint8_t *b = in->bytes;
    size_t i = opcode_at(b, in->dec.len);
    if (touches_seg_base(b, in->dec.len) && ((b[i + 2] >> 3) & 7) == 3)
        return 1; /* wrgsbase */
    return in->dec.flow == DEC_FLOW_SYSCALL && u->rax == SYS_arch_prctl && u->rdi == 0x1001;
}

/* Can in be translated (rep: as a block of its own, first=1)? */
static int translatable(const struct cons_insn *in, int first)
{
    const struct dec_insn *d = &in->dec;
    if ((in->verify && d->rep) || !d->copyable || d->special || (d->rep && !first) ||
        d->needs_vregs || d->len > 15)
        return 0;
    switch (d->flow) {
    case DEC_FLOW_NONE: case DEC_FLOW_JMP: case DEC_FLOW_JCC: case DEC_FLOW_CALL:
    case DEC_FLOW_JMP_IND: case DEC_FLOW_CALL_IND: case DEC_FLOW_RET:
        break;
    default:
        return 0;
    }
    if (touches_seg_base(in->bytes, d->len))
        return 0;
    size_t op = opcode_at(in->bytes, d->len);
    uint8_t o = in->bytes[op];
    if (d->flow == DEC_FLOW_RET && o != 0xC3 && o != 0xC2)
        return 0;
    if ((d->flow == DEC_FLOW_JMP_IND || d->flow == DEC_FLOW_CALL_IND) &&
        (o != 0xFF || op + 1 >= d->len))
        return 0;
    for (unsigned i = 0; i < d->n_acc; i++)
        if (!recipe_ok(&d->acc[i].addr))
            return 0;
    return 1;
}

/* Where a chunk of `size` bytes whose middle is within reach of addr fits in
 * a gap of process pid's address space, the nearest such place; 0 if none.
 * Not within 64 MiB below the stack, which grows down into it. */
static uint64_t chunk_gap(pid_t pid, uint64_t addr, uint64_t reach, uint64_t size)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return 0;
    uint64_t prev = 1ull << 20, best = 0, best_dist = reach;
    const uint64_t top = 0x7FFFFFFFF000ull, want = addr - size / 2;
    for (int last = 0; !last;) {
        unsigned long long a, b;
        if (!fgets(line, sizeof line, f) || sscanf(line, "%llx-%llx", &a, &b) != 2)
            a = b = top, last = 1;
        if (a >= top) /* [vsyscall], above user space */
            a = b = top, last = 1;
        if (strstr(line, "[stack]") && a > (64ull << 20))
            a -= 64ull << 20;
        if (a > prev && a - prev >= size + (2ull << 20)) {
            uint64_t lo = (prev + 0xFFFFF) & ~0xFFFFFull, hi = (a - size) & ~0xFFFFFull;
            uint64_t base = want < lo ? lo : want > hi ? hi : want & ~0xFFFFFull;
            uint64_t mid = base + size / 2, dist = addr > mid ? addr - mid : mid - addr;
            if (lo <= hi && dist < best_dist)
                best = base, best_dist = dist;
        }
        if (b > prev)
            prev = b;
    }
    fclose(f);
    return best;
}

/* Can chunk c's code reach [lo, hi] with a RIP-relative disp32? */
static int chunk_reaches(const struct chunk *c, uint64_t lo, uint64_t hi)
{
    return fits32((int64_t)(lo - (c->base + c->size))) && fits32((int64_t)(hi - c->base));
}

/* Maps the next chunk, of `size` bytes, at hint through thread tid, if it
 * lands with its middle within reach of addr. */
static struct chunk *chunk_map(struct dbt *d, pid_t tid, uint64_t addr, uint64_t reach,
                               uint64_t hint, uint64_t size)
{
    struct chunk *c = &d->chunk[d->n_chunks];
    uint64_t off = CHUNK_OFF + d->n_chunks * CHUNK_BYTES;
    uint64_t a = map_in(d, tid, gadget_tr(d), path_tr(d), hint, size, PROT_READ | PROT_EXEC, off);
    if (!a)
        return NULL;
    uint64_t mid = a + size / 2;
    if ((addr > mid ? addr - mid : mid - addr) >= reach) {
        inject(tid, gadget_tr(d), SYS_munmap, a, size, 0, 0, 0, 0);
        return NULL;
    }
    c->base = a;
    c->mem = d->mem + off;
    c->used = 0;
    c->ahead = 0;
    c->size = size;
    d->n_chunks++;
    chunk_ahead(c);
    return c;
}

/* A chunk of code memory within reach (+-1 GiB) of addr, mapping a new one if
 * needed through thread tid; NULL if none can be had. */
static struct chunk *chunk_for(struct dbt *d, pid_t tid, uint64_t addr)
{
    const uint64_t reach = 1ull << 30;
    for (unsigned i = 0; i < d->n_chunks; i++) {
        struct chunk *c = &d->chunk[i];
        uint64_t mid = c->base + c->size / 2;
        if ((addr > mid ? addr - mid : mid - addr) < reach && c->used + 65536 < c->size)
            return c;
    }
    if (d->failed_chunk || d->n_chunks == CHUNK_MAX)
        return NULL;
    /* Below the code if there is room (the heap grows up from a program's end),
     * else above it, beyond what the heap is likely to reach; else the nearest
     * gap within reach, for a whole chunk or, where none fits, a quarter or a
     * sixteenth of one (HotSpot fills the top of the address space: its first
     * chunk full, the hints were past the end of user space, and everything
     * translated after was stepped instead). */
    uint64_t hints[3], lo = addr & ~0xFFFFFull;
    int nh = 0;
    if (lo > (3ull << 28) + CHUNK_BYTES)
        hints[nh++] = lo - (3ull << 28);
    hints[nh++] = lo + (3ull << 28);
    hints[nh++] = lo + (1ull << 28);
    struct chunk *c = NULL;
    for (int i = 0; i < nh && !c; i++)
        c = chunk_map(d, tid, addr, reach, hints[i], CHUNK_BYTES);
    for (uint64_t size = CHUNK_BYTES; size >= CHUNK_BYTES / 16 && !c; size /= 4) {
        uint64_t gap = chunk_gap(d->t->pid, addr, reach - (1ull << 20), size);
        if (gap)
            c = chunk_map(d, tid, addr, reach, gap, size);
    }
    d->failed_chunk = !c;
    return c;
}

struct tblock {
    const struct cons_insn *in[BLOCK_MAX_INSNS];
    unsigned n, n_acc, n_fix;
    uint32_t used; /* gprs of all of them */
    int verify;    /* one of them is in writable memory (emit_verify) */
};

static const uint8_t scratch_order[] = {DEC_R11, DEC_R10, DEC_R9, DEC_R8, DEC_RDI, DEC_RSI,
                                        DEC_RDX, DEC_RBX, DEC_RBP, DEC_R12, DEC_R13, DEC_R14,
                                        DEC_R15};

/* n scratch registers (hardware numbers) the instructions in `used` leave alone. */
static int pick_scratch(uint32_t used, int *r, unsigned n)
{
    unsigned got = 0;
    for (size_t i = 0; i < sizeof scratch_order && got < n; i++)
        if (!(used & DEC_FX_GPR(scratch_order[i])))
            r[got++] = hw(scratch_order[i]);
    return got == n;
}

/* Does the RIP-relative displacement of in still reach from anywhere in c? */
static int rip_reaches(const struct cons_insn *in, const struct chunk *c)
{
    if (!in->dec.rip_disp)
        return 1;
    int32_t disp;
    memcpy(&disp, in->bytes + in->dec.rip_disp, 4);
    uint64_t target = in->addr + in->dec.len + (uint64_t)(int64_t)disp;
    return chunk_reaches(c, target, target);
}

/* The effective address of access a of in, into register rt. */
static void emit_ea(struct emit *e, const struct cons_insn *in, const struct dec_addr *m, int rt)
{
    if (m->base == DEC_RIP) {
        mov_imm64(e, rt, in->addr + in->dec.len + (uint64_t)m->disp);
        return;
    }
    int base = m->base ? hw(m->base) : -1, index = m->index ? hw(m->index) : -1;
    int scale = m->scale ? m->scale : 1;
    if (m->seg == DEC_SEG_FS) {
        gs_load(e, rt, FSBASE);
        if (base == 4) /* rsp cannot be an index */
            op_mem(e, 1, 0x8D, rt, base, rt, 1, (int32_t)m->disp);
        else if (base >= 0)
            op_mem(e, 1, 0x8D, rt, rt, base, 1, (int32_t)m->disp);
        else if (index >= 0)
            op_mem(e, 1, 0x8D, rt, rt, index, scale, (int32_t)m->disp);
        else
            op_mem(e, 1, 0x8D, rt, rt, -1, 1, (int32_t)m->disp);
        return;
    }
    /* 32-bit address size: the 32-bit lea wraps the sum the same way. */
    op_mem(e, m->addr32 ? 0 : 1, 0x8D, rt, base, index, scale, (int32_t)m->disp);
}

/* Copies in with its RIP-relative displacement adjusted for its new place. */
static void emit_copy(struct emit *e, const struct cons_insn *in)
{
    uint8_t *at = e->p;
    uint64_t pc = e->pc;
    memcpy(at, in->bytes, in->dec.len);
    e->p += in->dec.len, e->pc += in->dec.len;
    if (in->dec.rip_disp) {
        int32_t disp;
        memcpy(&disp, in->bytes + in->dec.rip_disp, 4);
        uint64_t target = in->addr + in->dec.len + (uint64_t)(int64_t)disp;
        int32_t nd = (int32_t)(int64_t)(target - (pc + in->dec.len));
        memcpy(at + in->dec.rip_disp, &nd, 4);
    }
}

/* `mov rcx, <the operand of jmp/call FF /2, /4>`: same ModRM/SIB/disp, opcode
 * 8B with reg = rcx, REX.W (keeping X and B), same segment and 0x67 prefixes. */
static void emit_load_target(struct emit *e, const struct cons_insn *in)
{
    const uint8_t *b = in->bytes;
    size_t len = in->dec.len, op = opcode_at(b, len), i;
    uint8_t rexb = 0;
    for (i = 0; i < op; i++) {
        if ((b[i] & 0xF0) == 0x40)
            rexb = b[i];
        else if (b[i] == 0x64 || b[i] == 0x65 || b[i] == 0x67)
            put(e, b[i]);
    }
    put(e, (uint8_t)(0x48 | (rexb & 3)));
    put(e, 0x8B);
    uint8_t modrm = b[op + 1];
    put(e, (uint8_t)((modrm & 0xC7) | (1 << 3)));
    size_t rest = len - (op + 2);
    uint8_t *at = e->p;
    uint64_t end_pc = e->pc + rest;
    memcpy(at, b + op + 2, rest);
    e->p += rest, e->pc += rest;
    if (in->dec.rip_disp) {
        int32_t disp;
        memcpy(&disp, b + in->dec.rip_disp, 4);
        uint64_t target = in->addr + len + (uint64_t)(int64_t)disp;
        int32_t nd = (int32_t)(int64_t)(target - end_pc);
        memcpy(at + (in->dec.rip_disp - (op + 2)), &nd, 4);
    }
}

/* Writes the original return address below rsp and moves rsp (a call). */
static void emit_push_ret(struct emit *e, uint64_t ret)
{
    /* mov dword [rsp-8], lo; mov dword [rsp-4], hi; lea rsp, [rsp-8] */
    put(e, 0xC7), put(e, 0x44), put(e, 0x24), put(e, 0xF8), put32(e, (uint32_t)ret);
    put(e, 0xC7), put(e, 0x44), put(e, 0x24), put(e, 0xFC), put32(e, (uint32_t)(ret >> 32));
    put(e, 0x48), put(e, 0x8D), put(e, 0x64), put(e, 0x24), put(e, 0xF8);
}

/* Filtering mode: S, T and U (if used) into their slots, S := the buffer
 * pointer. */
static void emit_scratch_save(struct emit *e, const struct dbt_block *b)
{
    gs_store(e, SV_S, b->rs);
    gs_store(e, SV_T, b->rt);
    if (b->has_u)
        gs_store(e, SV_U, b->ru);
    gs_load(e, b->rs, BUFPTR);
}

/* Filtering mode: the buffer pointer (S) into its slot, S, T and U (if
 * used) back; emit_scratch_save's counterpart. */
static void emit_scratch_restore(struct emit *e, const struct dbt_block *b)
{
    gs_store(e, BUFPTR, b->rs);
    if (b->has_u)
        gs_load(e, b->ru, SV_U);
    gs_load(e, b->rt, SV_T);
    gs_load(e, b->rs, SV_S);
}

/* Block end: its record committed, the scratch registers back. */
static void emit_epilogue(struct emit *e, const struct dbt *d, const struct dbt_block *b)
{
    if ((b->quiet && !d->filt) || b->bare)
        return; /* it has neither */
    if (d->filt) {
        emit_scratch_restore(e, b);
        return;
    }
    op_mem(e, 1, 0x8D, b->rs, b->rs, -1, 1, (int32_t)(8 + 8 * b->n_rec));
    gs_store(e, BUFPTR, b->rs);
    if (b->n_rec)
        gs_load(e, b->rt, SV_T);
    gs_load(e, b->rs, SV_S);
}

/* A register holding the address of b's id or start word, at its end:
 * rs in count-only mode; in filtering mode the sites moved rs on, and the
 * start word is where the buffer pointer still points (rt is free by then). */
static int id_word(struct emit *e, const struct dbt *d, const struct dbt_block *b)
{
    if (!d->filt)
        return b->rs;
    gs_load(e, b->rt, BUFPTR);
    return b->rt;
}

/* Byte 4 of the record's id or start word (CONS_REC_DIR_BYTE) := whether
 * the branch with condition cc is taken (`set<cc> byte [r + 4]`; the flags
 * stay). */
static void emit_setcc_rec(struct emit *e, const struct dbt *d, const struct dbt_block *b, int cc)
{
    int r = id_word(e, d, b);
    rex(e, 0, -1, -1, r);
    put(e, 0x0F), put(e, (uint8_t)(0x90 | cc));
    modrm_mem(e, 0, r, -1, 1, CONS_REC_DIR_BYTE);
}

/* The same for a loop or jrcxz, on one side of it: `mov byte [r + 4], taken`. */
static void emit_dir_rec(struct emit *e, const struct dbt *d, const struct dbt_block *b, int taken)
{
    int r = id_word(e, d, b);
    op_mem(e, 0, 0xC6, 0, r, -1, 1, CONS_REC_DIR_BYTE);
    put(e, (uint8_t)taken);
}

/* Flags, rax and rcx back from the slots the indirect-branch dispatch keeps
 * them in (restore_dispatch reads the same slots at a stop). */
static void dispatch_restore(struct emit *e)
{
    gs_load(e, 0, SV_FLAGS);
    flags_restore(e);
    gs_load(e, 1, SV_RCX);
}

/* Compares the 8-byte-aligned quadword at program address q with v in
 * register r (rax or rcx): r = 0 iff its bytes from the l-th up to but not
 * including the (8 - t)-th equal v's (the others are v's zeros and whatever
 * memory holds, shifted out).  RIP-relative: q is within reach (verify_reaches). */
static void emit_verify_quad(struct emit *e, int r, uint64_t q, uint64_t v, unsigned l, unsigned t)
{
    mov_imm64(e, r, v);
    put(e, 0x48), put(e, 0x33), put(e, (uint8_t)(0x05 | r << 3)); /* xor r, [rip+d] */
    put32(e, (uint32_t)(q - (e->pc + 4)));  /* from the end of this instruction */
    if (t)
        put(e, 0x48), put(e, 0xC1), put(e, (uint8_t)(0xE0 | r)), put(e, (uint8_t)(8 * t)); /* shl */
    if (l + t)
        put(e, 0x48), put(e, 0xC1), put(e, (uint8_t)(0xE8 | r)), put(e, (uint8_t)(8 * (l + t))); /* shr */
}

/* Code in writable memory (a JIT's) may be rewritten at any time, the way no
 * system call tells: block b, of n instructions, starts by comparing the
 * bytes it was translated from with memory, before it does anything else,
 * and goes to its stale stub (b->stale, the registers as the indirect-branch
 * dispatch saves them: restore_dispatch) if any differ.  Valgrind checks such
 * code the same way (--smc-check=all-non-file); a block that rewrites its own
 * later instructions is not caught, there or here.  The loads are aligned
 * quadwords: a program may have set the flags' alignment check (HotSpot does,
 * to tell a 486 from a 386, around code in its own code cache), and an
 * unaligned load of ours there raised SIGBUS.  An aligned quadword never
 * crosses a page, so no load touches a page the block is not on. */
static unsigned emit_verify(struct emit *e, struct dbt_block *b, const struct cons_insn *const *in,
                            unsigned n)
{
    uint8_t bytes[BLOCK_MAX_INSNS * 15];
    size_t len = 0;
    for (unsigned k = 0; k < n; k++)
        memcpy(bytes + len, in[k]->bytes, in[k]->dec.len), len += in[k]->dec.len;
    flags_save(e);
    gs_store(e, SV_FLAGS, 0);
    gs_store(e, SV_RCX, 1);
    b->vsave = (uint16_t)(e->pc - b->entry);
    uint64_t lo = b->orig & ~7ull, end = b->orig + len;
    for (uint64_t q = lo; q < end; q += 8) {
        unsigned l = q < b->orig ? (unsigned)(b->orig - q) : 0;
        unsigned t = q + 8 > end ? (unsigned)(q + 8 - end) : 0;
        uint8_t v[8] = {0};
        memcpy(v + l, bytes + (q + l - b->orig), 8 - l - t);
        uint64_t vq;
        memcpy(&vq, v, 8);
        emit_verify_quad(e, q == lo ? 0 : 1, q, vq, l, t);
        if (q != lo)
            put(e, 0x48), put(e, 0x09), put(e, 0xC8); /* or rax, rcx */
    }
    uint64_t stale = jump32(e, 0x5);          /* jnz: changed */
    dispatch_restore(e);
    b->vlen = (uint16_t)(e->pc - b->entry);
    return (unsigned)(stale - b->entry);
}

/* Can emit_verify's quadwords for the code at [start, end) be read from chunk c? */
static int verify_reaches(const struct chunk *c, uint64_t start, uint64_t end)
{
    return chunk_reaches(c, start & ~7ull, ((end + 7) & ~7ull) - 1);
}

/* Inline lookup of the target in rcx (rax, rcx saved in slots); a hit jumps
 * to the translation; a miss takes the jne whose rel32 goes in *miss_jcc. */
static void emit_dispatch(struct emit *e, uint64_t *miss_jcc, int held)
{
    if (!held) { /* (held: ax has them, rax is in its slot: flag_runs) */
        put(e, 0x9F);                             /* lahf */
        put(e, 0x0F), put(e, 0x90), put(e, 0xC0); /* seto al */
    }
    gs_store(e, SV_FLAGS, 0);
    put(e, 0x48), put(e, 0x89), put(e, 0xC8);       /* mov rax, rcx */
    put(e, 0x48), put(e, 0xC1), put(e, 0xE8), put(e, 12); /* shr rax, 12 */
    put(e, 0x31), put(e, 0xC8);                     /* xor eax, ecx */
    put(e, 0x25), put32(e, HT_N - 1);               /* and eax, HT_N-1 */
    put(e, 0xC1), put(e, 0xE0), put(e, 4);          /* shl eax, 4 */
    put(e, 0x65), op_mem(e, 1, 0x03, 0, -1, -1, 1, HTBASE); /* add rax, gs:[HTBASE] */
    put(e, 0x48), put(e, 0x3B), put(e, 0x08);       /* cmp rcx, [rax] */
    *miss_jcc = jump32(e, 0x5);                     /* jne miss */
    put(e, 0x48), put(e, 0x8B), put(e, 0x40), put(e, 0x08); /* mov rax, [rax+8] */
    gs_store(e, JMP_TGT, 0);
    dispatch_restore(e);
    put(e, 0x65), op_mem(e, 0, 0xFF, 4, -1, -1, 1, JMP_TGT); /* jmp gs:[JMP_TGT] */
}

static void chunk_add_block(struct chunk *c, struct dbt_block *b)
{
    if (c->n_blocks == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->blocks = xrealloc(c->blocks, c->cap * sizeof *c->blocks);
    }
    c->blocks[c->n_blocks++] = b;
    b->chunk = c;
}

/* orig's entry of the program's indirect-branch table: its key, then where to go. */
static uint64_t *ht_slot(struct dbt *d, uint64_t orig)
{
    return (uint64_t *)(d->mem + HT_OFF) + 2 * hash_of(orig);
}

static void ht_insert(struct dbt *d, uint64_t orig, uint64_t entry)
{
    uint64_t *ht = ht_slot(d, orig);
    __atomic_store_n(&ht[0], 0, __ATOMIC_RELEASE);
    __atomic_store_n(&ht[1], entry, __ATOMIC_RELEASE);
    __atomic_store_n(&ht[0], orig, __ATOMIC_RELEASE);
}

static struct dbt_block *lookup(struct dbt *d, uint64_t orig)
{
    for (struct dbt_block *b = d->hash[hash_of(orig)]; b; b = b->hnext)
        if (b->orig == orig)
            return b;
    return NULL;
}

/* A zeroed block for n instructions, its arrays sized to n (a block is kept
 * for the life of the process: thousands of them). */
static struct dbt_block *block_alloc(unsigned n)
{
    size_t head = sizeof(struct dbt_block) + n * sizeof(const struct cons_insn *);
    struct dbt_block *b = xcalloc(1, head + 2 * n * sizeof(uint16_t));
    b->bound = (uint16_t *)((char *)b + head);
    b->copy = b->bound + n;
    return b;
}

/* Room for two more blocks (translate's check, before it makes any). */
static void add_block(struct dbt *d, struct dbt_block *b)
{
    b->id = (uint32_t)d->n_blocks;
    d->byid[d->n_blocks++] = b;
}

/* Block b is complete: its counting plan and its dense record info. */
static void finish_block(struct dbt *d, struct dbt_block *b)
{
    if (!b->seq)
        b->seq = cons_seq_new(d->t->cons, b->insn, b->n, !b->noacc);
    d->info[b->id] = (struct rec_info){b->seq, b->n_rec, b->n_fix == 0, b->dir};
    d->seqs[b->id] = b->seq;
}

/* `mov qword [rs], id; lea rs, [rs + size]; mov gs:[BUFPTR], rs`: one
 * committed record without addresses. */
static void emit_id_record(struct emit *e, int rs, uint32_t id)
{
    op_mem(e, 1, 0xC7, 0, rs, -1, 1, 0), put32(e, id);
    op_mem(e, 1, 0x8D, rs, rs, -1, 1, 8);
    gs_store(e, BUFPTR, rs);
}

static void emit_filt_sites(struct emit *e, const struct dbt *d, const struct dbt_block *b,
                            int dead);

/* Filtering mode: [S] = the start of an execution of b; S += 8. */
static void emit_start_record(struct emit *e, const struct dbt_block *b)
{
    op_mem(e, 1, 0xC7, 0, b->rs, -1, 1, 0), put32(e, (uint32_t)CONS_REC_START(b->id));
    op_mem(e, 1, 0x8D, b->rs, b->rs, -1, 1, 8);
}

/* The committed record of one execution of the one-instruction block b,
 * without data addresses (a rep check) in either mode. */
static void emit_check_record(struct emit *e, const struct dbt *d, const struct dbt_block *b)
{
    if (!d->filt) {
        emit_id_record(e, b->rs, b->id);
        return;
    }
    emit_start_record(e, b);
    emit_filt_sites(e, d, b, 0);
    gs_store(e, BUFPTR, b->rs);
}

/* ------------------------------------------------ filtering mode: the sites */

static void put16(struct emit *e, uint16_t v) { put(e, (uint8_t)v), put(e, (uint8_t)(v >> 8)); }

/* Points the rel32 at program address `at` (emitted through e) here. */
static void patch_here(struct emit *e, uint64_t at)
{
    int32_t rel = (int32_t)(int64_t)(e->pc - (at + 4));
    memcpy(e->p - (e->pc - at), &rel, 4);
}

/* A jump, when condition cc holds, to a cold path that cold_path writes
 * later; returns its number.  (Not aligned like jump32's: it is never
 * patched once the program may run it.) */
static unsigned cold_jump(struct emit *e, int cc)
{
    struct cold *k = e->cold;
    put(e, 0x0F), put(e, (uint8_t)(0x80 | cc));
    k->to_cold[k->n_to_cold].at = e->pc, k->to_cold[k->n_to_cold].to = 0;
    put32(e, 0);
    return k->n_to_cold++;
}

/* What is emitted from here until cold_end is cold path n, which then
 * returns to the hot code where it is now. */
static void cold_path(struct emit *e, unsigned n)
{
    struct cold *k = e->cold;
    k->to_cold[n].to = k->n;
    k->hot_p = e->p, k->hot_pc = e->pc;
    e->p = k->buf + k->n, e->pc = COLD_VBASE + k->n;
}

/* Cold jump `also` (from cold_jump) goes to cold path n, begun already. */
static void cold_also(struct emit *e, unsigned also, unsigned n)
{
    e->cold->to_cold[also].to = e->cold->to_cold[n].to;
}

static void cold_end(struct emit *e)
{
    struct cold *k = e->cold;
    put(e, 0xE9);
    k->to_hot[k->n_to_hot].at = e->pc - COLD_VBASE, k->to_hot[k->n_to_hot++].to = k->hot_pc;
    put32(e, 0);
    k->n = (size_t)(e->pc - COLD_VBASE);
    e->p = k->hot_p, e->pc = k->hot_pc;
}

/* Puts the block's cold paths here (after its stubs) and links them. */
static void cold_place(struct emit *e)
{
    struct cold *k = e->cold;
    uint64_t base = e->pc;
    uint8_t *mem = e->p;
    memcpy(mem, k->buf, k->n);
    e->p += k->n, e->pc += k->n;
    for (unsigned i = 0; i < k->n_to_cold; i++) {
        int32_t rel = (int32_t)(int64_t)(base + k->to_cold[i].to - (k->to_cold[i].at + 4));
        memcpy(mem - (base - k->to_cold[i].at), &rel, 4);
    }
    for (unsigned i = 0; i < k->n_to_hot; i++) {
        int32_t rel = (int32_t)(int64_t)(k->to_hot[i].to - (base + k->to_hot[i].at + 4));
        memcpy(mem + k->to_hot[i].at, &rel, 4);
    }
    k->n = k->n_to_cold = k->n_to_hot = 0;
}

/* Does every execution of the n instructions end the VEX superblock it is
 * in, none before the last, and without an &&-idiom?  Then its counts do
 * not depend on where that superblock began, and the next one starts
 * afresh (cons_seq_add). */
static int ends_superblock(const struct cons_insn *const *in, unsigned n)
{
    for (unsigned k = 0; k + 1 < n; k++)
        if (in[k]->vexend != VEX_END_NONE)
            return 0;
    const struct cons_insn *last = in[n - 1];
    return last->vexend == VEX_END_OTHER || (last->vexend == VEX_END_COND && !last->aa_n);
}

/* Where VEX goes on after a block that does not end every superblock (its
 * fall-through, or the target of its direct jump or call, which VEX chases):
 * if the code from there reaches an end of every superblock (a conditional
 * branch without an &&-idiom, a return, an indirect jump, ...) before any
 * &&-idiom, where that superblock began changes no count along the way, and
 * the block needs no start record: it can count itself like one that ends a
 * superblock.  zlib's stream had 5.6 M starts of blocks that fall through and
 * 5.3 M of blocks ending in a direct jump, of 12.3 M.  Not for code in
 * writable memory (what follows may be rewritten) and not past
 * CHAIN_SCAN_INSNS instructions. */
#define CHAIN_SCAN_INSNS VEX_MAX_INSNS
static int chain_scan(struct dbt *d, uint64_t addr)
{
    struct session_flow f;
    if (!session_flow(d->s, d->t, addr, &f))
        return 0;
    for (unsigned i = 0; i < CHAIN_SCAN_INSNS; i++) {
        if (f.writable)
            return 0;
        switch (f.vexend) {
        case VEX_END_NONE:
        case VEX_END_UNCOND:
            break;
        case VEX_END_COND:
            return !f.aa_n;
        default:
            return 1;
        }
        if (!session_flow(d->s, d->t, f.next, &f))
            return 0;
    }
    return 0;
}

static int chain_ends_clean(struct dbt *d, const struct cons_insn *const *in, unsigned n)
{
    for (unsigned k = 0; k + 1 < n; k++)
        if (in[k]->vexend != VEX_END_NONE || in[k]->verify)
            return 0;
    /* The scan from the block's last instruction on depends on that address
     * alone (and on the code, whose every change clears the memo:
     * dbt_invalidate); 60% of the scans of zlib's start were of an address
     * scanned before (units, blocks ahead, the blocks after a unit's parts). */
    uint64_t a = in[n - 1]->addr;
    struct chain_memo *m = &d->chain_memo[(a * 0x9e3779b97f4a7c15ull) >> (64 - CHAIN_MEMO_BITS)];
    if (m->addr != a + 1) {
        m->clean = (uint8_t)chain_scan(d, a);
        m->addr = a + 1;
    }
    return m->clean;
}

/* Where the scan below stops reading ahead: instructions, direct transfers. */
#define FLAGS_SCAN_INSNS 24
#define FLAGS_SCAN_HOPS 4

/* flags_dead_each's scan past instruction x, the last of a block. */
static int flags_dead_after(struct dbt *d, const struct cons_insn *x)
{
    unsigned budget = FLAGS_SCAN_INSNS, hops = 0;
    while (x && budget--) {
        uint64_t next;
        if (x->dec.flow == DEC_FLOW_NONE)
            next = x->addr + x->dec.len;
        else if ((x->dec.flow == DEC_FLOW_JMP || x->dec.flow == DEC_FLOW_CALL) &&
                 hops++ < FLAGS_SCAN_HOPS)
            next = x->dec.target;
        else
            return 0;
        struct diag_err e;
        x = session_insn(d->s, d->t, next, &e);
        if (!x || x->verify || x->dec.special || x->dec.rep || x->dec.flags_read)
            return 0;
        if (x->dec.flags_set)
            return 1;
    }
    return 0;
}

/* For each k < n, into dead[k]: may code before instruction k of a block
 * of n change the flags?  Only if an instruction sets all six before any
 * reads them: in the block, then on along its one successor when it falls
 * through or ends in a direct jump or call (decoded ahead; code that can
 * change is never read through, and code that does change is never run from
 * old translations).  A conditional branch reads them, and after an
 * indirect one or a ret the next code is unknown.  One scan past the block
 * serves every k. */
static void flags_dead_each(struct dbt *d, const struct cons_insn *const *in, unsigned n,
                            uint8_t *dead)
{
    int after = flags_dead_after(d, in[n - 1]);
    for (unsigned k = n; k-- > 0;) {
        after = in[k]->dec.flags_read ? 0 : in[k]->dec.flags_set ? 1 : after;
        dead[k] = (uint8_t)after;
    }
}

static int32_t filt_i(const struct dbt *d, uint64_t a)
{
    return (int32_t)(FILT_OFF + 8 * ((a >> d->i_shift) & (d->i_sets - 1)));
}

/* Does instruction l end on the I1 line of address a (what a fetch there
 * finds most recently used when nothing fetched in between)? */
static int ends_on_line(const struct dbt *d, const struct cons_insn *l, uint64_t a)
{
    return (l->addr + l->dec.len - 1) >> d->i_shift == a >> d->i_shift;
}

/* The first and last I1 lines fetch site st touches (the same line unless
 * its instruction straddles two). */
static void fetch_lines(const struct dbt *d, const struct cons_site *st, uint64_t *l1,
                        uint64_t *l2)
{
    uint64_t mask = ~((1ull << d->i_shift) - 1);
    *l1 = st->addr & mask;
    *l2 = (st->addr + st->size - 1) & mask;
}

/* The same for D1 (its entries follow I1's). */
static int32_t filt_d(const struct dbt *d, uint64_t a)
{
    return (int32_t)(FILT_OFF + 8 * (d->i_sets + ((a >> d->d_shift) & (d->d_sets - 1))));
}

/* Does the filter entry at gs:[o] hold line (known when translating)?  rt
 * := line, then a jne to a cold path, whose jump is returned (cold_path). */
static unsigned emit_line_test(struct emit *e, int rt, uint64_t line, int32_t o)
{
    mov_imm64(e, rt, line);
    put(e, 0x65), op_mem(e, 1, 0x39, rt, -1, -1, 1, o); /* cmp gs:[o], rt */
    return cold_jump(e, 0x5);                           /* jne */
}

/* ru = offset of the D1 filter entry of the address in rt (its set * 8).
 * With BMI2 the shift is a rotation into ru (rorx: one instruction, not a
 * mov and a shr; the bits rotated in from below are masked off), which is
 * one instruction of the 6-15 of every data check. */
static void emit_filt_set(struct emit *e, const struct dbt *d, int ru, int rt)
{
    uint8_t n = (uint8_t)(d->d_shift - 3);
    if (d->bmi2) { /* VEX.LZ.F2.0F3A.W1 F0 /r ib: rorx ru, rt, n */
        put(e, 0xC4), put(e, (uint8_t)((ru < 8) << 7 | 1 << 6 | (rt < 8) << 5 | 3));
        put(e, 0xFB), put(e, 0xF0), put(e, (uint8_t)(0xC0 | (ru & 7) << 3 | (rt & 7))), put(e, n);
    } else {
        mov_rr(e, ru, rt);
        rex(e, 1, -1, -1, ru);
        put(e, 0xC1), put(e, (uint8_t)(0xE8 | (ru & 7))), put(e, n); /* shr */
    }
    alu_imm(e, 4, ru, (int32_t)((d->d_sets - 1) << 3));
}

/* The D1 filter entry of the address in rt := its line (rt becomes the line). */
static void emit_filt_store(struct emit *e, const struct dbt *d, int ru, int rt)
{
    emit_filt_set(e, d, ru, rt);
    alu_imm(e, 4, rt, -(int32_t)(1u << d->d_shift));
    put(e, 0x65), op_mem(e, 1, 0x89, rt, ru, -1, 1, (int32_t)(FILT_OFF + 8 * d->i_sets));
}

/* A bt-family bit-offset register into ru, as dec_bit_offset takes it (the
 * rest of that recipe follows once the flags may change). */
static void emit_bitreg_load(struct emit *e, const struct dec_addr *m, int ru)
{
    int r = hw(m->bitreg);
    if (m->bitmask || m->bitsize == 8) {
        mov_rr(e, ru, r);
    } else {
        rex(e, 1, ru, -1, r);
        if (m->bitsize == 4)
            put(e, 0x63); /* movsxd */
        else
            put(e, 0x0F), put(e, 0xBF); /* movsx r64, r16 */
        put(e, (uint8_t)(0xC0 | (ru & 7) << 3 | (r & 7)));
    }
}

/* Where a recorded site's word goes, at [rs + the result]: a quiet block
 * (one that counts its executions itself) first writes its context word. */
static int32_t emit_site_ctx(struct emit *e, const struct dbt_block *b)
{
    if (!b->quiet)
        return 0;
    op_mem(e, 1, 0xC7, 0, b->rs, -1, 1, 0), put32(e, (uint32_t)CONS_REC_CTX(b->id));
    return 8;
}

/* The record of data site st (number tag), address in rt, at rs (after a
 * quiet block's context word); returns its offset from rs.  Not committed:
 * rs stays. */
static int32_t emit_data_record(struct emit *e, const struct dbt_block *b, unsigned tag)
{
    int32_t o = emit_site_ctx(e, b);
    op_mem(e, 1, 0x89, b->rt, b->rs, -1, 1, o); /* mov [rs + o], rt */
    put(e, 0x66), op_mem(e, 0, 0xC7, 0, b->rs, -1, 1, o + 6), put16(e, (uint16_t)tag);
    return o;
}

/* A miss of data site st, its record written at offset o: committed (rs
 * moves past it) and the filter entry of each line it touches set (rt: its
 * address, then a line). */
static void emit_data_miss(struct emit *e, const struct dbt *d, const struct dbt_block *b,
                           const struct cons_site *st, int32_t o)
{
    int rt = b->rt, ru = b->ru;
    int32_t line = (int32_t)(1u << d->d_shift);
    op_mem(e, 1, 0x8D, b->rs, b->rs, -1, 1, o + 8); /* lea rs, [rs + o + 8] */
    if (st->size > 1) {
        mov_rr(e, ru, rt);
        alu_imm(e, 4, ru, line - 1);
        alu_imm(e, 7, ru, line - st->size);
        uint64_t j_one = jump32(e, 0x6); /* jbe: it stays in one line */
        emit_filt_store(e, d, ru, rt);
        alu_imm(e, 0, rt, line);
        patch_here(e, j_one);
    }
    emit_filt_store(e, d, ru, rt);
}

/* Data access site st (number tag) of in, in block b: its address into rt;
 * unless the D1 filter holds its line (and it stays in it), recorded at rs
 * and the filter entry of each line it touches set.
 * Two forms of the same test.  Stack and RIP-relative accesses, fields at a
 * displacement from a base register without index (a structure's,
 * `0x60(%rbx)`), and bt with a register offset branch to skip the record:
 * they mostly hit, and the branch predicts well; the test is then the
 * entry subtracted from the address and one compare, which also catches an
 * access on two lines (6 instructions with the address and the branch, no
 * store; it needs every D1 entry to be a line's address: filt_sync's lines,
 * the miss paths' stores).  Other accesses (an index: arrays,
 * hash tables; a bare pointer) hit and miss in patterns a predictor cannot
 * learn, and a mispredicted branch costs more than the record: they write the
 * record always, move rs past it only on a miss (cmovne), and store the
 * filter entry always (a hit stores what it holds); only an access whose two
 * ends are on two lines (rare, predictable) branches, to the full miss path.
 * zlib: 0.765 -> 0.723 s median of 21 interleaved, SQLite 1.07 -> 0.98 s.
 * Fields in the branching form too: the program thread's CPU, zlib 0.478 ->
 * 0.467 s (median of 13 pairs; paired difference -0.027 s), SQLite's driver
 * at 100,000 rows 3.53 -> 3.04 s (7 pairs; zlib's deflate_state fields in
 * its string-insertion loop).  Profiles identical either way. */
static void emit_data_site(struct emit *e, const struct dbt *d, const struct dbt_block *b,
                           const struct cons_insn *in, const struct cons_site *st, unsigned tag,
                           int dead)
{
    int rs = b->rs, rt = b->rt, ru = b->ru;
    const struct dec_addr *m = &in->dec.acc[st->acc].addr;
    int32_t line = (int32_t)(1u << d->d_shift), off = (int32_t)(FILT_OFF + 8 * d->i_sets);
    int branchless = !m->bitreg && m->base != DEC_RSP && m->base != DEC_RBP && m->base != DEC_RIP &&
                     !(m->index == DEC_REG_NONE && m->disp != 0 && !m->vsib);
    if (m->base == DEC_RIP && !m->bitreg && !m->idx_al && m->seg != DEC_SEG_FS) {
        /* A constant address (globals, the GOT, a PLT jump's slot): its set
         * and line are known here, so the test is a fetch's, one compare
         * with the line, and the address is only made on the cold path.
         * Unless it straddles two lines, which is known here too. */
        uint64_t a = in->addr + in->dec.len + (uint64_t)m->disp;
        if ((a & (uint64_t)(line - 1)) + st->size <= (uint64_t)line) {
            if (!dead)
                flags_save(e);
            cold_path(e, emit_line_test(e, rt, a & ~(uint64_t)(line - 1), filt_d(d, a))); /* a miss */
            mov_imm64(e, rt, a);
            emit_data_miss(e, d, b, st, emit_data_record(e, b, tag));
            cold_end(e);
            if (!dead)
                flags_restore(e);
            return;
        }
    }
    emit_ea(e, in, m, rt);
    if (m->bitreg)
        emit_bitreg_load(e, m, ru); /* before rax holds the flags: it may be rax */
    if (!dead)
        flags_save(e);
    if (m->bitreg) {
        if (m->bitmask)
            alu_imm(e, 4, ru, (int32_t)(8u * m->bitsize - 1));
        rex(e, 1, -1, -1, ru);
        put(e, 0xC1), put(e, (uint8_t)(0xF8 | (ru & 7))), put(e, 3); /* sar ru, 3 */
        rex(e, 1, ru, -1, rt);
        put(e, 0x01), put(e, (uint8_t)(0xC0 | (ru & 7) << 3 | (rt & 7))); /* add rt, ru */
    }
    if (!branchless) {
        /* rt -= the entry: the access is in the entry's line and does not
         * run past its end when 0 <= rt <= line - size (unsigned).  The
         * miss path adds the entry back (ru still indexes it). */
        emit_filt_set(e, d, ru, rt);
        put(e, 0x65), op_mem(e, 1, 0x2B, rt, ru, -1, 1, off); /* sub rt, gs:[ru + off] */
        alu_imm(e, 7, rt, line - st->size);
        cold_path(e, cold_jump(e, 0x7)); /* ja: a miss */
        put(e, 0x65), op_mem(e, 1, 0x03, rt, ru, -1, 1, off); /* add rt, gs:[ru + off] */
        emit_data_miss(e, d, b, st, emit_data_record(e, b, tag));
        cold_end(e);
    } else {
        /* In a block whose sites are global (b->global) the record, one
         * global word (line address and site number), is written after
         * the test, from the line it compares (lea keeps the flags for
         * cmovne); an access on two lines then writes a context and a site
         * word on its cold path.  Otherwise the site word is written first. */
        int global = b->global;
        int32_t o = global ? 0 : emit_data_record(e, b, tag);
        unsigned two = 0, split = st->size > 1;
        if (split) {
            op_mem(e, 1, 0x8D, ru, rt, -1, 1, st->size - 1); /* lea ru, [rt + size - 1] */
            rex(e, 1, rt, -1, ru);
            put(e, 0x31), put(e, (uint8_t)(0xC0 | (rt & 7) << 3 | (ru & 7))); /* xor ru, rt */
            alu_imm(e, 7, ru, line - 1);
            two = cold_jump(e, 0x7); /* ja: its ends are on two lines */
        }
        emit_filt_set(e, d, ru, rt);
        alu_imm(e, 4, rt, -line);
        put(e, 0x65), op_mem(e, 1, 0x3B, rt, ru, -1, 1, off); /* cmp rt, gs:[ru + off] */
        put(e, 0x65), op_mem(e, 1, 0x89, rt, ru, -1, 1, off); /* mov gs:[ru + off], rt */
        if (global) {
            /* One store, not two (a line and a 16-bit number): in a loop
             * whose loads miss, how far the core runs ahead is bounded by
             * its stores in flight (docs/performance.md). */
            mov_imm64(e, ru, cons_rec_gword(b->gbase + tag));
            op_mem(e, 1, 0x8D, ru, ru, rt, 1, 0);  /* lea ru, [ru + rt] (no flags) */
            op_mem(e, 1, 0x89, ru, rs, -1, 1, 0);  /* mov [rs], ru */
        }
        op_mem(e, 1, 0x8D, rt, rs, -1, 1, o + 8);             /* lea rt, [rs + o + 8] */
        rex(e, 1, rs, -1, rt);
        put(e, 0x0F), put(e, 0x45), put(e, (uint8_t)(0xC0 | (rs & 7) << 3 | (rt & 7))); /* cmovne rs, rt */
        if (split) {
            cold_path(e, two);
            emit_data_miss(e, d, b, st, global ? emit_data_record(e, b, tag) : o);
            cold_end(e);
        }
    }
    if (!dead)
        flags_restore(e);
}

/* A fetch of site st (number tag) that the filter did not hold: recorded at
 * rs (rs moves past it) and the filter entry of each line it touches set. */
static void emit_fetch_miss(struct emit *e, const struct dbt *d, const struct dbt_block *b,
                            const struct cons_site *st, unsigned tag)
{
    int rs = b->rs, rt = b->rt;
    uint64_t l1, l2;
    fetch_lines(d, st, &l1, &l2);
    int32_t o = b->global ? 0 : emit_site_ctx(e, b);
    uint64_t word = st->addr | (uint64_t)tag << CONS_REC_TAG_SHIFT;
    if (b->global)
        word = l1 == l2 && d->gfetch_line ? cons_rec_gfetch(b->gbase + tag, l1)
                                          : cons_rec_gword(b->gbase + tag);
    mov_imm64(e, rt, word);
    op_mem(e, 1, 0x89, rt, rs, -1, 1, o);
    op_mem(e, 1, 0x8D, rs, rs, -1, 1, o + 8);
    mov_imm64(e, rt, l1);
    gs_store(e, (unsigned)filt_i(d, l1), rt);
    if (l2 != l1) {
        mov_imm64(e, rt, l2);
        gs_store(e, (unsigned)filt_i(d, l2), rt);
    }
}

/* emit_fetch_miss in a cold path; a bare block saves and restores its
 * scratch registers around it (its record is then committed at once). */
static void emit_fetch_record(struct emit *e, const struct dbt *d, const struct dbt_block *b,
                              const struct cons_site *st, unsigned tag)
{
    if (b->bare)
        emit_scratch_save(e, b);
    emit_fetch_miss(e, d, b, st, tag);
    if (b->bare)
        emit_scratch_restore(e, b);
}

/* Does the filter entry at gs:[o] hold line?  With no register: two 32-bit
 * compares of the entry, each a jne to the cold path (miss[0], miss[1];
 * cold_jump). */
static void emit_line_test_free(struct emit *e, uint64_t line, int32_t o, unsigned miss[2])
{
    put(e, 0x65), op_mem(e, 0, 0x81, 7, -1, -1, 1, o), put32(e, (uint32_t)line);
    miss[0] = cold_jump(e, 0x5);
    put(e, 0x65), op_mem(e, 0, 0x81, 7, -1, -1, 1, o + 4), put32(e, (uint32_t)(line >> 32));
    miss[1] = cold_jump(e, 0x5);
}

/* Fetch site st (number tag) of block b: recorded unless the I1 filter
 * holds its line, or, for an instruction that straddles two lines, both of
 * them (it looks up the first, then the second: when each is its set's most
 * recently used line, neither lookup changes anything).  Without the second
 * form, zlib's worker got 21% of its sites from straddling fetches, every one
 * of them an MRU hit (docs/performance.md).  Two lines of one set (an I1 of
 * a single set) cannot both be its most recently used: always recorded. */
static void emit_fetch_site(struct emit *e, const struct dbt *d, const struct dbt_block *b,
                            const struct cons_site *st, unsigned tag, int dead)
{
    int rt = b->rt;
    uint64_t l1, l2;
    fetch_lines(d, st, &l1, &l2);
    if (b->bare) {
        /* (bare_ok: the flags are dead here) */
        unsigned m[4];
        emit_line_test_free(e, l1, filt_i(d, l1), m);
        m[2] = m[0], m[3] = m[1];
        if (l2 != l1)
            emit_line_test_free(e, l2, filt_i(d, l2), m + 2);
        cold_path(e, m[0]);
        for (unsigned i = 1; i < 4; i++)
            cold_also(e, m[i], m[0]);
        emit_fetch_record(e, d, b, st, tag);
        cold_end(e);
        return;
    }
    if (!dead)
        flags_save(e);
    unsigned miss = emit_line_test(e, rt, l1, filt_i(d, l1)), miss2 = miss; /* misses: record it */
    if (l2 != l1)
        miss2 = emit_line_test(e, rt, l2, filt_i(d, l2));
    cold_path(e, miss);
    cold_also(e, miss2, miss);
    emit_fetch_miss(e, d, b, st, tag);
    cold_end(e);
    if (!dead)
        flags_restore(e);
}

/* The sites of instruction k of block b, from *si on. */
static void emit_sites(struct emit *e, const struct dbt *d, const struct dbt_block *b, unsigned k,
                       unsigned *si, int dead)
{
    const struct cons_site *sites;
    unsigned n = cons_seq_sites(b->seq, &sites);
    for (; *si < n && sites[*si].insn == k; ++*si) {
        if (sites[*si].fetch)
            emit_fetch_site(e, d, b, &sites[*si], *si, dead);
        else
            emit_data_site(e, d, b, b->insn[k], &sites[*si], *si, dead);
    }
}

/* All sites of the one-instruction block b. */
static void emit_filt_sites(struct emit *e, const struct dbt *d, const struct dbt_block *b,
                            int dead)
{
    unsigned si = 0;
    emit_sites(e, d, b, 0, &si, dead);
}

/* The &&-idiom of branch j may not be taken: the consumer then fetches its
 * merged instructions (count_andand), which the filter cannot know.  Their
 * I1 entries are made to match nothing, so the next fetch of those sets is
 * recorded and the filter learns the simulation's line again. */
static void emit_poison(struct emit *e, const struct dbt *d, const struct cons_insn *j)
{
    if (!d->filt)
        return;
    int32_t done[6];
    unsigned nd = 0;
    for (unsigned i = 0; i < j->aa_n; i++)
        for (unsigned h = 0; h < 2; h++) {
            int32_t o = filt_i(d, j->aa->addr[i] + (h ? 14 : 0)); /* both lines it may touch */
            unsigned x = 0;
            while (x < nd && done[x] != o)
                x++;
            if (x < nd)
                continue;
            done[nd++] = o;
            put(e, 0x65), op_mem(e, 1, 0xC7, 0, -1, -1, 1, o), put32(e, (uint32_t)FILT_POISON);
        }
}

/* A quiet block's start: 1 added to its counter (count_quiet). */
static void emit_count(struct emit *e, const struct dbt_block *b, int flags_free)
{
    int32_t o = (int32_t)(CNT_OFF + 8u * b->id);
    if (flags_free) {
        put(e, 0x65), op_mem(e, 1, 0x83, 0, -1, -1, 1, o), put(e, 1); /* add qword gs:[o], 1 */
        return;
    }
    gs_load(e, b->rt, (unsigned)o);
    op_mem(e, 1, 0x8D, b->rt, b->rt, -1, 1, 1); /* lea rt, [rt + 1] */
    gs_store(e, (unsigned)o, b->rt);
}

/* Block start in filtering mode: scratch registers saved (not in a bare
 * block), the start record (a quiet block: its counter; flags_free: the
 * flags are dead here).  Returns where the start record begins: a unit's
 * own loop comes back there (translate's loop_at). */
static uint64_t emit_filt_prologue(struct emit *e, const struct dbt_block *b, int flags_free)
{
    if (!b->bare)
        emit_scratch_save(e, b);
    uint64_t start = e->pc;
    if (b->quiet)
        emit_count(e, b, flags_free);
    else
        emit_start_record(e, b);
    return start;
}

/* The first fetch check of block b (site 0, st), when the flags are dead at
 * its start and its first instruction is on one line: before the prologue,
 * with no register (two 32-bit compares of the filter entry), so that an
 * exit from a block that ended on the same line can enter past it (at
 * b->nf, entry_from): that line is then its set's most recently used, the
 * check would hit.  In zlib's hottest loop (longest_match's chain walk)
 * every block is on the line its predecessor ended on.  On a miss the cold
 * path runs the prologue, records the fetch and goes on after the hot
 * prologue.  Returns 1 if it was emitted (the caller then emits the
 * prologue, and site 0 is done). */
static int emit_entry_fetch(struct emit *e, const struct dbt *d, struct dbt_block *b,
                            const struct cons_site *st, uint64_t *start)
{
    uint64_t l1, l2;
    fetch_lines(d, st, &l1, &l2);
    if (!st->fetch || st->insn != 0 || l2 != l1)
        return 0;
    unsigned miss[2];
    emit_line_test_free(e, l1, filt_i(d, l1), miss);
    b->nf = (uint16_t)(e->pc - b->entry);
    *start = emit_filt_prologue(e, b, 1);
    cold_path(e, miss[0]);
    cold_also(e, miss[1], miss[0]);
    emit_filt_prologue(e, b, 1);
    emit_fetch_record(e, d, b, st, 0);
    cold_end(e);
    return 1;
}

/* Can quiet block b go without scratch registers in its hot code (b->bare)?
 * Its start adds 1 to its counter and its fetch checks compare the filter
 * entries with immediates, all of which change the flags: they must be dead
 * there.  A record (a fetch the filter did not hold) saves and restores S
 * and T on its cold path (emit_fetch_record).  Not a fresh variant (it
 * writes a record on one side) nor a block with data sites.  zlib: 27 M of
 * its 90 M quiet block executions have no data site; each saved three
 * stores and three loads of the slots. */
static int bare_ok(const struct dbt_block *b, const struct cons_site *sites, unsigned ns,
                   const uint8_t *fdead)
{
    if (!b->quiet || b->fresh || b->has_u || !fdead[0])
        return 0;
    for (unsigned i = 0; i < ns; i++)
        if (!fdead[sites[i].insn])
            return 0;
    return 1;
}

/* Fresh variants.  An &&-idiom block J counts differently depending on
 * where its VEX superblock began, so it records its start (and which way
 * it went).  Where a superblock starts at J (it is entered from a block
 * that ends every superblock, or through the indirect-branch table: every
 * indirect transfer ends one), VEX always recognises the idiom, and when
 * the branch goes to the merged side M, the superblock goes on through M's
 * instructions and ends after them.  If M's last instruction is a
 * conditional branch without an idiom of its own (and those before it end
 * nothing), counting M as merged or as a fresh superblock is the same, so
 * J needs no record on that side: its fresh variant (J->alt) counts itself
 * like a quiet block.  On the other side the consumer must count M's
 * instructions (count_andand): the variant takes its count back and writes
 * J's record, with the direction, after all (emit_unmerged).  In zlib 95%
 * of idiom executions start a superblock and 99% of those go to M. */
static int fresh_ok(struct dbt *d, const struct dbt_block *b, int flags_dead_at_start)
{
    const struct cons_insn *j = b->insn[b->n - 1];
    if (!b->dir || b->vlen || b->id + 1 >= CNT_MAX || b->n > VEX_MAX_INSNS - 3 ||
        jcc_cc(j) < 0)
        return 0;
    if (!d->filt && !flags_dead_at_start)
        return 0;
    for (unsigned i = 0; i < j->aa_n; i++) {
        struct diag_err e;
        const struct cons_insn *m = session_insn(d->s, d->t, j->aa->addr[i], &e);
        if (!m)
            return 0;
        if (i + 1 < j->aa_n ? m->vexend != VEX_END_NONE
                            : m->vexend != VEX_END_COND || m->aa_n)
            return 0;
    }
    return 1;
}

/* Which of t and its fresh variant an exit of block `from` enters (NULL: an
 * indirect transfer, which starts a superblock). */
static const struct dbt_block *variant_from(const struct dbt_block *from,
                                            const struct dbt_block *t)
{
    int starts = !from || from->ends || from->fresh;
    return starts && t->alt ? t->alt : t;
}

/* Where an exit of block `from` enters v (variant_from's): past v's first
 * fetch check (emit_entry_fetch) when from's last instruction ended on that
 * line, so that nothing can have fetched in between: not on the side of an
 * &&-idiom that is not merged (the consumer may fetch the merged
 * instructions there; emit_poison), nor after a rep string (its iterations
 * are the consumer's).  Into the merged side the program runs the merged
 * instructions itself: in zlib's hottest loop (longest_match's chain walk,
 * `jae L; sub $1,%edi; je L`) the check it skips was 2% of the program's
 * samples. */
static uint64_t entry_from(const struct dbt *d, const struct dbt_block *from,
                           const struct dbt_block *v)
{
    const struct cons_insn *l = from->insn[from->n - 1];
    if (v->nf && (!l->aa_n || l->aa->addr[0] == v->orig) && !l->dec.rep &&
        ends_on_line(d, l, v->insn[0]->addr))
        return v->entry + v->nf;
    return v->entry;
}

static uint64_t entry_fresh(const struct dbt_block *t) { return variant_from(NULL, t)->entry; }

/* A fresh variant's branch went the side that is not merged (taken or
 * not): its counter takes this execution back and its record goes out,
 * saying which way it went, as the loud block's would (flags and registers
 * kept; S saved around). */
static void emit_unmerged(struct emit *e, const struct dbt *d, const struct dbt_block *b, int taken)
{
    if (!b->fresh)
        return;
    int rs = b->rs;
    unsigned cnt = CNT_OFF + 8u * b->id;
    gs_store(e, SV_S, rs);
    gs_load(e, rs, cnt);
    op_mem(e, 1, 0x8D, rs, rs, -1, 1, -1); /* lea rs, [rs - 1] */
    gs_store(e, cnt, rs);
    gs_load(e, rs, BUFPTR);
    op_mem(e, 1, 0xC7, 0, rs, -1, 1, 0);
    put32(e, d->filt ? (uint32_t)CONS_REC_START(b->id) : b->id);
    op_mem(e, 0, 0xC6, 0, rs, -1, 1, CONS_REC_DIR_BYTE), put(e, (uint8_t)taken);
    op_mem(e, 1, 0x8D, rs, rs, -1, 1, 8);
    gs_store(e, BUFPTR, rs);
    gs_load(e, rs, SV_S);
}

/* Quiet block b's counter is read at every pull (fold). */
static void add_quiet(struct dbt *d, const struct dbt_block *b)
{
    if (d->n_quiet == d->quiet_cap) {
        d->quiet_cap = d->quiet_cap ? 2 * d->quiet_cap : 1024;
        d->quiet = xrealloc(d->quiet, d->quiet_cap * sizeof *d->quiet);
    }
    d->quiet[d->n_quiet++] = (struct quiet){b->id, b->head ? b->head->id : b->id};
}

/* Quiet block b's sites into the global table, if it is kept and has room:
 * a recorded site is then one global word (CONS_REC_GLOBAL). */
static void make_global(struct dbt *d, struct dbt_block *b)
{
    const struct cons_site *sites;
    unsigned ns = cons_seq_sites(b->seq, &sites);
    if (!d->gsite || d->n_gsite + ns > CONS_REC_GSITES_MAX)
        return;
    b->global = 1;
    b->gbase = d->n_gsite;
    for (unsigned i = 0; i < ns; i++)
        d->gsite[d->n_gsite++] = cons_gsite_of(b->seq, i);
}

/* A byte-string iteration (movsb, stosb, lodsb, cmpsb, scasb) whose data
 * lines are all those of the previous iteration of the same loop needs no
 * check: each access hits (its line was touched one iteration ago and at
 * most one other line since), and touching the same one or two lines in the
 * same order again leaves every set's LRU order as it was, with two ways or
 * more.  Its fetch is the previous one's line too.  The loop keeps the
 * lines of the last iteration it checked in two slots (REP_LINES, reset to
 * match nothing at its entry); this compares the current ones (rt := each)
 * and jumps to `skip` (returned, a jump32 to patch) when all equal, after
 * which the full checks run and the slots take the new lines.  zlib's
 * window moves: the D1 set of their source and destination is the same
 * (32 KiB apart), so the filter recorded most of their 4.5 M iterations. */
static uint64_t rep_skip_test(struct emit *e, const struct dbt *d, const struct cons_insn *in, int rt)
{
    const struct dec_insn *dd = &in->dec;
    uint64_t miss[2] = {0, 0};
    for (unsigned j = 0; j < dd->n_acc; j++) {
        emit_ea(e, in, &dd->acc[j].addr, rt);
        alu_imm(e, 4, rt, -(int32_t)(1u << d->d_shift)); /* and rt, -line */
        put(e, 0x65), op_mem(e, 1, 0x3B, rt, -1, -1, 1, (int32_t)(REP_LINES + 8 * j)); /* cmp */
        miss[j] = jump32(e, 0x5);
    }
    uint64_t skip = jump32(e, -1);
    for (unsigned j = 0; j < dd->n_acc; j++)
        patch_here(e, miss[j]);
    for (unsigned j = 0; j < dd->n_acc; j++) {
        emit_ea(e, in, &dd->acc[j].addr, rt);
        alu_imm(e, 4, rt, -(int32_t)(1u << d->d_shift));
        gs_store(e, (unsigned)(REP_LINES + 8 * j), rt);
    }
    return skip;
}

/* A rep string instruction as a loop of its own, counted as the reference
 * engine does (Cachegrind's rule): each iteration one Ir with its accesses,
 * and one more Ir without access for the check that ends it when the count
 * ran out (and the repeat condition held), or for a count of 0. */
static struct dbt_block *translate_rep(struct dbt *d, struct chunk *c, const struct cons_insn *in)
{
    const struct dec_insn *dd = &in->dec;
    int reg[3] = {0, 0, 0}, a32 = dd->n_acc && dd->acc[0].addr.addr32;
    uint32_t used = dd->gprs | (uint32_t)(DEC_FX_GPR(DEC_RSP) | DEC_FX_GPR(DEC_RAX) |
                                          DEC_FX_GPR(DEC_RCX) | DEC_FX_GPR(DEC_RSI) |
                                          DEC_FX_GPR(DEC_RDI));
    if (!pick_scratch(used, reg, d->filt ? 3 : 2))
        return NULL;
    int rs = reg[0], rt = reg[1];
    struct dbt_block *b = block_alloc(1), *chk = block_alloc(1);
    b->orig = chk->orig = in->addr;
    b->n = chk->n = 1;
    b->rs = chk->rs = (uint8_t)rs, b->rt = chk->rt = (uint8_t)rt;
    b->ru = chk->ru = (uint8_t)reg[2];
    b->has_u = chk->has_u = d->filt && dd->n_acc;
    b->insn[0] = chk->insn[0] = in;
    chk->noacc = 1;
    b->noacc = !d->rec;
    unsigned na = d->rec ? dd->n_acc : 0;
    b->n_acc = b->n_rec = (uint16_t)na;
    add_block(d, b);
    add_block(d, chk);
    if (d->filt) {
        b->seq = cons_seq_new(d->t->cons, b->insn, 1, 1);
        chk->seq = cons_seq_new(d->t->cons, chk->insn, 1, 0);
        /* Each iteration ends every superblock: it counts itself (zlib's
         * 32 KiB window moves were 4.5 M start words of its 48 M). */
        b->quiet = b->id < CNT_MAX;
        if (b->quiet) {
            add_quiet(d, b);
            make_global(d, b);
        }
    }
    struct emit em = {c->mem + c->used, c->base + c->used, &d->cold}, *e = &em;
    b->entry = em.pc;
    gs_store(e, SV_S, rs);
    gs_store(e, SV_T, rt);
    if (b->has_u)
        gs_store(e, SV_U, reg[2]);
    gs_load(e, rs, BUFPTR);
    /* Byte strings skip an iteration's checks when its lines are the last
     * checked ones' (rep_skip_test): none at the loop's entry. */
    int bytes = b->quiet && d->s->ccfg.geom.d1.assoc >= 2 && dd->n_acc >= 1 && dd->n_acc <= 2;
    for (unsigned j = 0; j < dd->n_acc && bytes; j++)
        bytes = dd->acc[j].size == 1;
    for (unsigned j = 0; j < dd->n_acc && bytes; j++)
        put(e, 0x65), op_mem(e, 1, 0xC7, 0, -1, -1, 1, (int32_t)(REP_LINES + 8 * j)),
            put32(e, 0xFFFFFFFFu);
    if (a32)
        put(e, 0x67);
    /* jrcxz reaches 127 bytes, less than the loop: it jumps to a jmp. */
    put(e, 0xE3), put(e, 2);       /* jrcxz +2 */
    put(e, 0xEB), put(e, 5);       /* jmp +5 */
    uint64_t to_zero = em.pc + 1;  /* jmp zero */
    put(e, 0xE9), put32(e, 0);

    uint64_t loop = em.pc;
    b->bound[0] = (uint16_t)(loop - b->entry);
    if (d->filt) {
        /* The flags stay (movs, stos and lods keep the program's); a stop
         * from the counter on takes this iteration back (drain_partial),
         * before it the loop top is no clean point. */
        if (b->quiet) {
            emit_count(e, b, 0);
            b->bound[0] = (uint16_t)(em.pc - b->entry);
        } else {
            emit_start_record(e, b);
        }
        /* Each iteration runs the instruction without its prefix once:
         * cmps and scas set the flags, movs, stos and lods keep them: the
         * program's flags are then saved once around all the iteration's
         * checks, not around each (zlib's `rep movsb` iterations: three
         * saves and restores each). */
        int keep = !in->dec.flags_set;
        if (keep)
            flags_save(e);
        uint64_t skip = bytes ? rep_skip_test(e, d, in, rt) : 0;
        emit_filt_sites(e, d, b, 1);
        if (skip)
            patch_here(e, skip);
        if (keep)
            flags_restore(e);
    } else {
        op_mem(e, 1, 0xC7, 0, rs, -1, 1, 0), put32(e, b->id);
        for (unsigned j = 0; j < na; j++) {
            emit_ea(e, in, &dd->acc[j].addr, rt);
            op_mem(e, 1, 0x89, rt, rs, -1, 1, (int32_t)(8 + 8 * j));
        }
    }
    b->copy[0] = (uint16_t)(em.pc - b->entry);
    for (unsigned i = 0; i < dd->len; i++) /* the instruction without its rep prefix */
        if (in->bytes[i] != 0xF2 && in->bytes[i] != 0xF3)
            put(e, in->bytes[i]);
    if (!d->filt)
        op_mem(e, 1, 0x8D, rs, rs, -1, 1, (int32_t)(8 + 8 * na));
    gs_store(e, BUFPTR, rs);
    op_mem(e, a32 ? 0 : 1, 0x8D, 1, 1, -1, 1, -1); /* lea rcx, [rcx-1] */
    if (a32)
        put(e, 0x67);
    put(e, 0xE3), put(e, 0); /* jrcxz final */
    uint8_t *to_final = em.p - 1;
    uint64_t after_final = em.pc;
    /* Count left: go on while the condition holds (repe: ZF=1, repne: ZF=0). */
    uint64_t j_done1 = 0;
    if (dd->rep == DEC_REPE)
        put(e, 0x0F), put(e, 0x85), j_done1 = em.pc, put32(e, 0); /* jnz done */
    else if (dd->rep == DEC_REPNE)
        put(e, 0x0F), put(e, 0x84), j_done1 = em.pc, put32(e, 0); /* jz done */
    put(e, 0xE9), put32(e, (uint32_t)(int32_t)(int64_t)(loop - (em.pc + 4)));
    /* final: the check that ends the loop, if the condition held. */
    *to_final = (uint8_t)(em.pc - after_final);
    uint64_t j_done2 = 0;
    if (dd->rep == DEC_REPE)
        put(e, 0x0F), put(e, 0x85), j_done2 = em.pc, put32(e, 0);
    else if (dd->rep == DEC_REPNE)
        put(e, 0x0F), put(e, 0x84), j_done2 = em.pc, put32(e, 0);
    emit_check_record(e, d, chk);
    uint64_t j_done3 = em.pc + 1;
    put(e, 0xE9), put32(e, 0);
    /* zero: a count of 0 is only its check. */
    patch_here(e, to_zero);
    emit_check_record(e, d, chk);
    /* done */
    uint64_t done = em.pc;
    uint64_t fix[3] = {j_done1, j_done2, j_done3};
    for (int i = 0; i < 3; i++)
        if (fix[i]) {
            int32_t rel = (int32_t)(int64_t)(done - (fix[i] + 4));
            memcpy(c->mem + (fix[i] - c->base), &rel, 4);
        }
    if (b->has_u)
        gs_load(e, reg[2], SV_U);
    gs_load(e, rt, SV_T);
    gs_load(e, rs, SV_S);
    struct dbt_exit *x = &b->exit[b->n_exit++];
    x->patch = jump32(e, -1);
    x->target = in->addr + dd->len;
    x->stub = em.pc;
    put(e, 0xCC);
    set_rel32(c->mem + (x->patch - c->base), x->patch, x->stub);
    cold_place(e);
    while (em.pc % 16)
        put(e, 0xCC);
    b->end = chk->entry = chk->end = em.pc;
    c->used = em.pc - c->base;
    chunk_ahead(c);
    chunk_add_block(c, b);
    size_t h = hash_of(in->addr);
    b->hnext = d->hash[h];
    d->hash[h] = b;
    finish_block(d, b);
    finish_block(d, chk);
    ht_insert(d, in->addr, b->entry);
    link_block(d, b);
    return b;
}

/* Units.  In filtering mode a block that counts itself goes on, where its
 * last instruction most likely leads, into more blocks that count themselves
 * (parts), translated as one stretch of code: only the first part saves the
 * scratch registers and adds to its counter; each later part's count is its
 * head's, less what its own counter takes back on a side exit before it
 * (fold_thread), and a part hands its records over (the buffer pointer
 * stored) where it ends, so that each part's record stays what a block's
 * is.  A side exit leaves through code of its own, after the parts.  A loop
 * back to the unit's start jumps past the scratch save (translate's
 * `loop_at`), which a single block that loops to itself also does.
 * zlib's hottest loop (longest_match's chain walk, three blocks of 4, 2
 * and 5 instructions) then saves and restores once per pass instead of
 * twice, and counts once instead of three times. */
#define UNIT_PARTS 4

/* Runs of sites with the flags live (flag_runs): the first saves them, the
 * last restores them, the ones between leave them saved; a block's last
 * instruction, a ret, hands them saved to its dispatch (RUN_RET). */
enum { RUN_NONE, RUN_FIRST, RUN_IN, RUN_LAST, RUN_RET };

/* Can the copy of x run while the flags are saved in ah/al (rax in its
 * slot)?  Only instructions known to leave the flags and rax alone, by
 * opcode, not by Capstone's flag table (a write it missed would be undone
 * when the flags come back): push and pop of a register, mov in its
 * register and memory forms, movzx, movsx, movsxd, lea. */
static int runs_flags_held(const struct cons_insn *x)
{
    const struct dec_insn *dd = &x->dec;
    size_t op = opcode_at(x->bytes, dd->len);
    if (dd->flow != DEC_FLOW_NONE || dd->rep || dd->special || dd->fx_barrier ||
        (dd->gprs & DEC_FX_GPR(DEC_RAX)) || op >= dd->len)
        return 0;
    for (size_t i = 0; i < op; i++)
        if (x->bytes[i] == 0xF0 || x->bytes[i] == 0xF2 || x->bytes[i] == 0xF3)
            return 0;
    uint8_t o = x->bytes[op], o2 = op + 1 < dd->len ? x->bytes[op + 1] : 0;
    if (o == 0x0F)
        return o2 == 0xB6 || o2 == 0xB7 || o2 == 0xBE || o2 == 0xBF;
    if ((o == 0xC6 || o == 0xC7) && ((o2 >> 3) & 7) != 0)
        return 0;
    return (o >= 0x50 && o <= 0x5F) || (o >= 0x88 && o <= 0x8B) || o == 0x8D || o == 0x63 ||
           o == 0xC6 || o == 0xC7 || (o >= 0xB0 && o <= 0xBF);
}

/* Where the flags are live at a block's sites, each site saves and
 * restores them (lahf/seto and back, rax in its slot): six instructions and
 * two memory accesses a site.  A run of instructions with sites whose copies
 * in between leave the flags and rax alone (runs_flags_held) saves them
 * once, before the first one's sites, and restores them after the last
 * one's (run[k]; a stop inside finds them in ah/al: leave_inner).  zlib's
 * longest_match ends `cmp; pop; pop; cmova; pop; pop; pop; pop; ret`, every
 * pop a stack check with the flags live. */
static void flag_runs(const struct dbt_block *b, const uint8_t *fdead, uint8_t *run)
{
    const struct cons_site *sites;
    unsigned ns = cons_seq_sites(b->seq, &sites), has[BLOCK_MAX_INSNS] = {0};
    for (unsigned i = 0; i < ns; i++)
        has[sites[i].insn] = 1;
    memset(run, RUN_NONE, b->n);
    for (unsigned i = 0; i < b->n; i++) {
        if (!has[i] || fdead[i] || !runs_flags_held(b->insn[i]))
            continue;
        /* i's copy may run held; find the last j with sites it can reach */
        unsigned j = i, k = i + 1;
        for (; k < b->n && !(b->insn[k]->dec.gprs & DEC_FX_GPR(DEC_RAX)); k++) {
            if (has[k])
                j = k;
            if (!runs_flags_held(b->insn[k]))
                break;
        }
        if (j == i)
            continue;
        run[i] = RUN_FIRST;
        for (unsigned m = i + 1; m < j; m++)
            run[m] = RUN_IN;
        /* A ret's dispatch saves the flags in ax and rax in its slot as the
         * run has them: it takes them as they are (emit_dispatch). */
        run[j] = b->insn[j]->dec.flow == DEC_FLOW_RET ? RUN_RET : RUN_LAST;
        i = j;
    }
}

/* Instructions from pc on into tb: one block's worth, which may follow
 * earlier parts of a unit already in tb (the scratch registers, *reg, keep
 * clear of theirs too).  Returns how many it added. */
static unsigned collect(struct dbt *d, const struct chunk *c, uint64_t orig, uint64_t pc,
                        struct tblock *tb, int reg[3])
{
    struct diag_err e;
    unsigned n_scratch = d->filt ? 3 : 2, n0 = tb->n;
    while (tb->n < BLOCK_MAX_INSNS) {
        struct cons_insn *in = session_insn(d->s, d->t, pc, &e);
        unsigned nfix = 0;
        for (unsigned j = 0; d->rec && !d->filt && in && j < in->dec.n_acc; j++)
            nfix += in->dec.acc[j].addr.bitreg != 0;
        if (!in || !translatable(in, 0) || !rip_reaches(in, c) ||
            (in->verify && !verify_reaches(c, orig, pc + in->dec.len)) ||
            tb->n_acc + tb->n_fix + in->dec.n_acc + nfix > BLOCK_MAX_ACC)
            break;
        int r2[3];
        uint32_t used = tb->used | in->dec.gprs | (uint32_t)DEC_FX_GPR(DEC_RSP);
        if (!pick_scratch(used, r2, n_scratch))
            break;
        memcpy(reg, r2, sizeof r2);
        tb->used = used;
        tb->verify |= in->verify;
        tb->in[tb->n++] = in;
        tb->n_acc += d->rec ? in->dec.n_acc : 0;
        tb->n_fix += nfix;
        pc += in->dec.len;
        if (in->dec.flow != DEC_FLOW_NONE)
            break;
    }
    return tb->n - n0;
}

/* Does a block of the n instructions (not a fresh variant) count itself? */
static int counts_itself(struct dbt *d, const struct cons_insn *const *in, unsigned n)
{
    return ends_superblock(in, n) || chain_ends_clean(d, in, n);
}

/* Where a unit goes on after a part ending in x (0: it ends there): the
 * target of a direct jump; the merged side of an &&-idiom (a fresh variant's
 * branch: that is where VEX goes on too); otherwise the side a branch most
 * likely takes, backward taken, forward not.  *cc: the condition on which
 * the other side leaves (-1: none), to *side. */
static uint64_t unit_next(const struct cons_insn *x, int *cc, uint64_t *side)
{
    const struct dec_insn *dd = &x->dec;
    uint64_t fall = x->addr + dd->len;
    *cc = -1;
    if (dd->flow == DEC_FLOW_JMP)
        return dd->target;
    int c = jcc_cc(x);
    if (c < 0 || x->vexend != VEX_END_COND)
        return 0;
    int taken = x->aa_n ? x->aa->addr[0] == dd->target : dd->target <= x->addr;
    *cc = taken ? c ^ 1 : c;
    *side = taken ? fall : dd->target;
    return taken ? dd->target : fall;
}

/* More parts after the first (tb, pstart[0..1]) while they count themselves
 * and there is room; returns how many parts there are. */
static unsigned unit_extend(struct dbt *d, const struct chunk *c, uint64_t orig,
                            struct tblock *tb, int reg[3], unsigned *pstart)
{
    unsigned np = 1;
    while (np < UNIT_PARTS) {
        int cc;
        uint64_t side, next = unit_next(tb->in[tb->n - 1], &cc, &side);
        for (unsigned j = 0; next && j < np; j++)
            if (tb->in[pstart[j]]->addr == next)
                next = 0;
        if (!next)
            break;
        struct tblock was = *tb;
        int rwas[3];
        memcpy(rwas, reg, sizeof rwas);
        unsigned n = collect(d, c, orig, next, tb, reg);
        const struct cons_insn *const *in = tb->in + was.n;
        if (!n || tb->verify || in[n - 1]->aa_n || !counts_itself(d, in, n)) {
            *tb = was;
            memcpy(reg, rwas, sizeof rwas);
            break;
        }
        pstart[++np] = tb->n;
    }
    return np;
}

/* Can the last part z of the unit headed by b jump back to its start past
 * the scratch save (loop_at) when it goes to `to`?  Only to the variant
 * that exit would enter (variant_from), only counting itself there, and,
 * when loop_at is past the first fetch check (past_fetch: emit_entry_fetch),
 * only where entry_from would enter past it too. */
static int loops_back(const struct dbt *d, const struct dbt_block *b, const struct dbt_block *z,
                      uint64_t to, int past_fetch)
{
    const struct cons_insn *l = z->insn[z->n - 1];
    if (!d->filt || to != b->orig || !b->quiet || b->vlen || l->aa_n || l->dec.rep ||
        (l->dec.flow != DEC_FLOW_JMP && jcc_cc(l) < 0))
        return 0;
    if (b->fresh && !(z->ends || z->fresh))
        return 0;
    return !past_fetch || ends_on_line(d, l, b->insn[0]->addr);
}

/* Does z loop back to its unit's start (either side of its branch), where
 * the first fetch check must then run again?  Its head's first fetch check
 * goes after the scratch save then (not emit_entry_fetch). */
static int loops_on_other_line(const struct dbt *d, const struct dbt_block *b,
                               const struct dbt_block *z)
{
    const struct cons_insn *l = z->insn[z->n - 1];
    uint64_t to[2] = {l->dec.target, l->addr + l->dec.len};
    for (unsigned i = 0; i < (l->dec.flow == DEC_FLOW_JCC ? 2u : 1u); i++)
        if (loops_back(d, b, z, to[i], 0) && !loops_back(d, b, z, to[i], 1))
            return 1;
    return 0;
}

/* On a side exit before part q: q and the parts after it did not run, which
 * their head's counter says they did (`mov rt, [cnt]; lea rt, [rt - 1];
 * mov [cnt], rt`: the flags stay). */
static void emit_parts_back(struct emit *e, const struct dbt_block *q)
{
    for (; q; q = q->npart) {
        unsigned cnt = CNT_OFF + 8u * q->id;
        gs_load(e, q->rt, cnt);
        op_mem(e, 1, 0x8D, q->rt, q->rt, -1, 1, -1);
        gs_store(e, cnt, q->rt);
    }
}

/* Is part p's first fetch check (its site 0) one that would hit, on the
 * line where part `prev` ended, with nothing fetched in between?  Then it
 * is left out (returns 1: the site to start from). */
static unsigned part_first_done(const struct dbt *d, const struct dbt_block *prev,
                                const struct dbt_block *p)
{
    const struct cons_site *sites;
    unsigned ns = cons_seq_sites(p->seq, &sites);
    uint64_t l1, l2;
    if (!ns || !sites[0].fetch || sites[0].insn != 0)
        return 0;
    fetch_lines(d, &sites[0], &l1, &l2);
    return l1 == l2 && ends_on_line(d, prev->insn[prev->n - 1], l1);
}

/* Translates the block at orig, or the unit it heads (thread tid may be used
 * to map a chunk); fresh: its fresh variant (fresh_ok), which its caller
 * links.  NULL if its first instruction cannot be translated (or read). */
static struct dbt_block *translate(struct dbt *d, pid_t tid, uint64_t orig, int fresh)
{
    struct diag_err e;
    struct tblock tb = {.n = 0};
    struct chunk *c = chunk_for(d, tid, orig);
    if (!c || d->n_blocks + UNIT_PARTS + 1 > BLOCKS_MAX)
        return NULL;
    int reg[3] = {-1, -1, -1};
    struct cons_insn *first = session_insn(d->s, d->t, orig, &e);
    if (first && first->dec.rep)
        return translatable(first, 1) ? translate_rep(d, c, first) : NULL;
    unsigned pstart[UNIT_PARTS + 1] = {0}, np = 1;
    if (!collect(d, c, orig, orig, &tb, reg))
        return NULL;
    pstart[1] = tb.n;
    if (d->filt && !tb.verify && d->n_blocks + UNIT_PARTS < CNT_MAX &&
        (fresh || counts_itself(d, tb.in, tb.n)))
        np = unit_extend(d, c, orig, &tb, reg, pstart);

    struct dbt_block *pb[UNIT_PARTS];
    int rs = reg[0], rt = reg[1];
    for (unsigned j = 0; j < np; j++) {
        unsigned n = pstart[j + 1] - pstart[j];
        struct dbt_block *p = pb[j] = block_alloc(n);
        p->orig = tb.in[pstart[j]]->addr;
        p->noacc = !d->rec;
        add_block(d, p);
        p->n = (uint8_t)n;
        p->part = (uint8_t)j;
        p->head = np > 1 ? pb[0] : NULL;
        if (j)
            pb[j - 1]->npart = p;
        p->rs = (uint8_t)rs, p->rt = (uint8_t)rt, p->ru = (uint8_t)reg[2];
        for (unsigned k = 0; k < n; k++) {
            p->insn[k] = tb.in[pstart[j] + k];
            p->n_acc += d->rec ? p->insn[k]->dec.n_acc : 0;
        }
        p->n_rec = p->n_acc;
    }
    struct dbt_block *b = pb[0], *z = pb[np - 1]; /* the head, the last part */
    b->n_rec = (uint16_t)(tb.n_acc + tb.n_fix); /* (no fix-ups in a unit: filtering mode) */
    if (tb.n_fix)
        b->fix = xcalloc(tb.n_fix, sizeof *b->fix);
    unsigned n_rec = b->n_rec;
    struct emit em = {c->mem + c->used, c->base + c->used, &d->cold}, *e2 = &em;
    b->entry = em.pc;
    unsigned stale_jcc = tb.verify ? emit_verify(e2, b, tb.in, tb.n) : 0;

    uint8_t fdead[UNIT_PARTS][BLOCK_MAX_INSNS]; /* flags_dead_each's, per part */
    uint8_t run[UNIT_PARTS][BLOCK_MAX_INSNS] = {{0}}; /* flag_runs', per part */
    int has_u = 0;
    for (unsigned j = 0; j < np; j++) {
        struct dbt_block *p = pb[j];
        int pf = fresh && !j;
        if (!d->rec || d->filt) {
            flags_dead_each(d, p->insn, p->n, fdead[j]);
            /* A block whose counts do not depend on where its superblock
             * began counts itself (in count-only mode, which has no scratch
             * register to spare, only if the flags are free to change at
             * its start); a loud one whose branch may have an &&-idiom says
             * which way it went (cons_seq_add, cons_seq_exec_dir,
             * CONS_REC_DIR_BYTE). */
            const struct cons_insn *last = p->insn[p->n - 1];
            p->ends = (uint8_t)ends_superblock(p->insn, p->n);
            p->quiet = p->id < CNT_MAX &&
                       (p->ends || pf || chain_ends_clean(d, p->insn, p->n)) &&
                       (d->filt || fdead[j][0]);
            p->dir = (!p->quiet || pf) && last->vexend == VEX_END_COND && last->aa_n;
            p->fresh = (uint8_t)pf;
            if (p->quiet)
                add_quiet(d, p);
        }
        if (d->filt) {
            p->seq = cons_seq_new(d->t->cons, p->insn, p->n, 1);
            const struct cons_site *sites;
            unsigned ns = cons_seq_sites(p->seq, &sites);
            if (p->quiet)
                make_global(d, p);
            for (unsigned i = 0; i < ns; i++)
                has_u |= !sites[i].fetch;
            flag_runs(p, fdead[j], run[j]);
        }
    }
    uint64_t loop_at = 0; /* where the start record or count begins (emit_filt_prologue) */
    unsigned first_done = 0; /* site 0 checked before the prologue (emit_entry_fetch) */
    if (d->filt) {
        const struct cons_site *sites;
        unsigned ns = cons_seq_sites(b->seq, &sites);
        for (unsigned j = 0; j < np; j++)
            pb[j]->has_u = (uint8_t)has_u;
        b->bare = np == 1 && !tb.verify && bare_ok(b, sites, ns, fdead[0]);
        /* (Not past a verify: an entry past its first fetch check would be.) */
        first_done = ns && fdead[0][0] && !b->vlen && !loops_on_other_line(d, b, z) &&
                     emit_entry_fetch(e2, d, b, &sites[0], &loop_at);
        if (!first_done)
            loop_at = emit_filt_prologue(e2, b, fdead[0][0]);
    } else if (b->quiet) {
        emit_count(e2, b, 1);
    } else {
        gs_store(e2, SV_S, rs);
        if (n_rec)
            gs_store(e2, SV_T, rt);
        gs_load(e2, rs, BUFPTR);
        op_mem(e2, 1, 0xC7, 0, rs, -1, 1, 0), put32(e2, b->id); /* mov qword [rs], id */
    }

    /* Side exits between parts, written after the last part. */
    struct side { struct dbt_block *p; uint64_t jcc, target; int taken; } side[UNIT_PARTS];
    unsigned n_side = 0, slotn = 0;
    uint64_t jfall = 0, jtake = 0, jmiss = 0, jloop = 0, jout = 0;
    uint64_t take_target = 0, fall_target = tb.in[tb.n - 1]->addr + tb.in[tb.n - 1]->dec.len;
    for (unsigned j = 0; j < np; j++) {
        struct dbt_block *p = pb[j];
        unsigned si = j ? part_first_done(d, pb[j - 1], p) : first_done, si0 = si;
        if (j)
            p->entry = em.pc;
        for (unsigned k = 0; k < p->n; k++) {
            const struct cons_insn *in = p->insn[k];
            p->bound[k] = (uint16_t)(em.pc - p->entry);
            if (run[j][k] == RUN_FIRST)
                flags_save(e2);
            if (d->filt)
                emit_sites(e2, d, p, k, &si, run[j][k] != RUN_NONE || fdead[j][k]);
            if (run[j][k] == RUN_LAST)
                flags_restore(e2);
            if (run[j][k] == RUN_IN || run[j][k] == RUN_LAST || run[j][k] == RUN_RET)
                p->held_bound |= 1ull << k;
            if (run[j][k] == RUN_FIRST || run[j][k] == RUN_IN || run[j][k] == RUN_RET)
                p->held_copy |= 1ull << k;
            for (unsigned a = 0; d->rec && !d->filt && a < in->dec.n_acc; a++) {
                const struct dec_addr *m = &in->dec.acc[a].addr;
                emit_ea(e2, in, m, rt);
                if (m->bitreg) {
                    struct dbt_fix *f = &b->fix[b->n_fix];
                    f->acc = (uint16_t)slotn;
                    f->extra = (uint16_t)(tb.n_acc + b->n_fix++);
                    f->m = m;
                    /* mov [rs + 8 + 8*extra], bitreg: its value before the insn */
                    op_mem(e2, 1, 0x89, hw(m->bitreg), rs, -1, 1, (int32_t)(8 + 8 * f->extra));
                }
                op_mem(e2, 1, 0x89, rt, rs, -1, 1, (int32_t)(8 + 8 * slotn++));
            }
            p->copy[k] = (uint16_t)(em.pc - p->entry);
            if (p != z && k + 1 == p->n) {
                /* On into the next part, its records handed over first (a
                 * later part that checked no site wrote none). */
                int cc;
                uint64_t st;
                unit_next(in, &cc, &st);
                if (!j || si != si0)
                    gs_store(e2, BUFPTR, rs);
                if (cc >= 0)
                    side[n_side++] = (struct side){p, jump32(e2, cc), st, st == in->dec.target};
                continue;
            }
            const struct dec_insn *dd = &in->dec;
            uint64_t next = in->addr + dd->len;
            size_t op = opcode_at(in->bytes, dd->len);
            uint8_t o = in->bytes[op];
            switch (dd->flow) {
            case DEC_FLOW_NONE:
                emit_copy(e2, in);
                if (k + 1 == p->n) {
                    emit_epilogue(e2, d, z);
                    jfall = jump32(e2, -1);
                }
                break;
            case DEC_FLOW_JMP:
                if (loops_back(d, b, z, dd->target, first_done)) {
                    if (!b->bare)
                        gs_store(e2, BUFPTR, rs);
                    jloop = jump32(e2, -1);
                    break;
                }
                emit_epilogue(e2, d, z);
                take_target = dd->target;
                jtake = jump32(e2, -1);
                break;
            case DEC_FLOW_JCC: {
                int cc = jcc_cc(in), loopx = cc < 0; /* loop*, jrcxz: rel8 only */
                if (z->dir && !z->fresh && !loopx)
                    emit_setcc_rec(e2, d, z, cc);
                take_target = dd->target;
                fall_target = next;
                int self = loopx ? -1 : loops_back(d, b, z, take_target, first_done) ? 1
                                      : loops_back(d, b, z, fall_target, first_done) ? 0 : -1;
                if (self >= 0) {
                    /* Back to the start, past the scratch save; the other
                     * side leaves as usual. */
                    if (!b->bare)
                        gs_store(e2, BUFPTR, rs);
                    jloop = jump32(e2, self ? cc : cc ^ 1);
                    emit_epilogue(e2, d, z);
                    if (self)
                        jfall = jump32(e2, -1);
                    else
                        jtake = jump32(e2, -1);
                    break;
                }
                if (!(z->dir && loopx))
                    emit_epilogue(e2, d, z);
                if (loopx) {
                    for (size_t i = 0; i < op; i++)
                        if (in->bytes[i] == 0x67)
                            put(e2, 0x67);
                    put(e2, o), put(e2, 0);
                    uint8_t *rel8 = em.p - 1;
                    uint64_t after = em.pc;
                    if (z->dir) { /* each side its own tail, saying which it is */
                        emit_dir_rec(e2, d, z, 0);
                        emit_epilogue(e2, d, z);
                    }
                    jfall = jump32(e2, -1);
                    *rel8 = (uint8_t)(em.pc - after);
                    if (z->dir) {
                        emit_dir_rec(e2, d, z, 1);
                        emit_epilogue(e2, d, z);
                    }
                    jtake = jump32(e2, -1);
                } else {
                    if ((d->filt || z->fresh) && in->vexend == VEX_END_COND && in->aa_n) {
                        /* The side that is not the merged one fetches nothing
                         * in the program but may in the consumer; a fresh
                         * variant hands its execution in there after all. */
                        if (in->aa->addr[0] == take_target) {
                            jtake = jump32(e2, cc);
                            emit_poison(e2, d, in);
                            emit_unmerged(e2, d, z, 0);
                            jfall = jump32(e2, -1);
                        } else {
                            uint64_t over = jump32(e2, cc ^ 1);
                            emit_poison(e2, d, in);
                            emit_unmerged(e2, d, z, 1);
                            jtake = jump32(e2, -1);
                            patch_here(e2, over);
                            jfall = jump32(e2, -1);
                        }
                    } else {
                        jtake = jump32(e2, cc);
                        jfall = jump32(e2, -1);
                    }
                }
                break;
            }
            case DEC_FLOW_CALL:
                emit_push_ret(e2, next);
                emit_epilogue(e2, d, z);
                take_target = dd->target;
                jtake = jump32(e2, -1);
                break;
            case DEC_FLOW_JMP_IND:
            case DEC_FLOW_CALL_IND:
            case DEC_FLOW_RET:
                if (run[j][k] != RUN_RET) /* (else saved by its run already) */
                    gs_store(e2, SV_RAX, 0);
                gs_store(e2, SV_RCX, 1);
                if (dd->flow == DEC_FLOW_RET) {
                    uint16_t imm = 0;
                    if (o == 0xC2)
                        memcpy(&imm, in->bytes + op + 1, 2);
                    put(e2, 0x48), put(e2, 0x8B), put(e2, 0x0C), put(e2, 0x24); /* mov rcx,[rsp] */
                    op_mem(e2, 1, 0x8D, 4, 4, -1, 1, 8 + imm);                   /* lea rsp,[rsp+8+imm] */
                } else {
                    emit_load_target(e2, in);
                    if (dd->flow == DEC_FLOW_CALL_IND)
                        emit_push_ret(e2, next);
                }
                emit_epilogue(e2, d, z);
                emit_dispatch(e2, &jmiss, run[j][k] == RUN_RET);
                break;
            }
        }
    }
    /* Side exits: the parts after the one left did not run (an &&-idiom's
     * side that is not merged, in a fresh head, takes its whole count back
     * instead, theirs with it: emit_unmerged). */
    for (unsigned i = 0; i < n_side; i++) {
        struct side *sx = &side[i];
        const struct cons_insn *in = sx->p->insn[sx->p->n - 1];
        patch_here(e2, sx->jcc);
        if (!in->aa_n)
            emit_parts_back(e2, sx->p->npart);
        emit_epilogue(e2, d, sx->p);
        if (in->aa_n) {
            emit_poison(e2, d, in);
            emit_unmerged(e2, d, sx->p, sx->taken);
        }
        sx->jcc = jump32(e2, -1);
    }
    /* The way out of the loop back, once translations are dropped
     * (dbt_invalidate): the scratch registers back and an exit to the start. */
    if (np > 1)
        d->n_units++, d->n_parts += np;
    if (jloop) {
        d->n_loops++;
        z->loop = jloop;
        z->loop_out = em.pc;
        emit_epilogue(e2, d, z);
        jout = jump32(e2, -1);
    }
    /* Stubs: one int3 per exit, one for an indirect miss. */
    for (unsigned i = 0; i < n_side; i++) {
        struct dbt_exit *x = &side[i].p->exit[side[i].p->n_exit++];
        x->stub = em.pc, x->patch = side[i].jcc, x->target = side[i].target;
        put(e2, 0xCC);
    }
    if (jtake) {
        struct dbt_exit *x = &z->exit[z->n_exit++];
        x->stub = em.pc, x->patch = jtake, x->target = take_target;
        put(e2, 0xCC);
    }
    if (jfall) {
        struct dbt_exit *x = &z->exit[z->n_exit++];
        x->stub = em.pc, x->patch = jfall, x->target = fall_target;
        put(e2, 0xCC);
    }
    if (jout) {
        struct dbt_exit *x = &z->exit[z->n_exit++];
        x->stub = em.pc, x->patch = jout, x->target = b->orig;
        put(e2, 0xCC);
    }
    if (jmiss) {
        z->miss = em.pc;
        put(e2, 0xCC);
    }
    if (b->vlen) {
        b->stale = em.pc;
        put(e2, 0xCC);
    }
    cold_place(e2);
    for (unsigned j = 0; j < np; j++)
        for (unsigned i = 0; i < pb[j]->n_exit; i++) {
            struct dbt_exit *x = &pb[j]->exit[i];
            set_rel32(c->mem + (x->patch - c->base), x->patch, x->stub);
        }
    if (jmiss)
        set_rel32(c->mem + (jmiss - c->base), jmiss, z->miss);
    if (jloop)
        set_rel32(c->mem + (jloop - c->base), jloop, loop_at);
    if (b->vlen)
        set_rel32(c->mem + (b->entry + stale_jcc - c->base), b->entry + stale_jcc, b->stale);
    while (em.pc % 16)
        put(e2, 0xCC);
    for (unsigned j = 0; j + 1 < np; j++)
        pb[j]->end = pb[j + 1]->entry;
    z->end = em.pc;
    c->used = em.pc - c->base;
    chunk_ahead(c);
    for (unsigned j = 0; j < np; j++) {
        chunk_add_block(c, pb[j]);
        finish_block(d, pb[j]);
    }
    if (fresh)
        return b; /* linked by the caller, once it is b->alt */
    size_t h = hash_of(orig);
    b->hnext = d->hash[h];
    d->hash[h] = b;
    if (fresh_ok(d, b, fdead[0][0]))
        b->alt = translate(d, tid, orig, 1);
    ht_insert(d, orig, entry_fresh(b));
    for (unsigned j = 0; j < np; j++)
        link_block(d, pb[j]);
    /* (After b->alt is set: an exit of the variant's unit back to orig enters
     * the variant, as variant_from says, not the loud block.) */
    for (struct dbt_block *p = b->alt; p; p = p->npart)
        link_block(d, p);
    return b;
}

/* Points exit x of b straight at block t if its rel32 reaches.  Blocks in
 * other chunks are usually within reach too (chunks lie within 1 GiB of the
 * code they translate): linked only within a chunk, HotSpot's exits from its
 * full first chunk into the next stopped the program at every execution
 * (2.2 M stops in `mvn -v`). */
static void link_exit(struct dbt *d, struct dbt_block *b, struct dbt_exit *x, struct dbt_block *t)
{
    const struct dbt_block *v = variant_from(b, t);
    uint64_t to = entry_from(d, b, v);
    struct chunk *c = b->chunk;
    if (x->linked || !fits32((int64_t)(to - (x->patch + 4))))
        return;
    set_rel32(c->mem + (x->patch - c->base), x->patch, to);
    x->linked = 1;
}

/* A new block b: chain its exits to blocks that exist, and the exits that
 * were waiting for it to b, so that most exits never stop the program. */
static void link_block(struct dbt *d, struct dbt_block *b)
{
    /* (Exits waiting for b's address wait for the block, not a variant nor
     * a later part of a unit, which is only entered from the part before.) */
    for (struct pend_exit **pp = &d->pend[hash_of(b->orig)], *p; !b->fresh && !b->part && (p = *pp);) {
        if (p->b->exit[p->i].target == b->orig) {
            link_exit(d, p->b, &p->b->exit[p->i], b);
            *pp = p->next;
            free(p);
        } else {
            pp = &p->next;
        }
    }
    for (unsigned i = 0; i < b->n_exit; i++) {
        struct dbt_block *t = lookup(d, b->exit[i].target);
        if (t) {
            link_exit(d, b, &b->exit[i], t);
            continue;
        }
        struct pend_exit *p = xmalloc(sizeof *p);
        size_t h = hash_of(b->exit[i].target);
        p->b = b;
        p->i = i;
        p->next = d->pend[h];
        d->pend[h] = p;
    }
}

static struct dbt_block *block_for(struct dbt *d, pid_t tid, uint64_t orig)
{
    struct dbt_block *b = lookup(d, orig);
    return b ? b : translate(d, tid, orig, 0);
}

/* The block whose code contains program address pc, and its chunk. */
static struct dbt_block *block_at(struct dbt *d, uint64_t pc, struct chunk **cp)
{
    for (unsigned i = 0; i < d->n_chunks; i++) {
        struct chunk *c = &d->chunk[i];
        if (pc < c->base || pc >= c->base + c->used)
            continue;
        size_t lo = 0, hi = c->n_blocks;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (c->blocks[mid]->entry <= pc)
                lo = mid;
            else
                hi = mid;
        }
        struct dbt_block *b = c->n_blocks ? c->blocks[lo] : NULL;
        if (b && pc >= b->entry && pc < b->end) {
            *cp = c;
            return b;
        }
    }
    return NULL;
}

int dbt_enter(struct dbt_thread *th, struct user_regs_struct *u, struct diag_err *e)
{
    struct dbt_block *b = block_for(th->d, th->tid, u->rip);
    if (!b) {
        dbt_stay(th);
        return 0;
    }
    int own = th->defer_done; /* nothing counted outside the stream since it left */
    th->defer_done = 0;
    *slot(th, FSBASE) = u->fs_base;
    if (!own)
        filt_sync(th);
    u->rip = b->entry;
    if (ptrace(PTRACE_SETREGS, th->tid, 0, u) != 0)
        return diag_set(e, "ptrace(SETREGS): %s", strerror(errno)), -1;
    return 1;
}

/* Exit x of block b goes back to its stub. */
static void unlink_exit(struct dbt_block *b, struct dbt_exit *x)
{
    struct chunk *c = b->chunk;
    set_rel32(c->mem + (x->patch - c->base), x->patch, x->stub);
    x->linked = 0;
}

void dbt_invalidate(struct dbt *d)
{
    for (size_t i = 0; i < d->n_blocks; i++) {
        struct dbt_block *b = d->byid[i];
        for (unsigned k = 0; k < b->n_exit; k++)
            if (b->exit[k].linked)
                unlink_exit(b, &b->exit[k]);
        if (b->loop)
            set_rel32(b->chunk->mem + (b->loop - b->chunk->base), b->loop, b->loop_out);
    }
    memset(d->hash, 0, HT_N * sizeof *d->hash);
    memset(d->chain_memo, 0, sizeof d->chain_memo);
    d->n_sysc = 0; /* their instructions may be gone: made again when needed */
    clear_pending(d);
    uint64_t *ht = (uint64_t *)(d->mem + HT_OFF);
    for (unsigned i = 0; i < HT_N; i++)
        __atomic_store_n(&ht[2 * i], 0, __ATOMIC_RELEASE);
}

/* Block b was found stale (emit_verify): nothing enters it from now on.
 * Exits linked to it go back to their stubs (every block's exits are
 * looked at: there is no list of who links to whom, and JITs rewrite code
 * seldom), and its address leaves both tables; a thread inside it leaves
 * at its next exit, as after dbt_invalidate. */
static void forget_block(struct dbt *d, struct dbt_block *b)
{
    for (size_t i = 0; i < d->n_blocks; i++)
        for (unsigned k = 0; k < d->byid[i]->n_exit; k++)
            if (d->byid[i]->exit[k].linked && d->byid[i]->exit[k].target == b->orig)
                unlink_exit(d->byid[i], &d->byid[i]->exit[k]);
    for (struct dbt_block **pp = &d->hash[hash_of(b->orig)]; *pp; pp = &(*pp)->hnext)
        if (*pp == b) {
            *pp = b->hnext;
            break;
        }
    uint64_t *ht = ht_slot(d, b->orig);
    if (__atomic_load_n(&ht[0], __ATOMIC_ACQUIRE) == b->orig)
        __atomic_store_n(&ht[0], 0, __ATOMIC_RELEASE);
}

/* ------------------------------------------------------------------- stops */

/* Register r (hardware number) of u. */
static unsigned long long *reg_of(struct user_regs_struct *u, int r)
{
    unsigned long long *p[16] = {&u->rax, &u->rcx, &u->rdx, &u->rbx, &u->rsp, &u->rbp, &u->rsi, &u->rdi,
                       &u->r8, &u->r9, &u->r10, &u->r11, &u->r12, &u->r13, &u->r14, &u->r15};
    return p[r];
}
static void reg_set(struct user_regs_struct *u, int r, uint64_t v) { *reg_of(u, r) = v; }
static uint64_t reg_get(struct user_regs_struct *u, int r) { return *reg_of(u, r); }

/* Where in block b a stop at pc is: the instruction k about to run (its
 * records for earlier ones in the uncommitted record), or -1 if pc is not a
 * clean point.  *inner: S and T hold our values (the originals are in slots),
 * as they do at the start of a unit's later part; 2: the flags are held in
 * ah/al too (flag_runs). */
static int clean_point(const struct dbt_block *b, uint64_t pc, int *inner)
{
    uint64_t off = pc - b->entry;
    if (!b->part && (off == 0 || (b->nf && off == b->nf) || (b->vlen && off == b->vlen))) {
        *inner = 0;
        return 0;
    }
    for (unsigned k = 0; k < b->n; k++)
        if (off == b->bound[k] || off == b->copy[k]) {
            /* (bound[k] == copy[k] when k has no sites: not in a run then) */
            int held = off == b->copy[k] ? (int)(b->held_copy >> k & 1)
                                          : (int)(b->held_bound >> k & 1);
            *inner = 1 + held;
            return (int)k;
        }
    return -1;
}

/* A stop inside part b of a unit: the parts after it did not run, which
 * their head's counter says they did (emit_parts_back's, here). */
static void parts_back(struct dbt_thread *th, const struct dbt_block *b)
{
    for (const struct dbt_block *q = b->npart; q; q = q->npart)
        cons_seq_add(th->d->t->cons, q->seq, UINT64_MAX);
}

/* The flags as flags_save left them in ax (ah: lahf's, al: seto's) back
 * into u, and rax from its slot. */
static void flags_from_ax(struct dbt_thread *th, struct user_regs_struct *u, uint64_t fl)
{
    uint64_t ah = (fl >> 8) & 0xFF;
    u->eflags = (u->eflags & ~0x8D5ull) | (ah & 0xD5) | ((fl & 0xFF) ? 0x800 : 0);
    u->rax = *slot(th, SV_RAX);
}

/* Leaves the cache at a clean point: the thread's registers become the
 * program's at original address orig. */
static void leave_inner(struct dbt_thread *th, struct dbt_block *b, unsigned k, int held,
                        struct user_regs_struct *u)
{
    if (held)
        flags_from_ax(th, u, u->rax);
    if (b->quiet && !th->d->filt) {
        /* No scratch registers; its counter has this execution, of which
         * only the first k instructions ran. */
        dbt_drain(th);
        cons_seq_add(th->d->t->cons, b->seq, UINT64_MAX);
        cons_seq_exec_part(th->d->t->cons, b->seq, NULL, k);
        u->rip = b->insn[k]->addr;
        return;
    }
    if (b->bare) {
        /* No scratch registers either, and nothing uncommitted (its fetch
         * records commit on their cold paths). */
        drain_partial(th, b, k, *slot(th, BUFPTR));
        u->rip = b->insn[k]->addr;
        return;
    }
    uint64_t end = reg_get(u, b->rs);
    reg_set(u, b->rs, *slot(th, SV_S));
    reg_set(u, b->rt, *slot(th, SV_T));
    if (b->has_u)
        reg_set(u, b->ru, *slot(th, SV_U));
    drain_partial(th, b, k, end);
    parts_back(th, b);
    u->rip = b->insn[k]->addr;
}

static void restore_dispatch(struct dbt_thread *th, struct user_regs_struct *u)
{
    flags_from_ax(th, u, *slot(th, SV_FLAGS));
    u->rcx = *slot(th, SV_RCX);
}

/* The thread is at exit stub x, or at its block's indirect-miss stub (x
 * NULL): everything before is committed; puts back what the inline lookup
 * saved, and returns the original address to go on at. */
static uint64_t leave_stub(struct dbt_thread *th, const struct dbt_exit *x,
                           struct user_regs_struct *u)
{
    /* The worker may go on counting while we translate: translating only
     * adds (blocks, sequences, sites, cells, all at addresses that stay) and
     * changes nothing the worker's records can name; the program cannot run
     * the new code before we resume it.  That wait was zlib's 49 ms and
     * SQLite's 93 ms (44 and 42 stops found the worker busy).  What the thread
     * recorded since its last buffer switch stays there, to be counted in
     * order with what follows: counted here, it would keep the program
     * waiting (SQLite: 5 K such stops).  Whoever counts outside the stream (a
     * step, a signal) drains first (go_to); a system call's step that changes
     * nothing the engine keeps goes into the stream instead (sysc_defer). */
    if (x)
        return x->target;
    uint64_t target = u->rcx;
    restore_dispatch(th, u);
    return target;
}

/* The blocks along b's direct exits, breadth first, up to AHEAD_BLOCKS new
 * ones: their first executions then need no stop (a stop costs about as
 * much as translating a few blocks).  Each costs descriptions, a plan and
 * code: SQLite's driver translated 25.4 K blocks with 8 and 15.6 K with 4
 * (peak 54.4 -> 50.7 MB) for 225 more exit stops (2.9 K -> 3.1 K), and
 * neither it, zlib nor /bin/true got measurably slower (docs/performance.md);
 * with only the entered block's two exits /bin/true had taken 0.31 s against
 * 0.17-0.19 s. */
#ifndef AHEAD_BLOCKS
#define AHEAD_BLOCKS 4
#endif
/* Where block x goes next: exit i, and after its exits, for a block ending
 * in a call, where that call returns (reached through the indirect-branch
 * table, where translating puts it: without this every return site's first
 * return stops; 3.4 K of SQLite's 5.7 K stops were such misses).  0: none. */
static uint64_t ahead_target(const struct dbt_block *x, unsigned i, int *linked)
{
    *linked = 0;
    if (i < x->n_exit) {
        *linked = x->exit[i].linked;
        return x->exit[i].target;
    }
    const struct cons_insn *in = x->insn[x->n - 1];
    int call = in->dec.flow == DEC_FLOW_CALL || in->dec.flow == DEC_FLOW_CALL_IND;
    return i == x->n_exit && call ? in->addr + in->dec.len : 0;
}

static void translate_ahead(struct dbt *d, pid_t tid, struct dbt_block *b)
{
    struct dbt_block *queue[AHEAD_BLOCKS + 1];
    unsigned head = 0, tail = 0, made = 0;
    queue[tail++] = b;
    while (head < tail && made < AHEAD_BLOCKS) {
        uint64_t to;
        int linked;
        for (struct dbt_block *x = queue[head++]; x; x = x->npart)
            for (unsigned i = 0; (to = ahead_target(x, i, &linked)) && made < AHEAD_BLOCKS; i++) {
                if (linked || lookup(d, to))
                    continue;
                struct dbt_block *t = translate(d, tid, to, 0);
                made++;
                if (t && tail <= AHEAD_BLOCKS)
                    queue[tail++] = t;
            }
    }
}

/* System calls the program makes over and over, that change nothing the
 * engine keeps (mappings, threads, signal state, the gs base) and that
 * --deterministic leaves alone. */
static int sysc_harmless(uint64_t nr)
{
    switch (nr) {
    case SYS_read: case SYS_write: case SYS_pread64: case SYS_pwrite64: case SYS_readv:
    case SYS_writev: case SYS_preadv: case SYS_pwritev: case SYS_lseek: case SYS_open:
    case SYS_openat: case SYS_close: case SYS_stat: case SYS_fstat: case SYS_lstat:
    case SYS_newfstatat: case SYS_statx: case SYS_access: case SYS_faccessat: case SYS_getdents64:
    case SYS_getcwd: case SYS_unlink: case SYS_unlinkat: case SYS_rename: case SYS_mkdir:
    case SYS_fsync: case SYS_fdatasync: case SYS_ftruncate: case SYS_fcntl: case SYS_ioctl:
    case SYS_dup: case SYS_dup2: case SYS_dup3: case SYS_pipe: case SYS_pipe2: case SYS_poll:
    case SYS_ppoll: case SYS_select: case SYS_pselect6: case SYS_epoll_wait: case SYS_epoll_pwait:
    case SYS_sendto: case SYS_recvfrom: case SYS_sendmsg: case SYS_recvmsg: case SYS_nanosleep:
    case SYS_clock_nanosleep: case SYS_clock_gettime: case SYS_gettimeofday: case SYS_time:
    case SYS_sched_yield: case SYS_futex: case SYS_brk: case SYS_getpid: case SYS_gettid:
    case SYS_getppid: case SYS_getuid: case SYS_geteuid: case SYS_getgid: case SYS_getegid:
    case SYS_getrusage: case SYS_times: case SYS_sysinfo:
        return 1;
    default:
        return 0;
    }
}

/* A system call th is about to step at target (registers u), to be counted
 * through th's stream once it ran (dbt_step_ran), so that the program does
 * not wait for the worker and for its buffer to be counted (dbt_drain) at
 * every one: with a write(2) every 9 K instructions, a program ran 46% longer
 * than without (docs/performance.md).  Its record is that of a one-instruction
 * block, as translated code writes it; the block is made once per call site
 * and never run.  NULL: counted the usual way (the engine counts it after
 * draining), which a system call that changes what the engine keeps needs
 * (a profile written at exec or cloned at fork must be complete, --deterministic
 * reads the instruction count), as does a full buffer. */
static struct dbt_block *sysc_defer(struct dbt_thread *th, uint64_t target,
                                    const struct user_regs_struct *u)
{
    struct dbt *d = th->d;
    struct diag_err e;
    if (!d->have_worker || d->t->det || !sysc_harmless(u->rax) ||
        buf_tr(th, th->half) + BUF_BYTES - *slot(th, BUFPTR) < 8 * 2)
        return NULL;
    struct cons_insn *in = session_insn(d->s, d->t, target, &e);
    if (!in || in->dec.flow != DEC_FLOW_SYSCALL || in->dec.special || in->dec.n_acc)
        return NULL;
    for (size_t i = 0; i < d->n_sysc; i++)
        if (d->sysc[i]->insn[0] == in)
            return d->sysc[i];
    if (d->n_blocks + 1 > BLOCKS_MAX)
        return NULL;
    struct dbt_block *b = block_alloc(1);
    b->orig = target;
    b->n = 1;
    b->insn[0] = in;
    b->noacc = !d->rec;
    add_block(d, b);
    if (d->filt)
        b->seq = cons_seq_new(d->t->cons, b->insn, 1, 1);
    finish_block(d, b);
    if (d->n_sysc == d->sysc_cap) {
        d->sysc_cap = d->sysc_cap ? 2 * d->sysc_cap : 16;
        d->sysc = xrealloc(d->sysc, d->sysc_cap * sizeof *d->sysc);
    }
    d->sysc[d->n_sysc++] = b;
    return b;
}

int dbt_step_deferred(const struct dbt_thread *th) { return th->defer != NULL; }

void dbt_step_ran(struct dbt_thread *th)
{
    struct dbt *d = th->d;
    struct dbt_block *b = th->defer;
    if (!b)
        return;
    th->defer = NULL;
    th->defer_done = 1;
    uint64_t at = *slot(th, BUFPTR);
    uint64_t *w = (uint64_t *)(buf_mem(th, th->half) + (at - buf_tr(th, th->half)));
    unsigned n = 0;
    if (!d->filt) {
        w[n++] = b->id; /* emit_check_record's, run here */
    } else {
        w[n++] = CONS_REC_START(b->id);
        /* emit_fetch_site's test and emit_fetch_miss's record, run here */
        const struct cons_site *sites;
        unsigned ns = cons_seq_sites(b->seq, &sites);
        for (unsigned i = 0; i < ns; i++) {
            const struct cons_site *st = &sites[i];
            uint64_t l1, l2;
            fetch_lines(d, st, &l1, &l2);
            uint64_t *f1 = slot(th, (unsigned)filt_i(d, l1)), *f2 = slot(th, (unsigned)filt_i(d, l2));
            if (*f1 == l1 && *f2 == l2)
                continue;
            w[n++] = st->addr | (uint64_t)i << CONS_REC_TAG_SHIFT;
            *f1 = l1;
            *f2 = l2;
        }
    }
    *slot(th, BUFPTR) = at + 8 * n;
}

void dbt_stay(struct dbt_thread *th)
{
    if (!th->defer_done)
        return;
    th->defer_done = 0;
    dbt_drain(th); /* what is stepped next is counted after it */
}

void dbt_undefer(struct dbt_thread *th)
{
    if (!th->defer)
        return;
    th->defer = NULL;
    dbt_drain(th);
}

/* Continue at original address target: in its translation, or stepping. */
static enum dbt_stop_result go_to(struct dbt_thread *th, uint64_t target,
                                  struct user_regs_struct *u, struct dbt_block *from,
                                  struct dbt_exit *link_from)
{
    struct dbt *d = th->d;
    struct dbt_block *tb = block_for(d, th->tid, target);
    if (!tb) {
        /* The step is counted after everything recorded: now, or through
         * the stream once it ran (sysc_defer). */
        if ((th->defer = sysc_defer(th, target, u)))
            d->n_defer++;
        else
            dbt_drain(th);
        d->n_step++;
        u->rip = target;
        ptrace(PTRACE_SETREGS, th->tid, 0, u);
        return DBT_STEP;
    }
    /* An indirect target: (re)enter it in the program's table, where another
     * target hashing to the same slot may have replaced it. */
    if (!link_from)
        ht_insert(d, target, entry_fresh(tb));
    if (link_from)
        link_exit(d, from, link_from, tb);
    translate_ahead(d, th->tid, tb);
    u->rip = tb->entry;
    ptrace(PTRACE_SETREGS, th->tid, 0, u);
    return DBT_RESUME;
}

/* Is pc an exit stub or the indirect-miss stub of b?  Returns the exit (of
 * *owner), or sets *miss. */
static struct dbt_exit *stub_of(struct dbt_block *b, uint64_t pc, int *miss,
                                struct dbt_block **owner)
{
    *miss = b->miss && pc == b->miss;
    /* (A unit's stubs all follow its last part.) */
    for (struct dbt_block *p = b->head ? b->head : b; p; p = p->npart)
        for (unsigned i = 0; i < p->n_exit; i++)
            if (p->exit[i].stub == pc) {
                *owner = p;
                return &p->exit[i];
            }
    return NULL;
}

/* The program writes its records into pages of the memfd that are new to
 * it: a write fault each, 14-16 us on a VM with shadow page tables, where
 * populating them in the program's mapping (MADV_POPULATE_WRITE, through
 * the gadget) costs 1.5 us a page and their first write 5-6.  So at an
 * exit's stop a thread's buffer is populated 512 KiB at a time, ahead of
 * where it writes, and at a full buffer's stop the other buffer is, whole
 * (the next stop may be far).  zlib's driver on 2 MiB fills both buffers,
 * 1,536 pages: its program's page faults 2,971 -> 2,044, -26.8 +- 19.9 ms
 * (30 pairs); /bin/true writes 200 pages.  Only at stops for our own int3
 * or guard: injecting a call at a stop for the program's signal would lose
 * that signal.  A kernel without the advice (before 5.14) is not asked
 * again. */
#define BUF_POP_STEP (512u << 10)
static void buf_ahead(struct dbt_thread *th, uint64_t step)
{
    unsigned h = th->half;
    if (!th->d->rec || th->pop[h] >= BUF_BYTES ||
        (step < BUF_BYTES && *slot(th, BUFPTR) - buf_tr(th, h) + step / 2 < th->pop[h]))
        return;
    uint64_t n = BUF_BYTES - th->pop[h] < step ? BUF_BYTES - th->pop[h] : step;
    long r = inject(th->tid, gadget_tr(th->d), SYS_madvise, buf_tr(th, h) + th->pop[h], n,
                    MADV_POPULATE_WRITE, 0, 0, 0);
    th->pop[h] = r == 0 ? th->pop[h] + n : BUF_BYTES;
}

/* A full buffer: the store at the guard faulted inside block b.  The full
 * buffer goes to the worker; the program continues in the other one, with
 * the record it was writing moved there. */
static enum dbt_stop_result buffer_full(struct dbt_thread *th, struct dbt_block *b,
                                        struct user_regs_struct *u)
{
    struct dbt *d = th->d;
    unsigned h = th->half, o = !h;
    uint64_t start = buf_tr(th, h), cur = *slot(th, BUFPTR);
    /* The uncommitted record: in filtering mode [cur, the record register),
     * which reached the guard; otherwise slots after cur (the register is cur). */
    uint64_t written = reg_get(u, b->rs) - cur, part = start + BUF_BYTES - cur;
    if (!d->filt && part > 8 * (BLOCK_MAX_ACC + 1))
        part = 8 * (BLOCK_MAX_ACC + 1);
    dbt_sync(d); /* the worker may still count the other buffer */
    dec_store_trim(d->s->dec); /* the start is over: the decode store's pages need not stay
                                  (the first switch only) */
    memcpy(buf_mem(th, o), buf_mem(th, h) + (cur - start), part);
    count_async(d, th->sb, (const uint64_t *)buf_mem(th, h),
                (const uint64_t *)(buf_mem(th, h) + (cur - start)));
    th->half = o;
    *slot(th, BUFPTR) = buf_tr(th, o);
    reg_set(u, b->rs, buf_tr(th, o) + written);
    ptrace(PTRACE_SETREGS, th->tid, 0, u);
    buf_ahead(th, BUF_BYTES); /* all of it: the next stop may be far */
    return DBT_RESUME;
}

enum dbt_stop_result dbt_stop(struct dbt_thread *th, int sig, struct user_regs_struct *u,
                              struct diag_err *e)
{
    struct dbt *d = th->d;
    struct chunk *c;
    struct dbt_block *b;
    int miss, inner;
    if (ptrace(PTRACE_GETREGS, th->tid, 0, u) != 0)
        return diag_set(e, "ptrace(GETREGS): %s", strerror(errno)), DBT_ERROR;
    prefault_heap(); /* what translating here and since the last stop grew the heap by */

    /* Every path below that counts waits for the worker first (dbt_sync, or
     * dbt_drain, which also counts what the thread recorded); translating
     * runs beside it (leave_stub). */
    if (sig == SIGTRAP && (b = block_at(d, u->rip - 1, &c))) {
        if (b->vlen && u->rip - 1 == b->stale) {
            /* Its bytes changed: translated again from what they are now. */
            d->n_stale++;
            restore_dispatch(th, u);
            forget_block(d, b);
            return go_to(th, b->orig, u, NULL, NULL);
        }
        struct dbt_block *owner = NULL;
        struct dbt_exit *x = stub_of(b, u->rip - 1, &miss, &owner);
        if (x || miss) {
            if (x)
                d->n_exit++;
            else
                d->n_miss++;
            buf_ahead(th, BUF_POP_STEP);
            uint64_t target = leave_stub(th, x, u);
            return go_to(th, target, u, owner, x);
        }
    }
    siginfo_t si;
    int have_si = ptrace(PTRACE_GETSIGINFO, th->tid, 0, &si) == 0;
    if (sig == SIGSEGV && have_si && si.si_code > 0) {
        uint64_t a = (uint64_t)si.si_addr, g = buf_tr(th, th->half) + BUF_BYTES;
        if (a >= g && a < g + GUARD_BYTES && (b = block_at(d, u->rip, &c)))
            return d->n_full++, buffer_full(th, b, u);
    }
    d->n_signal++;

    /* The program's signal.  Walk forward to a clean point (a synchronous
     * fault is at one already: the faulting copy), then leave the cache. */
    uint64_t later = 0; /* signals that arrived while stepping: raised again at the end */
    int steps, clean = 0;
    for (steps = 0; steps < 200 && !clean; steps++) {
        int k = -1;
        b = block_at(d, u->rip, &c);
        if (!b) {
            /* Outside our code: it is the program's own (translated code only
             * jumps into blocks). */
            clean = 1;
            break;
        }
        struct dbt_block *owner;
        struct dbt_exit *x = stub_of(b, u->rip, &miss, &owner);
        if (x || miss) {
            u->rip = leave_stub(th, x, u);
            clean = 1;
            break;
        }
        uint64_t off = u->rip - b->entry;
        if (b->vlen && ((off >= b->vsave && off < b->vlen) || u->rip == b->stale)) {
            /* Comparing its bytes (a fault there is the program's at its
             * first instruction: its code is gone), or found them changed:
             * the registers are where the dispatch keeps them. */
            restore_dispatch(th, u);
            u->rip = b->orig;
            clean = 1;
            break;
        }
        if ((k = clean_point(b, u->rip, &inner)) >= 0) {
            if (inner)
                leave_inner(th, b, (unsigned)k, inner == 2, u);
            else
                u->rip = b->orig;
            clean = 1;
            break;
        }
        int st;
        if (ptrace(PTRACE_SINGLESTEP, th->tid, 0, 0) != 0 || waitpid(th->tid, &st, __WALL) != th->tid ||
            !WIFSTOPPED(st) || ptrace(PTRACE_GETREGS, th->tid, 0, u) != 0)
            return diag_set(e, "thread %d vanished while leaving translated code", (int)th->tid),
                   DBT_ERROR;
        /* Another signal stopped the step before it ran: it is suppressed
         * now (or the step would never happen) and raised again once the
         * thread is back in its own code.  Faults recur by themselves. */
        int o = WSTOPSIG(st);
        if (o != SIGTRAP && o != SIGSEGV && o != SIGBUS && o != SIGFPE && o != SIGILL && o < 64)
            later |= 1ull << o;
    }
    if (!clean)
        return diag_set(e, "thread %d did not reach an instruction boundary in translated code",
                        (int)th->tid), DBT_ERROR;
    for (int o = 1; o < 64; o++)
        if (later >> o & 1)
            syscall(SYS_tgkill, (int)d->t->pid, (int)th->tid, o);
    dbt_drain(th);
    if (ptrace(PTRACE_SETREGS, th->tid, 0, u) != 0)
        return diag_set(e, "ptrace(SETREGS): %s", strerror(errno)), DBT_ERROR;
    if (have_si)
        ptrace(PTRACE_SETSIGINFO, th->tid, 0, &si);
    return DBT_SIGNAL;
}
