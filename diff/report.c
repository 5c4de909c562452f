/* report.c - see report.h.  Collects the numbers once (report_new) and lays
 * them out three ways; the layouts share the cell renderings below so text,
 * Markdown and JSON never disagree on a digit. */
#include "diff/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/textfmt.h"

/* ------------------------------------------------------------ collecting */

/* Index of the row for name, adding it if needed; -1 if the name is not an
 * event of these profiles, with the message in e prefixed by "OPTION: ". */
static int row_for(struct report *r, size_t *cap, struct profile *p, const char *name,
                   const char *option, struct diag_err *e)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (strcmp(r->rows[i].ev.name, name) == 0)
            return (int)i;
    struct derived_event ev;
    struct diag_err why;
    if (derived_resolve(p, name, &ev, &why) < 0) {
        diag_set(e, "%s: %s", option, why.msg);
        return -1;
    }
    if (r->n_rows == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        r->rows = xrealloc(r->rows, *cap * sizeof *r->rows);
    }
    memset(&r->rows[r->n_rows], 0, sizeof r->rows[0]);
    r->rows[r->n_rows].ev = ev;
    return (int)r->n_rows++;
}

/* Fills old/new/delta/percent from the two values of one event. */
static int set_change(int64_t old, int64_t new_, int64_t *delta, int *has_pct, int64_t *pct)
{
    if (__builtin_sub_overflow(new_, old, delta))
        return -1;
    *has_pct = gate_percent(old, new_, pct) == 0;
    return 0;
}

static int cmp_func(const void *x, const void *y)
{
    const struct report_func *a = x, *b = y;
    uint64_t ma = a->delta < 0 ? 0 - (uint64_t)a->delta : (uint64_t)a->delta;
    uint64_t mb = b->delta < 0 ? 0 - (uint64_t)b->delta : (uint64_t)b->delta;
    if (ma != mb)
        return ma > mb ? -1 : 1; /* biggest change first */
    if (a->delta != b->delta)
        return a->delta > b->delta ? -1 : 1; /* at equal size, growth first */
    int c = strcmp(a->file, b->file);
    return c ? c : strcmp(a->fn, b->fn);
}

struct report *report_new(struct profile *a, struct profile *b, struct profile *fa,
                          struct profile *fd, const struct report_opts *o, int *usage,
                          struct diag_err *e)
{
    struct report *r = xcalloc(1, sizeof *r);
    size_t cap = 0;
    r->name_a = o->name_a;
    r->name_b = o->name_b;
    r->cmd_a = profile_cmd(a) ? profile_cmd(a) : "";
    r->cmd_b = profile_cmd(b) ? profile_cmd(b) : "";
    *usage = 1;

    /* Rows: the chosen events, then any limited or sort event not among them. */
    if (o->show) {
        for (size_t i = 0; i < o->n_show; i++)
            if (row_for(r, &cap, a, o->show[i], "--show", e) < 0)
                goto fail;
    } else {
        for (size_t i = 0; i < profile_n_events(a); i++)
            row_for(r, &cap, a, profile_event(a, i), "", e);
        if (derived_available(a, "EstCycles"))
            row_for(r, &cap, a, "EstCycles", "", e);
    }
    r->checks = xcalloc(o->n_limits + 1, sizeof *r->checks);
    for (size_t i = 0; i < o->n_limits; i++) {
        char opt[GATE_EVENT_MAX + 96], val[32];
        gate_format(&o->limits[i], val, sizeof val);
        snprintf(opt, sizeof opt, "--limit %s=%s", o->limits[i].event, val);
        int k = row_for(r, &cap, a, o->limits[i].event, opt, e);
        if (k < 0)
            goto fail;
        r->checks[i].limit = o->limits[i];
        r->checks[i].row = (size_t)k;
    }
    r->n_checks = o->n_limits;
    const char *sort = o->sort ? o->sort : o->n_limits ? o->limits[0].event : r->rows[0].ev.name;
    int k = row_for(r, &cap, a, sort, o->sort ? "--sort" : "--limit", e);
    if (k < 0)
        goto fail;
    r->sort_row = (size_t)k;

