/* json.c - see json.h.  Hand-written, streaming JSON: one object, keys in a
 * fixed order, two-space indentation for the top level and one row per line
 * below it (diff-friendly, still compact for big profiles). */
#include "annotate/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "annotate/fmt.h"

static void counts(FILE *f, const int64_t *cc, size_t n)
{
    putc('[', f);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%" PRId64, i ? ", " : "", cc[i]);
    putc(']', f);
}

static void names(FILE *f, const char *const *v, size_t n)
{
    putc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        fmt_json_str(f, v[i]);
    }
    putc(']', f);
}

static void event_names(FILE *f, const struct ann_report *r, const size_t *idx, size_t n)
{
    putc('[', f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        fmt_json_str(f, r->events[idx[i]]);
    }
    putc(']', f);
}

static void section(FILE *f, const struct ann_report *r, const struct ann_section *sec,
                    const char *outer, const char *inner_list, const char *inner)
{
    putc('[', f);
    for (size_t g = 0; g < sec->n; g++) {
        const struct ann_group *gr = &sec->groups[g];
        fprintf(f, "%s\n    {\"%s\": ", g ? "," : "", outer);
        fmt_json_str(f, gr->name);
        fputs(", \"counts\": ", f);
        counts(f, gr->cc, r->n_ev);
        fputs(", \"cumulative\": ", f);
        counts(f, gr->cumul, r->n_ev);
        fprintf(f, ", \"%s\": [", inner_list);
        for (size_t k = 0; k < gr->n_inner; k++) {
            fprintf(f, "%s\n      {\"%s\": ", k ? "," : "", inner);
            fmt_json_str(f, gr->inner[k].name);
            fputs(", \"counts\": ", f);
            counts(f, gr->inner[k].cc, r->n_ev);
            putc('}', f);
        }
        fputs("]}", f);
    }
    fputs(sec->n ? "\n  ]" : "]", f);
}

static void file(FILE *f, const struct ann_report *r, const struct ann_file *af)
{
    static const char *const status[] = {"annotated", "unreadable", "not-identical"};
    fputs("\n    {\"file\": ", f);
    fmt_json_str(f, af->name);
    fprintf(f, ", \"status\": \"%s\", \"originals\": ", status[af->status]);
    names(f, af->origins, af->n_origins);
    fputs(", \"path\": ", f);
    if (af->path)
        fmt_json_str(f, af->path);
    else
        fputs("null", f);
    if (af->status == ANN_OK)
        fprintf(f, ", \"source_lines\": %zu", af->src.n_lines);
    else
        fputs(", \"source_lines\": null", f);
    fputs(", \"newer_than\": ", f);
    names(f, af->newer_than, af->n_newer);
    fputs(", \"counts\": ", f);
    counts(f, af->total, r->n_ev);
    fputs(", \"line0\": ", f);
    if (af->line0)
        counts(f, af->line0, r->n_ev);
    else
        fputs("null", f);
    fputs(", \"lines\": [", f);
    for (size_t i = 0; i < af->n_lines; i++) {
        fprintf(f, "%s\n      {\"line\": %lu, \"counts\": ", i ? "," : "", af->lines[i].line);
        counts(f, af->lines[i].cc, r->n_ev);
        if (af->status == ANN_OK && af->lines[i].line > af->src.n_lines)
            fputs(", \"past_end\": true", f);
        putc('}', f);
    }
    fputs(af->n_lines ? "\n    ]}" : "]}", f);
}

int json_report(const struct ann_report *r, FILE *f)
{
    const struct ann_opts *o = r->o;
    fprintf(f, "{\n  \"format\": \"cachesim-annotate\",\n  \"version\": %d,\n  \"invocation\": ",
            ANN_JSON_VERSION);
    names(f, (const char *const *)o->argv, (size_t)o->argc);
    fputs(",\n  \"inputs\": [", f);
    size_t n = profile_n_sources(r->p);
    for (size_t i = 0; i < n; i++) {
        const struct profile_source *s = profile_source(r->p, i);
        fprintf(f, "%s\n    {\"file\": ", i ? "," : "");
        fmt_json_str(f, s->name);
        fputs(", \"desc\": [", f);
        int first = 1;
        for (const char *d = s->desc; *d;) {
            const char *eol = strchr(d, '\n');
            char *line = xmalloc((size_t)(eol - d) + 1);
            memcpy(line, d, (size_t)(eol - d));
            line[eol - d] = 0;
            fputs(first ? "" : ", ", f);
            fmt_json_str(f, line);
            free(line);
            first = 0;
            d = eol + 1;
        }
        fputs("], \"command\": ", f);
        fmt_json_str(f, s->cmd);
        putc('}', f);
    }
    fputs(n ? "\n  ],\n" : "],\n", f);
    fprintf(f, "  \"diff\": %s,\n  \"events\": ", o->diff ? "true" : "false");
    names(f, r->events, r->n_ev);
    fputs(",\n  \"shown\": ", f);
    event_names(f, r, r->show, r->n_show);
    fputs(",\n  \"sort\": ", f);
    event_names(f, r, r->sort, r->n_sort);
    char thr[32];
    fmt_pyfloat(thr, o->threshold);
    fprintf(f, ",\n  \"threshold\": %s,\n  \"annotate\": %s,\n  \"totals\": ", thr,
            o->annotate ? "true" : "false");
    counts(f, r->totals, r->n_ev);
    fputs(",\n  \"file_function\": ", f);
    section(f, r, &r->file_fn, "file", "functions", "function");
    fputs(",\n  \"function_file\": ", f);
    section(f, r, &r->fn_file, "function", "files", "file");
    if (o->annotate) {
        fputs(",\n  \"annotated_files\": [", f);
        for (size_t i = 0; i < r->n_files; i++) {
            if (i)
                putc(',', f);
            file(f, r, &r->files[i]);
        }
        fputs(r->n_files ? "\n  ],\n" : "],\n", f);
        static const char *const rows[ANN_N_ROWS] = {
            "annotated_line_known", "annotated_line_unknown", "unannotated_not_identical",
            "unannotated_unreadable", "unannotated_below_threshold", "unannotated_file_unknown",
        };
        fputs("  \"annotation_summary\": {", f);
        for (int i = 0; i < ANN_N_ROWS; i++) {
            fprintf(f, "%s\n    \"%s\": ", i ? "," : "", rows[i]);
            counts(f, r->rows[i], r->n_ev);
        }
        fputs("\n  }", f);
    }
    fputs("\n}\n", f);
    return fflush(f) != 0 || ferror(f) ? -1 : 0;
}
