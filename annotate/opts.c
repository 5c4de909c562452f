/* opts.c - see opts.h.  A small table-driven long-option parser that mirrors
 * what Python's argparse lets cg_annotate 3.21+ accept (so scripts written for
 * cg_annotate keep working), plus our own options.  Must not print or exit. */
#include "annotate/opts.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum kind { K_FLAG, K_ARG, K_YESNO };

enum id {
    O_HELP, O_VERSION, O_DIFF, O_MOD_FILENAME, O_MOD_FUNCNAME, O_SHOW, O_SORT, O_THRESHOLD,
    O_SHOW_PERCS, O_NO_SHOW_PERCS, O_ANNOTATE, O_NO_ANNOTATE, O_AUTO, O_CONTEXT, O_SOURCE_DIR,
    O_FORMAT,
};

static const struct opt {
    const char *name;
    enum kind kind;
    enum id id;
} table[] = {
    {"--help", K_FLAG, O_HELP},
    {"--version", K_FLAG, O_VERSION},
    {"--diff", K_FLAG, O_DIFF},
    {"--mod-filename", K_ARG, O_MOD_FILENAME},
    {"--mod-funcname", K_ARG, O_MOD_FUNCNAME},
    {"--show", K_ARG, O_SHOW},
    {"--sort", K_ARG, O_SORT},
    {"--threshold", K_ARG, O_THRESHOLD},
    /* cg_annotate 3.21+: --show-percs/--no-show-percs, and the older
     * --show-percs=yes|no form (kept for compatibility). */
    {"--show-percs", K_YESNO, O_SHOW_PERCS},
    {"--no-show-percs", K_FLAG, O_NO_SHOW_PERCS},
    /* --annotate/--no-annotate, and --auto=yes|no from cg_annotate <= 3.20. */
    {"--annotate", K_YESNO, O_ANNOTATE},
    {"--no-annotate", K_FLAG, O_NO_ANNOTATE},
    {"--auto", K_YESNO, O_AUTO},
    {"--context", K_ARG, O_CONTEXT},
    {"--source-dir", K_ARG, O_SOURCE_DIR},
    /* cg_annotate <= 3.20's include directories: the same search. */
    {"--include", K_ARG, O_SOURCE_DIR},
    {"--format", K_ARG, O_FORMAT},
};
#define N_OPTS (sizeof table / sizeof table[0])

const char *opts_help(void)
{
    return "usage: cachesim-annotate [options] cachegrind-out-file [cachegrind-out-file ...]\n"
           "\n"
           "Report the costs in one or more Cachegrind-format profiles (written by\n"
           "cachesim or by Valgrind's Cachegrind), in cg_annotate's layout.  Several\n"
           "files are added together; --diff subtracts the first from the second.\n"
           "\n"
           "options:\n"
           "  -h, --help            show this help and exit\n"
           "  --version             show the version and exit\n"
           "  --diff                report FILE2 - FILE1 (exactly two files)\n"
           "  --mod-filename=s/OLD/NEW/[gi]\n"
           "                        rewrite file names while reading (POSIX extended\n"
           "                        regex; \\1..\\9 in NEW insert captures)\n"
           "  --mod-funcname=s/OLD/NEW/[gi]\n"
           "                        the same for function names\n"
           "  --show=A,B,C          only show figures for events A,B,C (default: all)\n"
           "  --sort=A,B,C          sort by events A,B,C (default: event column order)\n"
           "  --threshold=N         only show file:function/function:file pairs with\n"
           "                        at least N% of the primary sort event, 0..20\n"
           "                        (default: 0.1)\n"
           "  --show-percs, --no-show-percs\n"
           "                        show a percentage for each non-zero count (default:\n"
           "                        on; --show-percs=yes|no also accepted)\n"
           "  --annotate, --no-annotate\n"
           "                        annotate the source files of the functions above the\n"
           "                        threshold (default: on; --auto=yes|no also accepted)\n"
           "  --context=N           lines of context around annotated lines (default: 8)\n"
           "  --source-dir=DIR      also look for relative source paths under DIR\n"
           "                        (repeatable; tried in order after the current directory;\n"
           "                        -IDIR and --include=DIR of cg_annotate 3.19 are the same)\n"
           "  --format=text|json    text (cg_annotate's layout, default) or JSON\n"
           "\n"
           "Exit status: 0 success, 1 bad or unreadable input, 2 bad command line.\n";
}

static int usage(struct diag_err *e, const char *fmt, const char *arg)
{
    diag_set(e, fmt, arg);
    return OPTS_USAGE;
}

static char **split_list(const char *v, size_t *n)
{
    /* Like Python's str.split(","): empty items are kept (and later refused
     * as unknown events). */
    size_t k = 1;
    for (const char *s = v; *s; s++)
        k += *s == ',';
    char **out = xcalloc(k, sizeof *out);
    size_t i = 0;
    const char *b = v;
    for (const char *s = v;; s++) {
        if (*s == ',' || !*s) {
            out[i] = xmalloc((size_t)(s - b) + 1);
            memcpy(out[i], b, (size_t)(s - b));
            out[i][s - b] = 0;
            i++;
            b = s + 1;
            if (!*s)
                break;
        }
    }
    *n = k;
    return out;
}

