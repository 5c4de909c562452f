/* options.c - see options.h.  Option names and value syntax follow Cachegrind's
 * (--I1=size,assoc,line, --cache-sim=yes|no, --cachegrind-out-file=...), so
 * command lines carry over; our own additions are documented in docs/usage.md. */
#include "core/options.h"

#include <stdlib.h>
#include <string.h>

static void defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->cache_sim = 1;
    o->out_file = "cachesim.out.%p";
    o->engine = ENGINE_DBT;
    o->instr_at_start = 1;
    o->decode_cache = 1;
    o->symbol_cache = 1;
}

/* If arg is "--name=VALUE", returns VALUE, else NULL. */
static const char *value_of(const char *arg, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(arg, name, n) == 0 && arg[n] == '=')
        return arg + n + 1;
    return NULL;
}

static int yes_no(const char *arg, const char *v, int *out, struct diag_err *e)
{
    if (strcmp(v, "yes") == 0)
        *out = 1;
    else if (strcmp(v, "no") == 0)
        *out = 0;
    else
        return diag_set(e, "bad option '%s': expected yes or no", arg);
    return 0;
}

static int cache_opt(const char *arg, const char *v, struct cache_config *c, int *have,
                     struct diag_err *e)
{
    const char *msg;
    if (cache_config_parse(v, c, &msg) != 0)
        return diag_set(e, "bad option '%s': %s", arg, msg);
    *have = 1;
    return 0;
}

int options_parse(int argc, char **argv, struct options *o, struct diag_err *e)
{
    int i;
    const char *v;

    defaults(o);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == 0)
            break;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
            return OPTIONS_HELP;
        if (strcmp(a, "--version") == 0)
            return OPTIONS_VERSION;
        if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        } else if ((v = value_of(a, "--I1"))) {
            if (cache_opt(a, v, &o->i1, &o->have_i1, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--D1"))) {
            if (cache_opt(a, v, &o->d1, &o->have_d1, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--LL")) || (v = value_of(a, "--L2"))) {
            if (cache_opt(a, v, &o->ll, &o->have_ll, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--cache-sim"))) {
            if (yes_no(a, v, &o->cache_sim, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--out-file")) || (v = value_of(a, "--cachegrind-out-file"))) {
            if (!*v)
                return diag_set(e, "bad option '%s': empty file name", a), OPTIONS_ERROR;
            o->out_file = v;
        } else if ((v = value_of(a, "--engine"))) {
            if (strcmp(v, "step") == 0)
                o->engine = ENGINE_STEP;
            else if (strcmp(v, "dbt") == 0)
                o->engine = ENGINE_DBT;
            else
                return diag_set(e, "bad option '%s': expected step or dbt", a), OPTIONS_ERROR;
        } else if ((v = value_of(a, "--cpuid"))) {
            if (strcmp(v, "masked") == 0)
                o->cpuid_native = 0;
            else if (strcmp(v, "native") == 0)
                o->cpuid_native = 1;
            else
                return diag_set(e, "bad option '%s': expected masked or native", a), OPTIONS_ERROR;
        } else if ((v = value_of(a, "--trace-children"))) {
            if (yes_no(a, v, &o->trace_children, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--instr-at-start"))) {
            if (yes_no(a, v, &o->instr_at_start, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--deterministic"))) {
            if (yes_no(a, v, &o->deterministic, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--aslr"))) {
            if (yes_no(a, v, &o->aslr, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--decode-cache"))) {
            if (yes_no(a, v, &o->decode_cache, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--symbol-cache"))) {
            if (yes_no(a, v, &o->symbol_cache, e))
                return OPTIONS_ERROR;
        } else if ((v = value_of(a, "--stack-align"))) {
            if (strcmp(v, "cachegrind") == 0)
                o->stack_native = 0;
            else if (strcmp(v, "native") == 0)
                o->stack_native = 1;
            else
                return diag_set(e, "bad option '%s': expected cachegrind or native", a), OPTIONS_ERROR;
        } else if ((v = value_of(a, "--toggle-collect"))) {
            if (!*v)
                return diag_set(e, "bad option '%s': empty pattern", a), OPTIONS_ERROR;
            if (o->n_toggle_collect == OPTIONS_MAX_TOGGLE)
                return diag_set(e, "bad option '%s': at most %d --toggle-collect patterns", a,
                                OPTIONS_MAX_TOGGLE), OPTIONS_ERROR;
            o->toggle_collect[o->n_toggle_collect++] = v;
        } else {
            return diag_set(e, "unknown option '%s' (see --help)", a), OPTIONS_ERROR;
        }
    }
    if (i >= argc)
        return diag_set(e, "no program given (usage: cachesim [options] program [args...])"),
               OPTIONS_ERROR;
    o->prog_argv = argv + i;
    return OPTIONS_RUN;
}

void options_usage(FILE *f)
{
    fputs("usage: cachesim [options] program [args...]\n"
          "\n"
          "Runs program from its first instruction to its exit, counts instructions (Ir)\n"
          "and data accesses (Dr, Dw), simulates an I1/D1/LL cache hierarchy and writes a\n"
          "profile in Cachegrind's format.\n"
          "\n"
          "options:\n"
          "  --I1=<size>,<assoc>,<line_size>  set I1 cache geometry (bytes)\n"
          "  --D1=<size>,<assoc>,<line_size>  set D1 cache geometry\n"
          "  --LL=<size>,<assoc>,<line_size>  set last-level cache geometry (alias --L2)\n"
          "  --cache-sim=yes|no               simulate caches [yes]; no: count Ir/Dr/Dw only\n"
          "  --out-file=<file>                profile name [cachesim.out.%p]; %p pid,\n"
          "                                   %n per-pid sequence, %q{VAR} env var, %% a %\n"
          "                                   (alias --cachegrind-out-file)\n"
          "  --engine=dbt|step                dbt: translated code [dbt]; step: single-step\n"
          "                                   reference engine (slow, the oracle)\n"
          "  --cpuid=masked|native            hide AVX-512/AMX from the program [masked]\n"
          "  --trace-children=yes|no          follow fork and exec, a profile each [no]\n"
          "  --instr-at-start=yes|no          count from the start [yes]; no: only between\n"
          "                                   START/STOP client requests\n"
          "  --toggle-collect=<glob>          count only inside functions matching glob\n"
          "  --deterministic=yes|no           fix clocks, randomness, environment [no]\n"
          "  --aslr=yes|no                    leave address randomization on [no]\n"
          "  --decode-cache=yes|no            keep decoded instructions for later runs in\n"
          "                                   $CACHESIM_CACHE_DIR or ~/.cache/cachesim [yes]\n"
          "  --symbol-cache=yes|no            keep large libraries' symbol and line tables\n"
          "                                   for later runs, in the same place [yes]\n"
          "  --stack-align=cachegrind|native  start the stack where Cachegrind's would be,\n"
          "                                   modulo 64 KiB, so stack accesses hit the same\n"
          "                                   cache sets [cachegrind]\n"
          "  -q, --quiet                      no summary on stderr\n"
          "  -v, --verbose                    print the cache configuration used\n"
          "  --help, --version\n"
          "\n"
          "exit status: the program's (128+N if it died of signal N); 1 cachesim failed;\n"
          "2 bad usage; 126 program not executable or not an x86-64 ELF; 127 not found.\n",
          f);
}
