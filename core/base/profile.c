/* profile.c - see profile.h.  The cost table, and the only reader and writer
 * of Cachegrind's profile format in the project.
 *
 * Table: each (file, fn) pair has a record, found through a hash table keyed
 * by the interned names' ids (names are interned once, so comparing names is
 * comparing pointers), that lists its cells; a cell is (line, counts[N]),
 * allocated in fixed-size chunks, so a pointer handed out by profile_cell
 * never moves.  While a pair's lines arrive in ascending order (always, in
 * files Cachegrind wrote) a new line is an append; out-of-order lines switch
 * that pair to a small hash table of its own.  Sorted iteration ranks the
 * distinct names once (strcmp), sorts the pairs by rank, and sorts a pair's
 * cells only if they arrived out of order.
 *
 * Reader: one pass over big fread() blocks, no per-line allocation; cost lines
 * go straight into the cell of the current (file, fn).  Tolerances follow the
 * reference (cachegrind.md section 1): the 3.21+ Python cg_annotate is the
 * model, widened where older writers or hand edits need it.
 *
 * Must not: print, exit (beyond xmalloc's OOM death), know about engines or
 * report layouts.
 */
#include "core/base/profile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/intern.h"
#include "core/base/subst.h"

/* ------------------------------------------------------------------ table */

/* One cost line.  Cells live in fixed-size chunks and never move. */
struct cell {
    unsigned long line;
    int64_t counts[];
};

/* One (file, fn) pair and its cells.  While cells arrive in ascending line
 * order (always, for files Cachegrind wrote) a new line is a plain append and
 * a repeated one is found by binary search; the first out-of-order line
 * switches the function to a small hash table of its own. */
struct func {
    const char *file; /* interned in profile.in */
    const char *fn;   /* interned in profile.in */
    struct cell **cells;
    size_t n, cap;
    uint32_t *hidx;   /* NULL, or open addressing: index+1 into cells, 0 = empty */
    size_t hcap;
    int sorted;       /* cells[] ascending by line */
};

struct fslot {
    uint64_t hash;
    struct func *f;
};

#define CHUNK_CELLS 4096

/* The original file names (before --mod-filename) seen for one file name. */
struct origins {
    const char **v;
    size_t n, cap;
};

struct profile {
    struct intern *in;

    size_t n_ev;
    char *events_text;
    char *ev[PROFILE_MAX_EVENTS];
    char **desc;
    size_t n_desc;
    char *cmd;
    int skip_zero; /* write: leave out lines whose counts are all zero */

    size_t stride; /* bytes per cell */
    char **chunks;
    size_t n_chunks, chunk_used, n_cells;
    struct func **funcs; /* in order of creation */
    size_t n_funcs, funcs_cap;
    struct fslot *ftab;  /* (file, fn) -> func */
    size_t ftab_cap;

    struct profile_entry *sorted, *unsorted;
    size_t sorted_n, unsorted_n; /* cells covered (valid while == n_cells) */
    struct profile_pair *pairs;
    size_t pairs_cells, pairs_funcs; /* what p->pairs covers */

    struct origins *orig; /* indexed by intern id of the (modified) file name */
    size_t orig_cap;

    struct profile_source *sources;
    size_t n_sources;
};

struct profile *profile_new(void)
{
    struct profile *p = xcalloc(1, sizeof *p);
    p->in = intern_new();
    p->ftab_cap = 256;
    p->ftab = xcalloc(p->ftab_cap, sizeof *p->ftab);
    p->sorted_n = p->unsorted_n = p->pairs_cells = (size_t)-1;
    return p;
}

void profile_free(struct profile *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_ev; i++)
        free(p->ev[i]);
    free(p->events_text);
    for (size_t i = 0; i < p->n_desc; i++)
        free(p->desc[i]);
    free(p->desc);
    free(p->cmd);
    for (size_t i = 0; i < p->n_chunks; i++)
        free(p->chunks[i]);
    free(p->chunks);
    for (size_t i = 0; i < p->n_funcs; i++) {
        free(p->funcs[i]->cells);
        free(p->funcs[i]->hidx);
        free(p->funcs[i]);
    }
    free(p->funcs);
    free(p->ftab);
    free(p->sorted);
    free(p->unsorted);
    free(p->pairs);
    for (size_t i = 0; i < p->orig_cap; i++)
        free(p->orig[i].v);
    free(p->orig);
    for (size_t i = 0; i < p->n_sources; i++) {
        free((char *)p->sources[i].name);
        free((char *)p->sources[i].desc);
        free((char *)p->sources[i].cmd);
    }
    free(p->sources);
    intern_free(p->in);
    free(p);
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Splits text into event names; returns the count, or -1 (message in e). */
static int split_events(const char *text, char names[][64], size_t max, struct diag_err *e)
{
    size_t n = 0;
    const char *s = text;
    for (;;) {
        while (*s && (is_ws(*s) || *s == '\n'))
            s++;
        if (!*s)
            break;
        const char *b = s;
        while (*s && !is_ws(*s) && *s != '\n')
            s++;
        if (n == max)
            return diag_set(e, "more than %d events", PROFILE_MAX_EVENTS);
        size_t len = (size_t)(s - b);
        if (len >= 64)
            return diag_set(e, "event name '%.20s...' is too long", b);
        memcpy(names[n], b, len);
        names[n][len] = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(names[i], names[n]) == 0)
                return diag_set(e, "event '%s' repeated", names[n]);
        n++;
    }
    if (n == 0)
        return diag_set(e, "no event names");
    return (int)n;
}

