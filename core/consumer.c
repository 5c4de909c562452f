/* consumer.c - see consumer.h.  The hot path is cons_exec: a few counter bumps
 * and cache lookups per instruction, nothing else (no hashing, no strings). */
#include "core/consumer.h"
#include "core/prefault.h"

#include <fnmatch.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/diag.h"
#include "core/base/textfmt.h"
#include "core/vexdead.h"

#define INSN_HASH_BITS 16

struct consumer {
    struct cons_config cfg;
    struct profile *prof;
    struct cache *i1, *d1, *ll;
    int vec;                    /* cons_stream's set search: 2 AVX-512F (cache_wide_ok), 1 AVX2
                                   (cache_avx2_ok), 0 plain */
    unsigned min_line;
    int collecting;
    struct cons_insn **table; /* open hash of static instructions */
    size_t table_size;        /* power of two */
    size_t n_insns;
    uint64_t executed;
    /* --toggle-collect: stack slots of the calls that entered a matching
     * function; counting is on while there is at least one. */
    uint64_t *toggle_sp;
    size_t toggle_depth, toggle_cap;
    uint64_t call_sp; /* slot pushed by the last call, until its target runs */
    int call_pending;
    struct cons_seq *seqs; /* all sequences (cons_seq_new), for settling */
    cons_describe_fn describe;
    void *describe_ctx;
    struct cons_sb own_sb; /* used until an engine names a thread's */
    struct cons_sb *sb;    /* the thread whose executions come in */
    cons_pull_fn pull;     /* the engine's counters, taken in before counts are read */
    void *pull_ctx;
    cons_name_fn name;     /* names an instruction described without its name */
    void *name_ctx;
    struct cons_unnamed *unnamed;
    struct chunk *chunks;  /* what holds every cons_insn, cons_seq, cons_andand and
                              cons_unnamed (carve) */
    size_t chunk_left;
};

/* The consumer's records are never freed one by one (a replaced description
 * stays until the end: an engine may still hold it), so they are carved from
 * chunks, freed together: cons_free walked and freed each of them, 5% of the
 * engine thread's time on /bin/true and 14 ms at the end of zlib's run. */
struct chunk {
    struct chunk *next;
    size_t size;
    max_align_t mem[];
};
#define CHUNK_BYTES (256u << 10)

/* n zeroed bytes, aligned for any type, that live until cons_free. */
static void *carve(struct consumer *c, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (n > c->chunk_left) {
        size_t size = n > CHUNK_BYTES ? n : CHUNK_BYTES;
        struct chunk *k = xcalloc(1, sizeof *k + size);
        prefault(k, sizeof *k + size); /* carved from the start on (core/prefault.h) */
        k->next = c->chunks;
        k->size = size;
        c->chunks = k;
        c->chunk_left = size;
    }
    void *p = (char *)c->chunks->mem + (c->chunks->size - c->chunk_left);
    c->chunk_left -= n;
    return p;
}

/* An instruction described before its object's symbols were read (the
 * symbolizer still reading them in a thread, cons_insn_add): it counts into
 * a cell of its own, which cons_settle adds to its line's cell and empties.
 * Named (real set) at the first settle, or before any flush: code unmapped
 * or replaced would otherwise take another object's name. */
struct cons_unnamed {
    struct cons_unnamed *next;
    uint64_t addr;
    int64_t *real;       /* its line's cell, once named */
    int64_t cell[EV_N];
};

struct cons_seq {
    /* What an execution touches first, in one cache line. */
    uint64_t pending;           /* executions not yet in the cells */
    unsigned n, n_site;
    int plain;                  /* no instruction but the last ends a VEX block */
    uint8_t last_end, last_aa;  /* the last instruction's vexend and aa_n, kept here so
                                   the walk does not touch its description */
    const struct cons_insn *last; /* in[n - 1] */
    uint64_t first_addr;        /* in[0]->addr */
    uint64_t last_cont;         /* where a superblock goes on after in[n - 1]: the
                                   next address, or a direct jump's or call's target
                                   (the walk would otherwise read in[n - 1], a line of
                                   its own: zlib, 12 M executions so begun) */
    struct cons_site *site;     /* fetches and accesses in execution order */
    int with_acc;
    const struct cons_insn **in;
    uint8_t *nr, *nw;           /* per instruction: data reads, writes */
    struct cons_seq *next;
};

static const char *const EVENTS_SIM = "Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw ";
static const char *const EVENTS_NOSIM = "Ir";

static struct cache *new_cache(const struct cache_config *cfg)
{
    struct cache *c = cache_new(cfg);
    if (!c)
        diag_die(EXIT_FAIL, "out of memory");
    /* Fresh zero pages, read before they are written (a hit on a cold set
     * compares, a miss then writes): two faults a page, taken by the
     * helper instead (an 8 MiB LL's 1 MiB of tags, which zlib's driver on
     * 2 MiB touches whole: -9.9 +- 2.8 ms on 1 KiB, 20 pairs).  Not past 2
     * MiB of tags: a short run touches few of a 32 MiB LL's 4 MiB, and
     * /bin/true's peak memory went from 22.7 to 27.3 MB. */
    size_t bytes = (c->set_mask + 1) * c->assoc * sizeof *c->tags;
    if (bytes <= (2u << 20))
        mem_back_now(c->tags, bytes);
    return c;
}

