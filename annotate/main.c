/* main.c - cachesim-annotate: a drop-in for Valgrind's cg_annotate (3.21+
 * options and layout) over the profile module.
 *
 * Owns: the program's flow (options, reading and merging the profiles,
 * building the report model, rendering it) and its exit codes:
 *   0  report written
 *   1  bad input: a damaged, truncated, empty, missing or unreadable profile,
 *      profiles whose events differ, or a write error
 *   2  bad command line (unknown option, bad value, --show/--sort naming an
 *      event the profile lacks, --diff without exactly two files)
 * Must not: parse the profile format itself (the profile module does) or
 * depend on anything outside core/base.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/base/version.h"
#include "annotate/json.h"
#include "annotate/model.h"
#include "annotate/opts.h"
#include "annotate/text.h"
#include "core/base/diag.h"
#include "core/base/profile.h"


static int usage_error(const char *msg)
{
    diag_error("%s", msg);
    fputs("usage: cachesim-annotate [options] cachegrind-out-file [cachegrind-out-file ...]\n"
          "       (cachesim-annotate --help for the options)\n",
          stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    diag_set_prog("cachesim-annotate");
    struct ann_opts o;
    struct diag_err e = {{0}};
    switch (opts_parse(&o, argc, argv, &e)) {
    case OPTS_HELP:
        fputs(opts_help(), stdout);
        opts_release(&o);
        return EXIT_OK;
    case OPTS_VERSION:
        printf("cachesim-annotate %s (cg_annotate 3.21+ compatible)\n", CACHESIM_VERSION);
        opts_release(&o);
        return EXIT_OK;
    case OPTS_USAGE:
        opts_release(&o);
        return usage_error(e.msg);
    }

    int rc = EXIT_OK;
    struct profile_subst *mfl = NULL, *mfn = NULL;
    struct profile *p = NULL;
    struct ann_report r = {0};
    if ((o.mod_filename && !(mfl = profile_subst_new(o.mod_filename, &e))) ||
        (o.mod_funcname && !(mfn = profile_subst_new(o.mod_funcname, &e)))) {
        rc = usage_error(e.msg);
        goto out;
    }

    p = profile_new();
    for (size_t i = 0; i < o.n_files; i++) {
        /* --diff: the first file is subtracted, so the report is file2 - file1
         * (cg_annotate 3.21+ semantics). */
        struct profile_read_opts ro = {mfl, mfn, o.diff && i == 0 ? -1 : 1};
        if (profile_read_file(p, o.files[i], &ro, &e) < 0) {
            diag_error("%s", e.msg);
            rc = EXIT_FAIL;
            goto out;
        }
    }
    if (report_build(&r, p, &o, o.format == ANN_JSON, &e) < 0) {
        rc = usage_error(e.msg);
        goto out;
    }
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    if ((o.format == ANN_JSON ? json_report(&r, stdout) : text_report(&r, stdout)) < 0) {
        diag_error("write error on standard output");
        rc = EXIT_FAIL;
    }
out:
    report_release(&r);
    profile_free(p);
    profile_subst_free(mfl);
    profile_subst_free(mfn);
    opts_release(&o);
    return rc;
}
