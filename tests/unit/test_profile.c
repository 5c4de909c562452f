/* test_profile.c - unit tests of the profile module (core/base/profile.c) and
 * its helpers (intern.c, subst.c): the table, sorted iteration, the reader's
 * tolerances and error messages, the byte-exact writer, atomic writes,
 * merging, subtraction and name rewriting.  Every expected value below is
 * written out by hand from the input text next to it. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/intern.h"
#include "core/base/profile.h"
#include "core/base/subst.h"
#include "tests/unit/tap.h"

/* Reads the len bytes at text (named "t.cgout" in messages) into p; returns
 * the status and leaves the message in *e. */
static int read_mem(struct profile *p, const char *text, size_t len,
                    const struct profile_read_opts *o, struct diag_err *e)
{
    FILE *f = fmemopen((void *)text, len, "r");
    e->msg[0] = 0;
    int rc = profile_read_stream(p, f, "t.cgout", o, e);
    fclose(f);
    return rc;
}

static int read_text(struct profile *p, const char *text, const struct profile_read_opts *o,
                     struct diag_err *e)
{
    return read_mem(p, text, strlen(text), o, e);
}

/* The writer's output for p, malloc'd. */
static char *write_text(struct profile *p)
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

/* Expects text to be refused with exactly msg. */
static void refused(const char *text, const char *msg, const char *what)
{
    struct profile *p = profile_new();
    struct diag_err e;
    int rc = read_text(p, text, NULL, &e);
    CHECK_INT(rc, -1, what);
    CHECK_STR(e.msg, msg, what);
    profile_free(p);
}

static void test_intern(void)
{
    struct intern *in = intern_new();
    const char *a = intern_str(in, "main");
    const char *b = intern_strn(in, "mainx", 4);
    const char *c = intern_str(in, "sum");
    CHECK(a == b, "intern: equal strings share one copy");
    CHECK(a != c, "intern: different strings differ");
    CHECK_INT(intern_id(a), 0, "intern: first id is 0");
    CHECK_INT(intern_id(c), 1, "intern: second id is 1");
    CHECK_INT(intern_len(c), 3, "intern: length");
    CHECK_INT(intern_count(in), 2, "intern: count");
    CHECK(intern_find(in, "sum") == c, "intern_find: present");
    CHECK(intern_find(in, "nope") == NULL, "intern_find: absent, nothing inserted");
    CHECK_INT(intern_count(in), 2, "intern_find inserts nothing");
    /* Many strings: pointers stay valid across table growth. */
    char buf[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(buf, sizeof buf, "name%d", i);
        intern_str(in, buf);
    }
    CHECK_STR(a, "main", "intern: early pointer still valid after growth");
    CHECK_STR(intern_get(in, 2 + 4999), "name4999", "intern_get by id");
    CHECK_INT(intern_count(in), 5002, "intern: 5002 distinct strings");
    intern_free(in);
}

static void test_events(void)
{
    struct profile *p = profile_new();
    struct diag_err e;
    CHECK_INT(profile_set_events(p, "   ", &e), -1, "set_events: no names refused");
    CHECK_STR(e.msg, "no event names", "set_events: no names message");
    CHECK_INT(profile_set_events(p, "Ir Dr Ir", &e), -1, "set_events: repeated name refused");
    CHECK_STR(e.msg, "event 'Ir' repeated", "set_events: repeated message");
    CHECK_INT(profile_set_events(p, "Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw ", &e), 0,
              "set_events: cache-sim line accepted");
    CHECK_INT(profile_n_events(p), 9, "9 events");
    CHECK_STR(profile_event(p, 8), "DLmw", "last event name");
    CHECK_STR(profile_events_text(p), "Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw ",
              "events text kept verbatim (trailing space)");
    CHECK_INT(profile_event_index(p, "Dw"), 6, "event_index Dw");
    CHECK_INT(profile_event_index(p, "Bc"), -1, "event_index of an absent event");
    profile_cell(p, "a.c", "f", 1)[0] = 1;
    CHECK_INT(profile_set_events(p, "Ir", &e), -1, "set_events refused once cells exist");
    profile_free(p);
}

