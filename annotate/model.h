/* model.h - everything a cachesim-annotate report shows, computed once.
 *
 * Owns: the numbers and choices of cg_annotate 3.21+ - per file, per function
 * and per (file, function) sums; the threshold filter and sort order of the
 * File:function and Function:file summaries; which files get annotated and
 * whether each can be (readable, identical originals); the per-line costs of
 * those files; the six rows of the annotation summary.  Both renderers (text
 * and JSON) only format this model, so they cannot disagree on a number.
 * Must not: print, exit, or choose a layout.
 */
#ifndef CACHESIM_ANNOTATE_MODEL_H
#define CACHESIM_ANNOTATE_MODEL_H
#include <stddef.h>
#include <stdint.h>

#include "annotate/opts.h"
#include "annotate/source.h"
#include "core/base/diag.h"
#include "core/base/profile.h"

/* An inner row of a summary: a function of a file, or a file of a function. */
struct ann_inner {
    const char *name;
    const int64_t *cc; /* n_ev counts */
};

/* An outer row: a file (File:function) or a function (Function:file) with
 * the inner rows that met the threshold, sorted. */
struct ann_group {
    const char *name;
    const int64_t *cc;    /* the whole file's / function's counts */
    int64_t *cumul;       /* sum of cc over this and all earlier groups */
    struct ann_inner *inner;
    size_t n_inner;
};

struct ann_section {
    struct ann_group *groups;
    size_t n;
};

enum ann_status {
    ANN_OK,            /* readable; annotated line by line */
    ANN_UNREADABLE,    /* one or more original files cannot be read */
    ANN_NOT_IDENTICAL, /* --mod-filename merged originals whose contents differ */
};

struct ann_line {
    unsigned long line;
    int64_t *cc;
};

struct ann_file {
    const char *name;           /* file name as in the profile (after --mod-filename) */
    const char **origins;       /* original names, sorted (strcmp) */
    size_t n_origins;
    enum ann_status status;
    char *path;                 /* where the source was found (ANN_OK) */
    struct src_file src;        /* its text (ANN_OK) */
    const char **newer_than;    /* input files older than the source (ANN_OK) */
    size_t n_newer;
    const int64_t *total;       /* the file's counts */
    int64_t *line0;             /* counts of line 0, or NULL if the file has none */
    struct ann_line *lines;     /* line > 0, ascending, one per line number (see
                                   report_build's need_lines) */
    size_t n_lines;
};

/* Rows of the annotation summary, in cg_annotate's order. */
enum {
    ANN_ROW_KNOWN,         /* annotated, line numbers known (incl. past EOF) */
    ANN_ROW_LINE0,         /* annotated, line 0 */
    ANN_ROW_NOT_IDENTICAL, /* unannotated: originals not identical */
    ANN_ROW_UNREADABLE,    /* unannotated: unreadable */
    ANN_ROW_BELOW,         /* unannotated: no function above the threshold */
    ANN_ROW_UNKNOWN,       /* unannotated: file "???" */
    ANN_N_ROWS
};

struct ann_report {
    const struct ann_opts *o;
    struct profile *p;
    size_t n_ev;
    const char **events;          /* n_ev names */
    size_t *show, n_show;         /* event indices shown, in order */
    size_t *sort, n_sort;         /* event indices sorted by, in order */
    int64_t *totals;              /* n_ev column sums (= the summary: lines) */
    struct ann_section file_fn;   /* File:function */
    struct ann_section fn_file;   /* Function:file */
    struct ann_file *files;       /* annotated files, sorted by name (if o->annotate) */
    size_t n_files;
    int64_t *rows[ANN_N_ROWS];    /* annotation summary (if o->annotate) */
    void *priv;                   /* storage, freed by report_release */
};

/* Fills r from p and o.  need_lines: compute ann_file.lines also for files
 * that cannot be annotated (the JSON report lists them).  Fails (-1, e) only
 * when --show/--sort names an event the profile does not have. */
int report_build(struct ann_report *r, struct profile *p, const struct ann_opts *o, int need_lines,
                 struct diag_err *e);
void report_release(struct ann_report *r);

/* cg_annotate's threshold test: |cc[primary sort event]| >= threshold% of
 * |total|, computed the way Python does (float threshold, exact compare). */
int report_meets_threshold(const struct ann_report *r, const int64_t *cc);
#endif