int profile_set_events(struct profile *p, const char *text, struct diag_err *e)
{
    if (p->n_cells)
        return diag_set(e, "events cannot change once the profile has costs");
    char names[PROFILE_MAX_EVENTS][64];
    int n = split_events(text, names, PROFILE_MAX_EVENTS, e);
    if (n < 0)
        return -1;
    for (size_t i = 0; i < p->n_ev; i++)
        free(p->ev[i]);
    free(p->events_text);
    p->n_ev = (size_t)n;
    for (int i = 0; i < n; i++)
        p->ev[i] = xstrdup(names[i]);
    p->events_text = xstrdup(text);
    p->stride = (sizeof(struct cell) + p->n_ev * sizeof(int64_t) + 7) & ~(size_t)7;
    return 0;
}

size_t profile_n_events(const struct profile *p) { return p->n_ev; }
const char *profile_event(const struct profile *p, size_t i) { return i < p->n_ev ? p->ev[i] : NULL; }
const char *profile_events_text(const struct profile *p) { return p->events_text; }

int profile_event_index(const struct profile *p, const char *name)
{
    for (size_t i = 0; i < p->n_ev; i++)
        if (strcmp(p->ev[i], name) == 0)
            return (int)i;
    return -1;
}

void profile_add_desc(struct profile *p, const char *text)
{
    p->desc = xrealloc(p->desc, (p->n_desc + 1) * sizeof *p->desc);
    p->desc[p->n_desc++] = xstrdup(text);
}
void profile_clear_desc(struct profile *p)
{
    for (size_t i = 0; i < p->n_desc; i++)
        free(p->desc[i]);
    p->n_desc = 0;
}
size_t profile_n_desc(const struct profile *p) { return p->n_desc; }
const char *profile_desc(const struct profile *p, size_t i) { return i < p->n_desc ? p->desc[i] : NULL; }

void profile_set_skip_zero(struct profile *p, int on) { p->skip_zero = on; }

void profile_set_cmd(struct profile *p, const char *text)
{
    free(p->cmd);
    p->cmd = xstrdup(text);
}
const char *profile_cmd(const struct profile *p) { return p->cmd; }

static uint64_t pair_hash(const char *file, const char *fn)
{
    return intern_mix(((uint64_t)intern_id(file) << 32) ^ intern_id(fn) ^ 0x5bd1e9955bd1e995ULL);
}

static uint64_t line_hash(unsigned long line) { return intern_mix((uint64_t)line * 0x9e3779b97f4a7c15ULL); }

/* The record of interned (file, fn), created on first use. */
static struct func *func_get(struct profile *p, const char *file, const char *fn)
{
    uint64_t h = pair_hash(file, fn);
    size_t mask = p->ftab_cap - 1, j = h & mask;
    struct fslot *s;
    while ((s = &p->ftab[j])->f) {
        if (s->hash == h && s->f->file == file && s->f->fn == fn)
            return s->f;
        j = (j + 1) & mask;
    }
    struct func *f = xcalloc(1, sizeof *f);
    f->file = file;
    f->fn = fn;
    f->sorted = 1;
    s->hash = h;
    s->f = f;
    if (p->n_funcs == p->funcs_cap) {
        p->funcs_cap = p->funcs_cap ? p->funcs_cap * 2 : 256;
        p->funcs = xrealloc(p->funcs, p->funcs_cap * sizeof *p->funcs);
    }
    p->funcs[p->n_funcs++] = f;
    if (p->n_funcs * 2 > p->ftab_cap) {
        size_t cap = p->ftab_cap * 2;
        struct fslot *tab = xcalloc(cap, sizeof *tab);
        for (size_t i = 0; i < p->ftab_cap; i++) {
            if (!p->ftab[i].f)
                continue;
            size_t k = p->ftab[i].hash & (cap - 1);
            while (tab[k].f)
                k = (k + 1) & (cap - 1);
            tab[k] = p->ftab[i];
        }
        free(p->ftab);
        p->ftab = tab;
        p->ftab_cap = cap;
    }
    return f;
}

static void hidx_put(struct func *f, size_t idx)
{
    size_t mask = f->hcap - 1, j = line_hash(f->cells[idx]->line) & mask;
    while (f->hidx[j])
        j = (j + 1) & mask;
    f->hidx[j] = (uint32_t)(idx + 1);
}

static void hidx_build(struct func *f)
{
    size_t cap = 16;
    while (cap < f->n * 2 + 2)
        cap *= 2;
    free(f->hidx);
    f->hidx = xcalloc(cap, sizeof *f->hidx);
    f->hcap = cap;
    for (size_t i = 0; i < f->n; i++)
        hidx_put(f, i);
}