    /* Values: derived events are linear, so evaluating them on the totals
     * is the same as summing them over the cost lines. */
    *usage = 0;
    int64_t ta[PROFILE_MAX_EVENTS], tb[PROFILE_MAX_EVENTS];
    profile_totals(a, ta);
    profile_totals(b, tb);
    for (size_t i = 0; i < r->n_rows; i++) {
        struct report_row *w = &r->rows[i];
        if (derived_eval(&w->ev, ta, &w->old) < 0 || derived_eval(&w->ev, tb, &w->new_) < 0 ||
            set_change(w->old, w->new_, &w->delta, &w->has_pct, &w->pct) < 0) {
            diag_set(e, "the totals of event '%s' overflow 64 bits", w->ev.name);
            goto fail;
        }
    }
    for (size_t i = 0; i < r->n_checks; i++) {
        const struct report_row *w = &r->rows[r->checks[i].row];
        r->checks[i].exceeded = gate_exceeded(&r->checks[i].limit, w->old, w->new_);
        r->n_exceeded += (size_t)r->checks[i].exceeded;
    }

    /* Functions: every (file, fn) of either profile is a key of fd. */
    const struct derived_event *sev = &r->rows[r->sort_row].ev;
    const struct profile_entry *ent;
    size_t n = profile_sorted(fd, &ent);
    struct report_func *all = xmalloc((n + 1) * sizeof *all);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        struct report_func *f = &all[m];
        const int64_t *old_counts = profile_cell(fa, ent[i].file, ent[i].fn, 0);
        int64_t dv;
        f->file = ent[i].file;
        f->fn = ent[i].fn;
        if (derived_eval(sev, old_counts, &f->old) < 0 || derived_eval(sev, ent[i].counts, &dv) < 0 ||
            __builtin_add_overflow(f->old, dv, &f->new_) ||
            set_change(f->old, f->new_, &f->delta, &f->has_pct, &f->pct) < 0) {
            diag_set(e, "event '%s' of function '%s' in '%s' overflows 64 bits", sev->name, f->fn, f->file);
            free(all);
            goto fail;
        }
        if (f->delta != 0)
            m++;
    }
    qsort(all, m, sizeof *all, cmp_func);
    r->n_changed = m;
    r->n_funcs = m < o->top ? m : o->top;
    r->funcs = all;
    return r;
fail:
    report_free(r);
    return NULL;
}

void report_free(struct report *r)
{
    if (!r)
        return;
    free(r->rows);
    free(r->checks);
    free(r->funcs);
    free(r);
}

/* ------------------------------------------------------------- rendering */

struct cells {
    char old[TEXTFMT_NUM_MAX], new_[TEXTFMT_NUM_MAX], delta[TEXTFMT_NUM_MAX], pct[TEXTFMT_NUM_MAX];
};

/* The four number cells shared by text and Markdown: counts with thousands
 * separators, delta signed ("0" unsigned), change "+2.50%" or "n/a". */
static void cells_of(struct cells *c, int64_t old, int64_t new_, int64_t delta, int has_pct,
                     int64_t pct)
{
    textfmt_commify(c->old, old, 0);
    textfmt_commify(c->new_, new_, 0);
    textfmt_commify(c->delta, delta, 1);
    if (has_pct) {
        size_t len = textfmt_hundredths(c->pct, pct, 1);
        strcpy(c->pct + len, "%");
    } else {
        strcpy(c->pct, "n/a");
    }
}

/* "1%" / "10,000": a limit as the reports show it. */
static void limit_text(const struct gate_limit *l, char *dst, size_t size)
{
    if (l->kind == GATE_ABSOLUTE) {
        char num[TEXTFMT_NUM_MAX];
        textfmt_commify(num, l->value, 0);
        snprintf(dst, size, "%s", num);
    } else {
        gate_format(l, dst, size);
    }
}

/* All limits of row i joined by ", " into dst; returns whether any exceeded
 * (and -1 when the row has no limit). */
