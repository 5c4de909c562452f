/* opts.h - cachesim-annotate's command line.
 *
 * Owns: the option syntax of cg_annotate 3.21+ (argparse-style: "--opt=V" or
 * "--opt V", unique prefixes of long options, the deprecated "--auto=yes|no"
 * and "--show-percs=yes|no" forms) plus our --source-dir and --format.
 * Must not: print (the caller prints help, version and errors) or exit.
 */
#ifndef CACHESIM_ANNOTATE_OPTS_H
#define CACHESIM_ANNOTATE_OPTS_H
#include <stddef.h>

#include "core/base/diag.h"

enum ann_format { ANN_TEXT, ANN_JSON };

struct ann_opts {
    int diff;                   /* --diff: exactly two files, report file2 - file1 */
    const char *mod_filename;   /* s/old/new/ text, or NULL */
    const char *mod_funcname;
    char **show;                /* --show names (NULL = all events in file order) */
    size_t n_show;
    char **sort;                /* --sort names (NULL = all events in file order) */
    size_t n_sort;
    double threshold;           /* percent, 0..20, default 0.1 */
    int show_percs;             /* default 1 */
    int annotate;               /* default 1 */
    long context;               /* default 8 */
    const char **source_dirs;   /* --source-dir, in order given */
    size_t n_source_dirs;
    enum ann_format format;     /* --format=text|json */
    const char **files;         /* the profile files */
    size_t n_files;
    int argc;                   /* the whole command line, for "Invocation:" */
    char **argv;
};

enum {
    OPTS_RUN = 0,      /* options parsed, run the report */
    OPTS_HELP = 1,     /* --help / -h given */
    OPTS_VERSION = 2,  /* --version given */
    OPTS_USAGE = -1,   /* bad command line: message in e */
};

/* Parses argv into o (which it initialises).  Returns one of the OPTS_*
 * values.  o owns the --show/--sort arrays: free them with opts_release. */
int opts_parse(struct ann_opts *o, int argc, char **argv, struct diag_err *e);
void opts_release(struct ann_opts *o);

/* The --help text. */
const char *opts_help(void);
#endif
