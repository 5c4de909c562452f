/* test_annotate_units.c - unit tests of cachesim-annotate's modules: the
 * Python-compatible number formatting (fmt.c), the command line (opts.c) and
 * the report model (model.c: threshold, sort order, annotation summary).
 * Expected strings were taken from Python 3.11 (f"{x:.1f}", repr()) and
 * from the cg_annotate 3.21+ rules quoted next to each check. */
#include <stdlib.h>
#include <string.h>

#include "annotate/fmt.h"
#include "annotate/model.h"
#include "annotate/opts.h"
#include "core/base/profile.h"
#include "tests/unit/tap.h"

static const char *commify(int64_t v)
{
    static char b[FMT_NUM_MAX];
    fmt_commify(b, v);
    return b;
}

static const char *perc(int64_t v, int64_t t)
{
    static char b[FMT_NUM_MAX];
    fmt_perc(b, v, t);
    return b;
}

static const char *pyfloat(double x)
{
    static char b[32];
    fmt_pyfloat(b, x);
    return b;
}

static const char *json(const char *s)
{
    static char buf[256];
    memset(buf, 0, sizeof buf);
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    static struct out o;
    out_init(&o, f);
    fmt_json_str(&o, s);
    out_close(&o);
    fclose(f);
    return buf;
}

static void test_fmt(void)
{
    CHECK_STR(commify(0), "0", "commify 0");
    CHECK_STR(commify(999), "999", "commify 999");
    CHECK_STR(commify(1000), "1,000", "commify 1000");
    CHECK_STR(commify(-1234567), "-1,234,567", "commify negative");
    CHECK_STR(commify(INT64_MIN), "-9,223,372,036,854,775,808", "commify INT64_MIN");

    CHECK_STR(perc(1, 3), "33.3", "1/3");
    CHECK_STR(perc(1, 2000), "0.1", "0.05 rounds up (binary 0.05000000000000000277)");
    CHECK_STR(perc(25, 10000), "0.2", "0.25 rounds half to even");
    CHECK_STR(perc(3, 8000), "0.0", "0.0375");
    CHECK_STR(perc(-1, 100000), "-0.0", "negative tiny keeps its sign, as Python");
    CHECK_STR(perc(INT64_MAX, INT64_MAX), "100.0", "huge equal values");
    CHECK_STR(perc(300000000000000001LL, 7), "4285714285714285568.0",
              "beyond 2^53: Python's correctly rounded int division");
    CHECK_STR(perc(-15, -4), "375.0", "negative total (diffs)");
    CHECK_STR(perc(1, -3), "-33.3", "negative percentage");
    CHECK_STR(perc(5, 1000), "0.5", "exact 0.5");
    CHECK_STR(perc(-5, 10000), "-0.1", "-0.05: binary value just above 0.05 in magnitude");
    CHECK_STR(perc(15, 10000), "0.1", "0.15 is binary 0.1499999...: rounds down");
    CHECK_STR(perc(35, 10000), "0.3", "0.35 is binary 0.34999...: rounds down");
    CHECK_STR(perc(45, 10000), "0.5", "0.45 is binary 0.4500000...1: rounds up");
    CHECK_STR(perc(99995, 100000), "100.0", "99.995");
    CHECK_STR(perc(-1000000, 100000), "-1000.0", "-1000%");
    CHECK_STR(perc(INT64_MAX, 1), "922337203685477580800.0", "beyond the fast path: printf");

    CHECK_STR(pyfloat(0.1), "0.1", "repr 0.1");
    CHECK_STR(pyfloat(1), "1.0", "repr 1.0");
    CHECK_STR(pyfloat(20), "20.0", "repr 20.0");
    CHECK_STR(pyfloat(0), "0.0", "repr 0.0");
    CHECK_STR(pyfloat(0.0001), "0.0001", "repr 0.0001 (fixed down to 1e-4)");
    CHECK_STR(pyfloat(0.00001), "1e-05", "repr 1e-05 (exponent below -4)");
    CHECK_STR(pyfloat(1.5e-05), "1.5e-05", "repr 1.5e-05");
    CHECK_STR(pyfloat(12.345), "12.345", "repr 12.345");
    CHECK_STR(pyfloat(2.675), "2.675", "repr 2.675 (shortest round trip)");
    CHECK_STR(pyfloat(19.999999999999996), "19.999999999999996", "repr needs 17 digits");

    CHECK_INT(fmt_width("Ir"), 2, "width of ASCII");
    CHECK_INT(fmt_width("caf\xc3\xa9"), 4, "width counts code points");
    CHECK_INT(fmt_width("a\xff"), 2, "an invalid byte counts one");

    CHECK_STR(json("a\"b\\c"), "\"a\\\"b\\\\c\"", "json quotes and backslashes");
    CHECK_STR(json("t\tn\n\x01"), "\"t\\tn\\n\\u0001\"", "json control characters");
    CHECK_STR(json("caf\xc3\xa9"), "\"caf\xc3\xa9\"", "json keeps valid UTF-8");
    CHECK_STR(json("x\xff"), "\"x\\u00ff\"", "json maps an invalid byte to U+00FF");
}