static int row_limits(const struct report *r, size_t i, char *dst, size_t size)
{
    int state = -1;
    size_t len = 0;
    dst[0] = 0;
    for (size_t k = 0; k < r->n_checks; k++) {
        if (r->checks[k].row != i)
            continue;
        char t[TEXTFMT_NUM_MAX + 8];
        limit_text(&r->checks[k].limit, t, sizeof t);
        int n = snprintf(dst + len, size - len, "%s%s", len ? ", " : "", t);
        if (n > 0 && (size_t)n < size - len)
            len += (size_t)n;
        if (state < 0)
            state = 0;
        state |= r->checks[k].exceeded;
    }
    return state;
}

static const char *headline(const struct report *r, char *buf, size_t size)
{
    if (r->n_checks == 0)
        snprintf(buf, size, "no limits given");
    else if (r->n_exceeded)
        snprintf(buf, size, "%zu of %zu limit%s exceeded", r->n_exceeded, r->n_checks,
                 r->n_checks == 1 ? "" : "s");
    else
        snprintf(buf, size, "within limits (%zu limit%s checked)", r->n_checks, r->n_checks == 1 ? "" : "s");
    return buf;
}

static size_t maxz(size_t a, size_t b) { return a > b ? a : b; }

/* ------------------------------------------------------------------ text */

static void write_text(const struct report *r, FILE *f)
{
    fprintf(f, "old: %s (cmd: %s)\n", r->name_a, r->cmd_a);
    fprintf(f, "new: %s (cmd: %s)\n\n", r->name_b, r->cmd_b);

    /* Column widths from the widest cell of each column. */
    size_t wn = strlen("Event"), wo = strlen("Old"), ww = strlen("New"), wd = strlen("Delta"),
           wp = strlen("Change"), wl = strlen("Limit");
    struct cells *c = xmalloc((r->n_rows + 1) * sizeof *c);
    char (*lim)[256] = xmalloc((r->n_rows + 1) * sizeof *lim);
    int *state = xmalloc((r->n_rows + 1) * sizeof *state);
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct report_row *w = &r->rows[i];
        cells_of(&c[i], w->old, w->new_, w->delta, w->has_pct, w->pct);
        state[i] = row_limits(r, i, lim[i], sizeof lim[i]);
        wn = maxz(wn, strlen(w->ev.name));
        wo = maxz(wo, strlen(c[i].old));
        ww = maxz(ww, strlen(c[i].new_));
        wd = maxz(wd, strlen(c[i].delta));
        wp = maxz(wp, strlen(c[i].pct));
        wl = maxz(wl, strlen(lim[i]));
    }
    fprintf(f, "%-*s  %*s  %*s  %*s  %*s", (int)wn, "Event", (int)wo, "Old", (int)ww, "New", (int)wd,
            "Delta", (int)wp, "Change");
    if (r->n_checks)
        fprintf(f, "  %-*s  Status", (int)wl, "Limit");
    fputc('\n', f);
    for (size_t i = 0; i < r->n_rows; i++) {
        fprintf(f, "%-*s  %*s  %*s  %*s  %*s", (int)wn, r->rows[i].ev.name, (int)wo, c[i].old, (int)ww,
                c[i].new_, (int)wd, c[i].delta, (int)wp, c[i].pct);
        if (state[i] >= 0)
            fprintf(f, "  %-*s  %s", (int)wl, lim[i], state[i] ? "EXCEEDED" : "ok");
        fputc('\n', f);
    }
    for (size_t i = 0; i < r->n_rows; i++)
        if (r->rows[i].ev.formula)
            fprintf(f, "  %s = %s\n", r->rows[i].ev.name, r->rows[i].ev.formula);
    free(c);
    free(lim);
    free(state);

    const char *sname = r->rows[r->sort_row].ev.name;
    if (r->n_changed == 0) {
        fprintf(f, "\nNo function changed in %s.\n", sname);
    } else if (r->n_funcs) {
        fprintf(f, "\nFunctions that changed most in %s (%zu of %zu changed):\n", sname, r->n_funcs,
                r->n_changed);
        c = xmalloc(r->n_funcs * sizeof *c);
        wo = strlen("Old"), ww = strlen("New"), wd = strlen("Delta"), wp = strlen("Change");
        for (size_t i = 0; i < r->n_funcs; i++) {
            const struct report_func *g = &r->funcs[i];
            cells_of(&c[i], g->old, g->new_, g->delta, g->has_pct, g->pct);
            wo = maxz(wo, strlen(c[i].old));
            ww = maxz(ww, strlen(c[i].new_));
            wd = maxz(wd, strlen(c[i].delta));
            wp = maxz(wp, strlen(c[i].pct));
        }
        fprintf(f, "%*s  %*s  %*s  %*s  Function\n", (int)wo, "Old", (int)ww, "New", (int)wd, "Delta",
                (int)wp, "Change");
        for (size_t i = 0; i < r->n_funcs; i++)
            fprintf(f, "%*s  %*s  %*s  %*s  %s:%s\n", (int)wo, c[i].old, (int)ww, c[i].new_, (int)wd,
                    c[i].delta, (int)wp, c[i].pct, r->funcs[i].file, r->funcs[i].fn);
        free(c);
    }

    char buf[128];
    fprintf(f, "\nResult: %s\n", headline(r, buf, sizeof buf));
    for (size_t k = 0; k < r->n_checks; k++) {
        if (!r->checks[k].exceeded)
            continue;
        const struct report_row *w = &r->rows[r->checks[k].row];
        struct cells x;
        char t[TEXTFMT_NUM_MAX + 8];
        cells_of(&x, w->old, w->new_, w->delta, w->has_pct, w->pct);
        limit_text(&r->checks[k].limit, t, sizeof t);
        fprintf(f, "  %s grew by %s (%s), limit %s\n", w->ev.name, x.delta, x.pct, t);
    }
}