static struct consumer *alloc_consumer(const struct cons_config *cfg)
{
    struct consumer *c = xcalloc(1, sizeof *c);
    c->sb = &c->own_sb;
    c->cfg = *cfg;
    c->collecting = cfg->collecting;
    c->table_size = (size_t)1 << INSN_HASH_BITS;
    c->table = xcalloc_now(c->table_size, sizeof *c->table);
    c->min_line = cacheconf_min_line(&cfg->geom);
#ifdef CACHE_HAVE_WIDE
    /* On AMD's Zen 4 (AVX-512 in two 256-bit halves; masked stores slow) the
     * AVX2 search is the faster: the worker's CPU on zlib's driver 0.197 ->
     * 0.183 s, on 18-letter text 0.353 -> 0.331 s (medians of 8), that run
     * -37.5 +- 11.9 ms (16 pairs).  On the Intel VM where the AVX-512 search
     * came first it was measured against the scalar search only; kept there. */
    c->vec = cache_wide_ok() && !(cache_avx2_ok() && __builtin_cpu_is("amd")) ? 2
             : cache_avx2_ok()                                                ? 1
                                                                              : 0;
#endif
    return c;
}

struct consumer *cons_new(const struct cons_config *cfg)
{
    struct diag_err e;
    struct consumer *c = alloc_consumer(cfg);
    c->prof = profile_new();
    /* Cachegrind's exact events lines; the cache one ends in a space. */
    if (profile_set_events(c->prof, cfg->cache_sim ? EVENTS_SIM : EVENTS_NOSIM, &e) != 0)
        diag_die(EXIT_FAIL, "%s", e.msg);
    if (cfg->cache_sim) {
        c->i1 = new_cache(&cfg->geom.i1);
        c->d1 = new_cache(&cfg->geom.d1);
        c->ll = new_cache(&cfg->geom.ll);
    }
    return c;
}

struct consumer *cons_clone(struct consumer *src)
{
    cons_settle(src);
    struct diag_err e;
    struct consumer *c = alloc_consumer(&src->cfg);
    c->collecting = src->collecting;
    c->executed = src->executed;
    c->prof = profile_new();
    if (profile_add(c->prof, src->prof, +1, &e) != 0)
        diag_die(EXIT_FAIL, "%s", e.msg);
    if (src->cfg.cache_sim) {
        c->i1 = cache_clone(src->i1);
        c->d1 = cache_clone(src->d1);
        c->ll = cache_clone(src->ll);
        if (!c->i1 || !c->d1 || !c->ll)
            diag_die(EXIT_FAIL, "out of memory");
    }
    return c;
}

/* Gives every unnamed instruction its line's cell (not its counts). */
static void name_unnamed(struct consumer *c)
{
    for (struct cons_unnamed *u = c->unnamed; u && !u->real; u = u->next) {
        const char *file = "???", *fn = "???";
        unsigned long line = 0;
        if (c->name)
            c->name(c->name_ctx, u->addr, &file, &fn, &line);
        u->real = profile_cell(c->prof, file, fn, line);
    }
}

void cons_insn_flush(struct consumer *c)
{
    name_unnamed(c);
    memset(c->table, 0, c->table_size * sizeof *c->table); /* the records stay (carve) */
    c->n_insns = 0;
}

void cons_free(struct consumer *c)
{
    if (!c)
        return;
    for (struct chunk *k = c->chunks, *next; k; k = next) {
        next = k->next;
        free(k);
    }
    free(c->table);
    profile_free(c->prof);
    free(c->toggle_sp);
    cache_free(c->i1);
    cache_free(c->d1);
    cache_free(c->ll);
    free(c);
}

/* Instructions close in memory get slots close in the table (a 64 KiB
 * stretch of code a run of slots, placed by a hash of where it is): a block's
 * instructions are looked up together, and with a hash of the whole address
 * each lookup missed the CPU's caches (5% of the engine thread's time on
 * /bin/true, docs/performance.md). */
static size_t slot_of(const struct consumer *c, uint64_t addr)
{
    uint64_t h = (addr >> 16) * 0x9E3779B97F4A7C15ull;
    return (size_t)((addr >> 2) + (h >> 40)) & (c->table_size - 1);
}

struct cons_insn *cons_insn_find(struct consumer *c, uint64_t addr)
{
    for (struct cons_insn *in = c->table[slot_of(c, addr)]; in; in = in->next)
        if (in->addr == addr)
            return in;
    return NULL;
}

static void grow(struct consumer *c)
{
    size_t old = c->table_size;
    struct cons_insn **t = c->table;
    c->table_size = old * 2;
    c->table = xcalloc_now(c->table_size, sizeof *c->table);
    for (size_t i = 0; i < old; i++) {
        struct cons_insn *in = t[i], *next;
        for (; in; in = next) {
            next = in->next;
            size_t s = slot_of(c, in->addr);
            in->next = c->table[s];
            c->table[s] = in;
        }
    }
    free(t);
}

