/* text.c - see text.h.
 *
 * Cachegrind compatibility: this file reproduces cg_annotate 3.21+'s output
 * byte for byte where the reference describes it.  In particular:
 * - a column's width comes from the smallest and largest count of the rows
 *   printed with it (cg_annotate's rule, even where a middle value would
 *   have a wider percentage), split in three parts: count, first percentage,
 *   second (cumulative) percentage; a narrow column is padded on the left up
 *   to the event name's width; every cell is followed by one space;
 * - headers pad event names with '_'; a row's label follows one more space;
 * - zero counts get no percentage, except the "(self%, cumulative%)" of
 *   outer summary rows; a zero total shows "(n/a)";
 * - source windows reach `context` lines around each line with costs, merge
 *   when they are at most 2*context apart, and are bracketed by
 *   "-- line N ---" markers (none before line 1, none after end of file).
 * Must not compute numbers or exit.
 */
#include "annotate/text.h"

#include <stdlib.h>
#include <string.h>

#include "annotate/fmt.h"

struct width {
    size_t count, perc1, perc2;
};

struct printer {
    const struct ann_report *r;
    struct out *f;
    struct width *w; /* n_ev */
    size_t *ew;      /* display width of each event name */
    const char *prefix; /* before the event names of the header line */
};

/* Cell texts of count v (plain if !outer, else with the cumulative value c2). */
/* A cell's three texts: count, first and second percentage (FMT_NUM_MAX + 8
 * bytes each). */
struct cell_txt {
    char count[FMT_NUM_MAX], p1[FMT_NUM_MAX + 8], p2[FMT_NUM_MAX + 8];
    size_t nc, n1, n2;
};

/* prefix + percentage of v + suffix into dst; returns the length. */
static size_t perc_txt(char *dst, const char *prefix, int64_t v, int64_t total, const char *suffix)
{
    size_t n = strlen(prefix);
    memcpy(dst, prefix, n);
    n += fmt_perc(dst + n, v, total);
    size_t k = strlen(suffix);
    memcpy(dst + n, suffix, k + 1);
    return n + k;
}

/* Cell texts of count v (plain if !outer, else with the cumulative value c2). */
static void cell_strs(const struct printer *pr, size_t i, int64_t v, int outer, int64_t c2,
                      struct cell_txt *t)
{
    const struct ann_report *r = pr->r;
    t->nc = fmt_commify(t->count, v);
    t->p1[0] = t->p2[0] = 0;
    t->n1 = t->n2 = 0;
    if (!r->o->show_percs)
        return;
    int64_t total = r->totals[i];
    if (!outer) {
        if (v == 0)
            return; /* no percentage for zero counts: just clutter */
        if (total == 0) {
            strcpy(t->p1, " (n/a)");
            t->n1 = 6;
            return;
        }
        t->n1 = perc_txt(t->p1, " (", v, total, "%)");
    } else {
        if (total == 0) {
            strcpy(t->p1, " (n/a,");
            strcpy(t->p2, " n/a)");
            t->n1 = 6;
            t->n2 = 5;
            return;
        }
        t->n1 = perc_txt(t->p1, " (", v, total, "%,");
        t->n2 = perc_txt(t->p2, " ", c2, total, "%)");
    }
}

static size_t umax(size_t a, size_t b) { return a > b ? a : b; }

/* Widths from the per-event extremes (cg_annotate's init_widths). */
static void init_widths(struct printer *pr, const int64_t *min1, const int64_t *max1,
                        const int64_t *min2, const int64_t *max2)
{
    const struct ann_report *r = pr->r;
    struct cell_txt t;
    for (size_t i = 0; i < r->n_ev; i++) {
        struct width w = {0, 0, 0};
        for (int k = 0; k < 2; k++) {
            const int64_t *v = k ? max1 : min1, *v2 = k ? max2 : min2;
            cell_strs(pr, i, v[i], v2 != NULL, v2 ? v2[i] : 0, &t);
            w.count = umax(w.count, t.nc);
            w.perc1 = umax(w.perc1, t.n1);
            w.perc2 = umax(w.perc2, t.n2);
        }
        pr->w[i] = w;
    }
}

static void extremes(const int64_t *cc, int64_t *min, int64_t *max, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cc[i] > max[i])
            max[i] = cc[i];
        else if (cc[i] < min[i])
            min[i] = cc[i];
    }
}