/* The cell of line in f, created zeroed on first use. */
static struct cell *func_cell(struct profile *p, struct func *f, unsigned long line)
{
    if (f->n && !(f->sorted && line > f->cells[f->n - 1]->line)) {
        if (f->hidx) {
            size_t mask = f->hcap - 1;
            for (size_t j = line_hash(line) & mask; f->hidx[j]; j = (j + 1) & mask)
                if (f->cells[f->hidx[j] - 1]->line == line)
                    return f->cells[f->hidx[j] - 1];
        } else {
            size_t lo = 0, hi = f->n;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (f->cells[mid]->line < line)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < f->n && f->cells[lo]->line == line)
                return f->cells[lo];
            /* Out of order: from now on this function needs its hash. */
            f->sorted = 0;
            hidx_build(f);
        }
    }
    if (p->n_chunks == 0 || p->chunk_used == CHUNK_CELLS) {
        p->chunks = xrealloc(p->chunks, (p->n_chunks + 1) * sizeof *p->chunks);
        p->chunks[p->n_chunks++] = xmalloc(CHUNK_CELLS * p->stride);
        /* (Filled from its start, a page every 36 new cells: backed at
         * once, by a helper thread where the program has one.) */
        mem_back_now(p->chunks[p->n_chunks - 1], CHUNK_CELLS * p->stride);
        p->chunk_used = 0;
    }
    struct cell *c = (struct cell *)(void *)(p->chunks[p->n_chunks - 1] + p->chunk_used * p->stride);
    p->chunk_used++;
    c->line = line;
    memset(c->counts, 0, p->n_ev * sizeof(int64_t));
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->cells = xrealloc(f->cells, f->cap * sizeof *f->cells);
    }
    f->cells[f->n++] = c;
    if (f->hidx) {
        if (f->n * 2 > f->hcap)
            hidx_build(f);
        else
            hidx_put(f, f->n - 1);
    }
    p->n_cells++;
    return c;
}

int64_t *profile_cell(struct profile *p, const char *file, const char *fn, unsigned long line)
{
    if (p->n_ev == 0)
        return NULL;
    const char *f = intern_str(p->in, file), *g = intern_str(p->in, fn);
    return func_cell(p, func_get(p, f, g), line)->counts;
}

size_t profile_n_cells(const struct profile *p) { return p->n_cells; }

static struct cell *cell_at(const struct profile *p, size_t i)
{
    return (struct cell *)(void *)(p->chunks[i / CHUNK_CELLS] + (i % CHUNK_CELLS) * p->stride);
}

size_t profile_unsorted(struct profile *p, const struct profile_entry **out)
{
    if (p->unsorted_n != p->n_cells) {
        free(p->unsorted);
        p->unsorted = xmalloc((p->n_cells + 1) * sizeof *p->unsorted);
        size_t k = 0;
        for (size_t i = 0; i < p->n_funcs; i++) {
            const struct func *f = p->funcs[i];
            for (size_t j = 0; j < f->n; j++)
                p->unsorted[k++] = (struct profile_entry){f->file, f->fn, f->cells[j]->line,
                                                          f->cells[j]->counts};
        }
        p->unsorted_n = p->n_cells;
    }
    *out = p->unsorted;
    return p->n_cells;
}

size_t profile_pairs(struct profile *p, const struct profile_pair **out)
{
    if (p->pairs_cells != p->n_cells || p->pairs_funcs != p->n_funcs) {
        free(p->pairs);
        p->pairs = xmalloc((p->n_funcs + 1) * sizeof *p->pairs);
        size_t first = 0;
        for (size_t i = 0; i < p->n_funcs; i++) {
            const struct func *f = p->funcs[i];
            p->pairs[i] = (struct profile_pair){f->file, f->fn, first, f->n};
            first += f->n;
        }
        p->pairs_cells = p->n_cells;
        p->pairs_funcs = p->n_funcs;
    }
    *out = p->pairs;
    return p->n_funcs;
}

/* Orders intern ids by their names (strcmp); ctx is the id -> name array. */
static int cmp_names(const void *a, const void *b, void *ctx)
{
    const char *const *names = ctx;
    return strcmp(names[*(const uint32_t *)a], names[*(const uint32_t *)b]);
}

struct fkey {
    uint64_t names; /* file rank << 32 | fn rank */
    struct func *f;
};

static int cmp_fkey(const void *a, const void *b)
{
    const struct fkey *x = a, *y = b;
    return x->names < y->names ? -1 : x->names > y->names;
}

static int cmp_cellp(const void *a, const void *b)
{
    const struct cell *x = *(struct cell *const *)a, *y = *(struct cell *const *)b;
    return x->line < y->line ? -1 : x->line > y->line;
}

size_t profile_sorted(struct profile *p, const struct profile_entry **out)
{
    if (p->sorted_n == p->n_cells) {
        *out = p->sorted;
        return p->n_cells;
    }
    size_t n_names = intern_count(p->in);
    const char **names = xmalloc((n_names + 1) * sizeof *names);
    uint32_t *order = xmalloc((n_names + 1) * sizeof *order);
    uint32_t *rank = xmalloc((n_names + 1) * sizeof *rank);
    for (size_t i = 0; i < n_names; i++) {
        names[i] = intern_get(p->in, (uint32_t)i);
        order[i] = (uint32_t)i;
    }
    qsort_r(order, n_names, sizeof *order, cmp_names, names);
    for (size_t i = 0; i < n_names; i++)
        rank[order[i]] = (uint32_t)i;

    struct fkey *k = xmalloc((p->n_funcs + 1) * sizeof *k);
    for (size_t i = 0; i < p->n_funcs; i++) {
        struct func *f = p->funcs[i];
        k[i].names = (uint64_t)rank[intern_id(f->file)] << 32 | rank[intern_id(f->fn)];
        k[i].f = f;
    }
    qsort(k, p->n_funcs, sizeof *k, cmp_fkey);
    free(p->sorted);
    p->sorted = xmalloc((p->n_cells + 1) * sizeof *p->sorted);
    struct cell **tmp = NULL;
    size_t tmp_cap = 0, m = 0;
    for (size_t i = 0; i < p->n_funcs; i++) {
        struct func *f = k[i].f;
        struct cell **cells = f->cells;
        if (!f->sorted) {
            /* Sort a copy: cells[] order is what the hash indexes point at. */
            if (tmp_cap < f->n) {
                tmp_cap = f->n;
                tmp = xrealloc(tmp, tmp_cap * sizeof *tmp);
            }
            memcpy(tmp, f->cells, f->n * sizeof *tmp);
            qsort(tmp, f->n, sizeof *tmp, cmp_cellp);
            cells = tmp;
        }
        for (size_t j = 0; j < f->n; j++)
            p->sorted[m++] = (struct profile_entry){f->file, f->fn, cells[j]->line, cells[j]->counts};
    }
    p->sorted_n = p->n_cells;
    free(tmp);
    free(k);
    free(names);
    free(order);
    free(rank);
    *out = p->sorted;
    return p->n_cells;
}