struct cons_insn *cons_insn_add(struct consumer *c, uint64_t addr, const struct dec_insn *d,
                                const uint8_t *bytes, const char *file, const char *fn,
                                unsigned long line)
{
    /* Only the accesses the instruction has are stored: a full struct
     * dec_insn is over a kilobyte, most instructions need a few dozen bytes. */
    size_t size = offsetof(struct cons_insn, dec) + DEC_INSN_SIZE(d->n_acc);
    struct cons_insn *in = cons_insn_find(c, addr), **pp;
    if (in) {
        for (pp = &c->table[slot_of(c, addr)]; *pp != in; pp = &(*pp)->next)
            ;
        *pp = in->next; /* the record stays (carve) */
        c->n_insns--;
    }
    if (c->n_insns >= c->table_size)
        grow(c);
    in = carve(c, size);
    size_t s = slot_of(c, addr);
    in->next = c->table[s];
    c->table[s] = in;
    c->n_insns++;
    in->addr = addr;
    memcpy(&in->dec, d, DEC_INSN_SIZE(d->n_acc));
    memcpy(in->bytes, bytes, d->len);
    in->fn = fn;
    in->toggle = 0;
    in->vexend = (uint8_t)vex_end_of(d);
    for (int i = 0; fn && i < c->cfg.n_toggle; i++)
        if (fnmatch(c->cfg.toggle[i], fn, 0) == 0)
            in->toggle = 1;
    if (file) {
        in->cell = profile_cell(c->prof, file, fn, line);
        return in;
    }
    /* Newest first: name_unnamed stops at the first one named. */
    struct cons_unnamed *u = carve(c, sizeof *u);
    u->addr = addr;
    u->next = c->unnamed;
    c->unnamed = u;
    in->cell = u->cell;
    return in;
}

void cons_insn_set_andand(struct consumer *c, struct cons_insn *in, unsigned n,
                          const uint64_t *addr)
{
    in->aa_n = (uint8_t)n;
    if (!n)
        return;
    if (!in->aa)
        in->aa = carve(c, sizeof *in->aa);
    memset(in->aa, 0, sizeof *in->aa);
    memcpy(in->aa->addr, addr, n * sizeof *addr);
}

void cons_set_sb(struct consumer *c, struct cons_sb *sb) { c->sb = sb ? sb : &c->own_sb; }

void cons_set_describer(struct consumer *c, cons_describe_fn fn, void *ctx)
{
    c->describe = fn;
    c->describe_ctx = ctx;
}

void cons_set_namer(struct consumer *c, cons_name_fn fn, void *ctx)
{
    c->name = fn;
    c->name_ctx = ctx;
}

void cons_set_pull(struct consumer *c, cons_pull_fn fn, void *ctx)
{
    c->pull = fn;
    c->pull_ctx = ctx;
}

/* The engine's counters in, before counts are read or the counting state
 * changes (what ran before the change is counted under the old state). */
static void pull(struct consumer *c)
{
    if (c->pull)
        c->pull(c->pull_ctx);
}

void cons_set_collecting(struct consumer *c, int on)
{
    pull(c);
    c->collecting = on;
}
int cons_collecting(const struct consumer *c) { return c->collecting; }

void cons_zero(struct consumer *c)
{
    cons_settle(c);
    const struct profile_entry *ents;
    size_t n = profile_sorted(c->prof, &ents), k = profile_n_events(c->prof);
    for (size_t i = 0; i < n; i++)
        memset((int64_t *)ents[i].counts, 0, k * sizeof(int64_t));
}

/* Index of the stack access of a call/ret (its last access), or -1. */
static int stack_access(const struct cons_insn *in, uint64_t present)
{
    int i = in->dec.n_acc - 1;
    return i >= 0 && (present >> i) & 1 ? i : -1;
}

/* Call-stack bookkeeping for --toggle-collect, before counting `in`: enters a
 * matching function when a call reaches it.  Returns whether `in` is counted
 * (a matching function is on the stack). */
static int toggle_before(struct consumer *c, const struct cons_insn *in, const uint64_t *addr,
                         uint64_t present)
{
    if (c->call_pending) {
        if (in->toggle) {
            if (c->toggle_depth == c->toggle_cap) {
                c->toggle_cap = c->toggle_cap ? 2 * c->toggle_cap : 64;
                c->toggle_sp = xrealloc(c->toggle_sp, c->toggle_cap * sizeof *c->toggle_sp);
            }
            c->toggle_sp[c->toggle_depth++] = c->call_sp;
            c->call_pending = 0;
        } else if (in->dec.flow != DEC_FLOW_JMP && in->dec.flow != DEC_FLOW_JMP_IND) {
            c->call_pending = 0; /* PLT stubs jump on; anything else ends the entry */
        }
    }
    int i;
    if ((in->dec.flow == DEC_FLOW_CALL || in->dec.flow == DEC_FLOW_CALL_IND) &&
        (i = stack_access(in, present)) >= 0) {
        c->call_sp = addr[i];
        c->call_pending = 1;
    }
    return c->toggle_depth > 0;
}

