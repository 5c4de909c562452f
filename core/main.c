/* main.c - the cachesim driver: options, start the program, run an engine.
 *
 * Exit status (docs/usage.md): the program's own status, 128+N if it died of
 * signal N; 1 if cachesim itself failed; 2 for a bad command line; 126 if the
 * program is not executable or not an x86-64 ELF; 127 if it was not found.
 */
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>

#include "core/prefault.h"
#include "core/base/version.h"
#include "core/base/diag.h"
#include "core/cpus.h"
#include "core/decode.h"
#include "core/determ.h"
#include "core/options.h"
#include "core/proc.h"
#include "core/session.h"
#include "core/step.h"


/* Cachegrind's cmd: line: the program as typed and its args, single spaces. */
static char *join_argv(char **argv)
{
    size_t n = 1;
    for (char **a = argv; *a; a++)
        n += strlen(*a) + 1;
    char *s = xmalloc(n), *p = s;
    for (char **a = argv; *a; a++)
        p += sprintf(p, "%s%s", a == argv ? "" : " ", *a);
    *p = 0;
    return s;
}

int main(int argc, char **argv)
{
    /* A fresh page costs a fault at its first write, which a helper thread
     * can take instead (core/prefault.h): zeroed tables, and the heap,
     * grown 256 KiB ahead of what malloc needs (prefault_heap). */
    mallopt(M_TOP_PAD, 256 << 10);
    mem_back_by(prefault);
    struct options opt;
    struct diag_err e;

    diag_set_prog("cachesim");
    switch (options_parse(argc, argv, &opt, &e)) {
    case OPTIONS_HELP:
        options_usage(stdout);
        return EXIT_OK;
    case OPTIONS_VERSION:
        printf("cachesim %s (Capstone %s)\n", CACHESIM_VERSION, dec_capstone_version());
        return EXIT_OK;
    case OPTIONS_ERROR:
        diag_die(EXIT_USAGE, "%s", e.msg);
    default:
        break;
    }
    char *path;
    int code = proc_resolve(opt.prog_argv[0], &path, &e);
    if (code != 0)
        diag_die(code, "%s", e.msg);

    struct session s;
    session_init(&s, &opt);

    extern char **environ;
    char **env = opt.deterministic ? determ_env(environ) : NULL;
    struct proc_spawn sp = {.path = path, .argv = opt.prog_argv, .envp = env, .aslr = opt.aslr};
    pid_t pid;
    cpus_pin_engine(); /* the program inherits it */
    if (proc_spawn(&sp, &pid, &e) != 0)
        diag_die(PROC_EXIT_NOEXEC, "%s", e.msg);

    char *cmd = join_argv(opt.prog_argv);
    int status = step_run(&s, pid, cmd);
    free(cmd);
    session_release(&s);
    free(path);
    free(env);
    fflush(stdout);
    return status;
}
