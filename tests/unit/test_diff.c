/* test_diff.c - unit tests of cachesim-diff's arithmetic in core/base:
 * pdiff (difference profiles, --functions collapse), derived (derived events),
 * gate (limit syntax, the exceeded rule, percentages) and textfmt (number and
 * string renderings).  Every expected value is worked out by hand in the
 * comment next to it from the profile text it refers to. */
#include <stdlib.h>
#include <string.h>

#include "core/base/derived.h"
#include "core/base/gate.h"
#include "core/base/pdiff.h"
#include "core/base/profile.h"
#include "core/base/textfmt.h"
#include "tests/unit/tap.h"

#define CACHE_EVENTS "Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw "

/* OLD: two functions.  Column sums: Ir 10+20+30 = 60, I1mr 1+0+2 = 3,
 * ILmr 1+0+1 = 2, Dr 4+5+6 = 15, D1mr 1+1+0 = 2, DLmr 0+1+0 = 1,
 * Dw 2+2+2 = 6, D1mw 1+0+1 = 2, DLmw 0+0+1 = 1. */
static const char OLD[] = "desc: I1 cache:         32768 B, 64 B, 8-way associative\n"
                          "cmd: ./t 1\n"
                          "events: " CACHE_EVENTS "\n"
                          "fl=a.c\n"
                          "fn=f\n"
                          "1 10 1 1 4 1 0 2 1 0\n"
                          "2 20 0 0 5 1 1 2 0 0\n"
                          "fn=g\n"
                          "7 30 2 1 6 0 0 2 1 1\n"
                          "summary: 60 3 2 15 2 1 6 2 1\n";

/* NEW: f line 2 grew, g is gone, h (b.c) is new.  Sums: Ir 10+25+40 = 75,
 * I1mr 1+0+1 = 2, ILmr 1+0+0 = 1, Dr 4+9+1 = 14, D1mr 1+3+0 = 4,
 * DLmr 0+1+0 = 1, Dw 2+2+8 = 12, D1mw 1+0+2 = 3, DLmw 0+0+2 = 2. */
static const char NEW[] = "cmd: ./t 2\n"
                          "events: " CACHE_EVENTS "\n"
                          "fl=a.c\n"
                          "fn=f\n"
                          "1 10 1 1 4 1 0 2 1 0\n"
                          "2 25 0 0 9 3 1 2 0 0\n"
                          "fl=b.c\n"
                          "fn=h\n"
                          "3 40 1 0 1 0 0 8 2 2\n"
                          "summary: 75 2 1 14 4 1 12 3 2\n";

static struct profile *parse(const char *text, const char *name)
{
    struct profile *p = profile_new();
    struct diag_err e;
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    if (profile_read_stream(p, f, name, NULL, &e) < 0)
        printf("# %s\n", e.msg);
    fclose(f);
    return p;
}

static char *written(struct profile *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    struct diag_err e;
    if (profile_write_stream(p, f, &e) < 0)
        printf("# write failed: %s\n", e.msg);
    fclose(f);
    return buf;
}

