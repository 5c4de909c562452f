/* test_options.c - cachesim's command line and output-name templates. */
#include <stdlib.h>

#include "core/options.h"
#include "core/outname.h"
#include "tests/unit/tap.h"

static int parse(struct options *o, struct diag_err *e, int argc, char **argv)
{
    e->msg[0] = 0;
    return options_parse(argc, argv, o, e);
}

#define ARGV(...) (char *[]){"cachesim", __VA_ARGS__, NULL}
#define ARGC(...) ((int)(sizeof((char *[]){"cachesim", __VA_ARGS__}) / sizeof(char *)))
#define PARSE(o, e, ...) parse(o, e, ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

int main(void)
{
    struct options o;
    struct diag_err e;

    /* Named arrays: o.prog_argv points into them after parsing. */
    static char *run1[] = {"cachesim", "./prog", "-x", "--I1=1", NULL};
    CHECK_INT(parse(&o, &e, 4, run1), OPTIONS_RUN, "options stop at the program");
    CHECK_STR(o.prog_argv[0], "./prog", "program");
    CHECK_STR(o.prog_argv[1], "-x", "program's own options pass through");
    CHECK_INT(o.cache_sim, 1, "cache sim on by default");
    CHECK_STR(o.out_file, "cachesim.out.%p", "default out file");
    CHECK_INT(o.engine, ENGINE_DBT, "default engine: the translator");
    CHECK_INT(o.instr_at_start, 1, "instr-at-start default yes");
    CHECK_INT(o.aslr, 0, "ASLR off by default");

    static char *run2[] = {"cachesim", "--I1=32768,8,64", "--D1=65536,2,64", "--L2=8388608,16,64",
                           "--cache-sim=no", "-q", "--cachegrind-out-file=x.%p",
                           "--trace-children=yes", "--cpuid=native", "--", "prog", NULL};
    CHECK_INT(parse(&o, &e, 11, run2), OPTIONS_RUN, "all options");
    CHECK_INT(o.have_i1 && o.have_d1 && o.have_ll, 1, "three geometries");
    CHECK_INT(o.i1.size, 32768, "I1 size");
    CHECK_INT(o.d1.assoc, 2, "D1 assoc");
    CHECK_INT(o.ll.line, 64, "--L2 is --LL");
    CHECK_INT(o.cache_sim, 0, "--cache-sim=no");
    CHECK_INT(o.quiet, 1, "-q");
    CHECK_STR(o.out_file, "x.%p", "--cachegrind-out-file alias");
    CHECK_INT(o.trace_children, 1, "--trace-children=yes");
    CHECK_INT(o.cpuid_native, 1, "--cpuid=native");
    CHECK_STR(o.prog_argv[0], "prog", "-- ends options");

    CHECK_INT(PARSE(&o, &e, "--I1=24576,8,48", "prog"), OPTIONS_ERROR, "bad geometry");
    CHECK_STR(e.msg, "bad option '--I1=24576,8,48': Cache line size is not a power of two.",
              "bad geometry names the option and the rule");
    CHECK_INT(PARSE(&o, &e, "--cache-sim=maybe", "prog"), OPTIONS_ERROR, "bad yes/no");
    CHECK_STR(e.msg, "bad option '--cache-sim=maybe': expected yes or no", "yes/no message");
    CHECK_INT(PARSE(&o, &e, "--frobnicate", "prog"), OPTIONS_ERROR, "unknown option");
    CHECK_STR(e.msg, "unknown option '--frobnicate' (see --help)", "unknown option message");
    CHECK_INT(PARSE(&o, &e, "--engine=jit", "prog"), OPTIONS_ERROR, "bad engine");
    CHECK_INT(PARSE(&o, &e, "-q"), OPTIONS_ERROR, "no program");
    CHECK_INT(PARSE(&o, &e, "--help", "prog"), OPTIONS_HELP, "--help");
    CHECK_INT(PARSE(&o, &e, "--version"), OPTIONS_VERSION, "--version");
    static char *run3[] = {"cachesim", "--toggle-collect=kern*", "--toggle-collect=main", "p", NULL};
    CHECK_INT(parse(&o, &e, 4, run3), OPTIONS_RUN, "--toggle-collect repeatable");
    CHECK_INT(o.n_toggle_collect, 2, "two patterns");
    CHECK_STR(o.toggle_collect[0], "kern*", "first pattern");

    /* Output names, expanded like Valgrind's. */
    setenv("CS_TEST_VAR", "abc", 1);
    unsetenv("CS_TEST_UNSET");
    char *n = outname_expand("out.%p.%n.%q{CS_TEST_VAR}.%%", 1234, 2, "/d", &e);
    CHECK_STR(n, "/d/out.1234.2.abc.%", "%p %n %q %% expand, relative to the start dir");
    free(n);
    n = outname_expand("/abs/%p", 7, 0, "/d", &e);
    CHECK_STR(n, "/abs/7", "absolute names stay");
    free(n);
    CHECK_INT(outname_check("x.%z", &e), -1, "unknown escape");
    CHECK_STR(e.msg, "bad output file name 'x.%z': unknown %-escape '%z'", "unknown escape message");
    CHECK_INT(outname_check("x.%q{CS_TEST_UNSET}", &e), -1, "unset variable");
    CHECK_INT(outname_check("x.%qCS", &e), -1, "%q without braces");
    CHECK_INT(outname_check("~/x", &e), -1, "leading ~");
    CHECK_INT(outname_check("cachesim.out.%p", &e), 0, "default is valid");
    return tap_done();
}
