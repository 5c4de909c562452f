/* outname.h - output file name templates, as Valgrind expands them.
 *
 * Owns: %p (pid), %n (sequence number of this pid's profiles), %q{VAR}
 * (environment variable), %% (a percent sign); relative names are made absolute
 * against the directory cachesim started in (a later chdir of the program does
 * not matter, like Valgrind).  Must not: create files, print or exit.
 */
#ifndef CACHESIM_OUTNAME_H
#define CACHESIM_OUTNAME_H
#include <sys/types.h>

#include "core/base/diag.h"

/* Checks tmpl without expanding it (unknown %x, "%q" without "{VAR}", a name
 * starting with '~', an unset VAR): 0 or -1 with a message. */
int outname_check(const char *tmpl, struct diag_err *e);

/* Expands tmpl for pid and sequence number seq, relative to cwd (absolute).
 * Returns a malloc'd name, or NULL with a message. */
char *outname_expand(const char *tmpl, pid_t pid, unsigned seq, const char *cwd,
                     struct diag_err *e);
#endif
