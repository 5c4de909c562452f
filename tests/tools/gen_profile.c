/* gen_profile.c - writes a large, deterministic Cachegrind-format profile for
 * speed tests (the annotate e2e test and the lead's bench reuse it).
 *
 *   gen_profile [-n COST_LINES] [-f FILES] [-k FNS_PER_FILE] [-s SEED]
 *               [-e ir|cache|branch|all] [-S SRCDIR] OUT
 *
 * Defaults: 1,000,000 cost lines, 500 files, 20 functions per file, seed 1,
 * the cache-sim event set (Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw), exactly
 * what Cachegrind writes with --cache-sim=yes.  Costs are skewed (a few hot
 * functions, a long tail) so the reports have a realistic shape; a "???" file
 * with line-0 costs is included, as in real profiles.  File names are
 * "SRCDIR/dirD/fileN.c" (SRCDIR default "gen"), so with -S pointing at a
 * directory of generated sources the annotator can also be timed with source
 * annotation (gen_profile does not create the sources).
 * Owns only this generator; writes through the profile module, so the output
 * is byte-for-byte what cachesim itself would write.  Exit 0, 1 on error,
 * 2 on bad usage.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/base/diag.h"
#include "core/base/profile.h"

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic across platforms, good enough for test data. */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static void usage(void)
{
    fprintf(stderr, "usage: gen_profile [-n COST_LINES] [-f FILES] [-k FNS_PER_FILE] [-s SEED] "
                    "[-e ir|cache|branch|all] [-S SRCDIR] OUT\n");
    exit(EXIT_USAGE);
}

static unsigned long num(const char *s)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    diag_set_prog("gen_profile");
    unsigned long n = 1000000, files = 500, fns = 20, seed = 1;
    const char *ev = "cache", *srcdir = "gen";
    int c;
    while ((c = getopt(argc, argv, "n:f:k:s:e:S:")) != -1) {
        switch (c) {
        case 'n': n = num(optarg); break;
        case 'f': files = num(optarg); break;
        case 'k': fns = num(optarg); break;
        case 's': seed = num(optarg); break;
        case 'e': ev = optarg; break;
        case 'S': srcdir = optarg; break;
        default: usage();
        }
    }
    if (optind != argc - 1 || files == 0 || fns == 0)
        usage();
    const char *events;
    if (strcmp(ev, "ir") == 0)
        events = "Ir";
    else if (strcmp(ev, "cache") == 0)
        events = "Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw ";
    else if (strcmp(ev, "branch") == 0)
        events = "Ir Bc Bcm Bi Bim";
    else if (strcmp(ev, "all") == 0)
        events = "Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw Bc Bcm Bi Bim";
    else
        usage();
    rng_state = seed * 0x9e3779b97f4a7c15ULL + 1;

    struct profile *p = profile_new();
    struct diag_err e;
    if (profile_set_events(p, events, &e) < 0)
        diag_die(EXIT_FAIL, "%s", e.msg);
    size_t k = profile_n_events(p);
    if (k == 9) {
        profile_add_desc(p, "I1 cache:         32768 B, 64 B, 8-way associative");
        profile_add_desc(p, "D1 cache:         49152 B, 64 B, 12-way associative");
        profile_add_desc(p, "LL cache:         33554432 B, 64 B, 16-way associative");
    }
    profile_set_cmd(p, "./generated --size 1000000");

    /* Lines per function so that files*fns functions hold n cost lines. */
    if (n == 0)
        usage();
    n--; /* the "???" line below is one of the n */
    unsigned long n_funcs = files * fns;
    unsigned long per = n / n_funcs, extra = n % n_funcs, made = 0;
    char file[512], fn[128];
    for (unsigned long f = 0; f < files && made < n; f++) {
        snprintf(file, sizeof file, "%s/dir%lu/file%lu.c", srcdir, f % 37, f);
        unsigned long line = 1 + rng() % 20;
        for (unsigned long g = 0; g < fns && made < n; g++) {
            unsigned long idx = f * fns + g;
            unsigned long lines = per + (idx < extra);
            /* ~1 in 50 functions is hot: its lines cost 1000x more. */
            uint64_t weight = rng() % 50 == 0 ? 1000 : 1;
            snprintf(fn, sizeof fn, "func_%lu_%lu", f, g);
            for (unsigned long l = 0; l < lines && made < n; l++, made++) {
                int64_t *cell = profile_cell(p, file, fn, line);
                uint64_t ir = (1 + rng() % 100) * weight;
                cell[0] += (int64_t)ir;
                for (size_t i = 1; i < k; i++)
                    cell[i] += (int64_t)(rng() % (ir / (i + 1) + 1));
                line += 1 + rng() % 3;
            }
            line += 3; /* a gap between functions, like a real source file */
        }
    }
    /* Unknown code, attributed to line 0 of "???" as Cachegrind does. */
    int64_t *cell = profile_cell(p, "???", "(below main)", 0);
    for (size_t i = 0; i < k; i++)
        cell[i] += 11;
    if (profile_write_file(p, argv[optind], &e) < 0)
        diag_die(EXIT_FAIL, "%s", e.msg);
    profile_free(p);
    return EXIT_OK;
}
