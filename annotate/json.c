/* json.c - see json.h.  Hand-written, streaming JSON: one object, keys in a
 * fixed order, two-space indentation for the top level and one row per line
 * below it (diff-friendly, still compact for big profiles). */
#include "annotate/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "annotate/fmt.h"

static void counts(struct out *f, const int64_t *cc, size_t n)
{
    out_chr(f, '[');
    char b[24];
    for (size_t i = 0; i < n; i++) {
        if (i)
            out_put(f, ", ", 2);
        out_put(f, b, (size_t)snprintf(b, sizeof b, "%" PRId64, cc[i]));
    }
    out_chr(f, ']');
}

static void names(struct out *f, const char *const *v, size_t n)
{
    out_chr(f, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            out_str(f, ", ");
        fmt_json_str(f, v[i]);
    }
    out_chr(f, ']');
}

static void event_names(struct out *f, const struct ann_report *r, const size_t *idx, size_t n)
{
    out_chr(f, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            out_str(f, ", ");
        fmt_json_str(f, r->events[idx[i]]);
    }
    out_chr(f, ']');
}

static void section(struct out *f, const struct ann_report *r, const struct ann_section *sec,
                    const char *outer, const char *inner_list, const char *inner)
{
    out_chr(f, '[');
    for (size_t g = 0; g < sec->n; g++) {
        const struct ann_group *gr = &sec->groups[g];
        out_fmt(f, "%s\n    {\"%s\": ", g ? "," : "", outer);
        fmt_json_str(f, gr->name);
        out_str(f, ", \"counts\": ");
        counts(f, gr->cc, r->n_ev);
        out_str(f, ", \"cumulative\": ");
        counts(f, gr->cumul, r->n_ev);
        out_fmt(f, ", \"%s\": [", inner_list);
        for (size_t k = 0; k < gr->n_inner; k++) {
            out_fmt(f, "%s\n      {\"%s\": ", k ? "," : "", inner);
            fmt_json_str(f, gr->inner[k].name);
            out_str(f, ", \"counts\": ");
            counts(f, gr->inner[k].cc, r->n_ev);
            out_chr(f, '}');
        }
        out_str(f, "]}");
    }
    out_str(f, sec->n ? "\n  ]" : "]");
}

static void file(struct out *f, const struct ann_report *r, const struct ann_file *af)
{
    static const char *const status[] = {"annotated", "unreadable", "not-identical"};
    out_str(f, "\n    {\"file\": ");
    fmt_json_str(f, af->name);
    out_fmt(f, ", \"status\": \"%s\", \"originals\": ", status[af->status]);
    names(f, af->origins, af->n_origins);
    out_str(f, ", \"path\": ");
    if (af->path)
        fmt_json_str(f, af->path);
    else
        out_str(f, "null");
    if (af->status == ANN_OK)
        out_fmt(f, ", \"source_lines\": %zu", af->src.n_lines);
    else
        out_str(f, ", \"source_lines\": null");
    out_str(f, ", \"newer_than\": ");
    names(f, af->newer_than, af->n_newer);
    out_str(f, ", \"counts\": ");
    counts(f, af->total, r->n_ev);
    out_str(f, ", \"line0\": ");
    if (af->line0)
        counts(f, af->line0, r->n_ev);
    else
        out_str(f, "null");
    out_str(f, ", \"lines\": [");
    for (size_t i = 0; i < af->n_lines; i++) {
        out_fmt(f, "%s\n      {\"line\": %lu, \"counts\": ", i ? "," : "", af->lines[i].line);
        counts(f, af->lines[i].cc, r->n_ev);
        if (af->status == ANN_OK && af->lines[i].line > af->src.n_lines)
            out_str(f, ", \"past_end\": true");
        out_chr(f, '}');
    }
    out_str(f, af->n_lines ? "\n    ]}" : "]}");
}

int json_report(const struct ann_report *r, FILE *fp)
{
    struct out *f = xmalloc(sizeof *f);
    out_init(f, fp);
    const struct ann_opts *o = r->o;
    out_fmt(f, "{\n  \"format\": \"cachesim-annotate\",\n  \"version\": %d,\n  \"invocation\": ",
            ANN_JSON_VERSION);
    names(f, (const char *const *)o->argv, (size_t)o->argc);
    out_str(f, ",\n  \"inputs\": [");
    size_t n = profile_n_sources(r->p);
    for (size_t i = 0; i < n; i++) {
        const struct profile_source *s = profile_source(r->p, i);
        out_fmt(f, "%s\n    {\"file\": ", i ? "," : "");
        fmt_json_str(f, s->name);
        out_str(f, ", \"desc\": [");
        int first = 1;
        for (const char *d = s->desc; *d;) {
            const char *eol = strchr(d, '\n');
            char *line = xmalloc((size_t)(eol - d) + 1);
            memcpy(line, d, (size_t)(eol - d));
            line[eol - d] = 0;
            out_str(f, first ? "" : ", ");
            fmt_json_str(f, line);
            free(line);
            first = 0;
            d = eol + 1;
        }
        out_str(f, "], \"command\": ");
        fmt_json_str(f, s->cmd);
        out_chr(f, '}');
    }
    out_str(f, n ? "\n  ],\n" : "],\n");
    out_fmt(f, "  \"diff\": %s,\n  \"events\": ", o->diff ? "true" : "false");
    names(f, r->events, r->n_ev);
    out_str(f, ",\n  \"shown\": ");
    event_names(f, r, r->show, r->n_show);
    out_str(f, ",\n  \"sort\": ");
    event_names(f, r, r->sort, r->n_sort);
    char thr[32];
    fmt_pyfloat(thr, o->threshold);
    out_fmt(f, ",\n  \"threshold\": %s,\n  \"annotate\": %s,\n  \"totals\": ", thr,
            o->annotate ? "true" : "false");
    counts(f, r->totals, r->n_ev);
    out_str(f, ",\n  \"file_function\": ");
    section(f, r, &r->file_fn, "file", "functions", "function");
    out_str(f, ",\n  \"function_file\": ");
    section(f, r, &r->fn_file, "function", "files", "file");
    if (o->annotate) {
        out_str(f, ",\n  \"annotated_files\": [");
        for (size_t i = 0; i < r->n_files; i++) {
            if (i)
                out_chr(f, ',');
            file(f, r, &r->files[i]);
        }
        out_str(f, r->n_files ? "\n  ],\n" : "],\n");
        static const char *const rows[ANN_N_ROWS] = {
            "annotated_line_known", "annotated_line_unknown", "unannotated_not_identical",
            "unannotated_unreadable", "unannotated_below_threshold", "unannotated_file_unknown",
        };
        out_str(f, "  \"annotation_summary\": {");
        for (int i = 0; i < ANN_N_ROWS; i++) {
            out_fmt(f, "%s\n    \"%s\": ", i ? "," : "", rows[i]);
            counts(f, r->rows[i], r->n_ev);
        }
        out_str(f, "\n  }");
    }
    out_str(f, "\n}\n");
    int rc = out_close(f);
    free(f);
    return rc;
}