/* After counting a ret: drop the frames it (or a longjmp before it) left. */
static void toggle_after(struct consumer *c, const struct cons_insn *in, const uint64_t *addr,
                         uint64_t present)
{
    int i;
    if (in->dec.flow != DEC_FLOW_RET || (i = stack_access(in, present)) < 0)
        return;
    while (c->toggle_depth && addr[i] >= c->toggle_sp[c->toggle_depth - 1])
        c->toggle_depth--;
}

uint64_t cons_executed(struct consumer *c)
{
    pull(c);
    return c->executed;
}

/* Ir and I1 fetch of one execution (counting on). */
static void count_fetch(struct consumer *c, const struct cons_insn *in)
{
    int64_t *cell = in->cell;
    cell[EV_IR]++;
    if (!c->cfg.cache_sim)
        return;
    unsigned ml = c->min_line, size = in->dec.len < ml ? in->dec.len : ml;
    if (cache_access(c->i1, in->addr, size)) {
        cell[EV_I1MR]++;
        if (cache_access(c->ll, in->addr, size))
            cell[EV_ILMR]++;
    }
}

/* The descriptions of j's merged instructions, looked up once. */
static void resolve_andand(struct consumer *c, struct cons_insn *j)
{
    if (!j->aa_n || j->aa->tried || !c->describe)
        return;
    for (unsigned i = 0; i < j->aa_n; i++)
        j->aa->in[i] = c->describe(c->describe_ctx, j->aa->addr[i]);
    j->aa->tried = 1;
}

/* The &&-idiom of branch j went the other way: its merged instructions ran
 * in VEX's superblock anyway (their IMarks), so Cachegrind counts them. */
static void count_andand(struct consumer *c, const struct cons_insn *j)
{
    if (!c->collecting || (c->cfg.n_toggle && c->toggle_depth == 0))
        return;
    struct cons_insn *w = (struct cons_insn *)j;
    resolve_andand(c, w);
    for (unsigned i = 0; i < j->aa_n; i++)
        if (w->aa->in[i])
            count_fetch(c, w->aa->in[i]);
}

/* The instruction at addr runs after a conditional branch whose &&-idiom
 * was pending: on its merged side the superblock goes on, otherwise the
 * merged instructions are counted. */
static inline void sb_decide_andand(struct consumer *c, uint64_t addr)
{
    struct cons_sb *sb = c->sb;
    const struct cons_insn *j = sb->pend_aa;
    sb->pend_aa = NULL;
    if (addr == j->aa->addr[0]) {
        sb->merged_left = j->aa_n; /* the merged side: same superblock */
        sb->cont = addr;
    } else
        count_andand(c, j);
}

/* Follows VEX's superblock formation along the executed instructions: the
 * first block's direct jump or call is chased (while 3 of the 50
 * instructions are left), and the superblock ends with the block it leads
 * to, however that ends (VEX 3.19's bb_to_IR gives up after one extension:
 * `--trace-flags=10000000` shows one "Unconditional follow" per superblock);
 * anything else that ends a block ends it, and a conditional branch ending
 * the first block may have an &&-idiom merged. */
/* An execution starts at addr: a pending &&-idiom is decided by it, and a
 * superblock that was to go on elsewhere has ended (what ran in between was
 * not handed in instruction by instruction: a block only counted, whose end
 * ends every superblock; or a signal handler, which VEX starts afresh). */
static inline void sb_enter(struct consumer *c, uint64_t addr)
{
    struct cons_sb *sb = c->sb;
    if (__builtin_expect(sb->pend_aa != NULL, 0))
        sb_decide_andand(c, addr);
    if ((sb->n | sb->merged_left) && addr != sb->cont)
        sb->n = 0, sb->merged_left = 0;
}

/* Where a superblock would go on after in (vex_next). */
static uint64_t sb_cont_after(const struct cons_insn *in)
{
    return vex_next(&in->dec, in->addr, in->vexend);
}

/* sb_step's end, once in (not merged) is counted in sb->n: cont is where
 * the superblock would go on (sb_cont_after). */
static inline void sb_end_as(struct cons_sb *sb, const struct cons_insn *in, unsigned vexend,
                             unsigned aa_n, uint64_t cont)
{
    switch (vexend) {
    case VEX_END_NONE:
        if (sb->n == VEX_MAX_INSNS)
            sb->n = 0;
        else
            sb->cont = cont;
        return;
    case VEX_END_UNCOND:
        if (sb->ext == 1 && VEX_MAX_INSNS - sb->n >= 3) {
            sb->ext++;
            sb->cont = cont;
        } else {
            sb->n = 0;
        }
        return;
    case VEX_END_COND:
        /* Only in the first block: after a chased jump the superblock
         * ends. */
        if (aa_n && sb->ext == 1 && VEX_MAX_INSNS - sb->n >= 3)
            sb->pend_aa = in;
        sb->n = 0;
        return;
    default:
        sb->n = 0;
        return;
    }
}

