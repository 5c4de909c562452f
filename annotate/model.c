/* model.c - see model.h.  One pass over the profile's cells (grouped by
 * (file, function), so a name lookup happens once per function, not per
 * line) builds the per-pair sums; files and functions are sums of pairs.
 * Per-line sums are gathered only for the files that get annotated.
 * Must not print or exit.
 *
 * Cachegrind compatibility: every rule here mirrors cg_annotate 3.21+ - the
 * threshold applies to (file, function) pairs on the primary sort event; a
 * file or function is listed when at least one of its pairs passes; rows sort
 * by the absolute counts of the sort events, descending, ties by name
 * descending; "???" is never annotated; the annotation summary's six rows
 * partition the totals.
 */
#include "annotate/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ------------------------------------------------------- pointer-pair map */

struct pent {
    const void *a, *b;
    size_t v;
};

struct pmap {
    struct pent *t;
    size_t cap, n;
};

static size_t phash(const void *a, const void *b)
{
    uint64_t x = (uint64_t)(uintptr_t)a * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)b;
    x ^= x >> 31;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 29;
    return (size_t)x;
}

/* The value of (a, b); inserts v_new if absent (*created = 1). */
static size_t pmap_get(struct pmap *m, const void *a, const void *b, size_t v_new, int *created)
{
    if (m->cap == 0 || (m->n + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct pent *t = xcalloc(cap, sizeof *t);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->t[i].a && !m->t[i].b)
                continue;
            size_t j = phash(m->t[i].a, m->t[i].b) & (cap - 1);
            while (t[j].a || t[j].b)
                j = (j + 1) & (cap - 1);
            t[j] = m->t[i];
        }
        free(m->t);
        m->t = t;
        m->cap = cap;
    }
    size_t j = phash(a, b) & (m->cap - 1);
    while (m->t[j].a || m->t[j].b) {
        if (m->t[j].a == a && m->t[j].b == b) {
            *created = 0;
            return m->t[j].v;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->t[j] = (struct pent){a, b, v_new};
    m->n++;
    *created = 1;
    return v_new;
}

static void pmap_free(struct pmap *m) { free(m->t); }

/* --------------------------------------------------------------- storage */

struct vec {
    void *p;
    size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 64;
        v->p = xrealloc(v->p, v->cap * v->size);
    }
    return (char *)v->p + v->n++ * v->size;
}

struct priv {
    struct pmap files_map, fns_map, pairs_map;
    const char **file_names, **fn_names;
    int64_t *file_cc, *fn_cc, *pair_cc;
    size_t *pair_fl, *pair_fn;
    size_t n_fl, n_fn, n_pair;
    struct ann_inner *inner1, *inner2;
    int64_t *cumul1, *cumul2;
    int64_t *rows_mem;
    int64_t **line_mem; /* per annotated file: the block its line counts live in */
};

/* Counts add with wrap-around: the reader refuses per-file overflow, and a
 * merge of absurd files must not be undefined behaviour. */
static void cc_add(int64_t *dst, const int64_t *src, size_t n)
{
    for (size_t k = 0; k < n; k++)
        dst[k] = (int64_t)((uint64_t)dst[k] + (uint64_t)src[k]);
}

static uint64_t uabs(int64_t v) { return v < 0 ? 0 - (uint64_t)v : (uint64_t)v; }

int report_meets_threshold(const struct ann_report *r, const int64_t *cc)
{
    size_t k = r->sort[0];
    /* Python: threshold * abs(total) / 100 in floating point, then an exact
     * int >= float comparison. */
    double t = r->o->threshold * (double)uabs(r->totals[k]) / 100.0;
    if (t <= 0)
        return 1;
    double c = ceil(t);
    if (c >= 18446744073709551616.0)
        return 0;
    return uabs(cc[k]) >= (uint64_t)c;
}

/* Row order: |counts| of the sort events descending, then name descending
 * (cg_annotate sorts (counts, name) tuples in reverse). */
static int cmp_rows(const int64_t *a, const char *an, const int64_t *b, const char *bn,
                    const struct ann_report *r)
{
    for (size_t i = 0; i < r->n_sort; i++) {
        uint64_t x = uabs(a[r->sort[i]]), y = uabs(b[r->sort[i]]);
        if (x != y)
            return x > y ? -1 : 1;
    }
    return -strcmp(an, bn);
}

