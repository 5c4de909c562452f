/* report.h - cachesim-diff's gate report: what changed between two profiles,
 * checked against the --limit options, in text, JSON or Markdown.
 *
 * Owns: collecting the report (per event old/new/delta/percent and the limit
 * checks, then the functions that changed most) and its three layouts, which
 * docs/diff.md describes (the JSON one is versioned: REPORT_JSON_VERSION).
 * Must not: read or write profile files, parse the command line, exit.
 * Every number is computed with exact integer arithmetic (core/base/gate.h).
 */
#ifndef CACHESIM_DIFF_REPORT_H
#define CACHESIM_DIFF_REPORT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/base/derived.h"
#include "core/base/diag.h"
#include "core/base/gate.h"
#include "core/base/profile.h"

#define REPORT_JSON_VERSION 1

enum report_format { REPORT_TEXT, REPORT_JSON, REPORT_MARKDOWN };

/* One --limit and its outcome. */
struct report_check {
    struct gate_limit limit;
    size_t row;   /* index into report.rows of the limited event */
    int exceeded;
};

/* One event of the table. */
struct report_row {
    struct derived_event ev;
    int64_t old, new_, delta;
    int has_pct;  /* 0 when old is 0 */
    int64_t pct;  /* change in hundredths of a percent of |old| */
};

/* One function (file, fn) whose sort event changed. */
struct report_func {
    const char *file, *fn;
    int64_t old, new_, delta;
    int has_pct;
    int64_t pct;
};

struct report {
    const char *name_a, *name_b, *cmd_a, *cmd_b;
    struct report_row *rows;
    size_t n_rows;
    struct report_check *checks;
    size_t n_checks, n_exceeded;
    size_t sort_row;           /* the event functions are ranked by */
    struct report_func *funcs; /* the top ones, biggest |delta| first */
    size_t n_funcs, n_changed; /* shown, and all that changed */
};

/* What report_new needs.  show/sort/limits name events recorded in the
 * profiles or derived from them (core/base/derived.h). */
struct report_opts {
    const char *name_a, *name_b; /* as given on the command line */
    const char *const *show;     /* event rows; NULL: the recorded events, then
                                  * EstCycles when it is defined */
    size_t n_show;
    const struct gate_limit *limits;
    size_t n_limits;
    const char *sort;            /* NULL: the first limited event, else the
                                  * first row */
    size_t top;                  /* functions to list */
};

/* Builds the report comparing a (old) with b (new); fa and fb are the same
 * profiles collapsed onto functions (pdiff_collapse), fd = fb - fa
 * (pdiff_new with PDIFF_FUNCTIONS).  The report points into the profiles and
 * o's strings, which must outlive it.  Events named by limits, show and sort
 * are rows (limited and sort events are added when show lacks them).
 * Returns NULL with *usage set to 1 and a message in e when an event is
 * unknown or not defined for these profiles (a usage error), or with *usage
 * 0 when a derived value overflows 64 bits (bad input). */
struct report *report_new(struct profile *a, struct profile *b, struct profile *fa,
                          struct profile *fd, const struct report_opts *o, int *usage,
                          struct diag_err *e);
void report_free(struct report *r);

/* Writes r in the given layout.  Returns 0, or -1 on a write error (errno). */
int report_write(const struct report *r, enum report_format fmt, FILE *f);
#endif
