/* textfmt.h - exact renderings of numbers and strings for reports.
 *
 * Owns: thousands separators ("1,234,567", cg_annotate's style), fixed-point
 * hundredths ("+2.05"), JSON string literals and Markdown code spans.  Shared
 * by the report writers (cachesim-diff today; cachesim-annotate can use the
 * same instead of a copy).  Must not: decide layout, compute anything that is
 * not a rendering, print diagnostics or exit.
 *
 * All functions are exact (integer arithmetic only), so a report shows the
 * same digits on every machine.
 */
#ifndef CACHESIM_TEXTFMT_H
#define CACHESIM_TEXTFMT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TEXTFMT_NUM_MAX 40 /* room for any rendering below, NUL included */

/* v with a comma every three digits ("-1,234,567") into dst (TEXTFMT_NUM_MAX
 * bytes).  With plus != 0 a positive v gets a leading '+' (0 never does).
 * Returns the length. */
size_t textfmt_commify(char *dst, int64_t v, int plus);

/* h hundredths as a decimal with exactly two fraction digits ("2.05",
 * "-0.50"); with plus != 0 a positive h gets a leading '+'.  Returns the
 * length. */
size_t textfmt_hundredths(char *dst, int64_t h, int plus);

/* v millionths as a decimal without trailing fraction zeros ("1", "0.5",
 * "12.000001").  Returns the length. */
size_t textfmt_millionths(char *dst, int64_t v);

/* s as a JSON string literal, quotes included.  Control characters are
 * escaped; a byte that does not start valid UTF-8 is written as the code
 * point of the same value (U+0080..U+00FF), so the output is always valid
 * JSON whatever bytes a file or function name holds. */
void textfmt_json_str(FILE *f, const char *s);

/* s as a Markdown code span that is safe inside a GitHub table cell: the
 * fence is one backtick longer than the longest backtick run in s, padded
 * with a space when s starts or ends with a backtick, and '|' is written as
 * "\|" (GitHub splits cells before it parses code spans). */
void textfmt_md_code(FILE *f, const char *s);

/* s as Markdown text: every ASCII punctuation character is backslash-escaped
 * (CommonMark allows that for all of them), so names such as "a_b|c" or "*x"
 * show as written, also inside a table cell. */
void textfmt_md_text(FILE *f, const char *s);
#endif
