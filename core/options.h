/* options.h - cachesim's command line.
 *
 * Owns: the option table (names follow Cachegrind's), their defaults, parsing
 * and validation into struct options, and the --help text.  Cache geometries
 * are checked by sim/'s one checker (cache_config_parse).
 * Must not: start processes, touch the file system, print (except the caller
 * printing options_usage), or exit.
 */
#ifndef CACHESIM_OPTIONS_H
#define CACHESIM_OPTIONS_H
#include <stdio.h>

#include "core/base/diag.h"
#include "sim/cache.h"

enum engine_kind { ENGINE_STEP = 0, ENGINE_DBT };

#define OPTIONS_MAX_TOGGLE 16

struct options {
    int cache_sim;               /* --cache-sim=yes|no (default yes) */
    int have_i1, have_d1, have_ll;
    struct cache_config i1, d1, ll; /* valid when have_* */
    const char *out_file;        /* --out-file / --cachegrind-out-file; default "cachesim.out.%p" */
    int quiet;                   /* -q */
    int verbose;                 /* -v */
    int engine;                  /* enum engine_kind */
    int cpuid_native;            /* --cpuid=native (default masked) */
    int trace_children;          /* --trace-children=yes */
    int instr_at_start;          /* --instr-at-start=yes|no (default yes) */
    int deterministic;           /* --deterministic=yes */
    int aslr;                    /* --aslr=yes (default no: ASLR off, counts repeat) */
    int decode_cache;            /* --decode-cache=yes|no (default yes: core/dcache.h) */
    int symbol_cache;            /* --symbol-cache=yes|no (default yes: core/sym_store.c) */
    int stack_native;            /* --stack-align=native (default cachegrind) */
    const char *toggle_collect[OPTIONS_MAX_TOGGLE]; /* --toggle-collect=GLOB, repeatable */
    int n_toggle_collect;
    char **prog_argv;            /* the program and its arguments (NULL-terminated) */
};

enum options_result {
    OPTIONS_RUN = 0,     /* run prog_argv */
    OPTIONS_HELP = 1,    /* --help given: print options_usage, exit 0 */
    OPTIONS_VERSION = 2, /* --version given */
    OPTIONS_ERROR = -1,  /* message in e: a one-line error naming the option; exit 2 */
};

/* Parses argv[1..argc).  Options stop at the first argument that does not start
 * with '-' (or after "--"): that is the program, the rest its arguments. */
int options_parse(int argc, char **argv, struct options *o, struct diag_err *e);

void options_usage(FILE *f);

#endif
