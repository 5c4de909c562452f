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
    FILE *f;
    struct width *w; /* n_ev */
    const char *prefix; /* before the event names of the header line */
};

/* Cell texts of count v (plain if !outer, else with the cumulative value c2). */
static void cell_strs(const struct printer *pr, size_t i, int64_t v, int outer, int64_t c2,
                      char *count, char *p1, char *p2)
{
    const struct ann_report *r = pr->r;
    fmt_commify(count, v);
    p1[0] = p2[0] = 0;
    if (!r->o->show_percs)
        return;
    int64_t total = r->totals[i];
    char a[FMT_NUM_MAX], b[FMT_NUM_MAX];
    if (!outer) {
        if (v == 0)
            return; /* no percentage for zero counts: just clutter */
        if (total == 0) {
            strcpy(p1, " (n/a)");
            return;
        }
        fmt_perc(a, v, total);
        snprintf(p1, FMT_NUM_MAX + 8, " (%s%%)", a);
    } else {
        if (total == 0) {
            strcpy(p1, " (n/a,");
            strcpy(p2, " n/a)");
            return;
        }
        fmt_perc(a, v, total);
        fmt_perc(b, c2, total);
        snprintf(p1, FMT_NUM_MAX + 8, " (%s%%,", a);
        snprintf(p2, FMT_NUM_MAX + 8, " %s%%)", b);
    }
}

static size_t umax(size_t a, size_t b) { return a > b ? a : b; }