void profile_totals(const struct profile *p, int64_t *totals)
{
    memset(totals, 0, p->n_ev * sizeof *totals);
    for (size_t i = 0; i < p->n_cells; i++) {
        const struct cell *c = cell_at(p, i);
        for (size_t k = 0; k < p->n_ev; k++)
            /* Wrap-around instead of UB if hand-made cells overflow; the
             * reader refuses counts whose sums overflow. */
            totals[k] = (int64_t)((uint64_t)totals[k] + (uint64_t)c->counts[k]);
    }
}

/* ---------------------------------------------------------- bookkeeping */

static void origins_add(struct profile *p, const char *file, const char *orig)
{
    uint32_t id = intern_id(file);
    if (id >= p->orig_cap) {
        size_t cap = p->orig_cap ? p->orig_cap : 64;
        while (cap <= id)
            cap *= 2;
        p->orig = xrealloc(p->orig, cap * sizeof *p->orig);
        memset(p->orig + p->orig_cap, 0, (cap - p->orig_cap) * sizeof *p->orig);
        p->orig_cap = cap;
    }
    struct origins *o = &p->orig[id];
    for (size_t i = 0; i < o->n; i++)
        if (o->v[i] == orig)
            return;
    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 2;
        o->v = xrealloc(o->v, o->cap * sizeof *o->v);
    }
    o->v[o->n++] = orig;
}

size_t profile_file_origins(const struct profile *p, const char *file, const char *const **out)
{
    const char *f = intern_find(p->in, file);
    *out = NULL;
    if (!f)
        return 0;
    uint32_t id = intern_id(f);
    if (id >= p->orig_cap || p->orig[id].n == 0)
        return 0;
    *out = p->orig[id].v;
    return p->orig[id].n;
}

static void add_source(struct profile *p, const char *name, const char *desc, const char *cmd)
{
    p->sources = xrealloc(p->sources, (p->n_sources + 1) * sizeof *p->sources);
    struct profile_source *s = &p->sources[p->n_sources++];
    s->name = xstrdup(name);
    s->desc = xstrdup(desc);
    s->cmd = xstrdup(cmd ? cmd : "");
}

size_t profile_n_sources(const struct profile *p) { return p->n_sources; }
const struct profile_source *profile_source(const struct profile *p, size_t i)
{
    return i < p->n_sources ? &p->sources[i] : NULL;
}

static int add_counts(int64_t *dst, const int64_t *src, size_t n, int sign)
{
    for (size_t k = 0; k < n; k++) {
        int64_t r;
        if (sign < 0 ? __builtin_sub_overflow(dst[k], src[k], &r)
                     : __builtin_add_overflow(dst[k], src[k], &r))
            return -1;
        dst[k] = r;
    }
    return 0;
}

static int same_events(const struct profile *p, const char *text, struct diag_err *e)
{
    char names[PROFILE_MAX_EVENTS][64];
    int n = split_events(text, names, PROFILE_MAX_EVENTS, e);
    if (n < 0)
        return -1;
    if ((size_t)n != p->n_ev)
        return 0;
    for (size_t i = 0; i < p->n_ev; i++)
        if (strcmp(names[i], p->ev[i]) != 0)
            return 0;
    return 1;
}

int profile_add(struct profile *dst, const struct profile *src, int sign, struct diag_err *e)
{
    if (src->n_ev == 0)
        return diag_set(e, "profile has no events");
    if (dst->n_ev == 0) {
        if (profile_set_events(dst, src->events_text, e) < 0)
            return -1;
        for (size_t i = 0; i < src->n_desc; i++)
            profile_add_desc(dst, src->desc[i]);
        if (src->cmd && !dst->cmd)
            profile_set_cmd(dst, src->cmd);
    } else {
        int same = same_events(dst, src->events_text, e);
        if (same < 0)
            return -1;
        if (!same)
            return diag_set(e, "events in data files don't match");
    }
    for (size_t i = 0; i < src->n_funcs; i++) {
        const struct func *sf = src->funcs[i];
        struct func *df = func_get(dst, intern_strn(dst->in, sf->file, intern_len(sf->file)),
                                   intern_strn(dst->in, sf->fn, intern_len(sf->fn)));
        for (size_t j = 0; j < sf->n; j++) {
            struct cell *d = func_cell(dst, df, sf->cells[j]->line);
            if (add_counts(d->counts, sf->cells[j]->counts, dst->n_ev, sign) < 0)
                return diag_set(e, "counts overflow 64 bits when adding profiles");
        }
    }
    for (size_t id = 0; id < src->orig_cap; id++) {
        const struct origins *o = &src->orig[id];
        if (!o->n)
            continue;
        const char *sf = intern_get(src->in, (uint32_t)id);
        const char *df = intern_strn(dst->in, sf, intern_len(sf));
        for (size_t k = 0; k < o->n; k++)
            origins_add(dst, df, intern_strn(dst->in, o->v[k], intern_len(o->v[k])));
    }
    for (size_t i = 0; i < src->n_sources; i++)
        add_source(dst, src->sources[i].name, src->sources[i].desc, src->sources[i].cmd);
    return 0;
}