static void test_table(void)
{
    struct profile *p = profile_new();
    struct diag_err e;
    profile_set_events(p, "Ir Dr", &e);
    int64_t *first = profile_cell(p, "b.c", "g", 7);
    first[0] = 5;
    /* Out-of-order lines, several files and functions, 20000 cells. */
    for (unsigned long i = 0; i < 10000; i++) {
        profile_cell(p, "b.c", "g", 20000 - i)[1] += 1;
        profile_cell(p, "a.c", i % 2 ? "zz" : "aa", i)[0] += 2;
    }
    CHECK(profile_cell(p, "b.c", "g", 7) == first, "cell pointer stable after 20000 inserts");
    CHECK_INT(first[0], 5, "cell keeps its count");
    CHECK_INT(first[1], 0, "line 7 of b.c:g is below the loop's range 10001..20000");
    CHECK_INT(profile_n_cells(p), 20001, "20001 distinct cells");
    int64_t t[2];
    profile_totals(p, t);
    CHECK_INT(t[0], 5 + 2 * 10000, "total Ir");
    CHECK_INT(t[1], 10000, "total Dr");

    const struct profile_entry *s;
    size_t n = profile_sorted(p, &s);
    CHECK_INT(n, 20001, "sorted: all cells");
    CHECK_STR(s[0].file, "a.c", "sorted: a.c first");
    CHECK_STR(s[0].fn, "aa", "sorted: then fn aa");
    CHECK_INT(s[0].line, 0, "sorted: aa's first line 0");
    CHECK_INT(s[4999].line, 9998, "sorted: aa's last line 9998");
    CHECK_STR(s[5000].fn, "zz", "sorted: zz after aa");
    CHECK_INT(s[5000].line, 1, "sorted: zz's first line 1");
    CHECK_STR(s[10000].file, "b.c", "sorted: b.c after a.c");
    CHECK_INT(s[10000].line, 7, "sorted: b.c:g line 7 first");
    CHECK_INT(s[10001].line, 10001, "sorted: then 10001 (inserted last)");
    CHECK_INT(s[20000].line, 20000, "sorted: 20000 last");

    const struct profile_entry *u;
    CHECK_INT(profile_unsorted(p, &u), 20001, "unsorted: all cells");
    CHECK_STR(u[0].file, "b.c", "unsorted: first pair first");
    CHECK_INT(u[1].line, 20000, "unsorted: lines in order of creation");
    const struct profile_pair *pr;
    CHECK_INT(profile_pairs(p, &pr), 3, "three (file, fn) pairs");
    CHECK_STR(pr[1].fn, "aa", "pair 2 is a.c:aa");
    CHECK_INT(pr[1].first, 10001, "a.c:aa starts after b.c:g's 10001 cells");
    CHECK_INT(pr[1].n, 5000, "a.c:aa has 5000 cells");
    profile_free(p);
}

static const char real_319[] =
    "desc: I1 cache:         32768 B, 64 B, 8-way associative\n"
    "desc: D1 cache:         49152 B, 64 B, 12-way associative\n"
    "desc: LL cache:         109051904 B, 64 B, 26-way associative\n"
    "cmd: ./t2\n"
    "events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw \n"
    "fl=./csu/../csu/libc-start.c\n"
    "fn=__libc_start_main@@GLIBC_2.34\n"
    "128 2 1 1 2 0 0 0 0 0\n"
    "fl=/src/inl.h\n"
    "fn=sum\n"
    "2 8190 1 1 0 0 0 0 0 0\n"
    "3 8190 0 0 0 0 0 0 0 0\n"
    "fl=/src/t2.c\n"
    "fn=main\n"
    "11 5 0 0 0 0 0 0 0 0\n"
    "13 20481 1 1 0 0 0 4096 256 256\n"
    "fn=sum\n"
    "7 12289 0 0 0 0 0 0 0 0\n"
    "8 8190 0 0 4095 0 0 0 0 0\n"
    "fl=???\n"
    "fn=(below main)\n"
    "0 11 2 2 2 0 0 3 0 0\n"
    "fn=???\n"
    "0 140 24 21 63 2 0 16 1 1\n"
    "summary: 57498 29 26 4162 2 0 4115 257 257\n";

