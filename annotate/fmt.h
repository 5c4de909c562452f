/* fmt.h - number and string formatting shared by the text and JSON reports.
 *
 * Owns: Python-compatible renderings that cg_annotate 3.21+ output depends on
 * (f"{n:,d}" commified counts, f"{x:.1f}" percentages of n*100/total with
 * Python's correctly rounded int/int division, repr() of the threshold), the
 * display width of a name, and JSON string escaping.  Must not: decide layout.
 */
#ifndef CACHESIM_ANNOTATE_FMT_H
#define CACHESIM_ANNOTATE_FMT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FMT_NUM_MAX 48 /* room for any commified int64 or percentage */

/* "-1,234,567" into dst (FMT_NUM_MAX bytes); returns the length. */
size_t fmt_commify(char *dst, int64_t v);

/* The percentage v*100/total as "%.1f" into dst (FMT_NUM_MAX bytes), as
 * Python computes it (exact int product, correctly rounded division).
 * total must not be 0.  Returns the length. */
size_t fmt_perc(char *dst, int64_t v, int64_t total);

/* Python's repr() of a float ("0.1", "1.0", "1e-05") into dst (32 bytes). */
void fmt_pyfloat(char *dst, double x);

/* Display width: the number of UTF-8 code points (Python's len() of the
 * decoded text; an invalid byte counts as one). */
size_t fmt_width(const char *s);

/* A buffered writer for the reports: far cheaper per call than stdio's
 * locked fputs/putc on reports of a million lines.  Errors are sticky and
 * reported by out_close. */
struct out {
    FILE *f;
    size_t n;
    int err;
    char buf[1 << 16];
};
void out_init(struct out *o, FILE *f);
void out_put(struct out *o, const char *s, size_t len);
void out_str(struct out *o, const char *s);
void out_fmt(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_pad(struct out *o, char c, size_t n);
static inline void out_chr(struct out *o, char c)
{
    if (o->n == sizeof o->buf)
        out_put(o, &c, 1);
    else
        o->buf[o->n++] = c;
}
/* Writes what is buffered and flushes f: 0, or -1 if any write failed. */
int out_close(struct out *o);

/* Writes s as a JSON string literal (quotes included).  Control characters
 * are escaped; bytes that are not valid UTF-8 are written as the code points
 * U+0080..U+00FF of the same value, so the output is always valid JSON. */
void fmt_json_str(struct out *o, const char *s);
#endif