static inline void sb_step(struct consumer *c, const struct cons_insn *in)
{
    struct cons_sb *sb = c->sb;
    sb_enter(c, in->addr);
    if (sb->merged_left) {
        if (--sb->merged_left == 0)
            sb->n = 0;
        else
            sb->cont = in->addr + in->dec.len;
        return;
    }
    if (sb->n == 0)
        sb->ext = 1;
    sb->n++;
    sb_end_as(sb, in, in->vexend, in->aa_n, sb_cont_after(in));
}

void cons_exec(struct consumer *c, const struct cons_insn *in, const uint64_t *addr,
               uint64_t present)
{
    int64_t *cell = in->cell;
    c->executed++;
    sb_step(c, in);
    if (c->cfg.n_toggle) {
        int on = toggle_before(c, in, addr, present);
        if (in->dec.flow == DEC_FLOW_RET)
            toggle_after(c, in, addr, present);
        if (!on)
            return;
    }
    if (!c->collecting)
        return;
    count_fetch(c, in);
    if (!c->cfg.cache_sim)
        return;
    unsigned ml = c->min_line, size;
    for (unsigned i = 0; i < in->dec.n_acc; i++) {
        if (!(present & (1ull << i)))
            continue;
        const struct dec_access *a = &in->dec.acc[i];
        /* Sizes beyond the smallest line (fxsave areas) are clamped, like Cachegrind. */
        size = a->size < ml ? a->size : ml;
        /* A read-modify-write counts as one read, like Cachegrind's "modify". */
        int col = a->kind == DEC_WRITE ? EV_DW : EV_DR;
        cell[col]++;
        if (cache_access(c->d1, addr[i], size)) {
            cell[col + 1]++;
            if (cache_access(c->ll, addr[i], size))
                cell[col + 2]++;
        }
    }
}

struct cons_seq *cons_seq_new(struct consumer *c, const struct cons_insn *const *in, unsigned n,
                              int with_acc)
{
    unsigned ml = c->min_line, total = 0;
    for (unsigned k = 0; k < n; k++)
        total += with_acc ? in[k]->dec.n_acc : 0;
    /* One allocation, hot parts first: the walk per execution touches the
     * header and the sites, nothing else. */
    size_t o_site = sizeof(struct cons_seq), o_in, o_nr, o_nw, sz;
    o_in = o_site + (n + total) * sizeof(struct cons_site); /* at most that many */
    o_nr = o_in + n * sizeof(const struct cons_insn *);
    o_nw = o_nr + n;
    sz = o_nw + n;
    /* The sites right after the header: what the stream walk reads.  (Not
     * cache-line aligned: glibc's aligned_alloc left 24 MiB of holes between
     * SQLite's 30 K sequences.) */
    char *mem = carve(c, sz);
    struct cons_seq *q = (struct cons_seq *)mem;
    q->n = n;
    q->with_acc = with_acc;
    q->in = (const struct cons_insn **)(mem + o_in);
    q->nr = (uint8_t *)(mem + o_nr);
    q->nw = (uint8_t *)(mem + o_nw);
    q->site = (struct cons_site *)(mem + o_site);
    uint64_t last_line = 0;
    unsigned shift = 0;
    while ((1u << shift) < ml)
        shift++;
    for (unsigned k = 0; k < n; k++) {
        const struct cons_insn *x = in[k];
        q->in[k] = x;
        unsigned size = x->dec.len < ml ? x->dec.len : ml;
        uint64_t first = x->addr >> shift, end = (x->addr + size - 1) >> shift;
        /* Same line as the previous fetch ended on, no straddle: an MRU hit in
         * I1 (nothing else touches I1 in between), which changes nothing. */
        if (k == 0 || first != last_line || end != first) {
            q->site[q->n_site++] = (struct cons_site){x->addr, x->cell + EV_I1MR, 1,
                                                      (uint8_t)size, (uint8_t)k, 0};
        }
        last_line = end;
        if (!with_acc)
            continue;
        for (unsigned i = 0; i < x->dec.n_acc; i++) {
            const struct dec_access *a = &x->dec.acc[i];
            int col = a->kind == DEC_WRITE ? EV_DW : EV_DR;
            if (col == EV_DW)
                q->nw[k]++;
            else
                q->nr[k]++;
            q->site[q->n_site++] = (struct cons_site){0, x->cell + col + 1, 0,
                                                      (uint8_t)(a->size < ml ? a->size : ml),
                                                      (uint8_t)k, (uint8_t)i};
        }
    }
    q->plain = 1;
    q->last = in[n - 1];
    q->first_addr = in[0]->addr;
    q->last_cont = sb_cont_after(in[n - 1]);
    /* Now, not when first needed: a translator's worker thread counts
     * sequences, and only the engine's thread may describe instructions. */
    resolve_andand(c, (struct cons_insn *)in[n - 1]);
    q->last_end = in[n - 1]->vexend;
    q->last_aa = in[n - 1]->aa_n;
    for (unsigned k = 0; k + 1 < n; k++)
        if (in[k]->vexend != VEX_END_NONE)
            q->plain = 0;
    q->next = c->seqs;
    c->seqs = q;
    return q;
}

void cons_seq_exec_part(struct consumer *c, const struct cons_seq *q, const uint64_t *addr,
                        unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        unsigned na = q->with_acc ? q->in[i]->dec.n_acc : 0;
        cons_exec(c, q->in[i], addr, na ? (~0ull >> (64 - na)) : 0);
        addr += na;
    }
}

