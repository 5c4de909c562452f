/* subst.h - Perl-style "s/old/new/[gi]" name rewriting with POSIX regexes.
 *
 * Owns: parsing the expression the way cg_annotate 3.21+ and cg_diff parse
 * their --mod-filename/--mod-funcname arguments, and applying it.
 * Must not: print or exit.
 *
 * Cachegrind compatibility: the expression is split like cg_annotate does it
 * (a '/' preceded by a backslash is not a delimiter; "\/" in either part
 * becomes "/"; flags are "", "g", "i", "gi" or "ig"; without g only the first
 * match is replaced).  The pattern is a POSIX extended regex (cg_annotate uses
 * Python's re, which agrees on the common subset; Python-only escapes such as
 * \d are not available).  The replacement follows Python's re.sub rules:
 * \1..\99 and \g<N> insert captures, \\ a backslash, \n \t \r \f \v \a \b
 * control characters; an unknown escape of an ASCII letter is an error, any
 * other "\c" stays as written; '&' is literal.  Empty matches are replaced as
 * Python 3.7+ does (also right after a non-empty match).
 */
#ifndef CACHESIM_SUBST_H
#define CACHESIM_SUBST_H
#include "core/base/diag.h"

struct subst;

/* Compiles expr.  NULL (message in e, e.g. "invalid substitution 'x': ...")
 * on a malformed expression, a bad regex or a bad replacement. */
struct subst *subst_new(const char *expr, struct diag_err *e);
void subst_free(struct subst *s);

/* A malloc'd copy of name with the substitution applied (an unchanged copy
 * if nothing matched).  Never NULL (dies on OOM). */
char *subst_apply(const struct subst *s, const char *name);
#endif
