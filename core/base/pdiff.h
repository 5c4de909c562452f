/* pdiff.h - the difference of two profiles, as cg_diff computes it.
 *
 * Owns: building the profile B - A (per line, or per function on line 0 like
 * cg_diff), its header lines, and collapsing a profile onto its functions.
 * Built on profile_add, so the arithmetic (and its 64-bit overflow checks)
 * is the profile module's.  Must not: print, exit, read or write files.
 *
 * Header of a difference profile (the choice is documented in docs/diff.md):
 *   desc: Files compared:   NAME_A; NAME_B     exactly as cg_diff 3.19..3.2x
 *   cmd: CMD_A; CMD_B                          as cg_diff 3.21+ (3.19 wrote
 *                                              two spaces after "cmd:")
 *   events: E1 E2 ...                          names joined by single spaces,
 *                                              as cg_diff 3.21+
 * The inputs' own desc: lines (cache configurations) are not carried over,
 * again like cg_diff.  Every (file, fn, line) key of either input appears in
 * the result, zero or not, so diff(A, A) lists A's keys with zero counts.
 */
#ifndef CACHESIM_PDIFF_H
#define CACHESIM_PDIFF_H
#include "core/base/diag.h"
#include "core/base/profile.h"

enum {
    PDIFF_FUNCTIONS = 1, /* sum every (file, fn) onto line 0, like cg_diff */
};

/* A new profile holding b - a, with the header above.  The events of a and b
 * must be the same names in the same order.  NULL on failure (message in e:
 * "events in data files don't match", or a 64-bit overflow). */
struct profile *pdiff_new(struct profile *a, struct profile *b, const char *name_a,
                          const char *name_b, int flags, struct diag_err *e);

/* A new profile with p's events, desc and cmd lines in which every (file, fn)
 * of p is summed onto line 0.  NULL on 64-bit overflow (message in e). */
struct profile *pdiff_collapse(struct profile *p, struct diag_err *e);
#endif