/* -------------------------------------------------------------- markdown */

static void write_markdown(const struct report *r, FILE *f)
{
    char buf[128];
    fprintf(f, "### cachesim-diff: %s\n\n", headline(r, buf, sizeof buf));
    fputs("Old: ", f);
    textfmt_md_code(f, r->name_a);
    fputs(" (", f);
    textfmt_md_code(f, r->cmd_a);
    fputs("), new: ", f);
    textfmt_md_code(f, r->name_b);
    fputs(" (", f);
    textfmt_md_code(f, r->cmd_b);
    fputs(").\n\n", f);

    fprintf(f, "| Event | Old | New | Delta | Change |%s\n", r->n_checks ? " Limit | Status |" : "");
    fprintf(f, "|:--|--:|--:|--:|--:|%s\n", r->n_checks ? "--:|:--|" : "");
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct report_row *w = &r->rows[i];
        struct cells c;
        char lim[256];
        cells_of(&c, w->old, w->new_, w->delta, w->has_pct, w->pct);
        int state = row_limits(r, i, lim, sizeof lim);
        fputs("| ", f);
        textfmt_md_text(f, w->ev.name);
        fprintf(f, " | %s | %s | %s | %s |", c.old, c.new_, c.delta, c.pct);
        if (r->n_checks)
            fprintf(f, " %s | %s |", lim, state < 0 ? "" : state ? "**exceeded**" : "ok");
        fputc('\n', f);
    }
    int any_formula = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        if (!r->rows[i].ev.formula)
            continue;
        fputs(any_formula ? "; " : "\n", f);
        textfmt_md_text(f, r->rows[i].ev.name);
        fputs(" = ", f);
        textfmt_md_code(f, r->rows[i].ev.formula);
        any_formula = 1;
    }
    if (any_formula)
        fputs(".\n", f);

    const char *sname = r->rows[r->sort_row].ev.name;
    if (r->n_changed == 0) {
        fputs("\nNo function changed in ", f);
        textfmt_md_text(f, sname);
        fputs(".\n", f);
    } else if (r->n_funcs) {
        fputs("\n<details><summary>Functions that changed most in ", f);
        textfmt_md_text(f, sname);
        fprintf(f, " (%zu of %zu changed)</summary>\n\n", r->n_funcs, r->n_changed);
        fputs("| Old | New | Delta | Change | Function |\n|--:|--:|--:|--:|:--|\n", f);
        for (size_t i = 0; i < r->n_funcs; i++) {
            const struct report_func *g = &r->funcs[i];
            struct cells c;
            cells_of(&c, g->old, g->new_, g->delta, g->has_pct, g->pct);
            fprintf(f, "| %s | %s | %s | %s | ", c.old, c.new_, c.delta, c.pct);
            size_t fl = strlen(g->file), nl = strlen(g->fn);
            char *name = xmalloc(fl + nl + 2);
            memcpy(name, g->file, fl);
            name[fl] = ':';
            memcpy(name + fl + 1, g->fn, nl + 1);
            textfmt_md_code(f, name);
            free(name);
            fputs(" |\n", f);
        }
        fputs("\n</details>\n", f);
    }
}

