/* session.c - see session.h. */
#include "core/session.h"

#include <cpuid.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dcache.h"
#include "core/outname.h"
#include "core/proc.h"
#include "core/stackalign.h"
#include "core/vexdead.h"
#include "sim/cacheconf.h"

void session_init(struct session *s, const struct options *opt)
{
    struct diag_err e;
    memset(s, 0, sizeof *s);
    s->opt = opt;
    s->ccfg.cache_sim = opt->cache_sim;
    s->ccfg.collecting = opt->instr_at_start;
    s->ccfg.toggle = opt->toggle_collect;
    s->ccfg.n_toggle = opt->n_toggle_collect;

    char buf[4096];
    s->cwd = xstrdup(getcwd(buf, sizeof buf) ? buf : ".");
    if (outname_check(opt->out_file, &e) != 0)
        diag_die(EXIT_USAGE, "%s", e.msg);

    if (opt->cache_sim) {
        /* Like Cachegrind: detect (or fall back to defaults), then let each of
         * --I1/--D1/--LL replace its part.  Warnings as Valgrind prints them. */
        unsigned given = (opt->have_i1 ? CACHECONF_GIVEN_I1 : 0) |
                         (opt->have_d1 ? CACHECONF_GIVEN_D1 : 0) |
                         (opt->have_ll ? CACHECONF_GIVEN_LL : 0);
        struct cacheconf_warnings w;
        cacheconf_warnings_clear(&w);
        int r;
        if (opt->deterministic) {
            /* The geometry CI tools use, so counts do not depend on the runner. */
            static const struct cache_hierarchy pinned = {
                {32768, 8, 64}, {32768, 8, 64}, {8388608, 16, 64}};
            s->ccfg.geom = pinned;
            r = CACHECONF_DETECTED;
        } else {
            r = cacheconf_detect_host(&s->ccfg.geom, given, &w);
        }
        if (r == CACHECONF_UNSUPPORTED)
            diag_die(EXIT_FAIL, "the host's cache geometry cannot be simulated: give --I1, --D1 and --LL");
        if (opt->have_i1)
            s->ccfg.geom.i1 = opt->i1;
        if (opt->have_d1)
            s->ccfg.geom.d1 = opt->d1;
        if (opt->have_ll)
            s->ccfg.geom.ll = opt->ll;
        /* An AVX register (32 bytes) must fit in one line, as Cachegrind demands. */
        unsigned ml = cacheconf_min_line(&s->ccfg.geom);
        if (ml < 32)
            diag_die(EXIT_USAGE,
                     "cannot continue: the minimum line size (%u) must be equal to or larger "
                     "than the maximum register size (32)", ml);
        /* Warnings only once the configuration is known to be usable, so a bad
         * command line gets its one line and nothing else. */
        if (!opt->quiet)
            for (unsigned i = 0; i < w.n; i++)
                fprintf(stderr, "--%d-- %s\n", (int)getpid(), w.line[i]);
        if (opt->verbose) {
            char buf[160];
            const struct cache_hierarchy *g = &s->ccfg.geom;
            fprintf(stderr, "--%d-- Cache configuration used:\n", (int)getpid());
            cacheconf_describe_used("I1", &g->i1, buf, sizeof buf);
            fprintf(stderr, "--%d-- %s\n", (int)getpid(), buf);
            cacheconf_describe_used("D1", &g->d1, buf, sizeof buf);
            fprintf(stderr, "--%d-- %s\n", (int)getpid(), buf);
            cacheconf_describe_used("LL", &g->ll, buf, sizeof buf);
            fprintf(stderr, "--%d-- %s\n", (int)getpid(), buf);
        }
    } else {
        cacheconf_defaults(&s->ccfg.geom);
    }
    s->dec = dec_new(&e);
    if (!s->dec)
        diag_die(EXIT_FAIL, "%s", e.msg);
    if (opt->decode_cache)
        dec_store_open(s->dec); /* (none: decoding takes its usual time) */
    sym_store_enable(opt->symbol_cache);
    s->name_at_end = getenv("CACHESIM_NAME_AT_END") != NULL;
}