static int cmp_inner(const void *a, const void *b, void *ctx)
{
    const struct ann_inner *x = a, *y = b;
    return cmp_rows(x->cc, x->name, y->cc, y->name, ctx);
}

static int cmp_group(const void *a, const void *b, void *ctx)
{
    const struct ann_group *x = a, *y = b;
    return cmp_rows(x->cc, x->name, y->cc, y->name, ctx);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const struct ann_file *)a)->name, ((const struct ann_file *)b)->name);
}

/* One summary section: outer items (files or functions) with their pairs. */
static void build_section(struct ann_report *r, struct ann_section *sec, size_t n_outer,
                          const char **outer_names, const int64_t *outer_cc,
                          const size_t *pair_outer, const size_t *pair_inner,
                          const char **inner_names, struct ann_inner *pool, int64_t **cumul_out)
{
    struct priv *pv = r->priv;
    size_t n_ev = r->n_ev;
    /* Counting sort of the pairs by outer item. */
    size_t *start = xcalloc(n_outer + 1, sizeof *start);
    for (size_t i = 0; i < pv->n_pair; i++)
        start[pair_outer[i] + 1]++;
    for (size_t i = 0; i < n_outer; i++)
        start[i + 1] += start[i];
    size_t *fill = xmalloc((n_outer + 1) * sizeof *fill);
    memcpy(fill, start, (n_outer + 1) * sizeof *fill);
    size_t *by_outer = xmalloc((pv->n_pair + 1) * sizeof *by_outer);
    for (size_t i = 0; i < pv->n_pair; i++)
        by_outer[fill[pair_outer[i]]++] = i;

    sec->groups = xcalloc(n_outer + 1, sizeof *sec->groups);
    sec->n = 0;
    size_t used = 0;
    for (size_t o = 0; o < n_outer; o++) {
        struct ann_inner *inner = pool + used;
        size_t k = 0;
        for (size_t j = start[o]; j < start[o + 1]; j++) {
            size_t pi = by_outer[j];
            const int64_t *cc = pv->pair_cc + pi * n_ev;
            if (!report_meets_threshold(r, cc))
                continue;
            inner[k].name = inner_names[pair_inner[pi]];
            inner[k].cc = cc;
            k++;
        }
        if (k == 0)
            continue; /* no pair passed: the item is not listed at all */
        qsort_r(inner, k, sizeof *inner, cmp_inner, r);
        used += k;
        struct ann_group *g = &sec->groups[sec->n++];
        g->name = outer_names[o];
        g->cc = outer_cc + o * n_ev;
        g->inner = inner;
        g->n_inner = k;
    }
    qsort_r(sec->groups, sec->n, sizeof *sec->groups, cmp_group, r);
    int64_t *cumul = xcalloc((sec->n + 1) * n_ev, sizeof *cumul);
    for (size_t i = 0; i < sec->n; i++) {
        int64_t *c = cumul + i * n_ev;
        if (i)
            memcpy(c, c - n_ev, n_ev * sizeof *c);
        cc_add(c, sec->groups[i].cc, n_ev);
        sec->groups[i].cumul = c;
    }
    *cumul_out = cumul;
    free(start);
    free(fill);
    free(by_outer);
}

static int event_list(const struct ann_report *r, char **names, size_t n, size_t **out,
                      size_t *n_out, const char *what, struct diag_err *e)
{
    *out = xcalloc(n ? n : r->n_ev, sizeof **out);
    if (!names) {
        for (size_t i = 0; i < r->n_ev; i++)
            (*out)[i] = i;
        *n_out = r->n_ev;
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        int k = profile_event_index(r->p, names[i]);
        if (k < 0)
            return diag_set(e, "%s event '%s' did not appear in 'events:' line", what, names[i]);
        (*out)[i] = (size_t)k;
    }
    *n_out = n;
    return 0;
}

struct pline {
    unsigned long line;
    const int64_t *cc;
};

