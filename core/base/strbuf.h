/* strbuf.h - a growing NUL-terminated string.
 *
 * Owns: appending bytes to a heap string that is always terminated.  Shared by
 * the name rewriting (subst) and output file names (core/outname).  Must not:
 * print or exit (other than xrealloc's out-of-memory death).
 */
#ifndef CACHESIM_STRBUF_H
#define CACHESIM_STRBUF_H
#include <stddef.h>

struct strbuf {
    char *p;        /* NUL-terminated once anything was added; owned; free() it */
    size_t len, cap;
};

/* Appends n bytes of s (which need not be terminated). */
void strbuf_add(struct strbuf *b, const char *s, size_t n);
/* Appends the string s. */
void strbuf_adds(struct strbuf *b, const char *s);
#endif