static void printer_plain(struct printer *pr, const int64_t *const *ccs, size_t n)
{
    size_t n_ev = pr->r->n_ev;
    int64_t *min = xcalloc(2 * n_ev + 1, sizeof *min), *max = min + n_ev;
    for (size_t k = 0; k < n; k++)
        extremes(ccs[k], min, max, n_ev);
    pr->prefix = "";
    init_widths(pr, min, max, NULL, NULL);
    free(min);
}

static void printer_section(struct printer *pr, const struct ann_section *sec)
{
    size_t n_ev = pr->r->n_ev;
    int64_t *m = xcalloc(4 * n_ev + 1, sizeof *m);
    int64_t *min = m, *max = m + n_ev, *cmin = m + 2 * n_ev, *cmax = m + 3 * n_ev;
    for (size_t g = 0; g < sec->n; g++) {
        extremes(sec->groups[g].cc, min, max, n_ev);
        for (size_t k = 0; k < sec->groups[g].n_inner; k++)
            extremes(sec->groups[g].inner[k].cc, min, max, n_ev);
        extremes(sec->groups[g].cumul, cmin, cmax, n_ev);
    }
    pr->prefix = "  ";
    init_widths(pr, min, max, cmin, cmax);
    free(m);
}

static void put_right(struct out *f, const char *s, size_t n, size_t w)
{
    if (n < w)
        out_pad(f, ' ', w - n);
    out_put(f, s, n);
}

static void put_cell(const struct printer *pr, size_t i, const struct cell_txt *t)
{
    const struct width *w = &pr->w[i];
    size_t ew = pr->ew[i], used = w->count + w->perc1 + w->perc2;
    if (ew > used)
        out_pad(pr->f, ' ', ew - used);
    put_right(pr->f, t->count, t->nc, w->count);
    put_right(pr->f, t->p1, t->n1, w->perc1);
    put_right(pr->f, t->p2, t->n2, w->perc2);
    out_chr(pr->f, ' ');
}

static void print_events(const struct printer *pr, const char *suffix)
{
    const struct ann_report *r = pr->r;
    out_str(pr->f, pr->prefix);
    for (size_t k = 0; k < r->n_show; k++) {
        size_t i = r->show[k];
        const struct width *w = &pr->w[i];
        size_t ew = pr->ew[i], cw = w->count + w->perc1 + w->perc2;
        out_str(pr->f, r->events[i]);
        if (cw > ew)
            out_pad(pr->f, '_', cw - ew);
        out_chr(pr->f, ' ');
    }
    out_str(pr->f, suffix);
    out_chr(pr->f, '\n');
}

/* The cells of cc (cumulative percentages from c2 if not NULL), then one
 * space; the caller writes the label and the newline. */
static void print_cells(const struct printer *pr, const int64_t *cc, const int64_t *c2)
{
    const struct ann_report *r = pr->r;
    struct cell_txt t;
    for (size_t k = 0; k < r->n_show; k++) {
        size_t i = r->show[k];
        cell_strs(pr, i, cc[i], c2 != NULL, c2 ? c2[i] : 0, &t);
        put_cell(pr, i, &t);
    }
    out_chr(pr->f, ' ');
}

static void print_row(const struct printer *pr, const int64_t *cc, const int64_t *c2,
                      const char *label)
{
    print_cells(pr, cc, c2);
    out_str(pr->f, label);
    out_chr(pr->f, '\n');
}

/* A "." row: a source line without a cost record. */
static void print_missing(const struct printer *pr)
{
    const struct ann_report *r = pr->r;
    static const struct cell_txt dot = {".", "", "", 1, 0, 0};
    for (size_t k = 0; k < r->n_show; k++)
        put_cell(pr, r->show[k], &dot);
    out_chr(pr->f, ' ');
}

static void fancy(struct out *f, const char *title, const char *title2)
{
    static const char dashes[] =
        "--------------------------------------------------------------------------------";
    out_fmt(f, "%s\n-- %s%s\n%s\n", dashes, title, title2 ? title2 : "", dashes);
}

