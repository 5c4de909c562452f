/* profile_rewrite.c - reads one or more Cachegrind-format profiles, adds
 * them up and writes the result atomically in Cachegrind's exact format:
 *
 *   profile_rewrite IN... OUT
 *
 * With one input this is the writer's round-trip check (a file Valgrind
 * wrote comes out byte-identical); with several it is a cg_merge.  Used by
 * tests/e2e/annotate_valgrind.sh and available to the benches.  Exit 0, 1 on
 * bad input or I/O error (message "profile_rewrite: error: FILE:LINE: ..."),
 * 2 on bad usage.  Owns nothing but this command line.
 */
#include <stdio.h>

#include "core/base/diag.h"
#include "core/base/profile.h"

int main(int argc, char **argv)
{
    diag_set_prog("profile_rewrite");
    if (argc < 3) {
        fprintf(stderr, "usage: profile_rewrite IN... OUT\n");
        return EXIT_USAGE;
    }
    struct profile *p = profile_new();
    struct diag_err e;
    for (int i = 1; i < argc - 1; i++)
        if (profile_read_file(p, argv[i], NULL, &e) < 0)
            diag_die(EXIT_FAIL, "%s", e.msg);
    if (profile_write_file(p, argv[argc - 1], &e) < 0)
        diag_die(EXIT_FAIL, "%s", e.msg);
    profile_free(p);
    return EXIT_OK;
}