static int parse(struct ann_opts *o, struct diag_err *e, ...)
{
    static char *argv[32];
    va_list ap;
    va_start(ap, e);
    int argc = 0;
    argv[argc++] = "cachesim-annotate";
    for (char *a; (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    e->msg[0] = 0;
    return opts_parse(o, argc, argv, e);
}

static void test_opts(void)
{
    struct ann_opts o;
    struct diag_err e;
    CHECK_INT(parse(&o, &e, "x.out", NULL), OPTS_RUN, "one file");
    CHECK(o.threshold == 0.1, "default threshold 0.1");
    CHECK_INT(o.context, 8, "default context 8");
    CHECK_INT(o.show_percs, 1, "percentages on by default");
    CHECK_INT(o.annotate, 1, "annotation on by default");
    CHECK_INT(o.n_files, 1, "one file");
    opts_release(&o);

    CHECK_INT(parse(&o, &e, "--thr=5", "--context", "3", "--show-percs=no", "--auto=no", "a", "b",
                    NULL),
              OPTS_RUN, "prefix, separate value, deprecated yes/no forms");
    CHECK(o.threshold == 5, "--thr= is --threshold=");
    CHECK_INT(o.context, 3, "--context 3");
    CHECK_INT(o.show_percs, 0, "--show-percs=no");
    CHECK_INT(o.annotate, 0, "--auto=no");
    CHECK_INT(o.n_files, 2, "two files");
    opts_release(&o);

    CHECK_INT(parse(&o, &e, "--show=Ir,,Dr", "--sort", "Dr", "--no-show-percs", "--annotate",
                    "--threshold=20%", "--source-dir=s1", "--source-dir", "s2", "--format=json",
                    "--", "-odd-name", NULL),
              OPTS_RUN, "lists, flags, repeated --source-dir, --");
    CHECK_INT(o.n_show, 3, "--show keeps the empty item (refused later as an event)");
    CHECK_STR(o.show[1], "", "empty item");
    CHECK_STR(o.sort[0], "Dr", "--sort");
    CHECK(o.threshold == 20, "trailing % tolerated (cg_annotate 3.19)");
    CHECK_INT(o.n_source_dirs, 2, "two source dirs");
    CHECK_STR(o.source_dirs[1], "s2", "second source dir");
    CHECK_INT(o.format, ANN_JSON, "json format");
    CHECK_STR(o.files[0], "-odd-name", "a file after --");
    opts_release(&o);

    CHECK_INT(parse(&o, &e, "-Ia", "-I", "b", "--include=c", "x", NULL), OPTS_RUN,
              "cg_annotate 3.19's -I and --include");
    CHECK_INT(o.n_source_dirs, 3, "three source dirs");
    CHECK_STR(o.source_dirs[1], "b", "-I DIR");
    CHECK_STR(o.source_dirs[2], "c", "--include=DIR");
    opts_release(&o);

    CHECK_INT(parse(&o, &e, "--sh=Ir", "x", NULL), OPTS_USAGE, "ambiguous prefix");
    CHECK_STR(e.msg, "ambiguous option '--sh=Ir'", "ambiguous message");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, "--threshold=20.5", "x", NULL), OPTS_USAGE, "threshold above 20");
    CHECK_STR(e.msg, "invalid --threshold value '20.5' (a number from 0 to 20)", "threshold message");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, "--context=-1", "x", NULL), OPTS_USAGE, "negative context");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, "--diff", "x", NULL), OPTS_USAGE, "--diff with one file");
    CHECK_STR(e.msg, "--diff requires exactly two profile files", "--diff message");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, NULL), OPTS_USAGE, "no file");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, "--diff=yes", "a", "b", NULL), OPTS_USAGE, "value on a flag");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, "--annotate=maybe", "a", NULL), OPTS_USAGE, "yes/no expected");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, "-x", "a", NULL), OPTS_USAGE, "unknown short option");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, "a", "--version", NULL), OPTS_VERSION, "--version");
    opts_release(&o);
    CHECK_INT(parse(&o, &e, "-h", NULL), OPTS_HELP, "-h");
    opts_release(&o);
}

/* A profile whose report numbers are easy to check by hand.
 * Totals Ir 10000.  Threshold 0.1% of 10000 = 10 Ir.
 *   big.c:  main 6000 (lines 0:1000, 3:5000), helper 9 (below), <unspecified> 0
 *   lib.c:  work 3000, main 900
 *   tiny.c: t 5 (below: file tiny.c is not listed)
 *   ???:    x 86 (never annotated) */