static void free_list(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static int parse_threshold(const char *v, double *out)
{
    /* Python's float() plus the trailing '%' that cg_annotate 3.19 allowed. */
    char buf[64];
    size_t n = strlen(v);
    if (n == 0 || n >= sizeof buf || strpbrk(v, "xX"))
        return -1;
    memcpy(buf, v, n + 1);
    if (buf[n - 1] == '%')
        buf[--n] = 0;
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (end == buf || *end || isnan(d) || d < 0 || d > 20)
        return -1;
    *out = d;
    return 0;
}

int opts_parse(struct ann_opts *o, int argc, char **argv, struct diag_err *e)
{
    memset(o, 0, sizeof *o);
    o->threshold = 0.1;
    o->show_percs = 1;
    o->annotate = 1;
    o->context = 8;
    o->argc = argc;
    o->argv = argv;
    o->files = xcalloc((size_t)argc + 1, sizeof *o->files);
    o->source_dirs = xcalloc((size_t)argc + 1, sizeof *o->source_dirs);
    int only_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_files || a[0] != '-' || strcmp(a, "-") == 0) {
            o->files[o->n_files++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0)
            return OPTS_HELP;
        if (strncmp(a, "-I", 2) == 0) {
            /* cg_annotate <= 3.20: -IDIR or -I DIR. */
            const char *dir = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : NULL;
            if (!dir)
                return usage(e, "option '%s' needs a value", a);
            o->source_dirs[o->n_source_dirs++] = dir;
            continue;
        }
        if (a[1] != '-')
            return usage(e, "unrecognized argument '%s'", a);

        /* "--name=value" or "--name"; name may be a unique prefix. */
        const char *eq = strchr(a, '=');
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        const struct opt *hit = NULL;
        int n_hits = 0;
        for (size_t k = 0; k < N_OPTS; k++) {
            if (strlen(table[k].name) == nlen && strncmp(table[k].name, a, nlen) == 0) {
                hit = &table[k];
                n_hits = 1;
                break;
            }
            if (strncmp(table[k].name, a, nlen) == 0) {
                hit = &table[k];
                n_hits++;
            }
        }
        if (n_hits == 0)
            return usage(e, "unrecognized option '%s'", a);
        if (n_hits > 1)
            return usage(e, "ambiguous option '%s'", a);

        const char *val = eq ? eq + 1 : NULL;
        if (hit->kind == K_FLAG && val)
            return usage(e, "option '%s' takes no value", a);
        if (hit->kind == K_ARG && !val) {
            if (i + 1 >= argc)
                return usage(e, "option '%s' needs a value", a);
            val = argv[++i];
        }
        int yes = 1;
        if (hit->kind == K_YESNO && val) {
            if (strcmp(val, "yes") == 0)
                yes = 1;
            else if (strcmp(val, "no") == 0)
                yes = 0;
            else
                return usage(e, "option '%s': expected yes or no", a);
        }
        switch (hit->id) {
        case O_HELP: return OPTS_HELP;
        case O_VERSION: return OPTS_VERSION;
        case O_DIFF: o->diff = 1; break;
        case O_MOD_FILENAME: o->mod_filename = val; break;
        case O_MOD_FUNCNAME: o->mod_funcname = val; break;
        case O_SHOW:
            free_list(o->show, o->n_show);
            o->show = split_list(val, &o->n_show);
            break;
        case O_SORT:
            free_list(o->sort, o->n_sort);
            o->sort = split_list(val, &o->n_sort);
            break;
        case O_THRESHOLD:
            if (parse_threshold(val, &o->threshold) < 0)
                return usage(e, "invalid --threshold value '%s' (a number from 0 to 20)", val);
            break;
        case O_SHOW_PERCS: o->show_percs = yes; break;
        case O_NO_SHOW_PERCS: o->show_percs = 0; break;
        case O_ANNOTATE:
        case O_AUTO: o->annotate = yes; break;
        case O_NO_ANNOTATE: o->annotate = 0; break;
        case O_CONTEXT: {
            char *end;
            errno = 0;
            long c = strtol(val, &end, 10);
            if (!*val || *end || errno || c < 0)
                return usage(e, "invalid --context value '%s' (a number >= 0)", val);
            o->context = c;
            break;
        }
        case O_SOURCE_DIR: o->source_dirs[o->n_source_dirs++] = val; break;
        case O_FORMAT:
            if (strcmp(val, "text") == 0)
                o->format = ANN_TEXT;
            else if (strcmp(val, "json") == 0)
                o->format = ANN_JSON;
            else
                return usage(e, "invalid --format value '%s' (text or json)", val);
            break;
        }
    }
    if (o->n_files == 0)
        return usage(e, "%s", "no profile file given (try --help)");
    if (o->diff && o->n_files != 2)
        return usage(e, "%s", "--diff requires exactly two profile files");
    return OPTS_RUN;
}

void opts_release(struct ann_opts *o)
{
    free_list(o->show, o->n_show);
    free_list(o->sort, o->n_sort);
    free(o->files);
    free(o->source_dirs);
    memset(o, 0, sizeof *o);
}