static void tracee_free(struct tracee *t)
{
    if (t->memfd >= 0)
        close(t->memfd);
    sym_free(t->sym);
    cons_free(t->cons);
    determ_free(t->det);
    free(t->code);
    free(t->pages);
    free(t->cmd);
    free(t);
}

void session_release(struct session *s)
{
    while (s->tracees) {
        struct tracee *t = s->tracees;
        s->tracees = t->next;
        tracee_free(t);
    }
    struct dcache_stats st;
    if (dec_store_close(s->dec, &st) && s->opt->verbose)
        fprintf(stderr,
                "--%d-- decode cache: %llu of %llu decodes found in %s; %llu new ones %s\n",
                (int)getpid(), (unsigned long long)st.found, (unsigned long long)st.asked, st.path,
                (unsigned long long)st.added, st.written ? "written" : "not written");
    uint64_t found, written;
    sym_store_stats(&found, &written);
    if (s->opt->verbose && s->opt->symbol_cache)
        fprintf(stderr, "--%d-- symbol cache: %llu objects found, %llu written\n", (int)getpid(),
                (unsigned long long)found, (unsigned long long)written);
    dec_free(s->dec);
    free(s->cwd);
}

static struct cons_insn *describe(void *ctx, uint64_t addr);
static void name_of(void *ctx, uint64_t addr, const char **file, const char **fn,
                    unsigned long *line);

struct tracee *session_tracee_new(struct session *s, pid_t pid, struct tracee *parent,
                                  const char *cmd)
{
    struct diag_err e;
    struct tracee *t = xcalloc(1, sizeof *t);
    t->pid = pid;
    t->memfd = proc_open_mem(pid);
    if (t->memfd < 0)
        diag_die(EXIT_FAIL, "unable to open the memory of process %d: %s", (int)pid, strerror(errno));
    t->sym = sym_new(pid, &e);
    if (!t->sym)
        diag_die(EXIT_FAIL, "%s", e.msg);
    t->s = s;
    t->cons = parent ? cons_clone(parent->cons) : cons_new(&s->ccfg);
    cons_set_describer(t->cons, describe, t);
    cons_set_namer(t->cons, name_of, t);
    t->cmd = xstrdup(cmd);
    if (s->opt->deterministic)
        t->det = determ_new();
    t->next = s->tracees;
    s->tracees = t;
    return t;
}

struct tracee *session_tracee_find(struct session *s, pid_t pid)
{
    for (struct tracee *t = s->tracees; t; t = t->next)
        if (t->pid == pid)
            return t;
    return NULL;
}

static void hexbytes(const uint8_t *b, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%s%02x", i ? " " : "", b[i]);
    out[o] = 0;
}

/* Pages of read-only code read before: describing a block reads its
 * instructions, the blocks VEX would chase and both sides of branches, a few
 * bytes at a time, and each /proc/PID/mem read costs microseconds.  Only code
 * that cannot change without a system call we see is kept; every mapping
 * change (and exec) forgets them all. */
#define CODE_PAGES 64
struct code_pages {
    uint64_t page[CODE_PAGES]; /* page address + 1; 0: empty */
    uint8_t data[CODE_PAGES][4096];
};

static const struct code_region *code_region_of(struct tracee *t, uint64_t addr);

static void code_pages_forget(struct tracee *t)
{
    if (t->pages)
        memset(t->pages->page, 0, sizeof t->pages->page);
}