static void test_pdiff_lines(void)
{
    struct profile *a = parse(OLD, "old"), *b = parse(NEW, "new");
    struct diag_err e;
    struct profile *d = pdiff_new(a, b, "old", "new", 0, &e);
    CHECK(d != NULL, "pdiff_new per line");
    char *s = written(d);
    /* a.c f 1: equal -> zeros; f 2: 25-20, 0, 0, 9-5, 3-1, 1-1, 2-2, 0, 0;
     * g 7: all negated; b.c h 3: as in NEW.  Summary = NEW - OLD sums:
     * 75-60 2-3 1-2 14-15 4-2 1-1 12-6 3-2 2-1. */
    CHECK_STR(s,
              "desc: Files compared:   old; new\n"
              "cmd: ./t 1; ./t 2\n"
              "events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw\n"
              "fl=a.c\n"
              "fn=f\n"
              "1 0 0 0 0 0 0 0 0 0\n"
              "2 5 0 0 4 2 0 0 0 0\n"
              "fn=g\n"
              "7 -30 -2 -1 -6 0 0 -2 -1 -1\n"
              "fl=b.c\n"
              "fn=h\n"
              "3 40 1 0 1 0 0 8 2 2\n"
              "summary: 15 -1 -1 -1 2 0 6 1 1\n",
              "B - A per line, cg_diff's header, zero lines kept");
    free(s);

    /* A + (B - A) = B, cell by cell, with profile_add. */
    struct profile *sum = profile_new();
    CHECK_INT(profile_add(sum, a, +1, &e), 0, "copy A");
    CHECK_INT(profile_add(sum, d, +1, &e), 0, "add B - A");
    const struct profile_entry *x;
    size_t n = profile_sorted(sum, &x);
    /* Keys: a.c f 1, a.c f 2, a.c g 7 (now zero), b.c h 3. */
    CHECK_INT(n, 4, "A + (B - A): four keys");
    int same = 1;
    for (size_t i = 0; i < n; i++) {
        const int64_t *want = profile_cell(b, x[i].file, x[i].fn, x[i].line);
        for (size_t k = 0; k < profile_n_events(b); k++)
            same &= x[i].counts[k] == want[k];
    }
    CHECK(same, "A + (B - A) = B on every cell");
    profile_free(sum);

    /* diff(A, A) is all zero, and keeps A's keys. */
    struct profile *z = pdiff_new(a, a, "old", "old", 0, &e);
    n = profile_sorted(z, &x);
    int zero = 1;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < profile_n_events(z); k++)
            zero &= x[i].counts[k] == 0;
    CHECK_INT(n, 3, "diff(A, A): A's three keys");
    CHECK(zero, "diff(A, A) is all zero");
    profile_free(z);
    profile_free(d);
    profile_free(a);
    profile_free(b);
}

static void test_pdiff_functions(void)
{
    struct profile *a = parse(OLD, "old"), *b = parse(NEW, "new");
    struct diag_err e;
    struct profile *d = pdiff_new(a, b, "x/old", "y/new", PDIFF_FUNCTIONS, &e);
    char *s = written(d);
    /* f: lines 1+2 summed: old 30 1 1 9 2 1 4 1 0, new 35 1 1 13 4 1 4 1 0
     * -> 5 0 0 4 2 0 0 0 0 on line 0; g and h as one line 0 each. */
    CHECK_STR(s,
              "desc: Files compared:   x/old; y/new\n"
              "cmd: ./t 1; ./t 2\n"
              "events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw\n"
              "fl=a.c\n"
              "fn=f\n"
              "0 5 0 0 4 2 0 0 0 0\n"
              "fn=g\n"
              "0 -30 -2 -1 -6 0 0 -2 -1 -1\n"
              "fl=b.c\n"
              "fn=h\n"
              "0 40 1 0 1 0 0 8 2 2\n"
              "summary: 15 -1 -1 -1 2 0 6 1 1\n",
              "--functions: every (file, fn) on line 0");
    free(s);
    profile_free(d);

    struct profile *c = pdiff_collapse(a, &e);
    s = written(c);
    CHECK_STR(s,
              "desc: I1 cache:         32768 B, 64 B, 8-way associative\n"
              "cmd: ./t 1\n"
              "events: " CACHE_EVENTS "\n"
              "fl=a.c\n"
              "fn=f\n"
              "0 30 1 1 9 2 1 4 1 0\n"
              "fn=g\n"
              "0 30 2 1 6 0 0 2 1 1\n"
              "summary: 60 3 2 15 2 1 6 2 1\n",
              "collapse keeps the header and the events text");
    free(s);
    profile_free(c);
    profile_free(a);
    profile_free(b);
}