/* ----------------------------------------------------------------- subst */

struct profile_subst {
    struct subst *s;
};

struct profile_subst *profile_subst_new(const char *expr, struct diag_err *e)
{
    struct subst *s = subst_new(expr, e);
    if (!s)
        return NULL;
    struct profile_subst *ps = xmalloc(sizeof *ps);
    ps->s = s;
    return ps;
}

void profile_subst_free(struct profile_subst *s)
{
    if (!s)
        return;
    subst_free(s->s);
    free(s);
}

char *profile_subst_apply(const struct profile_subst *s, const char *name)
{
    return subst_apply(s->s, name);
}

/* ---------------------------------------------------------------- reader */

/* Line source over big fread() blocks.  Lines are returned in place (no copy)
 * without their "\n" and any "\r" before it (so that what we write back, with
 * "\n" alone, reads the same). */
struct lines {
    FILE *f;
    char *buf;
    size_t cap, start, end, scanned;
    int eof;
};

/* No real profile line comes near this (names are at most a few KiB); a
 * longer one means the input is not a profile (or is /dev/zero): refuse it
 * instead of growing the buffer until memory runs out. */
#define PROFILE_LINE_MAX ((size_t)64 << 20)

/* 1: a line in (*s, *len), *nl says whether it ended in "\n"; 0: end of file;
 * -1: read error (errno set); -2: a line longer than PROFILE_LINE_MAX. */
static int next_line(struct lines *r, char **s, size_t *len, int *nl)
{
    for (;;) {
        char *q = memchr(r->buf + r->scanned, '\n', r->end - r->scanned);
        if (q) {
            *s = r->buf + r->start;
            *len = (size_t)(q - *s);
            *nl = 1;
            r->start = r->scanned = (size_t)(q + 1 - r->buf);
            while (*len && (*s)[*len - 1] == '\r')
                (*len)--;
            return 1;
        }
        r->scanned = r->end;
        if (r->eof) {
            if (r->start == r->end)
                return 0;
            *s = r->buf + r->start;
            *len = r->end - r->start;
            *nl = 0;
            r->start = r->scanned = r->end;
            return 1;
        }
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->scanned -= r->start;
            r->start = 0;
        }
        if (r->end == r->cap) {
            if (r->cap >= PROFILE_LINE_MAX) {
                errno = EFBIG;
                return -2;
            }
            r->cap *= 2;
            r->buf = xrealloc(r->buf, r->cap);
        }
        size_t got = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
        if (got == 0) {
            if (ferror(r->f))
                return -1;
            r->eof = 1;
        }
        r->end += got;
    }
}

struct reader {
    struct profile *p;
    const struct profile_read_opts *o;
    const char *name;
    struct diag_err *e;
    unsigned long lineno;
    int sign;
    /* Per-file memo of --mod-* results, indexed by the original name's id. */
    const char **memo_fl, **memo_fn;
    size_t memo_fl_cap, memo_fn_cap;
    int64_t totals[PROFILE_MAX_EVENTS]; /* this file's own column sums */
};