static const char model_profile[] = "cmd: prog\n"
                                    "events: Ir Dr\n"
                                    "fl=/nonexistent/big.c\n"
                                    "fn=main\n"
                                    "0 1000 1\n"
                                    "3 5000 2\n"
                                    "fn=helper\n"
                                    "5 9 0\n"
                                    "fl=/nonexistent/lib.c\n"
                                    "fn=work\n"
                                    "1 3000 7\n"
                                    "fn=main\n"
                                    "9 900 0\n"
                                    "fl=/nonexistent/tiny.c\n"
                                    "fn=t\n"
                                    "1 5 0\n"
                                    "fl=???\n"
                                    "fn=x\n"
                                    "0 86 0\n"
                                    "summary: 10000 10\n";

static void test_model(void)
{
    struct profile *p = profile_new();
    struct diag_err e;
    FILE *f = fmemopen((void *)model_profile, strlen(model_profile), "r");
    CHECK_INT(profile_read_stream(p, f, "m.cgout", NULL, &e), 0, "model profile reads");
    fclose(f);
    struct ann_opts o;
    char *argv[] = {"cachesim-annotate", "m.cgout", NULL};
    opts_parse(&o, 2, argv, &e);
    struct ann_report r;
    CHECK_INT(report_build(&r, p, &o, 1, &e), 0, "report builds");

    CHECK_INT(r.totals[0], 10000, "total Ir");
    CHECK_INT(r.file_fn.n, 3, "File:function lists big.c, lib.c, ??? (tiny.c below threshold)");
    CHECK_STR(r.file_fn.groups[0].name, "/nonexistent/big.c", "biggest file first");
    CHECK_INT(r.file_fn.groups[0].cc[0], 6009, "file total includes the below-threshold helper");
    CHECK_INT(r.file_fn.groups[0].n_inner, 1, "only main passes in big.c");
    CHECK_STR(r.file_fn.groups[1].name, "/nonexistent/lib.c", "lib.c second");
    CHECK_INT(r.file_fn.groups[1].cumul[0], 6009 + 3900, "cumulative Ir");
    CHECK_STR(r.file_fn.groups[1].inner[0].name, "work", "work (3000) before main (900)");
    CHECK_STR(r.file_fn.groups[2].name, "???", "??? listed in the summary");
    CHECK_INT(r.fn_file.n, 3, "Function:file: main, work, x");
    CHECK_STR(r.fn_file.groups[0].name, "main", "main first (6900)");
    CHECK_INT(r.fn_file.groups[0].cc[0], 6900, "main over both files");
    CHECK_INT(r.fn_file.groups[0].n_inner, 2, "main in two files");
    CHECK_STR(r.fn_file.groups[0].inner[1].name, "/nonexistent/lib.c", "lib.c second inside main");

    CHECK_INT(r.n_files, 2, "two files to annotate (??? excluded)");
    CHECK_INT(r.files[0].status, ANN_UNREADABLE, "missing source is unreadable");
    CHECK_INT(r.files[0].n_lines, 2, "lines listed for JSON anyway (3 and 5)");
    CHECK_INT(r.files[0].line0[0], 1000, "line 0 kept apart");
    CHECK_INT(r.rows[ANN_ROW_UNREADABLE][0], 6009 + 3900, "unreadable row: both files");
    CHECK_INT(r.rows[ANN_ROW_BELOW][0], 5, "below threshold: tiny.c");
    CHECK_INT(r.rows[ANN_ROW_UNKNOWN][0], 86, "files unknown: ???");
    CHECK_INT(r.rows[ANN_ROW_KNOWN][0] + r.rows[ANN_ROW_LINE0][0], 0, "nothing annotated");
    report_release(&r);
    opts_release(&o);

    /* Sort by Dr: lib.c (7) before big.c (3); ties broken by name, descending. */
    char *argv2[] = {"cachesim-annotate", "--sort=Dr,Ir", "--threshold=0", "m.cgout", NULL};
    opts_parse(&o, 4, argv2, &e);
    CHECK_INT(report_build(&r, p, &o, 0, &e), 0, "report builds with --sort=Dr,Ir --threshold=0");
    CHECK_STR(r.file_fn.groups[0].name, "/nonexistent/lib.c", "Dr 7 first");
    CHECK_INT(r.file_fn.n, 4, "threshold 0: every file");
    CHECK_STR(r.file_fn.groups[2].name, "???", "Dr 0, Ir 86: ??? before tiny.c (Ir 5)");
    CHECK_INT(r.file_fn.groups[1].n_inner, 3, "big.c: main, helper and the empty <unspecified>");
    CHECK_STR(r.file_fn.groups[1].inner[2].name, "<unspecified>", "zero pair last");
    report_release(&r);
    opts_release(&o);

    char *argv3[] = {"cachesim-annotate", "--show=Nope", "m.cgout", NULL};
    opts_parse(&o, 3, argv3, &e);
    CHECK_INT(report_build(&r, p, &o, 0, &e), -1, "unknown --show event");
    CHECK_STR(e.msg, "--show event 'Nope' did not appear in 'events:' line", "its message");
    report_release(&r);
    opts_release(&o);
    profile_free(p);
}

int main(void)
{
    test_fmt();
    test_opts();
    test_model();
    return tap_done();
}