static void test_pdiff_errors(void)
{
    struct profile *a = parse(OLD, "old");
    struct profile *b = parse("cmd: x\nevents: Ir Dr\nfl=a.c\nfn=f\n1 1 1\nsummary: 1 1\n", "ir");
    struct diag_err e;
    CHECK(pdiff_new(a, b, "old", "ir", 0, &e) == NULL, "mismatched events refused");
    CHECK_STR(e.msg,
              "events in data files don't match ('Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw' in 'old', "
              "'Ir Dr' in 'ir')",
              "mismatch message names both files");
    profile_free(b);

    /* Counts near the int64 limits: the difference of the totals overflows. */
    struct profile *lo = parse("cmd: x\nevents: Ir\nfl=a\nfn=f\n1 -9223372036854775807\n"
                               "summary: -9223372036854775807\n",
                               "lo");
    struct profile *hi = parse("cmd: x\nevents: Ir\nfl=a\nfn=f\n2 9223372036854775807\n"
                               "summary: 9223372036854775807\n",
                               "hi");
    CHECK(pdiff_new(lo, hi, "lo", "hi", 0, &e) == NULL, "overflowing difference refused");
    CHECK_STR(e.msg, "the difference of the 'Ir' totals overflows 64 bits", "overflow message");
    profile_free(lo);
    profile_free(hi);
    profile_free(a);
}

static void test_derived(void)
{
    struct profile *a = parse(OLD, "old");
    struct diag_err e;
    struct derived_event ev;
    int64_t t[PROFILE_MAX_EVENTS], v;
    profile_totals(a, t);

    /* OLD totals: Ir 60 I1mr 3 ILmr 2 Dr 15 D1mr 2 DLmr 1 Dw 6 D1mw 2 DLmw 1.
     * L1m = 3+2+2 = 7, LLm = 2+1+1 = 4, L1hits = 60+15+6-7 = 74,
     * LLhits = 7-4 = 3, RAMhits = 4, EstCycles = 74 + 5*3 + 35*4 = 229. */
    static const struct {
        const char *name;
        int64_t want;
    } cases[] = {
        {"Ir", 60},     {"DLmw", 1},     {"D", 21},      {"L1m", 7},         {"LLm", 4},
        {"L1hits", 74}, {"LLhits", 3},   {"RAMhits", 4}, {"EstCycles", 229},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = derived_resolve(a, cases[i].name, &ev, &e);
        CHECK_INT(rc, 0, cases[i].name);
        CHECK_INT(derived_eval(&ev, t, &v), 0, "evaluates");
        CHECK_INT(v, cases[i].want, cases[i].name);
    }
    CHECK(derived_resolve(a, "Ir", &ev, &e) == 0 && ev.formula == NULL, "recorded event: no formula");
    CHECK(derived_resolve(a, "EstCycles", &ev, &e) == 0 &&
              strcmp(ev.formula, "L1hits + 5 * LLhits + 35 * RAMhits") == 0,
          "EstCycles formula text");

    /* Not defined without the events it needs. */
    CHECK_INT(derived_resolve(a, "Bm", &ev, &e), -1, "Bm needs branch events");
    CHECK_STR(e.msg,
              "event 'Bm' needs 'Bcm', which the profile does not record (events: Ir I1mr ILmr Dr "
              "D1mr DLmr Dw D1mw DLmw)",
              "message names the missing event");
    CHECK_INT(derived_resolve(a, "Foo", &ev, &e), -1, "unknown event");
    CHECK_STR(e.msg, "unknown event 'Foo'", "unknown event message");
    struct profile *ir = parse("cmd: x\nevents: Ir\nfl=a\nfn=f\n1 5\nsummary: 5\n", "ir");
    CHECK(!derived_available(ir, "EstCycles"), "no EstCycles with Ir only");
    CHECK(!derived_available(ir, "D"), "no D with Ir only");
    CHECK(derived_available(ir, "Ir"), "Ir itself");
    profile_free(ir);

    /* Branch events: B = Bc + Bi = 7 + 2, Bm = Bcm + Bim = 3 + 1. */
    struct profile *br = parse("cmd: x\nevents: Ir Bc Bcm Bi Bim\nfl=a\nfn=f\n1 20 7 3 2 1\n"
                               "summary: 20 7 3 2 1\n",
                               "br");
    profile_totals(br, t);
    derived_resolve(br, "B", &ev, &e);
    derived_eval(&ev, t, &v);
    CHECK_INT(v, 9, "B = Bc + Bi");
    derived_resolve(br, "Bm", &ev, &e);
    derived_eval(&ev, t, &v);
    CHECK_INT(v, 4, "Bm = Bcm + Bim");
    profile_free(br);

    /* A recorded event named like a derived one wins. */
    struct profile *own = parse("cmd: x\nevents: Dr Dw D\nfl=a\nfn=f\n1 1 2 100\nsummary: 1 2 100\n", "own");
    profile_totals(own, t);
    derived_resolve(own, "D", &ev, &e);
    derived_eval(&ev, t, &v);
    CHECK_INT(v, 100, "recorded D wins over Dr + Dw");
    profile_free(own);

    /* Overflow is reported, not wrapped: 2^62 * 35 does not fit. */
    int64_t big[PROFILE_MAX_EVENTS] = {0};
    big[2] = (int64_t)1 << 62; /* ILmr */
    derived_resolve(a, "EstCycles", &ev, &e);
    CHECK_INT(derived_eval(&ev, big, &v), -1, "EstCycles overflow detected");

    /* Derived events are linear: EstCycles(B - A) = EstCycles(B) - EstCycles(A).
     * NEW totals: Ir 75 I1mr 2 ILmr 1 Dr 14 D1mr 4 DLmr 1 Dw 12 D1mw 3 DLmw 2:
     * L1m 9, LLm 4, L1hits 75+14+12-9 = 92, LLhits 5, EstCycles 92+25+140 = 257,
     * so the difference is 257 - 229 = 28. */
    struct profile *b = parse(NEW, "new");
    struct profile *d = pdiff_new(a, b, "old", "new", 0, &e);
    profile_totals(d, t);
    derived_resolve(d, "EstCycles", &ev, &e);
    derived_eval(&ev, t, &v);
    CHECK_INT(v, 28, "EstCycles of the difference");
    profile_free(d);
    profile_free(b);
    profile_free(a);
}