static void test_read_write_roundtrip(void)
{
    struct profile *p = profile_new();
    struct diag_err e;
    CHECK_INT(read_text(p, real_319, NULL, &e), 0, "reads a Valgrind 3.19 profile");
    CHECK_INT(profile_n_desc(p), 3, "3 desc lines");
    CHECK_STR(profile_desc(p, 2), "LL cache:         109051904 B, 64 B, 26-way associative",
              "desc text verbatim");
    CHECK_STR(profile_cmd(p), "./t2", "cmd");
    CHECK_INT(profile_n_cells(p), 9, "9 cost lines");
    char *out = write_text(p);
    CHECK_STR(out, real_319, "written back byte-identical");
    free(out);
    CHECK_INT(profile_n_sources(p), 1, "one source");
    CHECK_STR(profile_source(p, 0)->name, "t.cgout", "source name");
    CHECK_STR(profile_source(p, 0)->cmd, "./t2", "source cmd");
    CHECK(strncmp(profile_source(p, 0)->desc, "I1 cache:         32768 B", 25) == 0,
          "source desc starts with the first desc line");
    const char *const *orig;
    CHECK_INT(profile_file_origins(p, "/src/inl.h", &orig), 1, "one origin for /src/inl.h");
    CHECK_STR(orig[0], "/src/inl.h", "origin is the name itself");
    CHECK_INT(profile_file_origins(p, "nope.c", &orig), 0, "no origins for an unknown file");
    profile_free(p);

    /* Atomic file write: mode 0600, then read back equal. */
    p = profile_new();
    read_text(p, real_319, NULL, &e);
    char dir[200];
    const char *tmpdir = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/test_profile.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    CHECK(mkdtemp(dir) != NULL, "temp dir");
    char path[300];
    snprintf(path, sizeof path, "%s/out.cgout", dir);
    CHECK_INT(profile_write_file(p, path, &e), 0, "write_file succeeds");
    struct stat st;
    CHECK_INT(stat(path, &st), 0, "file exists");
    CHECK_INT(st.st_mode & 0777, 0600, "file mode 0600");
    CHECK_INT(st.st_size, (long long)strlen(real_319), "file size = text size");
    struct profile *q = profile_new();
    CHECK_INT(profile_read_file(q, path, NULL, &e), 0, "read back from file");
    char *a = write_text(q);
    CHECK_STR(a, real_319, "file round trip identical");
    free(a);
    profile_free(q);
    unlink(path);
    snprintf(path, sizeof path, "%s/no/such/dir/out", dir);
    CHECK_INT(profile_write_file(p, path, &e), -1, "write into a missing directory fails");
    CHECK(strstr(e.msg, "unable to create a temporary file for") != NULL, "and says why");
    rmdir(dir);
    profile_free(p);
}

static void test_tolerances(void)
{
    struct profile *p = profile_new();
    struct diag_err e;
    /* No desc (3.21+ default), blank and comment lines, short count lists,
     * "\r\n" line ends, extra white space, a repeated key, negative counts,
     * costs before the first fn= (-> "<unspecified>"). */
    const char *text = "# a comment before the header\n"
                       "cmd:   ./prog  arg\n"
                       "\n"
                       "events:\tIr Dr Dw\n"
                       "fl=a.c\n"
                       "5 10 1\n"
                       "fn=f\r\n"
                       "   \n"
                       "1   3   2   1\n"
                       "# a comment in the body\n"
                       "1 4\n"
                       "2 -7 0 0\n"
                       "3\n"
                       "summary: 10 3 1\n"
                       "\n";
    CHECK_INT(read_text(p, text, NULL, &e), 0, "tolerant read");
    CHECK_STR(e.msg, "", "no message");
    CHECK_STR(profile_cmd(p), "./prog  arg", "cmd after white space, inner spaces kept");
    CHECK_INT(profile_n_desc(p), 0, "no desc lines");
    int64_t *c = profile_cell(p, "a.c", "f", 1);
    CHECK_INT(c[0], 7, "repeated line 1 summed: 3 + 4");
    CHECK_INT(c[1], 2, "short list padded: Dr 2 + 0");
    CHECK_INT(c[2], 1, "Dw 1 + 0");
    CHECK_INT(profile_cell(p, "a.c", "f", 2)[0], -7, "negative count");
    CHECK_INT(profile_cell(p, "a.c", "f", 3)[2], 0, "line with no counts is all zero");
    CHECK_INT(profile_cell(p, "a.c", "<unspecified>", 5)[0], 10,
              "cost before fn= belongs to <unspecified>");
    CHECK_INT(profile_n_cells(p), 4, "4 cells (the lookups above created none)");
    const struct profile_pair *pr;
    CHECK_INT(profile_pairs(p, &pr), 2, "two pairs: a.c:<unspecified>, a.c:f");
    profile_free(p);

    /* Pairs without costs are recorded (cg_annotate shows them at --threshold=0). */
    p = profile_new();
    CHECK_INT(read_text(p, "cmd: x\nevents: Ir\nfl=a.c\nfn=f\nfn=g\n1 1\nsummary: 1\n", NULL, &e), 0,
              "read with an empty function");
    CHECK_INT(profile_pairs(p, &pr), 3, "three pairs: <unspecified>, f, g");
    CHECK_STR(pr[1].fn, "f", "f recorded");
    CHECK_INT(pr[1].n, 0, "f has no cells");
    CHECK_INT(profile_n_cells(p), 1, "one cell");
    profile_free(p);
}