/* Widths from the per-event extremes (cg_annotate's init_widths). */
static void init_widths(struct printer *pr, const int64_t *min1, const int64_t *max1,
                        const int64_t *min2, const int64_t *max2)
{
    const struct ann_report *r = pr->r;
    char c[FMT_NUM_MAX], p1[FMT_NUM_MAX + 8], p2[FMT_NUM_MAX + 8];
    for (size_t i = 0; i < r->n_ev; i++) {
        struct width w = {0, 0, 0};
        for (int k = 0; k < 2; k++) {
            const int64_t *v = k ? max1 : min1, *v2 = k ? max2 : min2;
            cell_strs(pr, i, v[i], v2 != NULL, v2 ? v2[i] : 0, c, p1, p2);
            w.count = umax(w.count, strlen(c));
            w.perc1 = umax(w.perc1, strlen(p1));
            w.perc2 = umax(w.perc2, strlen(p2));
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

static void pad(FILE *f, int c, size_t n)
{
    while (n--)
        putc(c, f);
}

static void put_right(FILE *f, const char *s, size_t w)
{
    size_t n = strlen(s);
    if (n < w)
        pad(f, ' ', w - n);
    fputs(s, f);
}

static void put_cell(const struct printer *pr, size_t i, const char *count, const char *p1,
                     const char *p2)
{
    const struct width *w = &pr->w[i];
    size_t ew = fmt_width(pr->r->events[i]), used = w->count + w->perc1 + w->perc2;
    if (ew > used)
        pad(pr->f, ' ', ew - used);
    put_right(pr->f, count, w->count);
    put_right(pr->f, p1, w->perc1);
    put_right(pr->f, p2, w->perc2);
    putc(' ', pr->f);
}

static void print_events(const struct printer *pr, const char *suffix)
{
    const struct ann_report *r = pr->r;
    fputs(pr->prefix, pr->f);
    for (size_t k = 0; k < r->n_show; k++) {
        size_t i = r->show[k];
        const struct width *w = &pr->w[i];
        size_t ew = fmt_width(r->events[i]), cw = w->count + w->perc1 + w->perc2;
        fputs(r->events[i], pr->f);
        if (cw > ew)
            pad(pr->f, '_', cw - ew);
        putc(' ', pr->f);
    }
    fputs(suffix, pr->f);
    putc('\n', pr->f);
}

/* The cells of cc (cumulative percentages from c2 if not NULL), then one
 * space; the caller writes the label and the newline. */
static void print_cells(const struct printer *pr, const int64_t *cc, const int64_t *c2)
{
    const struct ann_report *r = pr->r;
    char c[FMT_NUM_MAX], p1[FMT_NUM_MAX + 8], p2[FMT_NUM_MAX + 8];
    for (size_t k = 0; k < r->n_show; k++) {
        size_t i = r->show[k];
        cell_strs(pr, i, cc[i], c2 != NULL, c2 ? c2[i] : 0, c, p1, p2);
        put_cell(pr, i, c, p1, p2);
    }
    putc(' ', pr->f);
}

static void print_row(const struct printer *pr, const int64_t *cc, const int64_t *c2,
                      const char *label)
{
    print_cells(pr, cc, c2);
    fputs(label, pr->f);
    putc('\n', pr->f);
}

/* A "." row: a source line without a cost record. */
static void print_missing(const struct printer *pr)
{
    const struct ann_report *r = pr->r;
    for (size_t k = 0; k < r->n_show; k++)
        put_cell(pr, r->show[k], ".", "", "");
    putc(' ', pr->f);
}

static void fancy(FILE *f, const char *title, const char *title2)
{
    static const char dashes[] =
        "--------------------------------------------------------------------------------";
    fprintf(f, "%s\n-- %s%s\n%s\n", dashes, title, title2 ? title2 : "", dashes);
}

static void print_metadata(const struct ann_report *r, FILE *f)
{
    const struct ann_opts *o = r->o;
    fancy(f, "Metadata", NULL);
    fputs("Invocation:      ", f);
    for (int i = 0; i < o->argc; i++)
        fprintf(f, " %s", o->argv[i]);
    putc('\n', f);

    size_t n = profile_n_sources(r->p);
    int same = 1;
    for (size_t i = 1; i < n; i++)
        if (strcmp(profile_source(r->p, i)->desc, profile_source(r->p, i - 1)->desc) != 0)
            same = 0;
    if (same) {
        if (n)
            fputs(profile_source(r->p, 0)->desc, f);
    } else {
        for (size_t i = 0; i < n; i++)
            fprintf(f, "Description %zu:\n%s", i + 1, profile_source(r->p, i)->desc);
    }
    if (n == 1) {
        fprintf(f, "Command:          %s\n", profile_source(r->p, 0)->cmd);
    } else {
        for (size_t i = 0; i < n; i++) {
            const char *cmd = profile_source(r->p, i)->cmd;
            if (i > 0 && strcmp(profile_source(r->p, i - 1)->cmd, cmd) == 0)
                fprintf(f, "Command %zu:        (same as Command %zu)\n", i + 1, i);
            else
                fprintf(f, "Command %zu:        %s\n", i + 1, cmd);
        }
    }
    fputs("Events recorded: ", f);
    for (size_t i = 0; i < r->n_ev; i++)
        fprintf(f, " %s", r->events[i]);
    fputs("\nEvents shown:    ", f);
    for (size_t i = 0; i < r->n_show; i++)
        fprintf(f, " %s", r->events[r->show[i]]);
    fputs("\nEvent sort order:", f);
    for (size_t i = 0; i < r->n_sort; i++)
        fprintf(f, " %s", r->events[r->sort[i]]);
    char thr[32];
    fmt_pyfloat(thr, o->threshold);
    fprintf(f, "\nThreshold:        %s%%\n", thr);
    fprintf(f, "Annotation:       %s\n\n", o->annotate ? "on" : "off");
}

static void print_summary(const struct ann_report *r, struct printer *pr)
{
    const int64_t *ccs[1] = {r->totals};
    printer_plain(pr, ccs, 1);
    fancy(pr->f, "Summary", NULL);
    print_events(pr, "");
    putc('\n', pr->f);
    print_row(pr, r->totals, NULL, "PROGRAM TOTALS");
    putc('\n', pr->f);
}

static void print_section(const struct ann_report *r, struct printer *pr,
                          const struct ann_section *sec, const char *kind, const char *lower,
                          const char *indent)
{
    FILE *f = pr->f;
    printer_section(pr, sec);
    fancy(f, kind, " summary");
    print_events(pr, lower);
    putc('\n', f);
    for (size_t g = 0; g < sec->n; g++) {
        const struct ann_group *gr = &sec->groups[g];
        fputs(indent, f);
        if (gr->n_inner == 1 && memcmp(gr->cc, gr->inner[0].cc, r->n_ev * sizeof *gr->cc) == 0) {
            /* One qualifying inner row equal to the outer one: one line. */
            print_cells(pr, gr->cc, gr->cumul);
            fprintf(f, "%s:%s\n", gr->name, gr->inner[0].name);
        } else {
            print_cells(pr, gr->cc, gr->cumul);
            fprintf(f, "%s:\n", gr->name);
            for (size_t k = 0; k < gr->n_inner; k++) {
                fputs("  ", f);
                print_cells(pr, gr->inner[k].cc, NULL);
                fprintf(f, "  %s\n", gr->inner[k].name);
            }
        }
        putc('\n', f);
    }
}

static const char at_line[] =
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n";
static const char warning_line[] =
    "@@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@ WARNING @@\n";

static unsigned long sat_add(unsigned long a, unsigned long b) { return a + b < a ? ~0UL : a + b; }

static void print_src_line(const struct ann_file *af, unsigned long n, FILE *f)
{
    fwrite(af->src.data + af->src.line_off[n - 1], 1, af->src.line_len[n - 1], f);
    putc('\n', f);
}

static void print_file(const struct ann_report *r, struct printer *pr, const struct ann_file *af)
{
    FILE *f = pr->f;
    fancy(f, "Annotated source file: ", af->name);
    if (af->status != ANN_OK) {
        fprintf(f, "Unannotated because %s:", af->status == ANN_UNREADABLE
                                                 ? "one or more of these original files are unreadable"
                                                 : "two or more of these original files are not identical");
        for (size_t i = 0; i < af->n_origins; i++)
            fprintf(f, "\n- %s", af->origins[i]);
        fputs("\n\n", f);
        return;
    }
    for (size_t k = 0; k < af->n_newer; k++) {
        fprintf(f, "%s%s%s@ Original source files are all newer than data file '%s':\n", at_line,
                warning_line, at_line, af->newer_than[k]);
        for (size_t i = 0; i < af->n_origins; i++)
            fprintf(f, "@ - %s\n", af->origins[i]);
        fprintf(f, "@ Annotations may not be correct.\n%s\n", at_line);
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
    putc('\n', f);
    if (af->line0) {
        print_row(pr, af->line0, NULL, "<unknown (line 0)>");
        putc('\n', f);
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
            fprintf(f, "-- line %lu ----------------------------------------\n", lo);
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
            fprintf(f, "-- line %lu ----------------------------------------\n", hi);
    }
    if (li < af->n_lines) {
        /* Costs recorded for lines the file does not have. */
        putc('\n', f);
        char label[64];
        for (; li < af->n_lines; li++) {
            snprintf(label, sizeof label, "<bogus line %lu>", af->lines[li].line);
            print_row(pr, af->lines[li].cc, NULL, label);
        }
        fprintf(f, "\n%s%s%s@@ Information recorded about lines past the end of '%s'.\n%s", at_line,
                warning_line, at_line, af->path, at_line);
    }
    putc('\n', f);
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
    putc('\n', pr->f);
    for (int i = 0; i < ANN_N_ROWS; i++)
        print_row(pr, r->rows[i], NULL, labels[i]);
    putc('\n', pr->f);
}

int text_report(const struct ann_report *r, FILE *f)
{
    struct printer pr = {.r = r, .f = f};
    pr.w = xcalloc(r->n_ev + 1, sizeof *pr.w);
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
    return fflush(f) != 0 || ferror(f) ? -1 : 0;
}