static int cmp_pline(const void *a, const void *b)
{
    const struct pline *x = a, *y = b;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Decides whether f can be annotated, loading its source if so. */
static void load_source(struct ann_report *r, struct ann_file *f)
{
    const struct ann_opts *o = r->o;
    char **paths = xcalloc(f->n_origins, sizeof *paths);
    struct src_file *srcs = xcalloc(f->n_origins, sizeof *srcs);
    char *loaded = xcalloc(f->n_origins, 1);
    for (size_t i = 0; i < f->n_origins; i++) {
        paths[i] = src_find(f->origins[i], o->source_dirs, o->n_source_dirs);
        loaded[i] = paths[i] && src_load(paths[i], &srcs[i]) == 0;
    }
    /* cg_annotate compares the originals pair by pair in sorted order and
     * stops at the first pair that differs (not identical) or cannot be read
     * (unreadable); so do we, to give the same verdict when both happen. */
    f->status = loaded[0] ? ANN_OK : ANN_UNREADABLE;
    for (size_t i = 0; i + 1 < f->n_origins; i++) {
        if (!loaded[i] || !loaded[i + 1]) {
            f->status = ANN_UNREADABLE;
            break;
        }
        if (!src_same(&srcs[i], &srcs[i + 1])) {
            f->status = ANN_NOT_IDENTICAL;
            break;
        }
    }
    free(loaded);
    if (f->status == ANN_OK) {
        f->path = paths[0];
        paths[0] = NULL;
        f->src = srcs[0];
        memset(&srcs[0], 0, sizeof srcs[0]);
        /* Identical originals may be treated as old as the oldest; warn
         * about every profile that is older still (cg_annotate does). */
        struct timespec min = f->src.mtime;
        for (size_t i = 1; i < f->n_origins; i++)
            if (srcs[i].mtime.tv_sec < min.tv_sec ||
                (srcs[i].mtime.tv_sec == min.tv_sec && srcs[i].mtime.tv_nsec < min.tv_nsec))
                min = srcs[i].mtime;
        f->newer_than = xcalloc(o->n_files + 1, sizeof *f->newer_than);
        for (size_t k = 0; k < o->n_files; k++) {
            struct stat st;
            if (strcmp(o->files[k], "-") == 0 || stat(o->files[k], &st) != 0)
                continue;
            if (min.tv_sec > st.st_mtim.tv_sec ||
                (min.tv_sec == st.st_mtim.tv_sec && min.tv_nsec > st.st_mtim.tv_nsec))
                f->newer_than[f->n_newer++] = o->files[k];
        }
    }
    for (size_t i = 0; i < f->n_origins; i++) {
        free(paths[i]);
        src_release(&srcs[i]);
    }
    free(paths);
    free(srcs);
}

static void build_files(struct ann_report *r, int need_lines)
{
    struct priv *pv = r->priv;
    size_t n_ev = r->n_ev;
    const struct ann_section *sec = &r->file_fn;
    r->files = xcalloc(sec->n + 1, sizeof *r->files);
    r->n_files = 0;
    for (size_t i = 0; i < sec->n; i++) {
        if (strcmp(sec->groups[i].name, "???") == 0)
            continue; /* unknown file: never annotated */
        r->files[r->n_files++].name = sec->groups[i].name;
    }
    qsort(r->files, r->n_files, sizeof *r->files, cmp_file);
    pv->line_mem = xcalloc(r->n_files + 1, sizeof *pv->line_mem);

    /* slot[file index] = annotated file number + 1, or 0. */
    size_t *slot = xcalloc(pv->n_fl + 1, sizeof *slot);
    for (size_t i = 0; i < r->n_files; i++) {
        struct ann_file *f = &r->files[i];
        int created;
        size_t fi = pmap_get(&pv->files_map, f->name, NULL, 0, &created);
        f->total = pv->file_cc + fi * n_ev;
        slot[fi] = i + 1;
        const char *const *orig;
        size_t n = profile_file_origins(r->p, f->name, &orig);
        if (n == 0) {
            orig = &f->name;
            n = 1;
        }
        f->origins = xmalloc(n * sizeof *f->origins);
        memcpy(f->origins, orig, n * sizeof *f->origins);
        f->n_origins = n;
        qsort(f->origins, n, sizeof *f->origins, cmp_str);
        load_source(r, f);
    }

    /* Per-line costs of the files that need them. */
    struct vec *lines = xcalloc(r->n_files + 1, sizeof *lines);
    for (size_t i = 0; i < r->n_files; i++)
        lines[i].size = sizeof(struct pline);
    const struct profile_entry *ent;
    size_t n = profile_unsorted(r->p, &ent);
    const char *lf = NULL;
    size_t cur = 0;
    for (size_t i = 0; i < n; i++) {
        if (ent[i].file != lf) {
            int created;
            lf = ent[i].file;
            cur = slot[pmap_get(&pv->files_map, lf, NULL, 0, &created)];
        }
        if (!cur)
            continue;
        struct ann_file *f = &r->files[cur - 1];
        if (f->status != ANN_OK && !need_lines)
            continue;
        struct pline *pl = vec_push(&lines[cur - 1]);
        pl->line = ent[i].line;
        pl->cc = ent[i].counts;
    }
    for (size_t i = 0; i < r->n_files; i++) {
        struct ann_file *f = &r->files[i];
        struct pline *pl = lines[i].p;
        size_t m = lines[i].n;
        if (m > 1) /* pl is NULL when the file has no cost lines at all */
            qsort(pl, m, sizeof *pl, cmp_pline);
        size_t distinct = 0;
        for (size_t j = 0; j < m; j++)
            distinct += j == 0 || pl[j].line != pl[j - 1].line;
        int64_t *mem = xcalloc(distinct + 1, n_ev * sizeof *mem);
        pv->line_mem[i] = mem;
        f->lines = xcalloc(distinct + 1, sizeof *f->lines);
        for (size_t j = 0; j < m; j++) {
            if (j == 0 || pl[j].line != pl[j - 1].line) {
                /* Line 0 sorts first, so slots are handed out in order. */
                int64_t *cc = mem + (f->n_lines + (f->line0 ? 1 : 0)) * n_ev;
                if (pl[j].line == 0)
                    f->line0 = cc;
                else
                    f->lines[f->n_lines++] = (struct ann_line){pl[j].line, cc};
            }
            int64_t *cc = pl[j].line == 0 ? f->line0 : f->lines[f->n_lines - 1].cc;
            cc_add(cc, pl[j].cc, n_ev);
        }
        free(pl);
    }
    free(lines);
    free(slot);
}

static void build_rows(struct ann_report *r)
{
    struct priv *pv = r->priv;
    size_t n_ev = r->n_ev;
    pv->rows_mem = xcalloc(ANN_N_ROWS * n_ev, sizeof *pv->rows_mem);
    for (int i = 0; i < ANN_N_ROWS; i++)
        r->rows[i] = pv->rows_mem + (size_t)i * n_ev;
    char *annotated = xcalloc(pv->n_fl + 1, 1);
    for (size_t i = 0; i < r->n_files; i++) {
        struct ann_file *f = &r->files[i];
        int created;
        annotated[pmap_get(&pv->files_map, f->name, NULL, 0, &created)] = 1;
        if (f->status == ANN_UNREADABLE) {
            cc_add(r->rows[ANN_ROW_UNREADABLE], f->total, n_ev);
        } else if (f->status == ANN_NOT_IDENTICAL) {
            cc_add(r->rows[ANN_ROW_NOT_IDENTICAL], f->total, n_ev);
        } else {
            /* Lines past the end of the file still count as annotated, as in
             * cg_annotate (they are shown as "<bogus line N>"). */
            if (f->line0)
                cc_add(r->rows[ANN_ROW_LINE0], f->line0, n_ev);
            for (size_t j = 0; j < f->n_lines; j++)
                cc_add(r->rows[ANN_ROW_KNOWN], f->lines[j].cc, n_ev);
        }
    }
    for (size_t fi = 0; fi < pv->n_fl; fi++) {
        if (annotated[fi])
            continue;
        int unknown = strcmp(pv->file_names[fi], "???") == 0;
        cc_add(r->rows[unknown ? ANN_ROW_UNKNOWN : ANN_ROW_BELOW], pv->file_cc + fi * n_ev, n_ev);
    }
    free(annotated);
}

int report_build(struct ann_report *r, struct profile *p, const struct ann_opts *o, int need_lines,
                 struct diag_err *e)
{
    memset(r, 0, sizeof *r);
    struct priv *pv = xcalloc(1, sizeof *pv);
    r->priv = pv;
    r->o = o;
    r->p = p;
    r->n_ev = profile_n_events(p);
    size_t n_ev = r->n_ev;
    r->events = xcalloc(n_ev + 1, sizeof *r->events);
    for (size_t i = 0; i < n_ev; i++)
        r->events[i] = profile_event(p, i);
    if (event_list(r, o->show, o->n_show, &r->show, &r->n_show, "--show", e) < 0 ||
        event_list(r, o->sort, o->n_sort, &r->sort, &r->n_sort, "--sort", e) < 0)
        return -1;
    r->totals = xcalloc(n_ev + 1, sizeof *r->totals);
    profile_totals(p, r->totals);

    /* Pairs, files and functions. */
    struct vec vfl = {.size = sizeof(char *)}, vfn = {.size = sizeof(char *)};
    struct vec vpfl = {.size = sizeof(size_t)}, vpfn = {.size = sizeof(size_t)};
    struct vec vpcc = {.size = n_ev * sizeof(int64_t)};
    /* One record per (file, function) pair, including pairs without cost
     * lines (cg_annotate shows them, with zero counts, at --threshold=0). */
    const struct profile_entry *ent;
    profile_unsorted(p, &ent);
    const struct profile_pair *pairs;
    size_t n_pairs = profile_pairs(p, &pairs);
    for (size_t i = 0; i < n_pairs; i++) {
        int created;
        size_t pi = pmap_get(&pv->pairs_map, pairs[i].file, pairs[i].fn, vpcc.n, &created);
        if (created) {
            size_t fi = pmap_get(&pv->files_map, pairs[i].file, NULL, vfl.n, &created);
            if (created)
                *(const char **)vec_push(&vfl) = pairs[i].file;
            *(size_t *)vec_push(&vpfl) = fi;
            size_t gi = pmap_get(&pv->fns_map, pairs[i].fn, NULL, vfn.n, &created);
            if (created)
                *(const char **)vec_push(&vfn) = pairs[i].fn;
            *(size_t *)vec_push(&vpfn) = gi;
            memset(vec_push(&vpcc), 0, vpcc.size);
        }
        int64_t *cc = (int64_t *)vpcc.p + pi * n_ev;
        for (size_t k = pairs[i].first; k < pairs[i].first + pairs[i].n; k++)
            cc_add(cc, ent[k].counts, n_ev);
    }
    pv->file_names = vfl.p;
    pv->n_fl = vfl.n;
    pv->fn_names = vfn.p;
    pv->n_fn = vfn.n;
    pv->pair_fl = vpfl.p;
    pv->pair_fn = vpfn.p;
    pv->pair_cc = vpcc.p;
    pv->n_pair = vpcc.n;
    pv->file_cc = xcalloc((pv->n_fl + 1) * n_ev, sizeof *pv->file_cc);
    pv->fn_cc = xcalloc((pv->n_fn + 1) * n_ev, sizeof *pv->fn_cc);
    for (size_t i = 0; i < pv->n_pair; i++) {
        cc_add(pv->file_cc + pv->pair_fl[i] * n_ev, pv->pair_cc + i * n_ev, n_ev);
        cc_add(pv->fn_cc + pv->pair_fn[i] * n_ev, pv->pair_cc + i * n_ev, n_ev);
    }

    pv->inner1 = xcalloc(pv->n_pair + 1, sizeof *pv->inner1);
    pv->inner2 = xcalloc(pv->n_pair + 1, sizeof *pv->inner2);
    build_section(r, &r->file_fn, pv->n_fl, pv->file_names, pv->file_cc, pv->pair_fl, pv->pair_fn,
                  pv->fn_names, pv->inner1, &pv->cumul1);
    build_section(r, &r->fn_file, pv->n_fn, pv->fn_names, pv->fn_cc, pv->pair_fn, pv->pair_fl,
                  pv->file_names, pv->inner2, &pv->cumul2);
    if (o->annotate) {
        build_files(r, need_lines);
        build_rows(r);
    }
    return 0;
}

void report_release(struct ann_report *r)
{
    struct priv *pv = r->priv;
    for (size_t i = 0; i < r->n_files; i++) {
        struct ann_file *f = &r->files[i];
        free(pv->line_mem[i]);
        free(f->origins);
        free(f->path);
        src_release(&f->src);
        free(f->newer_than);
        free(f->lines);
    }
    free(r->files);
    free(r->events);
    free(r->show);
    free(r->sort);
    free(r->totals);
    free(r->file_fn.groups);
    free(r->fn_file.groups);
    if (pv) {
        pmap_free(&pv->files_map);
        pmap_free(&pv->fns_map);
        pmap_free(&pv->pairs_map);
        free(pv->file_names);
        free(pv->fn_names);
        free(pv->file_cc);
        free(pv->fn_cc);
        free(pv->pair_cc);
        free(pv->pair_fl);
        free(pv->pair_fn);
        free(pv->inner1);
        free(pv->inner2);
        free(pv->cumul1);
        free(pv->cumul2);
        free(pv->rows_mem);
        free(pv->line_mem);
        free(pv);
    }
    memset(r, 0, sizeof *r);
}