static void test_errors(void)
{
    refused("", "t.cgout:1: empty file (no 'cmd:', 'events:' or 'summary:' line)", "empty file");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 2\n",
            "t.cgout:5: missing 'summary:' line (file truncated?)", "no summary");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 2\nsummary: 2",
            "t.cgout:6: incomplete last line (no newline at end of file: truncated?)",
            "partial last line");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 2\nsumm",
            "t.cgout:6: incomplete last line (no newline at end of file: truncated?)",
            "cut in the middle of the summary line");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 2 x\nsummary: 2\n",
            "t.cgout:5: too many counts (2 for 1 event)", "too many counts");
    refused("cmd: a\nevents: Ir Dr\nfl=a.c\nfn=f\n1 2 x\nsummary: 2\n",
            "t.cgout:5: malformed count 'x'", "non-numeric count");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 .\nsummary: 0\n",
            "t.cgout:5: malformed count '.'", "'.' count refused like cg_annotate 3.21+");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 12x\nsummary: 0\n",
            "t.cgout:5: malformed count '12x'", "count with trailing junk");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1x 1\nsummary: 1\n",
            "t.cgout:5: malformed line number in '1x 1'", "bad line number");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 99999999999999999999\nsummary: 0\n",
            "t.cgout:5: count out of range", "count beyond 64 bits");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 9223372036854775807\n2 1\nsummary: 0\n",
            "t.cgout:6: counts overflow 64 bits", "sum beyond 64 bits");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\n1 2\nsummary: 3\n",
            "t.cgout:6: 'summary:' line doesn't match computed total: Ir is 3 in the summary, 2 "
            "in the cost lines",
            "summary mismatch");
    refused("cmd: a\nevents: Ir\nfl=a.c\nfn=f\nwhat is this\n1 2\nsummary: 2\n",
            "t.cgout:5: malformed line 'what is this'", "unknown line");
    refused("events: Ir\nfl=a.c\n", "t.cgout:1: missing 'cmd:' line before 'events:' line",
            "no cmd line");
    refused("cmd: a\nfl=a.c\n", "t.cgout:2: missing 'events:' line", "no events line");
    refused("cmd: a\nevents: Ir\n1 2\nsummary: 2\n", "t.cgout:3: cost line before any 'fl=' line",
            "cost line before fl=");
    refused("cmd: a\nevents: Ir\nfn=f\n", "t.cgout:3: 'fn=' line before any 'fl=' line",
            "fn= before fl=");
    refused("cmd: a\nevents: Ir\nfl=a.c\n1 2\nsummary: 2\n1 1\n",
            "t.cgout:6: unexpected line after 'summary:': '1 1'", "cost line after summary");
    {
        static const char nul[] = "cmd: a\nevents: Ir\nfl=a.c\nfn=f\0x\n";
        struct profile *p = profile_new();
        struct diag_err e;
        CHECK_INT(read_mem(p, nul, sizeof nul - 1, NULL, &e), -1, "NUL byte in a name refused");
        CHECK_STR(e.msg, "t.cgout:4: NUL byte in line", "NUL byte message");
        profile_free(p);
    }
    refused("cmd: a\nevents: Ir\nevents: Ir\n", "t.cgout:3: repeated 'events:' line",
            "repeated events");
    refused("cmd: a\nevents: Ir\ndesc: late\n", "t.cgout:3: 'desc:' line after 'events:' line",
            "desc after events");

    struct profile *p = profile_new();
    struct diag_err e;
    CHECK_INT(profile_read_file(p, "/nonexistent/x.cgout", NULL, &e), -1, "missing file");
    CHECK_STR(e.msg, "unable to open '/nonexistent/x.cgout': No such file or directory",
              "missing file message");
    profile_free(p);
}