/* seq_count's walk when q's instructions may not all fit one superblock
 * (or a merged side is being run): instruction by instruction. */
static __attribute__((noinline)) void seq_walk(struct consumer *c, struct cons_seq *q)
{
    for (unsigned k = 0; k < q->n; k++)
        sb_step(c, q->in[k]);
}

/* One whole execution of q, counting on, no --toggle-collect: its Ir, Dr,
 * Dw (kept per sequence) and its superblock steps; not the caches.  Inlined
 * in the stream loop with what it reads in q's first line (a call per block
 * start saved six registers and, from the vector loop, cleared the upper
 * halves of its registers). */
static inline __attribute__((always_inline)) void seq_count(struct consumer *c,
                                                            struct cons_seq *q)
{
    c->executed += q->n;
    q->pending++;
    struct cons_sb *sb = c->sb;
    sb_enter(c, q->first_addr); /* what the first sb_step would do */
    if (__builtin_expect(q->plain && !sb->merged_left && sb->n + q->n < VEX_MAX_INSNS, 1)) {
        /* The common case: straight-line code inside one superblock. */
        if (sb->n == 0)
            sb->ext = 1;
        sb->n += q->n;
        sb_end_as(sb, q->last, q->last_end, q->last_aa, q->last_cont);
    } else {
        seq_walk(c, q);
    }
}

void cons_seq_exec(struct consumer *c, struct cons_seq *q, const uint64_t *addr)
{
    if (c->cfg.n_toggle || !c->collecting) {
        /* The general path keeps the call stack and the collecting state. */
        cons_seq_exec_part(c, q, addr, q->n);
        return;
    }
    seq_count(c, q);
    if (!c->cfg.cache_sim)
        return;
    /* In execution order, fetches and data accesses interleaved, as the
     * single-step engine and Cachegrind make them (LL sees both). */
    for (unsigned i = 0; i < q->n_site; i++) {
        const struct cons_site *s = &q->site[i];
        uint64_t at = s->fetch ? s->addr : *addr++;
        if (cache_access(s->fetch ? c->i1 : c->d1, at, s->size)) {
            s->miss[0]++;
            if (cache_access(c->ll, at, s->size))
                s->miss[1]++;
        }
    }
}

/* q's execution, just counted, went on after its last instruction, a
 * conditional branch, taken or not: a pending &&-idiom is decided. */
static void seq_went(struct consumer *c, const struct cons_seq *q, int taken)
{
    if (c->sb->pend_aa)
        sb_decide_andand(c, taken ? q->last->dec.target : q->last->addr + q->last->dec.len);
}

void cons_seq_exec_dir(struct consumer *c, struct cons_seq *q, int taken)
{
    cons_seq_exec(c, q, NULL);
    seq_went(c, q, taken);
}

void cons_seq_add(struct consumer *c, struct cons_seq *q, uint64_t times)
{
    c->executed += times * q->n;
    if (c->collecting)
        q->pending += times;
}

struct cons_gsite cons_gsite_of(struct cons_seq *q, unsigned idx)
{
    return (struct cons_gsite){&q->site[idx], q};
}

unsigned cons_seq_sites(const struct cons_seq *q, const struct cons_site **sites)
{
    *sites = q->site;
    return q->n_site;
}

/* seq_begin's instruction by instruction path, the caches left to seq_site. */
static __attribute__((noinline)) void seq_begin_each(struct consumer *c, struct cons_seq *q,
                                                     unsigned k)
{
    for (unsigned i = 0; i < k; i++) {
        const struct cons_insn *in = q->in[i];
        c->executed++;
        sb_step(c, in);
        if (!c->collecting)
            continue;
        in->cell[EV_IR]++;
        if (c->cfg.cache_sim) {
            in->cell[EV_DR] += q->nr[i];
            in->cell[EV_DW] += q->nw[i];
        }
    }
}

/* The first k instructions of an execution of q: Ir, Dr, Dw, superblock
 * steps; the caches are left to the sites. */
static inline __attribute__((always_inline)) void seq_begin(struct consumer *c,
                                                            struct cons_seq *q, unsigned k)
{
    if (__builtin_expect(k < q->n || c->cfg.n_toggle || !c->collecting, 0))
        seq_begin_each(c, q, k);
    else
        seq_count(c, q);
}

/* What the stream loop reads of the consumer for every global word, read
 * once per call (cons_stream.inc): the D1's and LL's fields and whether it
 * counts.  The LL's view: zlib's 18-letter text (15.5 M D1 misses, each an
 * LL lookup) 4.5% less of the worker's pass in-process. */
struct stream_views {
    struct cache_view d1, ll;
    int collecting;
};