/* ------------------------------------------------------------------ json */

static void json_pct(FILE *f, int has_pct, int64_t pct)
{
    if (!has_pct) {
        fputs("null", f);
        return;
    }
    char num[TEXTFMT_NUM_MAX];
    textfmt_hundredths(num, pct, 0);
    fputs(num, f);
}

static void write_json(const struct report *r, FILE *f)
{
    fprintf(f, "{\n  \"version\": %d,\n  \"old\": {\"file\": ", REPORT_JSON_VERSION);
    textfmt_json_str(f, r->name_a);
    fputs(", \"cmd\": ", f);
    textfmt_json_str(f, r->cmd_a);
    fputs("},\n  \"new\": {\"file\": ", f);
    textfmt_json_str(f, r->name_b);
    fputs(", \"cmd\": ", f);
    textfmt_json_str(f, r->cmd_b);
    fprintf(f, "},\n  \"result\": \"%s\",\n  \"limits\": %zu,\n  \"exceeded\": %zu,\n  \"events\": [",
            r->n_exceeded ? "exceeded" : "ok", r->n_checks, r->n_exceeded);
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct report_row *w = &r->rows[i];
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        textfmt_json_str(f, w->ev.name);
        fputs(", \"formula\": ", f);
        if (w->ev.formula)
            textfmt_json_str(f, w->ev.formula);
        else
            fputs("null", f);
        fprintf(f, ", \"old\": %lld, \"new\": %lld, \"delta\": %lld, \"percent\": ", (long long)w->old,
                (long long)w->new_, (long long)w->delta);
        json_pct(f, w->has_pct, w->pct);
        fputs(", \"limits\": [", f);
        int first = 1;
        for (size_t k = 0; k < r->n_checks; k++) {
            const struct report_check *ck = &r->checks[k];
            if (ck->row != i)
                continue;
            char num[TEXTFMT_NUM_MAX], t[TEXTFMT_NUM_MAX + 8];
            gate_format(&ck->limit, t, sizeof t);
            if (ck->limit.kind == GATE_PERCENT)
                textfmt_millionths(num, ck->limit.value);
            else
                snprintf(num, sizeof num, "%lld", (long long)ck->limit.value);
            fprintf(f, "%s{\"limit\": \"%s\", \"kind\": \"%s\", \"value\": %s, \"exceeded\": %s}",
                    first ? "" : ", ", t, ck->limit.kind == GATE_PERCENT ? "percent" : "absolute", num,
                    ck->exceeded ? "true" : "false");
            first = 0;
        }
        fputs("]}", f);
    }
    fputs(r->n_rows ? "\n  ],\n" : "],\n", f);
    fputs("  \"functions\": {\"event\": ", f);
    textfmt_json_str(f, r->rows[r->sort_row].ev.name);
    fprintf(f, ", \"changed\": %zu, \"top\": [", r->n_changed);
    for (size_t i = 0; i < r->n_funcs; i++) {
        const struct report_func *g = &r->funcs[i];
        fputs(i ? ",\n    {\"file\": " : "\n    {\"file\": ", f);
        textfmt_json_str(f, g->file);
        fputs(", \"function\": ", f);
        textfmt_json_str(f, g->fn);
        fprintf(f, ", \"old\": %lld, \"new\": %lld, \"delta\": %lld, \"percent\": ", (long long)g->old,
                (long long)g->new_, (long long)g->delta);
        json_pct(f, g->has_pct, g->pct);
        fputc('}', f);
    }
    fputs(r->n_funcs ? "\n  ]}\n}\n" : "]}\n}\n", f);
}

int report_write(const struct report *r, enum report_format fmt, FILE *f)
{
    errno = 0;
    if (fmt == REPORT_JSON)
        write_json(r, f);
    else if (fmt == REPORT_MARKDOWN)
        write_markdown(r, f);
    else
        write_text(r, f);
    return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