static size_t code_read(struct tracee *t, uint64_t addr, uint8_t *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        uint64_t a = addr + done, pg = a & ~4095ull;
        const struct code_region *cr = code_region_of(t, a);
        if (!cr || cr->writable)
            return done + proc_read(t->memfd, a, buf + done, n - done);
        if (!t->pages)
            t->pages = xcalloc(1, sizeof *t->pages);
        unsigned i = (unsigned)(pg >> 12) % CODE_PAGES;
        if (t->pages->page[i] != pg + 1) {
            if (proc_read(t->memfd, pg, t->pages->data[i], 4096) != 4096) {
                t->pages->page[i] = 0;
                return done + proc_read(t->memfd, a, buf + done, n - done);
            }
            t->pages->page[i] = pg + 1;
        }
        size_t k = (size_t)(pg + 4096 - a);
        if (k > n - done)
            k = n - done;
        memcpy(buf + done, t->pages->data[i] + (a - pg), k);
        done += k;
    }
    return done;
}

static size_t read_code(void *ctx, uint64_t addr, uint8_t *buf, size_t n)
{
    return code_read(ctx, addr, buf, n);
}

/* Reads t's executable mappings from /proc/PID/maps into a fresh array. */
static struct code_region *read_code_maps(pid_t pid, size_t *n)
{
    char path[64], line[512];
    struct code_region *r = NULL;
    size_t cap = 0;
    *n = 0;
    snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return NULL;
    while (fgets(line, sizeof line, f)) {
        unsigned long long a, b, off, ino;
        char perms[8];
        unsigned maj, min;
        if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu", &a, &b, perms, &off, &maj, &min, &ino) < 7 ||
            perms[2] != 'x')
            continue;
        if (*n == cap)
            r = xrealloc(r, (cap = cap ? 2 * cap : 32) * sizeof *r);
        r[(*n)++] = (struct code_region){a, b, off, ino, perms[1] == 'w'};
    }
    fclose(f);
    return r;
}

static const struct code_region *code_region_of(struct tracee *t, uint64_t addr)
{
    if (!t->code)
        t->code = read_code_maps(t->pid, &t->n_code);
    for (size_t i = 0; i < t->n_code; i++)
        if (addr >= t->code[i].start && addr < t->code[i].end)
            return &t->code[i];
    return NULL;
}

int session_maps_syscall(struct session *s, struct tracee *t)
{
    size_t n;
    struct code_region *now = read_code_maps(t->pid, &n);
    int gone = 0, added = n != t->n_code;
    /* Every old executable mapping that is not writable must still be there,
     * unchanged: within a mapping of the same object, at the same offset (a
     * mapping grown, or merged with a neighbour, still holds the same code).
     * Code in writable ones is compared with what it was at every use
     * (session_insn here, emit_verify in the translator), so they may change
     * at will: HotSpot grows and shrinks its code cache as it compiles, and
     * each change had dropped every translation and description.  Unless a
     * mapping that is not writable now lies over one (a file mapped where a
     * JIT's code was): its descriptions and translations, kept by comparing
     * bytes, would keep the old names. */
    for (size_t i = 0; t->code && i < t->n_code && !gone; i++) {
        const struct code_region *o = &t->code[i];
        int kept = o->writable;
        for (size_t j = 0; j < n; j++) {
            const struct code_region *r = &now[j];
            if (r->writable)
                continue;
            if (o->writable)
                kept &= !(r->start < o->end && o->start < r->end);
            else
                kept |= r->start <= o->start && o->end <= r->end && r->ino == o->ino &&
                        r->off + (o->start - r->start) == o->off;
        }
        gone = !kept;
    }
    if (gone)
        cons_insn_flush(t->cons);
    if (gone || added)
        sym_invalidate(t->sym, t->pid);
    if (added) /* read a new library's symbols while the program goes on */
        sym_prefetch(t->sym);
    code_pages_forget(t);
    free(t->code);
    t->code = now;
    t->n_code = n;
    return gone;
}