static void test_merge_diff(void)
{
    const char *a = "desc: I1 cache: 1\ncmd: one\nevents: Ir Dr\nfl=a.c\nfn=f\n1 10 1\n2 5\n"
                    "summary: 15 1\n";
    const char *b = "cmd: two\nevents: Ir   Dr\nfl=a.c\nfn=f\n2 7 3\nfl=b.c\nfn=g\n9 100 0\n"
                    "summary: 107 3\n";
    struct profile *p = profile_new();
    struct diag_err e;
    CHECK_INT(read_text(p, a, NULL, &e), 0, "merge: first file");
    CHECK_INT(read_text(p, b, NULL, &e), 0, "merge: second file (events spaced differently)");
    int64_t t[2];
    profile_totals(p, t);
    CHECK_INT(t[0], 122, "merged Ir total 15 + 107");
    CHECK_INT(t[1], 4, "merged Dr total 1 + 3");
    CHECK_INT(profile_cell(p, "a.c", "f", 2)[0], 12, "common line summed: 5 + 7");
    CHECK_STR(profile_cmd(p), "one", "header from the first file");
    CHECK_INT(profile_n_desc(p), 1, "desc from the first file");
    CHECK_INT(profile_n_sources(p), 2, "two sources");
    CHECK_STR(profile_source(p, 1)->cmd, "two", "second source's cmd");
    CHECK_STR(profile_source(p, 1)->desc, "", "second source has no desc");
    char *out = write_text(p);
    CHECK_STR(out,
              "desc: I1 cache: 1\ncmd: one\nevents: Ir Dr\nfl=a.c\nfn=f\n"
              "1 10 1\n2 12 3\nfl=b.c\nfn=g\n9 100 0\nsummary: 122 4\n",
              "merged profile written sorted (pairs without costs write nothing)");
    free(out);
    CHECK_INT(read_text(p, "cmd: x\nevents: Ir\nsummary: 0\n", NULL, &e), -1,
              "merge: different events refused");
    CHECK_STR(e.msg, "t.cgout:2: events in data files don't match ('Ir' here, 'Ir Dr' before)",
              "events mismatch message");
    profile_free(p);

    /* --diff: the first file subtracted. */
    p = profile_new();
    struct profile_read_opts neg = {NULL, NULL, -1}, pos = {NULL, NULL, 1};
    read_text(p, a, &neg, &e);
    CHECK_INT(read_text(p, b, &pos, &e), 0, "diff read");
    profile_totals(p, t);
    CHECK_INT(t[0], 92, "diff Ir total 107 - 15");
    CHECK_INT(t[1], 2, "diff Dr total 3 - 1");
    CHECK_INT(profile_cell(p, "a.c", "f", 1)[0], -10, "line only in the first file is negative");
    CHECK_INT(profile_cell(p, "a.c", "f", 2)[0], 2, "common line 7 - 5");

    /* profile_add: sign -1 undoes the second file. */
    struct profile *q = profile_new();
    read_text(q, b, NULL, &e);
    CHECK_INT(profile_add(p, q, -1, &e), 0, "profile_add -1");
    profile_totals(p, t);
    CHECK_INT(t[0], -15, "after subtracting b again: -15");
    struct profile *r = profile_new();
    CHECK_INT(profile_add(r, q, +1, &e), 0, "profile_add into an empty profile");
    CHECK_STR(profile_cmd(r), "two", "takes src's cmd");
    CHECK_STR(profile_events_text(r), "Ir   Dr", "takes src's events text");
    profile_totals(r, t);
    CHECK_INT(t[0], 107, "copied total");
    struct profile *s = profile_new();
    profile_set_events(s, "Ir", &e);
    CHECK_INT(profile_add(s, q, +1, &e), -1, "profile_add with other events refused");
    CHECK_STR(e.msg, "events in data files don't match", "profile_add message");
    profile_free(p);
    profile_free(q);
    profile_free(r);
    profile_free(s);
}

