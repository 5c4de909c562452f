/* main.c - cachesim-diff: the difference of two Cachegrind-format profiles,
 * and a regression gate for CI.
 *
 *   cachesim-diff [options] OLD NEW
 *
 * Without a limit or a report option it writes the profile NEW - OLD in
 * Cachegrind's format to stdout (or atomically to -o FILE), per line, or per
 * function with --functions (cg_diff's output).  With --limit, --report,
 * --format, --show, --sort or --top, stdout gets a report of what changed
 * instead (text, JSON or Markdown) and the profile goes only to -o FILE.
 * docs/diff.md is the manual; docs/ci.md shows the gate in a pipeline.
 *
 * Exit status:
 *   0  success; with limits: no limit exceeded
 *   1  bad input or I/O error: unreadable, damaged or mismatched profiles
 *      ("cachesim-diff: error: FILE:LINE: ..."), a write error
 *   2  usage: bad option, bad limit, an event the profiles do not define
 *   3  a --limit was exceeded (the report says which)
 *
 * Owns: the command line, reading the inputs, choosing what goes where.  The
 * arithmetic lives in core/base (pdiff, derived, gate), the layouts in
 * report.c.  Only this file prints diagnostics or exits.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/version.h"
#include "core/base/derived.h"
#include "core/base/diag.h"
#include "core/base/gate.h"
#include "core/base/pdiff.h"
#include "core/base/profile.h"
#include "diff/report.h"


static void usage(FILE *f)
{
    fputs("usage: cachesim-diff [options] OLD NEW\n"
          "\n"
          "Writes the difference profile NEW - OLD in Cachegrind's format, or, with\n"
          "a limit or a report option, a report of what changed (a CI gate).\n"
          "\n"
          "  -o, --output=FILE        write the difference profile to FILE (atomically)\n"
          "      --functions          sum each function onto line 0, like cg_diff\n"
          "      --mod-filename=EXPR  rewrite file names with s/old/new/[gi]\n"
          "      --mod-funcname=EXPR  rewrite function names with s/old/new/[gi]\n"
          "      --limit=EVENT=N      fail (exit 3) if EVENT grows by more than N\n"
          "      --limit=EVENT=P%     fail (exit 3) if EVENT grows by more than P% of OLD's\n"
          "                           (repeatable; EVENT,EVENT lists allowed)\n"
          "      --report             report on stdout instead of the profile\n"
          "      --format=FMT         report layout: text (default), json, markdown\n"
          "      --show=EV,EV...      events in the report (recorded or derived)\n"
          "      --sort=EVENT         rank functions by their change in EVENT\n"
          "      --top=N              list the N functions that changed most (default 10)\n"
          "  -h, --help               show this help\n"
          "      --version            show the version\n"
          "\n"
          "Derived events: D L1m LLm L1hits LLhits RAMhits EstCycles B Bm.\n"
          "Exit status: 0 ok or within limits, 1 bad input or I/O error, 2 usage,\n"
          "3 a limit exceeded.\n",
          f);
}

enum {
    OPT_FUNCTIONS = 256,
    OPT_MOD_FILENAME,
    OPT_MOD_FUNCNAME,
    OPT_LIMIT,
    OPT_REPORT,
    OPT_FORMAT,
    OPT_SHOW,
    OPT_SORT,
    OPT_TOP,
    OPT_VERSION,
};

static const struct option long_opts[] = {
    {"output", required_argument, NULL, 'o'},
    {"functions", no_argument, NULL, OPT_FUNCTIONS},
    {"mod-filename", required_argument, NULL, OPT_MOD_FILENAME},
    {"mod-funcname", required_argument, NULL, OPT_MOD_FUNCNAME},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"report", no_argument, NULL, OPT_REPORT},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"show", required_argument, NULL, OPT_SHOW},
    {"sort", required_argument, NULL, OPT_SORT},
    {"top", required_argument, NULL, OPT_TOP},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

/* Everything the command line decides. */
struct config {
    const char *out;
    int functions, report;
    struct profile_subst *mod_filename, *mod_funcname;
    struct gate_limit *limits;
    size_t n_limits;
    enum report_format format;
    char **show;
    size_t n_show;
    const char *sort;
    size_t top;
    const char *old_path, *new_path;
};