static void print_metadata(const struct ann_report *r, struct out *f)
{
    const struct ann_opts *o = r->o;
    fancy(f, "Metadata", NULL);
    out_str(f, "Invocation:      ");
    for (int i = 0; i < o->argc; i++)
        out_fmt(f, " %s", o->argv[i]);
    out_chr(f, '\n');

    size_t n = profile_n_sources(r->p);
    int same = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(profile_source(r->p, i)->desc, profile_source(r->p, i - 1)->desc) != 0)
            same = 0;
    if (same) {
        if (n)
            out_str(f, profile_source(r->p, 0)->desc);
    } else {
        for (size_t i = 0; i < n; i++)
            out_fmt(f, "Description %zu:\n%s", i + 1, profile_source(r->p, i)->desc);
    }
    if (n == 1) {
        out_fmt(f, "Command:          %s\n", profile_source(r->p, 0)->cmd);
    } else {
        for (size_t i = 0; i < n; i++) {
            const char *cmd = profile_source(r->p, i)->cmd;
            if (i > 0 && strcmp(profile_source(r->p, i - 1)->cmd, cmd) == 0)
                out_fmt(f, "Command %zu:        (same as Command %zu)\n", i + 1, i);
            else
                out_fmt(f, "Command %zu:        %s\n", i + 1, cmd);
        }
    }
    out_str(f, "Events recorded: ");
    for (size_t i = 0; i < r->n_ev; i++)
        out_fmt(f, " %s", r->events[i]);
    out_str(f, "\nEvents shown:    ");
    for (size_t i = 0; i < r->n_show; i++)
        out_fmt(f, " %s", r->events[r->show[i]]);
    out_str(f, "\nEvent sort order:");
    for (size_t i = 0; i < r->n_sort; i++)
        out_fmt(f, " %s", r->events[r->sort[i]]);
    char thr[32];
    fmt_pyfloat(thr, o->threshold);
    out_fmt(f, "\nThreshold:        %s%%\n", thr);
    out_fmt(f, "Annotation:       %s\n\n", o->annotate ? "on" : "off");
}

static void print_summary(const struct ann_report *r, struct printer *pr)
{
    const int64_t *ccs[1] = {r->totals};
    printer_plain(pr, ccs, 1);
    fancy(pr->f, "Summary", NULL);
    print_events(pr, "");
    out_chr(pr->f, '\n');
    print_row(pr, r->totals, NULL, "PROGRAM TOTALS");
    out_chr(pr->f, '\n');
}

static void print_section(const struct ann_report *r, struct printer *pr,
                          const struct ann_section *sec, const char *kind, const char *lower,
                          const char *indent)
{
    struct out *f = pr->f;
    printer_section(pr, sec);
    fancy(f, kind, " summary");
    print_events(pr, lower);
    out_chr(f, '\n');
    for (size_t g = 0; g < sec->n; g++) {
        const struct ann_group *gr = &sec->groups[g];
        out_str(f, indent);
        if (gr->n_inner == 1 && memcmp(gr->cc, gr->inner[0].cc, r->n_ev * sizeof *gr->cc) == 0) {
            /* One qualifying inner row equal to the outer one: one line. */
            print_cells(pr, gr->cc, gr->cumul);
            out_fmt(f, "%s:%s\n", gr->name, gr->inner[0].name);
        } else {
            print_cells(pr, gr->cc, gr->cumul);
            out_fmt(f, "%s:\n", gr->name);
            for (size_t k = 0; k < gr->n_inner; k++) {
                out_str(f, "  ");
                print_cells(pr, gr->inner[k].cc, NULL);
                out_fmt(f, "  %s\n", gr->inner[k].name);
            }
        }
        out_chr(f, '\n');
    }
}

static const char at_line[] =
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n";
static const char warning_line[] =
    "@@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@\n";

static unsigned long sat_add(unsigned long a, unsigned long b) { return a + b < a ? ~0UL : a + b; }

/* "-- line N ---...": cg_annotate's window marker (40 dashes). */
static void line_marker(struct out *f, unsigned long n)
{
    char b[96];
    int k = snprintf(b, sizeof b, "-- line %lu ----------------------------------------\n", n);
    out_put(f, b, (size_t)k);
}

static void print_src_line(const struct ann_file *af, unsigned long n, struct out *f)
{
    out_put(f, af->src.data + af->src.line_off[n - 1], af->src.line_len[n - 1]);
    out_chr(f, '\n');
}