static void check_subst(const char *expr, const char *in, const char *want, const char *what)
{
    struct diag_err e;
    struct subst *s = subst_new(expr, &e);
    if (!s) {
        CHECK(0, what);
        printf("  %s\n", e.msg);
        return;
    }
    char *got = subst_apply(s, in);
    CHECK_STR(got, want, what);
    free(got);
    subst_free(s);
}

static void test_subst(void)
{
    check_subst("s/a.c/A.c/", "src/a.c", "src/A.c", "plain substitution");
    check_subst("s/o/0/", "foo", "f0o", "first match only without g");
    check_subst("s/o/0/g", "foo", "f00", "all matches with g");
    check_subst("s/FOO/bar/i", "xfoo", "xbar", "i: ignore case");
    check_subst("s/(f[a-z]*)[0-9]/\\1N/g", "fn1 fa2", "fnN faN", "\\1 capture, global");
    check_subst("s/.*aux\\//aux\\//i", "/x/AUX/y.rs", "aux/y.rs", "\\/ unescaped in both parts");
    check_subst("s/a/b/c/", "xa/by", "xcy", "greedy pattern part: pattern 'a/b', replacement 'c'");
    check_subst("s/x*/-/g", "abxd", "-a-b--d-", "empty matches as Python 3.7+ re.sub");
    check_subst("s/^/>/g", "ab", ">ab", "^ anchors only at the start");
    check_subst("s/b/\\\\x/", "abc", "a\\xc", "\\\\ is a backslash");
    check_subst("s/b/&/", "abc", "a&c", "& is literal (Python)");
    check_subst("s/b/[\\g<0>]/", "abc", "a[b]c", "\\g<0> is the whole match");
    check_subst("s/(x)?b/[\\1]/", "abc", "a[]c", "unmatched group inserts nothing");
    struct diag_err e;
    CHECK(subst_new("a/b/c", &e) == NULL, "not s/// refused");
    CHECK_STR(e.msg, "invalid substitution 'a/b/c': expected s/old/new/ with optional flags g and i",
              "malformed message");
    CHECK(subst_new("s/a/b/x", &e) == NULL, "unknown flag refused");
    CHECK(subst_new("s/a/b\\/", &e) == NULL, "escaped final slash: no end delimiter");
    CHECK(subst_new("s/a/\\\\/", &e) == NULL,
          "a slash after an escaped backslash is still escaped (cg_annotate's lookbehind)");
    CHECK(subst_new("s/(a/b/", &e) == NULL, "bad regex refused");
    CHECK(strncmp(e.msg, "invalid substitution 's/(a/b/': ", 32) == 0, "bad regex message");
    CHECK(subst_new("s/a/\\2/", &e) == NULL, "reference to a missing group refused");
    CHECK_STR(e.msg, "invalid substitution 's/a/\\2/': invalid group reference 2",
              "missing group message");
    CHECK(subst_new("s/a/\\q/", &e) == NULL, "unknown letter escape refused (Python: bad escape)");

    /* Through the reader: two originals mapped to one name. */
    struct profile_subst *mf = profile_subst_new("s/-v[0-9]//", &e);
    struct profile_subst *mg = profile_subst_new("s/^f.*/F/", &e);
    struct profile_read_opts o = {mf, mg, 1};
    struct profile *p = profile_new();
    CHECK_INT(read_text(p, "cmd: x\nevents: Ir\nfl=a-v1.c\nfn=f1\n1 1\nfl=a-v2.c\nfn=f2\n1 2\n"
                           "fn=g\n2 4\nsummary: 7\n",
                        &o, &e),
              0, "read with --mod-filename/--mod-funcname");
    CHECK_INT(profile_cell(p, "a.c", "F", 1)[0], 3, "f1 and f2 renamed F, both files a.c: 1 + 2");
    CHECK_INT(profile_cell(p, "a.c", "g", 2)[0], 4, "g unchanged");
    const char *const *orig;
    CHECK_INT(profile_file_origins(p, "a.c", &orig), 2, "a.c has two original names");
    CHECK_STR(orig[0], "a-v1.c", "first original");
    CHECK_STR(orig[1], "a-v2.c", "second original");
    profile_free(p);
    profile_subst_free(mf);
    profile_subst_free(mg);
}

int main(void)
{
    test_intern();
    test_events();
    test_table();
    test_read_write_roundtrip();
    test_tolerances();
    test_errors();
    test_merge_diff();
    test_subst();
    return tap_done();
}