/* seq_site and stream (cons_stream's loop), compiled five times from one
 * text: plain, with the AVX2 or the AVX-512F set search where the CPU has
 * it (the search is most of the worker's time; sim/cache.h), and with AVX2
 * for an 8-way D1 (most CPUs', and Cachegrind's own default) and a 12-way
 * one (the default D1 where the host's is 48 KiB, 12-way: Zen 4, Intel since
 * Golden Cove), whose set search the compiler then unrolls around a known
 * set size.  The 12-way D1 took the plain search before: zlib's driver with
 * the geometry both tools detect on a Zen 4 took 0.80-0.86 s, its worker
 * 0.60 s of CPU (docs/performance.md). */
#define SEQ_SITE seq_site
#define SEQ_GSITE seq_gsite
#define ACCESS_BLOCK cache_access_block
#define STREAM stream_plain
#define ACCESS cache_access
#include "core/cons_stream.inc"
#ifdef CACHE_HAVE_WIDE
#pragma GCC push_options
#pragma GCC target("avx512f")
#define SEQ_SITE seq_site_wide
#define SEQ_GSITE seq_gsite_wide
#define ACCESS_BLOCK cache_access_block_wide
#define STREAM stream_wide
#define ACCESS cache_access_wide
#include "core/cons_stream.inc"
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("avx2")
#define SEQ_SITE seq_site_avx2
#define SEQ_GSITE seq_gsite_avx2
#define ACCESS_BLOCK cache_access_block_avx2
#define STREAM stream_avx2
#define ACCESS cache_access_avx2
#define VIEW_ACCESS cache_view_access_avx2
#include "core/cons_stream.inc"
#define SEQ_SITE seq_site_avx2_8
#define SEQ_GSITE seq_gsite_avx2_8
#define ACCESS_BLOCK cache_access_block_avx2
#define STREAM stream_avx2_8
#define ACCESS cache_access_avx2
#define VIEW_ACCESS cache_view_access_avx2
#define D1_K 2
#include "core/cons_stream.inc"
#define SEQ_SITE seq_site_avx2_12
#define SEQ_GSITE seq_gsite_avx2_12
#define ACCESS_BLOCK cache_access_block_avx2
#define STREAM stream_avx2_12
#define ACCESS cache_access_avx2
#define VIEW_ACCESS cache_view_access_avx2
#define D1_K 3
#include "core/cons_stream.inc"
#pragma GCC pop_options
#endif

void cons_stream(struct consumer *c, struct cons_seq *const *seqs, size_t n_seqs,
                 const struct cons_gsite *gs, size_t n_gs, const uint64_t *p, const uint64_t *q)
{
#ifdef CACHE_HAVE_WIDE
    if (c->vec == 2) {
        stream_wide(c, seqs, n_seqs, gs, n_gs, p, q);
        return;
    }
    if (c->vec == 1) {
        unsigned assoc = cache_config_of(c->d1)->assoc;
        if (assoc == 8)
            stream_avx2_8(c, seqs, n_seqs, gs, n_gs, p, q);
        else if (assoc == 12)
            stream_avx2_12(c, seqs, n_seqs, gs, n_gs, p, q);
        else
            stream_avx2(c, seqs, n_seqs, gs, n_gs, p, q);
        return;
    }
#endif
    stream_plain(c, seqs, n_seqs, gs, n_gs, p, q);
}

void cons_stream_part(struct consumer *c, struct cons_seq *seq, const struct cons_gsite *gs,
                      size_t n_gs, const uint64_t *p, const uint64_t *q, unsigned k)
{
    seq_begin(c, seq, k < seq->n ? k : seq->n);
    for (; p < q; p++) {
        uint64_t w = *p, addr = w & CONS_REC_ADDR_MASK;
        unsigned i = (unsigned)(w >> CONS_REC_TAG_SHIFT);
        if ((int64_t)w < 0)
            continue;
        if (w & CONS_REC_GLOBAL) {
            uint32_t g = cons_rec_gsite(w);
            if (g >= n_gs || gs[g].seq != seq)
                continue;
            i = (unsigned)(gs[g].site - seq->site), addr = cons_rec_gaddr(w);
        }
        if (i < seq->n_site && seq->site[i].insn < k)
            seq_site(c, seq, i, addr);
    }
}

uint64_t cons_mru_line(const struct consumer *c, int data, uint64_t set)
{
    const struct cache *k = data ? c->d1 : c->i1;
    return cache_mru_block(k, set) << cache_line_shift(k);
}

void cons_settle(struct consumer *c)
{
    pull(c);
    for (struct cons_seq *q = c->seqs; q; q = q->next) {
        uint64_t p = q->pending;
        if (!p)
            continue;
        q->pending = 0;
        for (unsigned k = 0; k < q->n; k++) {
            int64_t *cell = q->in[k]->cell;
            cell[EV_IR] += (int64_t)p;
            if (c->cfg.cache_sim) {
                cell[EV_DR] += (int64_t)(p * q->nr[k]);
                cell[EV_DW] += (int64_t)(p * q->nw[k]);
            }
        }
    }
    name_unnamed(c);
    size_t k = profile_n_events(c->prof);
    for (struct cons_unnamed *u = c->unnamed; u; u = u->next)
        for (size_t e = 0; e < k; e++)
            u->real[e] += u->cell[e], u->cell[e] = 0;
}

struct profile *cons_profile(struct consumer *c)
{
    cons_settle(c);
    return c->prof;
}