static struct gate_limit limit(const char *spec)
{
    struct gate_limit l;
    struct diag_err e;
    memset(&l, 0, sizeof l);
    if (gate_parse(spec, &l, &e) < 0)
        printf("# %s\n", e.msg);
    return l;
}

static void test_gate(void)
{
    struct gate_limit l;
    struct diag_err e;
    char buf[64];

    CHECK_INT(gate_parse("Ir=1%", &l, &e), 0, "Ir=1%");
    CHECK_STR(l.event, "Ir", "event name");
    CHECK_INT(l.kind, GATE_PERCENT, "percent kind");
    CHECK_INT(l.value, 1000000, "1% = 1000000 millionths");
    CHECK_INT(gate_parse("EstCycles=0.125%", &l, &e), 0, "fraction");
    CHECK_INT(l.value, 125000, "0.125% = 125000 millionths");
    gate_format(&l, buf, sizeof buf);
    CHECK_STR(buf, "0.125%", "formatted back");
    CHECK_INT(gate_parse("Dr=25000", &l, &e), 0, "absolute");
    CHECK_INT(l.kind, GATE_ABSOLUTE, "absolute kind");
    CHECK_INT(l.value, 25000, "absolute value");
    gate_format(&l, buf, sizeof buf);
    CHECK_STR(buf, "25000", "absolute formatted back");

    static const struct {
        const char *spec, *msg;
    } bad[] = {
        {"Ir", "invalid limit 'Ir': expected EVENT=N or EVENT=PERCENT%"},
        {"=5", "invalid limit '=5': no event name before '='"},
        {"Ir=", "invalid limit 'Ir=': expected a count (a whole number >= 0) or a percentage such as 1%"},
        {"Ir=-1", "invalid limit 'Ir=-1': expected a count (a whole number >= 0) or a percentage such as 1%"},
        {"Ir=1.5", "invalid limit 'Ir=1.5': expected a count (a whole number >= 0) or a percentage such as 1%"},
        {"Ir=1,000", "invalid limit 'Ir=1,000': expected a count (a whole number >= 0) or a percentage such as 1%"},
        {"Ir=9223372036854775808",
         "invalid limit 'Ir=9223372036854775808': expected a count (a whole number >= 0) or a "
         "percentage such as 1%"},
        {"Ir=-1%", "invalid limit 'Ir=-1%': the percentage must be a number from 0 to 1000000000 with at most 6 decimals"},
        {"Ir=%", "invalid limit 'Ir=%': the percentage must be a number from 0 to 1000000000 with at most 6 decimals"},
        {"Ir=0.0000001%",
         "invalid limit 'Ir=0.0000001%': the percentage must be a number from 0 to 1000000000 with at most 6 decimals"},
        {"Ir=1000000001%",
         "invalid limit 'Ir=1000000001%': the percentage must be a number from 0 to 1000000000 with at most 6 decimals"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(gate_parse(bad[i].spec, &l, &e), -1, bad[i].spec);
        CHECK_STR(e.msg, bad[i].msg, bad[i].spec);
    }

    /* Percent: exceeded iff delta * 100 > P * |old|. */
    l = limit("Ir=1%");
    CHECK(!gate_exceeded(&l, 1000, 1010), "+1.0% of 1000 is within 1%");
    CHECK(gate_exceeded(&l, 1000, 1011), "+1.1% exceeds 1%");
    CHECK(!gate_exceeded(&l, 1000, 500), "an improvement never fails");
    CHECK(!gate_exceeded(&l, 1000, 1000), "no change");
    CHECK(gate_exceeded(&l, 0, 1), "old 0, new 1 exceeds any percentage");
    CHECK(!gate_exceeded(&l, 0, 0), "0 -> 0 is no growth");
    l = limit("Ir=1000000000%");
    CHECK(gate_exceeded(&l, 0, 1), "even a billion percent of 0 is 0");
    /* 3200 -> 3300 is exactly +3.125%. */
    l = limit("Ir=3.125%");
    CHECK(!gate_exceeded(&l, 3200, 3300), "exactly at the limit passes");
    l = limit("Ir=3.124999%");
    CHECK(gate_exceeded(&l, 3200, 3300), "a millionth of a percent below fails");
    l = limit("Ir=0%");
    CHECK(gate_exceeded(&l, 5, 6), "0% allows no growth");
    CHECK(!gate_exceeded(&l, 5, 5), "0% allows no change");
    /* Negative old (a difference profile as input): relative to |old|.
     * -200 -> -197 grows by 3 = 1.5% of 200. */
    l = limit("Ir=1.5%");
    CHECK(!gate_exceeded(&l, -200, -197), "negative old: 1.5% of |old|");
    CHECK(gate_exceeded(&l, -200, -196), "negative old: 2% of |old| exceeds");
    /* Extremes stay exact. */
    CHECK(gate_exceeded(&l, INT64_MIN, INT64_MAX), "int64 extremes: no overflow");
    CHECK(!gate_exceeded(&l, INT64_MAX, INT64_MIN), "int64 extremes: improvement");

    /* Absolute: exceeded iff delta > N. */
    l = limit("Ir=100");
    CHECK(!gate_exceeded(&l, 3200, 3300), "+100 within 100");
    CHECK(gate_exceeded(&l, 3200, 3301), "+101 exceeds 100");
    CHECK(!gate_exceeded(&l, 3300, 0), "improvement within an absolute limit");
    l = limit("Ir=0");
    CHECK(gate_exceeded(&l, 0, 1), "absolute 0 allows no growth");

    /* Percent change in hundredths, halves away from zero. */
    int64_t h;
    CHECK_INT(gate_percent(3200, 3300, &h), 0, "percent defined");
    CHECK_INT(h, 313, "+3.125% rounds to +3.13");
    gate_percent(3200, 3100, &h);
    CHECK_INT(h, -313, "-3.125% rounds to -3.13");
    gate_percent(4990, 5049, &h);
    CHECK_INT(h, 118, "59/4990 = 1.1823..% -> 1.18");
    gate_percent(3, 4, &h);
    CHECK_INT(h, 3333, "1/3 -> 33.33");
    gate_percent(3, 5, &h);
    CHECK_INT(h, 6667, "2/3 -> 66.67");
    gate_percent(100, 0, &h);
    CHECK_INT(h, -10000, "gone: -100.00");
    gate_percent(-200, -197, &h);
    CHECK_INT(h, 150, "negative old: relative to |old|");
    CHECK_INT(gate_percent(0, 5, &h), -1, "no percentage of 0");
    gate_percent(1, INT64_MAX, &h);
    CHECK_INT(h, INT64_MAX, "huge change clamped");
}

static void test_textfmt(void)
{
    char b[TEXTFMT_NUM_MAX];
    static const struct {
        int64_t v;
        int plus;
        const char *want;
    } c[] = {
        {0, 0, "0"},
        {0, 1, "0"},
        {999, 0, "999"},
        {1000, 0, "1,000"},
        {1000, 1, "+1,000"},
        {-1000, 1, "-1,000"},
        {-999999, 0, "-999,999"},
        {1234567, 0, "1,234,567"},
        {INT64_MIN, 0, "-9,223,372,036,854,775,808"},
        {INT64_MAX, 1, "+9,223,372,036,854,775,807"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        textfmt_commify(b, c[i].v, c[i].plus);
        CHECK_STR(b, c[i].want, "commify");
    }
    textfmt_hundredths(b, 313, 1);
    CHECK_STR(b, "+3.13", "hundredths");
    textfmt_hundredths(b, 5, 0);
    CHECK_STR(b, "0.05", "hundredths below 1");
    textfmt_hundredths(b, -10000, 1);
    CHECK_STR(b, "-100.00", "negative hundredths");
    textfmt_hundredths(b, 0, 1);
    CHECK_STR(b, "0.00", "zero hundredths, no sign");
    textfmt_millionths(b, 1000000);
    CHECK_STR(b, "1", "millionths whole");
    textfmt_millionths(b, 500000);
    CHECK_STR(b, "0.5", "millionths half");
    textfmt_millionths(b, 12000001);
    CHECK_STR(b, "12.000001", "millionths all digits");

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    textfmt_json_str(f, "a\"b\\c\n\t\x01 \xc3\xa9 \xff");
    fclose(f);
    /* é (valid UTF-8) is kept; the lone byte 0xff becomes U+00FF. */
    CHECK_STR(buf, "\"a\\\"b\\\\c\\n\\t\\u0001 \xc3\xa9 \\u00ff\"", "JSON string escapes");
    free(buf);

    f = open_memstream(&buf, &len);
    textfmt_md_code(f, "a.c:f");
    fputc(' ', f);
    textfmt_md_code(f, "x|y`z");
    fputc(' ', f);
    textfmt_md_code(f, "`q``");
    fputc(' ', f);
    textfmt_md_text(f, "a_b*c");
    fclose(f);
    CHECK_STR(buf, "`a.c:f` ``x\\|y`z`` ``` `q`` ``` a\\_b\\*c", "Markdown code spans and text");
    free(buf);
}

int main(void)
{
    test_pdiff_lines();
    test_pdiff_functions();
    test_pdiff_errors();
    test_derived();
    test_gate();
    test_textfmt();
    return tap_done();
}