struct cons_insn *session_insn(struct session *s, struct tracee *t, uint64_t addr,
                               struct diag_err *e)
{
    uint8_t code[32];
    struct cons_insn *in = cons_insn_find(t->cons, addr);
    /* Known: the common case.  Code in read-only mappings cannot change without
     * a system call we see (session_maps_syscall); in writable ones the bytes
     * are compared every time, which catches code rewritten in place. */
    if (in && !in->verify)
        return in;
    size_t n = code_read(t, addr, code, sizeof code);
    if (in && n >= in->dec.len && memcmp(in->bytes, code, in->dec.len) == 0)
        return in;
    if (n == 0)
        return diag_set(e, "cannot read the code at 0x%llx", (unsigned long long)addr), NULL;
    struct dec_insn d;
    struct diag_err de;
    struct sym_loc loc = {NULL, NULL, 0};
    /* An object whose symbols are still being read (a library just mapped)
     * is named at the end instead of waited for (cons_set_namer): glibc with
     * its debug file takes about 30 ms to read, and the program can run its
     * first code there meanwhile. */
    int later = !s->ccfg.n_toggle && (!sym_ready(t->sym, addr) || s->name_at_end);
    if (!later)
        sym_lookup(t->sym, addr, &loc);
    if (dec_decode(s->dec, code, n, addr, &d, &de) != 0) {
        char hex[100];
        if (later)
            sym_lookup(t->sym, addr, &loc);
        hexbytes(code, n < 15 ? n : 15, hex, sizeof hex);
        return diag_set(e, "%s (in %s, bytes %s)", de.msg, loc.fn, hex), NULL;
    }
    /* Like Cachegrind: a load VEX optimizes away is not counted. */
    if (d.fx_load && vexdead_load_is_dead(s->dec, &d, addr, read_code, t))
        d.n_acc = 0;
    const struct code_region *cr = code_region_of(t, addr);
    in = cons_insn_add(t->cons, addr, &d, code, loc.file, loc.fn, loc.line);
    in->verify = !cr || cr->writable;
    /* Like Cachegrind: VEX's &&-idiom counts a short block also when it is
     * jumped over. */
    uint64_t aa[3];
    cons_insn_set_andand(t->cons, in, (unsigned)vex_andand(s->dec, &d, addr, read_code, t, aa), aa);
    return in;
}

int session_flow(struct session *s, struct tracee *t, uint64_t addr, struct session_flow *f)
{
    const struct cons_insn *in = cons_insn_find(t->cons, addr);
    if (in && !in->verify) {
        f->vexend = in->vexend, f->aa_n = in->aa_n, f->writable = 0;
        f->next = vex_next(&in->dec, addr, in->vexend);
        return 1;
    }
    uint8_t code[32];
    struct dec_insn d;
    struct diag_err e;
    size_t n = code_read(t, addr, code, sizeof code);
    if (n == 0 || dec_decode(s->dec, code, n, addr, &d, &e) != 0)
        return 0;
    uint64_t aa[3];
    const struct code_region *cr = code_region_of(t, addr);
    f->vexend = (uint8_t)vex_end_of(&d);
    f->aa_n = (uint8_t)vex_andand(s->dec, &d, addr, read_code, t, aa);
    f->writable = !cr || cr->writable;
    f->next = vex_next(&d, addr, f->vexend);
    return 1;
}

/* cons_name_fn for t's consumer. */
static void name_of(void *ctx, uint64_t addr, const char **file, const char **fn,
                    unsigned long *line)
{
    struct tracee *t = ctx;
    struct sym_loc loc;
    sym_lookup(t->sym, addr, &loc);
    *file = loc.file, *fn = loc.fn, *line = loc.line;
}

/* cons_describe_fn for t's consumer. */
static struct cons_insn *describe(void *ctx, uint64_t addr)
{
    struct tracee *t = ctx;
    struct diag_err e;
    return session_insn(t->s, t, addr, &e);
}