/* Splits a comma-separated list into *items (strings malloc'd); 0, or -1 on
 * an empty item. */
static int split_list(const char *arg, char ***items, size_t *n)
{
    char *copy = xstrdup(arg), *save = NULL;
    int rc = 0;
    if (!*copy || copy[strlen(copy) - 1] == ',' || copy[0] == ',' || strstr(copy, ",,"))
        rc = -1;
    for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
        *items = xrealloc(*items, (*n + 1) * sizeof **items);
        (*items)[(*n)++] = xstrdup(t);
    }
    free(copy);
    return rc;
}

static void config_free(struct config *c)
{
    profile_subst_free(c->mod_filename);
    profile_subst_free(c->mod_funcname);
    free(c->limits);
    for (size_t i = 0; i < c->n_show; i++)
        free(c->show[i]);
    free(c->show);
}

/* Parses argv into c.  Returns -1 to go on, else the exit status (help and
 * version print and return 0; usage errors print one line and return 2). */
static int parse_args(int argc, char **argv, struct config *c)
{
    struct diag_err e;
    c->top = 10;
    opterr = 0; /* our own messages, in our own style */
    int opt;
    while ((opt = getopt_long(argc, argv, ":o:h", long_opts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            c->out = optarg;
            break;
        case OPT_FUNCTIONS:
            c->functions = 1;
            break;
        case OPT_MOD_FILENAME:
        case OPT_MOD_FUNCNAME: {
            struct profile_subst **slot = opt == OPT_MOD_FILENAME ? &c->mod_filename : &c->mod_funcname;
            profile_subst_free(*slot);
            if (!(*slot = profile_subst_new(optarg, &e))) {
                diag_error("%s: %s", opt == OPT_MOD_FILENAME ? "--mod-filename" : "--mod-funcname", e.msg);
                return EXIT_USAGE;
            }
            break;
        }
        case OPT_LIMIT: {
            char **specs = NULL;
            size_t n = 0;
            int bad = split_list(optarg, &specs, &n) < 0;
            for (size_t i = 0; i < n; i++) {
                c->limits = xrealloc(c->limits, (c->n_limits + 1) * sizeof *c->limits);
                if (!bad && gate_parse(specs[i], &c->limits[c->n_limits], &e) < 0) {
                    diag_error("--limit: %s", e.msg);
                    bad = 2;
                }
                c->n_limits++;
                free(specs[i]);
            }
            free(specs);
            if (bad == 1)
                diag_error("--limit: invalid list '%s'", optarg);
            if (bad)
                return EXIT_USAGE;
            c->report = 1;
            break;
        }
        case OPT_REPORT:
            c->report = 1;
            break;
        case OPT_FORMAT:
            if (strcmp(optarg, "text") == 0)
                c->format = REPORT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                c->format = REPORT_JSON;
            else if (strcmp(optarg, "markdown") == 0 || strcmp(optarg, "md") == 0)
                c->format = REPORT_MARKDOWN;
            else {
                diag_error("--format: unknown format '%s' (text, json or markdown)", optarg);
                return EXIT_USAGE;
            }
            c->report = 1;
            break;
        case OPT_SHOW:
            for (size_t i = 0; i < c->n_show; i++)
                free(c->show[i]);
            c->n_show = 0;
            if (split_list(optarg, &c->show, &c->n_show) < 0) {
                diag_error("--show: invalid list '%s'", optarg);
                return EXIT_USAGE;
            }
            c->report = 1;
            break;
        case OPT_SORT:
            c->sort = optarg;
            c->report = 1;
            break;
        case OPT_TOP: {
            char *end;
            unsigned long long n = strtoull(optarg, &end, 10);
            if (!*optarg || *end || optarg[0] == '-' || n > 1000000000ULL) {
                diag_error("--top: expected a number from 0 to 1000000000, not '%s'", optarg);
                return EXIT_USAGE;
            }
            c->top = (size_t)n;
            c->report = 1;
            break;
        }
        case 'h':
            usage(stdout);
            return EXIT_OK;
        case OPT_VERSION:
            printf("cachesim-diff %s\n", CACHESIM_VERSION);
            return EXIT_OK;
        case ':':
            diag_error("option '%s' needs a value", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            if (optopt)
                diag_error("unknown option '-%c' (see --help)", optopt);
            else
                diag_error("unknown option '%s' (see --help)", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        diag_error("expected two profiles, OLD and NEW, got %d (see --help)", argc - optind);
        return EXIT_USAGE;
    }
    c->old_path = argv[optind];
    c->new_path = argv[optind + 1];
    if (strcmp(c->old_path, "-") == 0 && strcmp(c->new_path, "-") == 0) {
        diag_error("only one of the profiles can be read from stdin ('-')");
        return EXIT_USAGE;
    }
    if (c->report && c->out && strcmp(c->out, "-") == 0) {
        diag_error("-o -: stdout carries the report; give -o a file name");
        return EXIT_USAGE;
    }
    return -1;
}

int main(int argc, char **argv)
{
    diag_set_prog("cachesim-diff");
    struct config c = {0};
    int rc = parse_args(argc, argv, &c);
    if (rc >= 0) {
        config_free(&c);
        return rc;
    }

    struct diag_err e;
    struct profile_read_opts ro = {c.mod_filename, c.mod_funcname, 1};
    struct profile *a = profile_new(), *b = profile_new(), *d = NULL, *fa = NULL, *fd = NULL;
    struct report *r = NULL;
    rc = EXIT_FAIL;
    if (profile_read_file(a, c.old_path, &ro, &e) < 0) {
        diag_error("%s", e.msg);
        goto out;
    }
    /* NEW starts with OLD's events, so a mismatch is reported by the reader
     * at the events: line of NEW (FILE:LINE), like every other damage. */
    if (profile_set_events(b, profile_events_text(a), &e) < 0 ||
        profile_read_file(b, c.new_path, &ro, &e) < 0) {
        diag_error("%s", e.msg);
        goto out;
    }
    d = pdiff_new(a, b, c.old_path, c.new_path, c.functions ? PDIFF_FUNCTIONS : 0, &e);
    if (!d) {
        diag_error("%s", e.msg);
        goto out;
    }
    if (c.report) {
        /* Build the report before writing anything: an event the profiles
         * do not define is a usage error and leaves no output behind. */
        fa = pdiff_collapse(a, &e);
        fd = fa ? (c.functions ? d : pdiff_new(a, b, c.old_path, c.new_path, PDIFF_FUNCTIONS, &e)) : NULL;
        if (!fd) {
            diag_error("%s", e.msg);
            goto out;
        }
        struct report_opts o = {
            .name_a = c.old_path,
            .name_b = c.new_path,
            .show = (const char *const *)c.show,
            .n_show = c.n_show,
            .limits = c.limits,
            .n_limits = c.n_limits,
            .sort = c.sort,
            .top = c.top,
        };
        int is_usage;
        r = report_new(a, b, fa, fd, &o, &is_usage, &e);
        if (!r) {
            diag_error("%s", e.msg);
            rc = is_usage ? EXIT_USAGE : EXIT_FAIL;
            goto out;
        }
    }
    if (c.out && strcmp(c.out, "-") != 0) {
        if (profile_write_file(d, c.out, &e) < 0) {
            diag_error("%s", e.msg);
            goto out;
        }
    } else if (!c.report) {
        if (profile_write_stream(d, stdout, &e) < 0) {
            diag_error("unable to write the profile to stdout: %s", e.msg);
            goto out;
        }
    }
    if (r) {
        if (report_write(r, c.format, stdout) < 0) {
            diag_error("unable to write the report to stdout: write error");
            goto out;
        }
        rc = r->n_exceeded ? EXIT_LIMIT : EXIT_OK;
    } else {
        rc = EXIT_OK;
    }
out:
    report_free(r);
    if (fd != d)
        profile_free(fd);
    profile_free(fa);
    profile_free(d);
    profile_free(a);
    profile_free(b);
    config_free(&c);
    return rc;
}