static int rerr(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int rerr(struct reader *r, const char *fmt, ...)
{
    char msg[DIAG_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return diag_set(r->e, "%s:%lu: %s", r->name, r->lineno, msg);
}

/* Quotes at most 60 bytes of a damaged line, non-printable bytes as '?'. */
static const char *show(const char *s, size_t len, char *out, size_t outsz)
{
    size_t n = len < 60 ? len : 60, k = 0;
    for (size_t i = 0; i < n && k + 4 < outsz; i++)
        out[k++] = (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f ? s[i] : '?';
    if (n < len && k + 4 < outsz) {
        memcpy(out + k, "...", 3);
        k += 3;
    }
    out[k] = 0;
    return out;
}

static int starts(const char *s, size_t len, const char *prefix, size_t plen)
{
    return len >= plen && memcmp(s, prefix, plen) == 0;
}

/* The text after a "key:" header: white space skipped, rest verbatim. */
static const char *header_text(const char *s, size_t len, size_t klen, size_t *tlen)
{
    size_t i = klen;
    while (i < len && is_ws(s[i]))
        i++;
    *tlen = len - i;
    return s + i;
}

/* Parses up to n_ev counts from [s, end) into v (zero-padded: short lists are
 * Cachegrind-compatible, cg_annotate 3.21+ pads them with 0).  0 or -1. */
static int parse_counts(struct reader *r, const char *s, const char *end, int64_t *v)
{
    size_t n_ev = r->p->n_ev, n = 0;
    for (;;) {
        while (s < end && is_ws(*s))
            s++;
        if (s == end)
            break;
        if (n == n_ev) {
            size_t more = n;
            while (s < end) {
                while (s < end && is_ws(*s))
                    s++;
                if (s == end)
                    break;
                more++;
                while (s < end && !is_ws(*s))
                    s++;
            }
            return rerr(r, "too many counts (%zu for %zu event%s)", more, n_ev, n_ev == 1 ? "" : "s");
        }
        const char *tok = s;
        int neg = 0;
        if (*s == '-' || *s == '+')
            neg = *s++ == '-';
        if (s == end || (unsigned)(*s - '0') > 9) {
            while (s < end && !is_ws(*s))
                s++;
            char b[80];
            return rerr(r, "malformed count '%s'", show(tok, (size_t)(s - tok), b, sizeof b));
        }
        uint64_t x = 0;
        while (s < end && (unsigned)(*s - '0') <= 9) {
            unsigned d = (unsigned)(*s++ - '0');
            if (x > (UINT64_MAX - d) / 10)
                return rerr(r, "count out of range");
            x = x * 10 + d;
        }
        if (s < end && !is_ws(*s)) {
            while (s < end && !is_ws(*s))
                s++;
            char b[80];
            return rerr(r, "malformed count '%s'", show(tok, (size_t)(s - tok), b, sizeof b));
        }
        if (x > (uint64_t)INT64_MAX + (uint64_t)neg)
            return rerr(r, "count out of range");
        v[n++] = neg ? (int64_t)(0 - x) : (int64_t)x;
    }
    while (n < n_ev)
        v[n++] = 0;
    return 0;
}

static const char *map_name(struct reader *r, const struct profile_subst *s, const char **memo_ref[],
                            size_t *cap, const char *orig)
{
    if (!s)
        return orig;
    const char **memo = *memo_ref;
    uint32_t id = intern_id(orig);
    if (id >= *cap) {
        size_t ncap = *cap ? *cap : 256;
        while (ncap <= id)
            ncap *= 2;
        memo = xrealloc(memo, ncap * sizeof *memo);
        memset(memo + *cap, 0, (ncap - *cap) * sizeof *memo);
        *memo_ref = memo;
        *cap = ncap;
    }
    if (!memo[id]) {
        char *m = profile_subst_apply(s, orig);
        memo[id] = intern_str(r->p->in, m);
        free(m);
    }
    return memo[id];
}

static int is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!is_ws(s[i]))
            return 0;
    return 1;
}

int profile_read_stream(struct profile *p, FILE *f, const char *name,
                        const struct profile_read_opts *o, struct diag_err *e)
{
    static const struct profile_read_opts none = {NULL, NULL, 1};
    struct reader r = {.p = p, .o = o ? o : &none, .name = name, .e = e};
    r.sign = r.o->sign < 0 ? -1 : 1;
    struct lines in = {.f = f, .cap = 1 << 20};
    in.buf = xmalloc(in.cap);

    int first = p->n_sources == 0;
    /* The header of this file: desc lines (joined, each ending "\n"), cmd. */
    char *desc = xstrdup("");
    size_t desc_len = 0;
    char *cmd = NULL;
    int have_events = 0, have_summary = 0, rc = -1;
    const char *file = NULL, *fn = NULL;
    const char *unspecified = intern_str(p->in, "<unspecified>");
    struct func *cur = NULL;
    int64_t v[PROFILE_MAX_EVENTS];

    char *s;
    size_t len;
    int nl, got;
    while ((got = next_line(&in, &s, &len, &nl)) == 1) {
        r.lineno++;
        if (!nl) {
            /* A file cut mid-way usually ends mid-line: refuse it even when
             * the cut left something that parses. */
            rerr(&r, "incomplete last line (no newline at end of file: truncated?)");
            goto out;
        }
        char c = len ? s[0] : 0;
        if ((unsigned)(c - '0') <= 9 && have_events && !have_summary) {
            /* Cost line: the hot path.  "LINE C1 C2 ...". */
            if (!file) {
                rerr(&r, "cost line before any 'fl=' line");
                goto out;
            }
            const char *q = s, *end = s + len;
            unsigned long line = 0;
            while (q < end && (unsigned)(*q - '0') <= 9) {
                unsigned d = (unsigned)(*q++ - '0');
                if (line > (ULONG_MAX - d) / 10) {
                    rerr(&r, "line number out of range");
                    goto out;
                }
                line = line * 10 + d;
            }
            if (q < end && !is_ws(*q)) {
                char b[80];
                rerr(&r, "malformed line number in '%s'", show(s, len, b, sizeof b));
                goto out;
            }
            if (parse_counts(&r, q, end, v) < 0)
                goto out;
            if (add_counts(r.totals, v, p->n_ev, 1) < 0) {
                rerr(&r, "counts overflow 64 bits");
                goto out;
            }
            struct cell *cl = func_cell(p, cur, line);
            if (add_counts(cl->counts, v, p->n_ev, r.sign) < 0) {
                rerr(&r, "counts overflow 64 bits");
                goto out;
            }
            continue;
        }
        if (c == '#' || is_blank(s, len))
            continue; /* comments and blank lines are legal anywhere */
        if (memchr(s, 0, len)) {
            rerr(&r, "NUL byte in line");
            goto out;
        }
        if (have_summary) {
            char b[80];
            rerr(&r, "unexpected line after 'summary:': '%s'", show(s, len, b, sizeof b));
            goto out;
        }
        if (starts(s, len, "fl=", 3) || starts(s, len, "fn=", 3)) {
            if (!have_events) {
                rerr(&r, cmd ? "missing 'events:' line" : "missing 'cmd:' line");
                goto out;
            }
            const char *nm = intern_strn(p->in, s + 3, len - 3);
            if (c == 'f' && s[1] == 'l') {
                file = map_name(&r, r.o->mod_filename, &r.memo_fl, &r.memo_fl_cap, nm);
                origins_add(p, file, nm);
                /* cg_annotate 3.21+ files costs that come before any fn= line
                 * of a file under "<unspecified>"; so do we. */
                fn = unspecified;
            } else {
                if (!file) {
                    rerr(&r, "'fn=' line before any 'fl=' line");
                    goto out;
                }
                fn = map_name(&r, r.o->mod_funcname, &r.memo_fn, &r.memo_fn_cap, nm);
            }
            cur = func_get(p, file, fn);
            continue;
        }
        if (starts(s, len, "summary:", 8)) {
            if (!have_events) {
                rerr(&r, cmd ? "missing 'events:' line" : "missing 'cmd:' line");
                goto out;
            }
            if (parse_counts(&r, s + 8, s + len, v) < 0)
                goto out;
            for (size_t k = 0; k < p->n_ev; k++) {
                if (v[k] != r.totals[k]) {
                    rerr(&r,
                         "'summary:' line doesn't match computed total: %s is %lld in the summary, "
                         "%lld in the cost lines",
                         p->ev[k], (long long)v[k], (long long)r.totals[k]);
                    goto out;
                }
            }
            have_summary = 1;
            continue;
        }
        if (starts(s, len, "desc:", 5)) {
            if (have_events) {
                rerr(&r, "'desc:' line after 'events:' line");
                goto out;
            }
            size_t tl;
            const char *t = header_text(s, len, 5, &tl);
            desc = xrealloc(desc, desc_len + tl + 2);
            memcpy(desc + desc_len, t, tl);
            desc_len += tl;
            desc[desc_len++] = '\n';
            desc[desc_len] = 0;
            continue;
        }
        if (starts(s, len, "cmd:", 4)) {
            if (cmd) {
                rerr(&r, "repeated 'cmd:' line");
                goto out;
            }
            if (have_events) {
                rerr(&r, "'cmd:' line after 'events:' line");
                goto out;
            }
            size_t tl;
            const char *t = header_text(s, len, 4, &tl);
            cmd = xmalloc(tl + 1);
            memcpy(cmd, t, tl);
            cmd[tl] = 0;
            continue;
        }
        if (starts(s, len, "events:", 7)) {
            if (have_events) {
                rerr(&r, "repeated 'events:' line");
                goto out;
            }
            if (!cmd) {
                rerr(&r, "missing 'cmd:' line before 'events:' line");
                goto out;
            }
            size_t tl;
            const char *t = header_text(s, len, 7, &tl);
            char *text = xmalloc(tl + 1);
            memcpy(text, t, tl);
            text[tl] = 0;
            struct diag_err ee;
            if (p->n_ev == 0) {
                if (profile_set_events(p, text, &ee) < 0) {
                    rerr(&r, "%s", ee.msg);
                    free(text);
                    goto out;
                }
            } else {
                int same = same_events(p, text, &ee);
                if (same <= 0) {
                    if (same < 0)
                        rerr(&r, "%s", ee.msg);
                    else
                        rerr(&r, "events in data files don't match ('%s' here, '%s' before)",
                             text, p->events_text);
                    free(text);
                    goto out;
                }
            }
            free(text);
            have_events = 1;
            continue;
        }
        char b[80];
        if (!have_events && (unsigned)(c - '0') <= 9)
            rerr(&r, cmd ? "missing 'events:' line" : "missing 'cmd:' line");
        else
            rerr(&r, "malformed line '%s'", show(s, len, b, sizeof b));
        goto out;
    }
    if (got == -2) {
        r.lineno++;
        rerr(&r, "line longer than %zu MiB: not a profile", PROFILE_LINE_MAX >> 20);
        goto out;
    }
    if (got < 0) {
        diag_set(e, "%s: read error: %s", name, strerror(errno));
        goto out;
    }
    if (r.lineno == 0) {
        r.lineno = 1;
        rerr(&r, "empty file (no 'cmd:', 'events:' or 'summary:' line)");
        goto out;
    }
    if (!cmd || !have_events) {
        rerr(&r, cmd ? "missing 'events:' line" : "missing 'cmd:' line");
        goto out;
    }
    if (!have_summary) {
        rerr(&r, "missing 'summary:' line (file truncated?)");
        goto out;
    }
    if (first) {
        /* The first file read gives the profile its header lines (unless the
         * caller set them already). */
        if (p->n_desc == 0) {
            for (char *d = desc; *d;) {
                char *eol = strchr(d, '\n');
                *eol = 0;
                profile_add_desc(p, d);
                *eol = '\n';
                d = eol + 1;
            }
        }
        if (!p->cmd)
            profile_set_cmd(p, cmd);
    }
    add_source(p, name, desc, cmd);
    rc = 0;
out:
    free(in.buf);
    free(desc);
    free(cmd);
    free(r.memo_fl);
    free(r.memo_fn);
    return rc;
}

int profile_read_file(struct profile *p, const char *path, const struct profile_read_opts *o,
                      struct diag_err *e)
{
    if (strcmp(path, "-") == 0)
        return profile_read_stream(p, stdin, "-", o, e);
    FILE *f = fopen(path, "r");
    if (!f)
        return diag_set(e, "unable to open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return diag_set(e, "unable to read '%s': %s", path, strerror(EISDIR));
    }
    int rc = profile_read_stream(p, f, path, o, e);
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------------- writer */

struct wbuf {
    FILE *f;
    char b[1 << 16];
    size_t n;
    int err;
};

static void wflush(struct wbuf *w)
{
    if (w->n && fwrite(w->b, 1, w->n, w->f) != w->n)
        w->err = 1;
    w->n = 0;
}

static void wput(struct wbuf *w, const char *s, size_t len)
{
    if (w->n + len > sizeof w->b) {
        wflush(w);
        if (len > sizeof w->b) {
            if (fwrite(s, 1, len, w->f) != len)
                w->err = 1;
            return;
        }
    }
    memcpy(w->b + w->n, s, len);
    w->n += len;
}

static void wstr(struct wbuf *w, const char *s) { wput(w, s, strlen(s)); }

static void wuint(struct wbuf *w, uint64_t x, int neg)
{
    char tmp[24];
    int k = (int)sizeof tmp;
    do {
        tmp[--k] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    if (neg)
        tmp[--k] = '-';
    wput(w, tmp + k, sizeof tmp - (size_t)k);
}

static void wint(struct wbuf *w, int64_t v)
{
    wuint(w, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0);
}

int profile_write_stream(struct profile *p, FILE *f, struct diag_err *e)
{
    if (p->n_ev == 0)
        return diag_set(e, "cannot write a profile without events");
    struct wbuf *w = xmalloc(sizeof *w);
    w->f = f;
    w->n = 0;
    w->err = 0;
    /* Cachegrind's layout (cg_main.c): desc lines, cmd, events (verbatim, so
     * the cache-sim line keeps its trailing space), then the sorted table with
     * fl= on every file change and fn= on every function change and after
     * every fl=, all counts always written, then the column sums. */
    for (size_t i = 0; i < p->n_desc; i++) {
        wstr(w, "desc: ");
        wstr(w, p->desc[i]);
        wput(w, "\n", 1);
    }
    wstr(w, "cmd: ");
    wstr(w, p->cmd ? p->cmd : "");
    wput(w, "\n", 1);
    wstr(w, "events: ");
    wstr(w, p->events_text);
    wput(w, "\n", 1);
    const struct profile_entry *ent;
    size_t n = profile_sorted(p, &ent);
    const char *file = NULL, *fn = NULL;
    int64_t tot[PROFILE_MAX_EVENTS] = {0};
    for (size_t i = 0; i < n; i++) {
        const struct profile_entry *x = &ent[i];
        if (p->skip_zero) {
            size_t k = 0;
            while (k < p->n_ev && x->counts[k] == 0)
                k++;
            if (k == p->n_ev)
                continue;
        }
        if (x->file != file) {
            wstr(w, "fl=");
            wput(w, x->file, intern_len(x->file));
            wput(w, "\n", 1);
            file = x->file;
            fn = NULL;
        }
        if (x->fn != fn) {
            wstr(w, "fn=");
            wput(w, x->fn, intern_len(x->fn));
            wput(w, "\n", 1);
            fn = x->fn;
        }
        wuint(w, x->line, 0);
        for (size_t k = 0; k < p->n_ev; k++) {
            wput(w, " ", 1);
            wint(w, x->counts[k]);
            tot[k] = (int64_t)((uint64_t)tot[k] + (uint64_t)x->counts[k]);
        }
        wput(w, "\n", 1);
    }
    wstr(w, "summary:");
    for (size_t k = 0; k < p->n_ev; k++) {
        wput(w, " ", 1);
        wint(w, tot[k]);
    }
    wput(w, "\n", 1);
    wflush(w);
    int err = w->err || fflush(f) != 0 || ferror(f);
    int saved = errno;
    free(w);
    if (err)
        return diag_set(e, "write error: %s", strerror(saved ? saved : EIO));
    return 0;
}

/* Writes straight into path: for targets that are not regular files
 * (/dev/null, a pipe, /dev/stdout), which a rename would replace. */
static int write_in_place(struct profile *p, const char *path, struct diag_err *e)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return diag_set(e, "unable to open '%s': %s", path, strerror(errno));
    struct diag_err we;
    int rc = profile_write_stream(p, f, &we);
    if (fclose(f) != 0 && rc == 0)
        rc = diag_set(&we, "write error: %s", strerror(errno));
    if (rc != 0)
        diag_set(e, "unable to write '%s': %s", path, we.msg);
    return rc;
}

int profile_write_file(struct profile *p, const char *path, struct diag_err *e)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return write_in_place(p, path, e);
    /* The temporary file sits next to the target so rename() is atomic. */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path + 1) : 0;
    size_t tlen = strlen(path) + 16;
    char *tmp = xmalloc(tlen);
    snprintf(tmp, tlen, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
    int fd = mkstemp(tmp); /* mode 0600, like Cachegrind's output file */
    if (fd < 0) {
        diag_set(e, "unable to create a temporary file for '%s': %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        diag_set(e, "unable to write '%s': %s", path, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return -1;
    }
    struct diag_err we;
    int rc = profile_write_stream(p, f, &we);
    if (fclose(f) != 0 && rc == 0)
        rc = diag_set(&we, "write error: %s", strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = diag_set(&we, "unable to rename to it: %s", strerror(errno));
    if (rc != 0) {
        diag_set(e, "unable to write '%s': %s", path, we.msg);
        unlink(tmp);
    }
    free(tmp);
    return rc;
}