static void print_file(const struct ann_report *r, struct printer *pr, const struct ann_file *af)
{
    struct out *f = pr->f;
    fancy(f, "Annotated source file: ", af->name);
    if (af->status != ANN_OK) {
        out_fmt(f, "Unannotated because %s:", af->status == ANN_UNREADABLE
                                                 ? "one or more of these original files are unreadable"
                                                 : "two or more of these original files are not identical");
        for (size_t i = 0; i < af->n_origins; i++)
            out_fmt(f, "\n- %s", af->origins[i]);
        out_str(f, "\n\n");
        return;
    }
    for (size_t k = 0; k < af->n_newer; k++) {
        out_fmt(f, "%s%s%s@ Original source files are all newer than data file '%s':\n", at_line,
                warning_line, at_line, af->newer_than[k]);
        for (size_t i = 0; i < af->n_origins; i++)
            out_fmt(f, "@ - %s\n", af->origins[i]);
        out_fmt(f, "@ Annotations may not be correct.\n%s\n", at_line);
    }

    const int64_t **ccs = xcalloc(af->n_lines + 2, sizeof *ccs);
    size_t n = 0;
    if (af->line0)
        ccs[n++] = af->line0;
    for (size_t i = 0; i < af->n_lines; i++)
        ccs[n++] = af->lines[i].cc;
    printer_plain(pr, ccs, n);
    free(ccs);
    print_events(pr, "");
    out_chr(f, '\n');
    if (af->line0) {
        print_row(pr, af->line0, NULL, "<unknown (line 0)>");
        out_chr(f, '\n');
    }
    if (af->n_lines == 0)
        return;

    unsigned long ctx = (unsigned long)r->o->context, n_src = af->src.n_lines;
    size_t li = 0; /* next line with costs to print */
    unsigned long cur = 0;
    int eof = 0;
    for (size_t i = 0; i < af->n_lines && !eof;) {
        /* One window: from context before line i to context after the last
         * line that is at most 2*context further on. */
        unsigned long lo = af->lines[i].line > ctx ? af->lines[i].line - ctx : 1;
        while (i + 1 < af->n_lines && sat_add(af->lines[i].line, 2 * ctx) >=
                                          af->lines[i + 1].line)
            i++;
        unsigned long hi = sat_add(af->lines[i].line, ctx);
        i++;
        if (lo - 1 > n_src)
            break; /* the window starts past the end of the file */
        cur = lo - 1;
        if (lo != 1)
            line_marker(f, lo);
        while (cur < hi) {
            cur++;
            if (cur > n_src) {
                eof = 1;
                break;
            }
            if (li < af->n_lines && af->lines[li].line == cur) {
                print_cells(pr, af->lines[li].cc, NULL);
                li++;
            } else {
                print_missing(pr);
            }
            print_src_line(af, cur, f);
        }
        if (!eof)
            line_marker(f, hi);
    }
    if (li < af->n_lines) {
        /* Costs recorded for lines the file does not have. */
        out_chr(f, '\n');
        char label[64];
        for (; li < af->n_lines; li++) {
            snprintf(label, sizeof label, "<bogus line %lu>", af->lines[li].line);
            print_row(pr, af->lines[li].cc, NULL, label);
        }
        out_fmt(f, "\n%s%s%s@@ Information recorded about lines past the end of '%s'.\n%s", at_line,
                warning_line, at_line, af->path, at_line);
    }
    out_chr(f, '\n');
}

static void print_annotation_summary(const struct ann_report *r, struct printer *pr)
{
    static const char *const labels[ANN_N_ROWS] = {
        "  annotated: files known & above threshold & readable, line numbers known",
        "  annotated: files known & above threshold & readable, line numbers unknown",
        "unannotated: files known & above threshold & two or more non-identical",
        "unannotated: files known & above threshold & unreadable ",
        "unannotated: files known & below threshold",
        "unannotated: files unknown",
    };
    printer_plain(pr, (const int64_t *const *)r->rows, ANN_N_ROWS);
    fancy(pr->f, "Annotation summary", NULL);
    print_events(pr, "");
    out_chr(pr->f, '\n');
    for (int i = 0; i < ANN_N_ROWS; i++)
        print_row(pr, r->rows[i], NULL, labels[i]);
    out_chr(pr->f, '\n');
}

int text_report(const struct ann_report *r, FILE *fp)
{
    struct out *f = xmalloc(sizeof *f);
    out_init(f, fp);
    struct printer pr = {.r = r, .f = f};
    pr.w = xcalloc(r->n_ev + 1, sizeof *pr.w);
    pr.ew = xcalloc(r->n_ev + 1, sizeof *pr.ew);
    for (size_t i = 0; i < r->n_ev; i++)
        pr.ew[i] = fmt_width(r->events[i]);
    print_metadata(r, f);
    print_summary(r, &pr);
    print_section(r, &pr, &r->file_fn, "File:function", " file:function", "< ");
    print_section(r, &pr, &r->fn_file, "Function:file", " function:file", "> ");
    if (r->o->annotate) {
        for (size_t i = 0; i < r->n_files; i++)
            print_file(r, &pr, &r->files[i]);
        print_annotation_summary(r, &pr);
    }
    free(pr.w);
    free(pr.ew);
    int rc = out_close(f);
    free(f);
    return rc;
}