int cons_write(struct consumer *c, const char *path, const char *cmd, const char *trigger,
               struct diag_err *e)
{
    struct profile *p = cons_profile(c);
    profile_clear_desc(p);
    if (c->cfg.cache_sim) {
        char buf[256];
        cacheconf_describe("I1", &c->cfg.geom.i1, buf, sizeof buf);
        profile_add_desc(p, buf);
        cacheconf_describe("D1", &c->cfg.geom.d1, buf, sizeof buf);
        profile_add_desc(p, buf);
        cacheconf_describe("LL", &c->cfg.geom.ll, buf, sizeof buf);
        profile_add_desc(p, buf);
    }
    if (trigger) {
        char buf[320];
        snprintf(buf, sizeof buf, "Trigger: Client Request%s%s", *trigger ? ": " : "", trigger);
        profile_add_desc(p, buf);
    }
    profile_set_cmd(p, cmd);
    profile_set_skip_zero(p, 1);
    return profile_write_file(p, path, e);
}

/* Cachegrind's ULong_width: digits plus room for thousands separators. */
static int width_of(uint64_t n)
{
    int w = 0;
    do {
        n /= 10;
        w++;
    } while (n);
    return w + (w - 1) / 3;
}

static void commify(uint64_t n, char *buf) { textfmt_commify(buf, (int64_t)n, 0); }

static void line1(FILE *f, pid_t pid, const char *label, int w, uint64_t v)
{
    char a[TEXTFMT_NUM_MAX];
    commify(v, a);
    fprintf(f, "==%d== %s %*s\n", (int)pid, label, w, a);
}

static void line3(FILE *f, pid_t pid, const char *label, const int *w, uint64_t t, uint64_t r,
                  uint64_t wr)
{
    char a[TEXTFMT_NUM_MAX], b[TEXTFMT_NUM_MAX], d[TEXTFMT_NUM_MAX];
    commify(t, a);
    commify(r, b);
    commify(wr, d);
    fprintf(f, "==%d== %s %*s  (%*s rd   + %*s wr)\n", (int)pid, label, w[0], a, w[1], b, w[2], d);
}

static void rate3(FILE *f, pid_t pid, const char *label, const int *w, double t, double r, double wr)
{
    fprintf(f, "==%d== %s %*.1f%% (%*.1f%%     + %*.1f%%  )\n", (int)pid, label, w[0], t, w[1], r,
            w[2], wr);
}

static double pct(uint64_t n, uint64_t d) { return n * 100.0 / (d ? d : 1); }

/* Layout and labels of Cachegrind 3.21+ (cg_main.c cg_fini). */
void cons_print_summary(struct consumer *c, FILE *f, pid_t pid)
{
    int64_t t[EV_N] = {0};
    profile_totals(cons_profile(c), t);
    uint64_t ir = t[EV_IR], dr = t[EV_DR], dw = t[EV_DW];
    int w[3] = {width_of(ir), width_of(dr), width_of(dw)};

    fprintf(f, "==%d== \n", (int)pid);
    line1(f, pid, "I refs:       ", w[0], ir);
    if (!c->cfg.cache_sim)
        return;
    line1(f, pid, "I1  misses:   ", w[0], t[EV_I1MR]);
    line1(f, pid, "LLi misses:   ", w[0], t[EV_ILMR]);
    fprintf(f, "==%d== I1  miss rate: %*.2f%%\n", (int)pid, w[0], pct(t[EV_I1MR], ir));
    fprintf(f, "==%d== LLi miss rate: %*.2f%%\n", (int)pid, w[0], pct(t[EV_ILMR], ir));
    fprintf(f, "==%d== \n", (int)pid);
    line3(f, pid, "D refs:       ", w, dr + dw, dr, dw);
    line3(f, pid, "D1  misses:   ", w, t[EV_D1MR] + t[EV_D1MW], t[EV_D1MR], t[EV_D1MW]);
    line3(f, pid, "LLd misses:   ", w, t[EV_DLMR] + t[EV_DLMW], t[EV_DLMR], t[EV_DLMW]);
    rate3(f, pid, "D1  miss rate:", w, pct(t[EV_D1MR] + t[EV_D1MW], dr + dw),
          pct(t[EV_D1MR], dr), pct(t[EV_D1MW], dw));
    rate3(f, pid, "LLd miss rate:", w, pct(t[EV_DLMR] + t[EV_DLMW], dr + dw),
          pct(t[EV_DLMR], dr), pct(t[EV_DLMW], dw));
    fprintf(f, "==%d== \n", (int)pid);
    uint64_t llr = t[EV_I1MR] + t[EV_D1MR], llw = t[EV_D1MW];
    uint64_t llmr = t[EV_ILMR] + t[EV_DLMR], llmw = t[EV_DLMW];
    line3(f, pid, "LL refs:      ", w, llr + llw, llr, llw);
    line3(f, pid, "LL misses:    ", w, llmr + llmw, llmr, llmw);
    rate3(f, pid, "LL miss rate: ", w, pct(llmr + llmw, ir + dr + dw), pct(llmr, ir + dr),
          pct(llmw, dw));
}