/* Writes t's profile.  A dump (client request) is a numbered part: %n in the
 * name numbers every profile; without %n, dumps get ".1", ".2", ... appended
 * and the final profile keeps the plain name (like Callgrind's dumps). */
static void write_profile(struct session *s, struct tracee *t, int dump, const char *trigger)
{
    struct diag_err e;
    unsigned seq = t->seq++;
    char *path = outname_expand(s->opt->out_file, t->pid, seq, s->cwd, &e);
    if (!path) {
        diag_error("%s", e.msg);
        return;
    }
    if (dump && !strstr(s->opt->out_file, "%n")) {
        size_t n = strlen(path) + 16;
        char *numbered = xmalloc(n);
        snprintf(numbered, n, "%s.%u", path, ++t->dumps);
        free(path);
        path = numbered;
    }
    if (cons_write(t->cons, path, t->cmd, trigger, &e) != 0)
        diag_error("%s", e.msg);
    free(path);
}

int session_exec(struct session *s, struct tracee *t)
{
    if (!s->opt->trace_children) {
        write_profile(s, t, 0, NULL);
        if (!s->opt->quiet)
            cons_print_summary(t->cons, stderr, t->pid);
        return 0;
    }
    close(t->memfd);
    t->memfd = proc_open_mem(t->pid);
    if (t->memfd < 0)
        diag_die(EXIT_FAIL, "unable to open the memory of process %d: %s", (int)t->pid,
                 strerror(errno));
    sym_invalidate(t->sym, t->pid);
    free(t->code);
    t->code = NULL;
    code_pages_forget(t);
    /* Like Cachegrind: the new image starts a fresh profile. */
    cons_free(t->cons);
    t->cons = cons_new(&s->ccfg);
    cons_set_describer(t->cons, describe, t);
    cons_set_namer(t->cons, name_of, t);
    free(t->cmd);
    t->cmd = proc_cmdline(t->pid);
    return 1;
}

int session_last(const struct session *s, const struct tracee *t)
{
    return s->tracees == t && !t->next;
}

void session_tracee_exit(struct session *s, struct tracee *t, int wstatus)
{
    int last = session_last(s, t);
    write_profile(s, t, 0, NULL);
    if (!s->opt->quiet)
        cons_print_summary(t->cons, stderr, t->pid);
    for (struct tracee **p = &s->tracees; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    /* The run is over: its consumer, symbols and code pages go with the
     * process, at once; freed piece by piece they took 7 ms (45 munmaps of
     * 50-100 us on the VM of docs/performance.md's ninth session). */
    if (!last || MEM_FREE_AT_EXIT)
        tracee_free(t);
}

void session_cpuid(struct session *s, uint32_t leaf, uint32_t subleaf, uint64_t regs[4])
{
    unsigned a, b, c, d;
    __cpuid_count(leaf, subleaf, a, b, c, d);
    if (!s->opt->cpuid_native) {
        /* Hide AVX-512 and AMX so glibc's ifuncs pick AVX2 code, which the
         * decoder understands and which Valgrind's synthetic CPU also offers. */
        if (leaf == 7 && subleaf == 0) {
            b &= ~((1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) | (1u << 27) | (1u << 28) |
                   (1u << 30) | (1u << 31));
            c &= ~((1u << 1) | (1u << 6) | (1u << 11) | (1u << 12) | (1u << 14));
            d &= ~((1u << 2) | (1u << 3) | (1u << 8) | (1u << 22) | (1u << 23) | (1u << 24) |
                   (1u << 25));
        } else if (leaf == 7 && subleaf == 1) {
            a &= ~(1u << 5); /* AVX512_BF16 */
        } else if (leaf == 0xd && subleaf == 0) {
            /* XCR0-supported components: drop opmask/ZMM (5-7) and AMX tiles (17-18). */
            a &= ~((1u << 5) | (1u << 6) | (1u << 7) | (1u << 17) | (1u << 18));
        }
    }
    if (s->opt->deterministic) {
        /* No hardware randomness: rdrand (leaf 1 ECX 30), rdseed (leaf 7 EBX 18). */
        if (leaf == 1)
            c &= ~(1u << 30);
        if (leaf == 7 && subleaf == 0)
            b &= ~(1u << 18);
    }
    regs[0] = a;
    regs[1] = b;
    regs[2] = c;
    regs[3] = d;
}

uint64_t session_exec_stop(struct session *s, struct tracee *t, uint64_t rsp)
{
    if (t->det && determ_exec(t->det, t->memfd, rsp) != 0)
        diag_warn("--deterministic: unable to rewrite the auxiliary vector of process %d",
                  (int)t->pid);
    if (!s->opt->stack_native) {
        int64_t off = stackalign_valgrind_offset(t->memfd, rsp, s->cwd);
        if (off >= 0)
            rsp = stackalign_move(t->memfd, rsp, (uint64_t)off);
    }
    return rsp;
}

int session_syscall_done(struct session *s, struct tracee *t, uint64_t nr, const uint64_t args[6],
                         int64_t *ret)
{
    if (!t->det)
        return 0;
    return determ_syscall(t->det, t->memfd, nr, args, ret, cons_executed(t->cons));
}

int session_rdtsc(struct session *s, struct tracee *t, uint64_t *tsc)
{
    if (!t->det)
        return 0;
    *tsc = determ_tsc(cons_executed(t->cons));
    return 1;
}

/* Request codes (valgrind.h, callgrind.h, cachegrind.h). */
enum {
    CLREQ_RUNNING_ON_VALGRIND = 0x1001,
    CLREQ_CT_DUMP_STATS = 0x43540000,
    CLREQ_CT_ZERO_STATS,
    CLREQ_CT_TOGGLE_COLLECT,
    CLREQ_CT_DUMP_STATS_AT,
    CLREQ_CT_START_INSTRUMENTATION,
    CLREQ_CT_STOP_INSTRUMENTATION,
    CLREQ_CG_START_INSTRUMENTATION = 0x43470000,
    CLREQ_CG_STOP_INSTRUMENTATION,
    CLREQ_RUNNING_ON_CACHESIM = 0x43530000, /* core/cachesim.h */
};

uint64_t session_clreq(struct session *s, struct tracee *t, const uint64_t args[6], uint64_t dflt)
{
    switch (args[0]) {
    case CLREQ_RUNNING_ON_VALGRIND:
        /* 0: the program is not running on Valgrind and should behave as it
         * does natively (documented in docs/usage.md). */
        return 0;
    case CLREQ_RUNNING_ON_CACHESIM:
        return 1;
    case CLREQ_CT_START_INSTRUMENTATION:
    case CLREQ_CG_START_INSTRUMENTATION:
        cons_set_collecting(t->cons, 1);
        return 0;
    case CLREQ_CT_STOP_INSTRUMENTATION:
    case CLREQ_CG_STOP_INSTRUMENTATION:
        cons_set_collecting(t->cons, 0);
        return 0;
    case CLREQ_CT_TOGGLE_COLLECT:
        cons_set_collecting(t->cons, !cons_collecting(t->cons));
        return 0;
    case CLREQ_CT_ZERO_STATS:
        cons_zero(t->cons);
        return 0;
    case CLREQ_CT_DUMP_STATS:
        write_profile(s, t, 1, "");
        cons_zero(t->cons);
        return 0;
    case CLREQ_CT_DUMP_STATS_AT: {
        char name[256] = {0};
        if (!args[1] || proc_read(t->memfd, args[1], name, sizeof name - 1) == 0)
            snprintf(name, sizeof name, "(no name)");
        name[strcspn(name, "\n")] = 0;
        write_profile(s, t, 1, name);
        cons_zero(t->cons);
        return 0;
    }
    default:
        return dflt;
    }
}
